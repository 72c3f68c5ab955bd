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


# Python-Markdown tries every inline pattern on every text node, which is most of its time. A
# pattern can only match text holding its trigger, and a body's text nodes hold only characters
# of the body (tabs and carriage returns turn into spaces and newlines first, hence the extra
# triggers of `linebreak`): a pattern none of whose triggers is in the body is left out for it.
INLINE_TRIGGERS = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "entity": ("&",),
    "linebreak": ("  \n", "\t", "\r"),
    "em_strong": ("*", "_"),
}
# Python-Markdown drops these from the source first: with one, any two characters may meet.
_REMOVED_FIRST = ("\x02", "\x03")


def unneeded_patterns(text: str) -> frozenset[str]:
    """The inline patterns that cannot match anywhere in the Markdown `text`."""
    if any(c in text for c in _REMOVED_FIRST):
        return frozenset()
    return frozenset(name for name, triggers in INLINE_TRIGGERS.items() if not any(t in text for t in triggers))


@functools.cache
def _markdown(without: frozenset[str] = frozenset()) -> markdown.Markdown:
    """One converter per set of patterns left out, per process, made when first needed."""
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    for name in without:
        md.inlinePatterns.deregister(name)
    return md


def render_markdown(text: str) -> str:
    """Convert a Markdown body to HTML and sanitise it: no script, handler or javascript: URL survives."""
    md = _markdown(unneeded_patterns(text))
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
