"""Markdown body -> sanitised HTML, and the URL rewriting applied to it later."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions.toc import TocExtension

# Ids the page templates use; a heading never takes one of them.
RESERVED_IDS = {"main", "print", "related-title", "correction"}


def heading_id(text: str, separator: str) -> str:
    """A stable id for a heading that keeps Arabic letters (Python-Markdown's default keeps only ASCII).

    Harakat and tatweel are dropped, so a heading keeps its id when its vowel marks change.
    """
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn" and c != "\u0640")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    slug = re.sub(rf"[{separator}\s]+", separator, text) or "section"
    return slug + separator + "1" if slug in RESERVED_IDS else slug


EXTENSIONS = ["tables", "fenced_code", "sane_lists", TocExtension(slugify=heading_id, marker="")]

# nh3's defaults, less what the HTML standard calls obsolete.
TAGS = set(nh3.ALLOWED_TAGS) - {"acronym", "center", "strike", "tt", "map", "area"}
ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}


# Python-Markdown runs every preprocessor over a body, tries every block processor on every block
# and every inline pattern on every text node: most of its time. Each part below can only act on
# text holding one of its triggers, and the text those parts see holds only characters of the body
# (tabs become spaces and carriage returns newlines first, hence the extra triggers of `indent`,
# `code` and `linebreak`; indentation is only ever taken away). A part none of whose triggers is in
# a body is left out of the converter for that body. `html_block` also rewrites entities (`&amp x`
# gains its `;`), so `&` is one of its triggers too.
TRIGGERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("preprocessors", "fenced_code_block"): ("```", "~~~"),
    ("preprocessors", "html_block"): ("<", "&"),
    ("blockprocessors", "indent"): ("    ", "\t"),
    ("blockprocessors", "code"): ("    ", "\t"),
    ("blockprocessors", "table"): ("|",),
    ("blockprocessors", "hashheader"): ("#",),
    ("blockprocessors", "setextheader"): ("=", "-"),
    ("blockprocessors", "hr"): ("-", "_", "*"),
    ("blockprocessors", "quote"): (">",),
    ("blockprocessors", "reference"): ("]:",),
    ("inlinePatterns", "backtick"): ("`",),
    ("inlinePatterns", "escape"): ("\\",),
    ("inlinePatterns", "reference"): ("[",),
    ("inlinePatterns", "link"): ("[",),
    ("inlinePatterns", "short_reference"): ("[",),
    ("inlinePatterns", "image_link"): ("![",),
    ("inlinePatterns", "image_reference"): ("![",),
    ("inlinePatterns", "short_image_ref"): ("![",),
    ("inlinePatterns", "autolink"): ("<",),
    ("inlinePatterns", "automail"): ("<",),
    ("inlinePatterns", "html"): ("<",),
    ("inlinePatterns", "entity"): ("&",),
    ("inlinePatterns", "linebreak"): ("  \n", "\t", "\r"),
    ("inlinePatterns", "em_strong"): ("*", "_"),
}
# Python-Markdown drops these from the source first: with one, any two characters may meet.
_REMOVED_FIRST = ("\x02", "\x03")


_ALL_TRIGGERS = sorted({t for triggers in TRIGGERS.values() for t in triggers})


def unneeded_parts(text: str) -> frozenset[tuple[str, str]]:
    """The (registry, name) parts of Python-Markdown that cannot act anywhere on the Markdown `text`."""
    if any(c in text for c in _REMOVED_FIRST):
        return frozenset()
    return _parts_without(frozenset(t for t in _ALL_TRIGGERS if t not in text))


@functools.cache
def _parts_without(absent: frozenset[str]) -> frozenset[tuple[str, str]]:
    return frozenset(part for part, triggers in TRIGGERS.items() if absent.issuperset(triggers))


@functools.cache
def _markdown(without: frozenset[tuple[str, str]] = frozenset()) -> markdown.Markdown:
    """One converter per set of parts left out, per process, made when first needed."""
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    for registry, name in without:
        (md.parser.blockprocessors if registry == "blockprocessors" else getattr(md, registry)).deregister(name)
    return md


def render_markdown(text: str) -> str:
    """Convert a Markdown body to HTML and sanitise it: no script, handler or javascript: URL survives."""
    md = _markdown(unneeded_parts(text))
    md.reset()
    raw = md.convert(text)
    return nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None).strip()


# On nh3's serialisation every '<' and '>' outside markup is escaped, also inside
# attribute values, and every attribute value is double-quoted: a tag is exactly
# '<name ...>' and a URL attribute exactly ' href="..."'. Only tags with one are matched.
_TAG_WITH_URL = re.compile(r'<[a-zA-Z][^<>]*\s(?:href|src)="[^<>]*>')
_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def rewrite_urls(sanitised_html: str, rewrite: Callable[[str], str]) -> str:
    """Apply `rewrite` to every href and src value in the HTML from `render_markdown`."""

    def in_attr(match: re.Match) -> str:
        url = rewrite(html.unescape(match.group(2)))
        return match.group(1) + html.escape(url, quote=True) + match.group(3)

    return _TAG_WITH_URL.sub(lambda tag: _URL_ATTR.sub(in_attr, tag.group(0)), sanitised_html)
