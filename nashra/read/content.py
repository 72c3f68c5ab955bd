"""Reading a site's content: topics.yml and every articles/**.md file -> Content (or every problem).

The rules are elsewhere and pure: topics.py (topics.yml), frontmatter.py (one article), rules.py
and links.py (across files). This module reads the files, in worker processes for many.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from ..incremental.digests import digest_bytes
from ..layout import ARTICLES_DIR, IMAGES_DIR, STATIC_DIR
from ..model import Article, Content, SiteConfig, Topic
from ..parallel import run_chunks
from ..problems import ContentError, Problem
from ..urls import split
from .config import decode_text, read_text
from .frontmatter import cached_problem, parse_article
from .inputs import Inputs, check_images, scan_folder
from .links import LinkSites, check_links, link_sites, members_digest
from .rules import check_articles
from .scan import Link, find_links
from .sources import check_sources, read_sources
from .topics import read_topics

# ---- reading files ----


def list_files(folder: Path, root: Path, pattern: str = "*") -> list[str]:
    """The files of an input folder matching `pattern`, relative to it, sorted: no hidden file, and
    none that leads astray (inputs.Inputs, which says why, is the rule)."""
    return scan_folder(root, folder.relative_to(root).as_posix(), pattern)[0]


class Known(Protocol):
    """What an earlier build knows of the articles (incremental.Session): an article taken from it
    is not even read; it comes without its body, read again only if something needs it (load_body)."""

    def known_article(self, relpath: str, check: Callable[[Article], str | None]) -> Article | None: ...

    def known_links(self, relpath: str) -> list[Link] | None: ...

    def known_linked(self, relpath: str) -> tuple[str, ...] | None:
        """The article files an article taken from what was known links to (linked_files), if known."""
        ...

    def links_passed(self, sites: LinkSites, digest: str) -> bool:
        """Whether the links of the articles taken with their links passed the last build's check
        against sites that these `sites` (of this `digest`) cover (links.LinkSites)."""
        ...


@dataclass(frozen=True, slots=True)
class ToRead:
    """Which files reading the site starts from: the topics, the images and static files, every
    article file and those known already; `stop` when the problems so far stop reading here."""

    topics: tuple[Topic, ...]
    tz: ZoneInfo | None
    images: list[str]
    static: list[str]
    relpaths: list[str]
    known: dict[str, Article]
    problems: list[Problem]
    stop: bool = False

    @property
    def unread(self) -> list[str]:
        return [relpath for relpath in self.relpaths if relpath not in self.known]


@dataclass(frozen=True, slots=True)
class Parsed:
    """An article file read and parsed: the article (None if it could not be made), its problems and
    the links in its body."""

    article: Article | None
    problems: list[Problem]
    links: list[Link]


@dataclass(frozen=True, slots=True)
class Reading:
    """What reading found: the content, every problem, the links in every article's body, and the
    articles taken with their links from what an earlier build knew (Known) rather than parsed."""

    content: Content
    problems: list[Problem]
    links: Mapping[str, list[Link]]
    from_records: frozenset[str]
    # What the sites its links were checked against hold (LinkSites.members) and their digest, when a
    # build keeps them for the next
    link_members: list | None = None
    links_digest: str = ""


def read_content(root: Path, config: SiteConfig) -> tuple[Content, list[Problem]]:
    """Read and check topics.yml and every article: what could be read, and every problem.

    `check` reports them; the build reads the same way (body.parse_and_prepare) and stops on
    them. Errors in topics.yml stop here, as every article would only repeat them.
    """
    plan = files_to_read(root, config)
    parsed = run_chunks(parse_files, plan.unread, str(root), plan.topics, plan.tz)
    reading = finish_reading(root, config, plan, parsed)
    return reading.content, reading.problems


def files_to_read(root: Path, config: SiteConfig, known: Known | None = None) -> ToRead:
    """topics.yml read and checked, and the files of the site listed: which articles to parse."""
    inputs = Inputs(root)
    topics, problems = read_topics(root, inputs)
    if any(p.severity == "error" for p in problems):
        return ToRead(topics, None, [], [], [], {}, problems, stop=True)
    images, refused_images = inputs.scan(IMAGES_DIR)
    static, refused_static = inputs.scan(STATIC_DIR)
    names, refused_articles = inputs.scan(ARTICLES_DIR, "*.md")
    problems += dict.fromkeys(refused_articles + refused_images + refused_static)  # each once
    if any(folder in inputs.refused for folder in (ARTICLES_DIR, IMAGES_DIR, STATIC_DIR)):
        return ToRead(topics, None, [], [], [], {}, problems, stop=True)  # every article's links would repeat it
    problems += check_images(root, images)
    relpaths = [f"{ARTICLES_DIR}/{name}" for name in names]
    trust = partial(cached_problem, topics=frozenset(t.slug for t in topics))  # the rules a parsed one meets
    found_known = {}
    for relpath in relpaths if known else ():
        if (article := known.known_article(relpath, trust)) is not None:
            found_known[relpath] = article
    return ToRead(topics, ZoneInfo(config.timezone), images, static, relpaths, found_known, problems)


def finish_reading(
    root: Path, config: SiteConfig, plan: ToRead, parsed: Iterable[Parsed], known: Known | None = None
) -> Reading:
    """The articles known and parsed (`parsed` in the order of plan.unread), checked all together:
    slugs, links and images across files."""
    if plan.stop:
        return Reading(Content(plan.topics, (), (), ()), plan.problems, {}, frozenset())
    problems = list(plan.problems)
    by_path = dict(zip(plan.unread, parsed, strict=True))
    articles: list[Article] = []
    found_links: dict[str, list[Link]] = {}
    for relpath in plan.relpaths:
        if relpath in plan.known:
            articles.append(plan.known[relpath])
            continue
        result = by_path[relpath]
        problems += result.problems
        if result.article is not None:
            found_links[relpath] = result.links
            articles.append(result.article)
    problems += check_articles(articles, set(plan.images))
    registry, found = read_sources(root)  # content/sources.yml; its errors stop the articles' check
    problems += found + ([] if any(p.severity == "error" for p in found) else check_sources(articles, registry))
    sites = link_sites(articles, plan.relpaths, plan.topics, plan.images, plan.static, config.per_page)
    members = sites.members() if known is not None else None  # what the next build compares with
    site = members_digest(members) if members is not None else ""
    passed_before = known is not None and known.links_passed(sites, site)
    from_records, linked = _take_known_links(root, articles, found_links, known, passed_before)
    problems += check_links(sites, articles, found_links, from_records if passed_before else ())
    linked |= {path: files for path, links in found_links.items() if (files := linked_files(path, links))}
    content = Content(plan.topics, tuple(articles), tuple(plan.images), tuple(plan.static), linked, registry)
    return Reading(content, problems, found_links, frozenset(from_records), members, site)


def _take_known_links(
    root: Path, articles: Iterable[Article], found: dict[str, list[Link]], known: Known | None, passed_before: bool
) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """The links of the articles taken from what was known (those not in `found`) put in `found`, or,
    when they passed the last build's check against this same site (`passed_before`), only the files
    they link to, as recorded: most of a rebuild's 56,000 links at 10,000 articles are not even read.
    Returns the articles taken with their links (or linked files), and those linked files."""
    from_records, linked = set(), {}
    for article in articles:
        path = article.path
        if path in found:
            continue
        files = known.known_linked(path) if passed_before else None  # (passed_before: known is there)
        if files is not None:
            from_records.add(path)
            if files:
                linked[path] = files
            continue
        links = known.known_links(path) if known is not None else None
        if links is not None:
            from_records.add(path)
        found[path] = (
            links if links is not None else find_links(article.body or load_body(root, article), article.body_line)
        )
    return from_records, linked


def linked_files(article_path: str, links: Iterable[Link]) -> tuple[str, ...]:
    """The article files a body links to by file (`../05/budget.md`), as the page resolves them
    (urls.resolve_body_url) and as the link check does (unquoted): its page prints their slugs, so
    its key holds them (incremental/keys.py), and no other article's."""
    folder, found = posixpath.dirname(article_path), set()
    for link in links:
        if ".md" not in link.url:  # most links (to other sites): not split again
            continue
        path = _path(link.url)
        if path.endswith(".md") and not path.startswith("/"):
            found |= {posixpath.normpath(posixpath.join(folder, p)) for p in (path, unquote(path))}
    return tuple(sorted(found))


def _path(url: str) -> str:
    """The path of a link's address ('' for one that is no address: NSH128 reports it)."""
    parts = split(url)
    return parts.path if parts else ""


def parse_files(top: str, topics: tuple[Topic, ...], tz: ZoneInfo, relpaths: list[str]) -> list[Parsed]:
    """Read and parse each article file and find the links in its body (in a worker, for many)."""
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
        results.append(Parsed(article, problems + found, links))
    return results


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


def _decode(data: bytes, relpath: str, problems: list[Problem]) -> str | None:
    try:
        return decode_text(data, relpath)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
