"""One article's front matter -> Article (or problems): the pure rules of every key.

Nothing here reads a file: `parse_article` takes the text that content.py read and decoded.
The front matter's shape is defined once, here: FIELDS (every key, in order, with its reader)
and REQUIRED; OPTIONAL, the NSH101/NSH102 rules, `new`'s template (tests/test_new.py) and
CONTRIBUTING.md's tables (tests/test_guide.py) follow from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from yaml.nodes import Node, ScalarNode

from ..body.markdown import body_problems
from ..incremental.digests import digest
from ..layout import ARTICLES_DIR
from ..model import Article, Image, Source, Topic
from ..problems import Problem, has_errors
from ..urls import split as split_url
from .yamlnodes import Reader, is_null, suggest

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REQUIRED = ("title", "date", "topics", "summary", "source")  # the keys of FIELDS every article has
FRONT_VALUES = 1000  # scalars, lists and mappings in one front matter; an article has about 30
YEARS = range(1000, 9999)  # 1000-9998: see in_years
DATE_HINT = "use YYYY-MM-DD or YYYY-MM-DDTHH:MM, e.g. 2024-06-17T19:01"
SLUG_HINT = "use lower-case Latin letters, digits and single hyphens, e.g. putin-visit"


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
            r.error(None, "NSH102", "the front matter is empty", f"add {', '.join(REQUIRED[:-1])} and {REQUIRED[-1]}")
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
    if isinstance(node, ScalarNode) and not is_null(node):  # `source: <slug>`, checked in read/sources.py
        slug = r.text(node, "source")
        return Source(slug, None, slug) if slug else None
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


# The front matter: every key, in the order NSH101's suggestions and the docs list them, with its reader.
FIELDS = {
    "title": _title,
    "date": _date("date"),
    "topics": _topics,
    "summary": _summary,
    "source": _source,
    "slug": _slug,
    "updated": _date("updated"),
    "author": _author,
    "image": _image,
    "draft": _draft,
    "lang": _lang,
    "correction": _correction,
}
OPTIONAL = tuple(name for name in FIELDS if name not in REQUIRED)


def is_web_url(value: str) -> bool:
    parts = split_url(value)
    return parts is not None and parts.scheme in {"http", "https"} and bool(parts.netloc)


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
    if source.slug is not None and (source.slug != source.name or source.url is not None):
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
