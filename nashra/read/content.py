"""topics.yml + articles/**.md -> Topic, Article (or problems).

`parse_*` functions are pure and take text; `load_*` functions read files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from yaml.nodes import Node, SequenceNode

from ..body.markdown import body_problems
from ..cache import Cache, digest, digest_bytes
from ..model import Article, Content, Image, SiteConfig, Source, Topic
from ..parallel import run_chunks
from ..problems import ContentError, Problem, has_errors, raise_if
from .config import decode_text, read_text
from .inputs import Inputs, check_images, scan_folder
from .links import check_links
from .scan import Link, find_links
from .yamlnodes import Reader, suggest

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOPICS_FILE = "content/topics.yml"
ARTICLES_DIR = "content/articles"
IMAGES_DIR = "content/images"
STATIC_DIR = "templates/static"

REQUIRED = ("title", "date", "topics", "summary", "source")
OPTIONAL = ("slug", "updated", "author", "image", "draft", "lang", "correction")
FRONT_VALUES = 1000  # scalars, lists and mappings in one front matter; an article has about 30
YEARS = range(1000, 9999)  # 1000-9998: see in_years
DATE_HINT = "use YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-06-17T19:01"
SLUG_HINT = "use lower-case Latin letters, digits and single hyphens, e.g. putin-visit"


# ---- topics.yml ----


def parse_topics(text: str, path: str = TOPICS_FILE) -> tuple[tuple[Topic, ...], list[Problem]]:
    r = Reader(path)
    node = r.compose(text)
    topics: list[Topic] = []
    if node is not None and not isinstance(node, SequenceNode):
        r.error(node, "NSH005", "topics.yml must be a list of topics, each starting with '- slug: ...'")
    elif node is not None:
        seen: dict[str, int] = {}
        for item in node.value:
            fields = r.mapping(item, ("slug", "name", "description"), "a topic", required=("slug", "name"))
            if fields is None or "slug" not in fields or "name" not in fields:
                continue
            slug = r.text(fields["slug"], "slug")
            name = r.text(fields["name"], "name")
            description = (
                r.text(fields["description"], "description", required=False) if "description" in fields else ""
            )
            if slug is None or name is None:
                continue
            if not SLUG.match(slug):
                r.error(fields["slug"], "NSH106", f"topic slug '{slug}' is not valid", SLUG_HINT)
            elif slug in seen:
                r.error(
                    fields["slug"],
                    "NSH107",
                    f"topic slug '{slug}' is used twice (first on line {seen[slug]})",
                    "give each topic its own slug",
                )
            else:
                seen[slug] = r.line(fields["slug"])
                topics.append(Topic(slug, name, description or ""))
    if node is not None and not topics and not has_errors(r.problems):
        r.error(node, "NSH005", "topics.yml lists no topics", "add at least one '- slug: ...' entry")
    return tuple(topics), r.problems


# ---- one article ----


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, body's first line), or None if there is no closed block."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for i, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return None


def parse_datetime(value: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 date or date-time; no offset means `tz`, a bare date 00:00 there."""
    if DATE_ONLY.match(value):
        return datetime.fromisoformat(value).replace(tzinfo=tz)
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def in_years(moment: datetime) -> bool:
    """Whether the year written is in YEARS: four digits, as feeds, sitemaps and JSON-LD write
    them (RFC 822, RFC 3339), and a day away from datetime's ends, so that moving the moment to
    UTC or to any timezone cannot overflow (9999-12-31T23:59-05:00 would)."""
    return moment.year in YEARS


def parse_article(
    relpath: str, text: str, topics: tuple[Topic, ...], tz: ZoneInfo
) -> tuple[Article | None, list[Problem]]:
    """Read one article's text. Pure: the caller has read and decoded the file."""
    if not text.startswith("---"):
        return None, [
            Problem(
                relpath,
                1,
                1,
                "NSH002",
                "the file has no front matter",
                "the first line must be '---', then the keys, then '---'",
            )
        ]
    split = split_front_matter(text)
    if split is None:
        return None, [
            Problem(relpath, 1, 1, "NSH003", "the front matter is not closed", "add a line '---' after the last key")
        ]
    front, body, body_line = split
    r = Reader(relpath, first_line=2, max_values=FRONT_VALUES)
    node = r.compose(front)
    if node is None:
        if not r.problems:
            r.error(None, "NSH102", "the front matter is empty", "add title, date, topics, summary and source")
        return None, r.problems
    fields = r.mapping(node, REQUIRED + OPTIONAL, "the front matter", required=REQUIRED)
    if fields is None:
        return None, r.problems
    values = {name: FIELDS[name](r, fields[name], topics, tz) for name in fields if name in FIELDS}
    values["slug"] = values.get("slug") or default_slug(r, relpath, "slug" in fields)
    if values.get("correction") and "updated" not in fields:
        r.error(
            fields["correction"],
            "NSH112",
            "a 'correction' needs 'updated': the date and time it was corrected",
            "add 'updated: YYYY-MM-DDTHH:MM'",
        )
    r.problems += body_problems(relpath, body, body_line)  # before Python-Markdown ever sees the body
    if has_errors(r.problems) or any(values.get(k) is None for k in REQUIRED):
        return None, r.problems
    article = Article(
        front_digest=digest(front),
        path=relpath,
        body=body,
        body_line=body_line,
        lines=tuple((name, r.line(key)) for name, key in _keys(node)),
        **values,
    )
    return article, r.problems


def _keys(node: Node):
    return [(k.value, k) for k, _ in node.value if isinstance(k.value, str)]


def default_slug(r: Reader, relpath: str, given: bool) -> str | None:
    if given:
        return None  # the slug field itself was reported
    stem = PurePosixPath(relpath).stem
    if SLUG.match(stem):
        return stem
    r.error(
        None,
        "NSH106",
        f"the file name '{stem}' cannot be the article's slug",
        f"add 'slug: ...' ({SLUG_HINT}) or rename the file",
    )
    return None


# Per-field readers, one table (as Pelican's METADATA_PROCESSORS): (reader, node, topics, tz) -> value


def _title(r, node, topics, tz):
    return r.text(node, "title")


def _summary(r, node, topics, tz):
    return r.text(node, "summary")


def _author(r, node, topics, tz):
    return r.text(node, "author", required=False)


def _correction(r, node, topics, tz):
    return r.text(node, "correction", required=False)


def _date(name: str) -> Callable:
    def read(r, node, topics, tz):
        moment = r.checked(node, name, lambda v: parse_datetime(v, tz), f"'{name}' is not a valid date", DATE_HINT)
        if moment is not None and not in_years(moment):
            r.error(
                node,
                "NSH104",
                f"'{name}' is outside the years {YEARS.start}-{YEARS.stop - 1}: '{node.value.strip()}'",
                "check the year, e.g. 2024-06-17T19:01",
            )
            return None
        return moment

    return read


def _topics(r, node, topics, tz):
    items = r.text_list(node, "topics")
    if items is None:
        return None
    known = [t.slug for t in topics]
    result: list[str] = []
    for slug, item in items:
        if slug not in known:
            r.error(
                item,
                "NSH105",
                f"unknown topic '{slug}'",
                suggest(slug, known) + " Topics are listed in content/topics.yml.",
            )
        elif slug not in result:
            result.append(slug)
    return tuple(result)


def _slug(r, node, topics, tz):
    slug = r.text(node, "slug")
    if slug is not None and not SLUG.match(slug):
        r.error(node, "NSH106", f"slug '{slug}' is not valid", SLUG_HINT)
        return None
    return slug


def _source(r, node, topics, tz):
    fields = r.mapping(node, ("name", "url"), "'source'", required=("name",))
    if fields is None or "name" not in fields:
        return None
    name = r.text(fields["name"], "name")
    url = web_url(r, fields["url"], "source url") if "url" in fields else None
    return Source(name, url) if name else None


def _image(r, node, topics, tz):
    fields = r.mapping(node, ("src", "alt", "caption"), "'image'", required=("src",))
    if fields is None or "src" not in fields:
        return None
    if "alt" not in fields:
        r.error(
            node,
            "NSH108",
            "the image has no 'alt' text",
            "add 'alt: ...' describing the image for readers who cannot see it",
        )
        return None
    src = r.text(fields["src"], "src")
    alt = r.text(fields["alt"], "alt")
    caption = r.text(fields["caption"], "caption", required=False) if "caption" in fields else None
    if src is None or alt is None:
        return None
    if not is_safe_relpath(src):
        r.error(
            fields["src"],
            "NSH109",
            f"image src '{src}' must be the name of a file in content/images/",
            "download the picture, with permission, into content/images/ and write its name, e.g. 'src: visit.jpg'",
        )
        return None
    return Image(src, alt, caption)


def _draft(r, node, topics, tz):
    return r.boolean(node, "draft")


def _lang(r, node, topics, tz):
    tag = r.text(node, "lang")
    if tag is None:
        return None
    try:
        Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        r.error(node, "NSH110", f"unknown language tag '{tag}'", "use a BCP 47 tag such as 'en' or 'fr'")
        return None
    return tag


FIELDS = {
    "title": _title,
    "date": _date("date"),
    "updated": _date("updated"),
    "topics": _topics,
    "summary": _summary,
    "source": _source,
    "slug": _slug,
    "author": _author,
    "image": _image,
    "draft": _draft,
    "lang": _lang,
    "correction": _correction,
}


def is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def is_safe_relpath(value: str) -> bool:
    """A relative path that stays inside its folder."""
    path = PurePosixPath(value)
    return bool(value) and "\\" not in value and not path.is_absolute() and ".." not in path.parts and ":" not in value


def web_url(r: Reader, node: Node, name: str) -> str | None:
    value = r.text(node, name, required=False)
    if value == "":
        r.error(node, "NSH102", f"{name} is empty", "fill in the https:// address, or delete the line")
        return None
    if value is not None and not is_web_url(value):
        r.error(
            node,
            "NSH109",
            f"{name} '{value}' must be an absolute http:// or https:// address",
            "e.g. 'url: https://www.nytimes.com/'",
        )
        return None
    return value


def cached_problem(article: Article, topics: frozenset[str]) -> str | None:
    """What parse_article would never make of an article recorded in the build cache, if anything:
    the rules of FIELDS that need no YAML (`topics`: the known slugs), so a cache record is trusted
    no more than the file."""
    image, source = article.image, article.source
    if not (article.path.startswith(ARTICLES_DIR + "/") and article.path.endswith(".md")):
        return "unexpected 'path'"
    if not SLUG.fullmatch(article.slug):
        return "unexpected 'slug'"
    if not article.title or not article.summary:
        return "unexpected 'title' or 'summary'"
    if not article.topics or len(set(article.topics)) < len(article.topics) or not topics.issuperset(article.topics):
        return "unexpected 'topics'"
    if not source.name or (source.url is not None and not is_web_url(source.url)):
        return "unexpected 'source'"
    if image is not None and (not image.alt or not (is_web_url(image.src) or is_safe_relpath(image.src))):
        return "unexpected 'image'"
    if article.correction is not None and article.updated is None:
        return "unexpected 'correction'"
    if article.lang is not None and not _known_language(article.lang):
        return "unexpected 'lang'"
    return None


def _known_language(tag: str) -> bool:
    try:
        Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return False
    return True


# ---- the whole site: cross-file rules ----


def check_articles(articles: list[Article], images: set[str]) -> list[Problem]:
    """Rules across files: unique slugs (naming every file), images that exist."""
    problems: list[Problem] = []
    by_slug: dict[str, list[Article]] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
        image = article.image
        if image and not is_web_url(image.src) and image.src not in images:
            problems.append(
                Problem(
                    article.path,
                    article.line_of("image"),
                    0,
                    "NSH111",
                    f"image '{image.src}' is not in content/images/",
                    "add the file there, or correct 'src'",
                )
            )
    for slug, group in by_slug.items():
        if len(group) > 1:
            for article in group:
                others = ", ".join(a.path for a in group if a is not article)
                line = article.line_of("slug") or 1
                problems.append(
                    Problem(
                        article.path,
                        line,
                        0,
                        "NSH107",
                        f"slug '{slug}' is also used by {others}",
                        "give each article its own slug",
                    )
                )
    return problems


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
