"""Reading a site's content: topics.yml and every articles/**.md file -> Content (or every problem).

The rules are elsewhere and pure: topics.py (topics.yml), frontmatter.py (one article), rules.py
and links.py (across files). This module reads the files, in worker processes for many.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..cache import Cache, digest_bytes
from ..layout import ARTICLES_DIR, IMAGES_DIR, STATIC_DIR, TOPICS_FILE
from ..model import Article, Content, SiteConfig, Topic
from ..parallel import run_chunks
from ..problems import ContentError, Problem, has_errors, raise_if
from .config import decode_text, read_text
from .frontmatter import cached_problem, parse_article
from .inputs import Inputs, check_images, scan_folder
from .links import check_links
from .rules import check_articles
from .scan import Link, find_links
from .topics import parse_topics

# ---- reading files ----


def list_files(folder: Path, root: Path, pattern: str = "*") -> list[str]:
    """The files of an input folder matching `pattern`, relative to it, sorted: no hidden file, and
    none that leads astray (inputs.Inputs, which says why, is the rule)."""
    return scan_folder(root, folder.relative_to(root).as_posix(), pattern)[0]


@dataclass(frozen=True, slots=True)
class AfterParse:
    """More work on the articles parsed in a build, done where they were parsed while their bodies
    are at hand: `work` runs in the worker on each chunk of articles (it must pickle) and returns
    a result for each, which `take` receives back here."""

    work: Callable[[list[Article]], list[Any]]
    take: Callable[[Any], None]


def load_content(
    root: Path,
    config: SiteConfig,
    cache: Cache | None = None,
    digests: Mapping[str, str] | None = None,
    keep_bodies: bool = True,
    after_parse: AfterParse | None = None,
) -> Content:
    """Read topics.yml and every article; raise ContentError with every problem found.

    With a cache, an article whose file is unchanged is taken from it, not parsed again.
    """
    content, problems = read_content(root, config, cache, digests, keep_bodies, after_parse)
    raise_if(problems)
    return content


def read_content(
    root: Path,
    config: SiteConfig,
    cache: Cache | None = None,
    digests: Mapping[str, str] | None = None,
    keep_bodies: bool = True,
    after_parse: AfterParse | None = None,
) -> tuple[Content, list[Problem]]:
    """Read and check topics.yml and every article: what could be read, and every problem.

    The build stops on the problems (load_content); `check` reports them. Errors in
    topics.yml stop here, as every article would only repeat them.
    """
    problems: list[Problem] = []
    inputs = Inputs(root)
    topics_path = root / TOPICS_FILE
    if refused := inputs.judge(TOPICS_FILE):  # never read what leads outside
        topics = ()
        problems.append(refused)
    elif topics_path.is_file():
        topics, found = parse_topics(_read(topics_path, TOPICS_FILE, problems) or "")
        problems += found
    else:
        topics = ()
        problems.append(
            Problem(TOPICS_FILE, 0, 0, "NSH201", "content/topics.yml is missing", "list the site's topics there")
        )
    if any(p.severity == "error" for p in problems):
        return Content(topics, (), (), ()), problems
    tz = ZoneInfo(config.timezone)
    images, refused_images = inputs.scan(IMAGES_DIR)
    static, refused_static = inputs.scan(STATIC_DIR)
    names, refused_articles = inputs.scan(ARTICLES_DIR, "*.md")
    problems += dict.fromkeys(refused_articles + refused_images + refused_static)  # each once
    if any(folder in inputs.refused for folder in (ARTICLES_DIR, IMAGES_DIR, STATIC_DIR)):
        return Content(topics, (), (), ()), problems  # every article's links would only repeat it
    problems += check_images(root, images)
    top = str(root)
    relpaths = [f"{ARTICLES_DIR}/{name}" for name in names]
    articles: list[Article | None] = []
    found_links: dict[str, list[Link]] = {}
    trust = partial(cached_problem, topics=frozenset(t.slug for t in topics))  # the rules a parsed one meets
    for relpath in relpaths:
        # With the files' digests known, a cached article is not even read: it comes without its
        # body, read again only if something needs it (load_body).
        file_digest = digests.get(relpath) if digests else None
        articles.append(cache.article(relpath, file_digest, trust) if cache and file_digest else None)
    unread = [relpath for relpath, article in zip(relpaths, articles, strict=True) if article is None]
    work = after_parse.work if after_parse else None
    parsed = dict(zip(unread, run_chunks(_parse_files, unread, top, topics, tz, keep_bodies, work), strict=True))
    for i, relpath in enumerate(relpaths):
        if relpath not in parsed:
            continue
        article, found, links, more = parsed[relpath]
        problems += found
        if after_parse and more is not None:
            after_parse.take(more)
        if article is not None:
            found_links[relpath] = links
            if cache and not has_errors(found):
                cache.keep_article(relpath, article.digest, article)
        articles[i] = article
    articles = [a for a in articles if a is not None]
    problems += check_articles(articles, set(images))
    for article in articles:
        if article.path not in found_links:  # an article taken from the cache, with its links or not
            links = cache.links(article.path) if cache else None
            if links is not None:
                found_links[article.path] = links
                continue
            found_links[article.path] = find_links(article.body or load_body(root, article), article.body_line)
        if cache:
            cache.keep_links(article.path, found_links[article.path])
    problems += check_links(articles, relpaths, topics, images, static, config.per_page, found_links)
    linking = frozenset(
        path for path, links in found_links.items() if any(urlsplit(k.url).path.endswith(".md") for k in links)
    )
    if not keep_bodies:  # a large archive's bodies are most of its memory; BodyFile reads one when needed
        articles = [replace(a, body="") if a.body else a for a in articles]
    return Content(topics, tuple(articles), tuple(images), tuple(static), linking), problems


def _parse_files(
    top: str,
    topics: tuple[Topic, ...],
    tz: ZoneInfo,
    keep_bodies: bool,
    work: Callable[[list[Article]], list[Any]] | None,
    relpaths: list[str],
) -> list[tuple[Article | None, list[Problem], list[Link], Any]]:
    """Read and parse each article file, find the links in its body and do `work` on the articles
    without errors (in a worker, for many)."""
    results = []
    for relpath in relpaths:
        problems: list[Problem] = []
        with open(os.path.join(top, relpath), "rb") as f:
            data = f.read()
        text = _decode(data, relpath, problems)
        article, found = parse_article(relpath, text, topics, tz) if text is not None else (None, [])
        links = []
        if article is not None:
            links = find_links(article.body, article.body_line)
            article = replace(article, digest=digest_bytes(data))
        results.append((article, problems + found, links))
    good = [i for i, (article, found, _) in enumerate(results) if article and not has_errors(found)]
    more: list[Any] = [None] * len(results)
    if work and good:
        for i, result in zip(good, work([results[i][0] for i in good]), strict=True):
            more[i] = result
    # Without its body, a large archive's articles take little memory (BodyFile reads it again).
    return [
        (article if keep_bodies or not article else replace(article, body=""), found, links, extra)
        for (article, found, links), extra in zip(results, more, strict=True)
    ]


def load_body(root: Path, article: Article) -> str:
    """The Markdown body of an article that was loaded without it."""
    return BodyFile(str(root), article.path, article.body_line).read()


@dataclass(frozen=True, slots=True)
class BodyFile:
    """Where an article's body is: small enough to hand to a worker process, which reads it there."""

    root: str
    path: str
    body_line: int

    def read(self) -> str:
        text = read_text(Path(self.root) / self.path, self.path)
        return text.split("\n", self.body_line - 1)[-1]


def _read(path: Path, relpath: str, problems: list[Problem]) -> str | None:
    try:
        return read_text(path, relpath)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None


def _decode(data: bytes, relpath: str, problems: list[Problem]) -> str | None:
    try:
        return decode_text(data, relpath)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
