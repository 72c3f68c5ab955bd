"""topics.yml + articles/**.md -> Topic, Article (or problems).

`parse_*` functions are pure and take text; `load_*` functions read files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from yaml.nodes import Node, SequenceNode

from ..body.markdown import body_problems
from ..incremental.digests import digest, digest_bytes
from ..model import Article, Content, Image, SiteConfig, Source, Topic
from ..parallel import run_chunks
from ..problems import ContentError, Problem, has_errors
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


class Known(Protocol):
    """What an earlier build knows of the articles (incremental.Session): an article taken from it
    is not even read; it comes without its body, read again only if something needs it (load_body)."""

    def known_article(self, relpath: str, check: Callable[[Article], str | None]) -> Article | None: ...

    def known_links(self, relpath: str) -> list[Link] | None: ...


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
    from_records = set()
    for article in articles:
        if article.path not in found_links:  # an article taken from what was known, with its links or not
            links = known.known_links(article.path) if known else None
            if links is not None:
                from_records.add(article.path)
            else:
                links = find_links(article.body or load_body(root, article), article.body_line)
            found_links[article.path] = links
    problems += check_links(
        articles, plan.relpaths, plan.topics, plan.images, plan.static, config.per_page, found_links
    )
    linking = frozenset(
        path for path, links in found_links.items() if any(urlsplit(k.url).path.endswith(".md") for k in links)
    )
    content = Content(plan.topics, tuple(articles), tuple(plan.images), tuple(plan.static), linking)
    return Reading(content, problems, found_links, frozenset(from_records))


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
