"""Arabic text helpers: Latin runs isolated with <bdi>, Arabic-Indic digits, plural forms.

Pure functions over strings; site.py calls them once per value while it prepares the model.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

# ---- Latin runs inside right-to-left text ----

_L = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
# A word starts with a Latin letter (or digits glued to one: 5G) and may hold digits and
# inner connectors (COP29, GPT-4, U.S, AT&T); a run is words joined by spaces or by
# spaced connectors (The New York Times, Procter & Gamble, Nature: Protein design). A
# number standing after the run (Times 3) stays outside it, in the surrounding text.
_WORD = rf"[0-9]*[{_L}](?:[{_L}0-9]|[-.'’&/+_](?=[{_L}0-9]))*"
_GAP = r"(?:[ \u00a0]+|[ \u00a0]*[&+:,–—-][ \u00a0]+|[ \u00a0]+[&+–—-][ \u00a0]*)"
# A web address is one run as written, or its slashes and dots would be reordered.
_URL = r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,:;!?)»،؛]"
LATIN_RUN = re.compile(rf"{_URL}|{_WORD}(?:{_GAP}{_WORD})*")

# Text inside these elements is left exactly as written.
_SKIP = {"code", "pre", "kbd", "samp", "var", "bdi", "bdo", "script", "style", "textarea", "title", "svg", "math"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_LINE_START = re.compile(r"^", re.MULTILINE)


def isolate_text(text: str) -> Markup:
    """Plain text -> Markup with each Latin run escaped and wrapped in <bdi>."""
    if not LATIN_RUN.search(text):
        return escape(text)
    out: list[str] = []
    last = 0
    for match in LATIN_RUN.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<bdi>{escape(match.group(0))}</bdi>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def isolate_html(fragment: str) -> str:
    """Wrap the Latin runs of every text node in <bdi>, on finished (sanitised) HTML.

    Tags, attributes and comments are copied byte for byte; only text nodes with a Latin
    run change. Text inside code, pre, kbd, bdi and the like, and inside any element that
    sets its own `dir` or a left-to-right `lang`, is left alone.
    """
    parser = _Isolator()
    parser.feed(fragment)
    parser.close()
    return parser.result()


class _Isolator(HTMLParser):
    """Record where each token starts; the output is the source, with some text tokens replaced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.source = ""
        self.tokens: list[tuple[int, str | None]] = []  # (offset, replacement or None to copy)
        self.texts: dict[int, str] = {}  # offset -> the decoded text a replacement stands for
        self.stack: list[tuple[str, bool]] = []  # open elements: (tag, leaves its text alone)

    def feed(self, data: str) -> None:
        self.source += data
        self.line_starts = [m.start() for m in _LINE_START.finditer(self.source)]
        super().feed(data)

    def result(self) -> str:
        ends = [offset for offset, _ in self.tokens[1:]] + [len(self.source)]
        out = [self.source[: self.tokens[0][0]]] if self.tokens else [self.source]
        for (start, replacement), end in zip(self.tokens, ends, strict=True):
            raw = self.source[start:end]
            out.append(replacement if replacement is not None and html.unescape(raw) == self.texts[start] else raw)
        return "".join(out)

    def _mark(self, replacement: str | None = None) -> int:
        line, col = self.getpos()
        offset = self.line_starts[line - 1] + col
        self.tokens.append((offset, replacement))
        return offset

    def handle_starttag(self, tag, attrs):
        self._mark()
        if tag not in _VOID:
            self.stack.append((tag, tag in _SKIP or _sets_own_direction(dict(attrs))))

    def handle_startendtag(self, tag, attrs):
        self._mark()

    def handle_endtag(self, tag):
        self._mark()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if any(skip for _, skip in self.stack) or not LATIN_RUN.search(data):
            self._mark()
        else:
            offset = self._mark(str(isolate_text(data)))
            self.texts[offset] = data

    def handle_comment(self, data):
        self._mark()

    def handle_decl(self, decl):
        self._mark()

    def handle_pi(self, data):
        self._mark()

    def unknown_decl(self, data):
        self._mark()


def _sets_own_direction(attrs: Mapping[str, str | None]) -> bool:
    if attrs.get("dir") is not None:
        return True
    lang = attrs.get("lang")
    return lang is not None and text_direction(lang) != "rtl"


def text_direction(tag: str) -> str:
    """`rtl` or `ltr` for a BCP 47 tag, from CLDR through Babel; `ltr` for an unknown tag."""
    try:
        return Locale.parse(tag, sep="-").text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"


_HEADING = re.compile(r'<h([1-6])((?:\s[^>]*)?\sid="([^"]+)"[^>]*)>(.*?)</h\1>', re.DOTALL)


def add_heading_anchors(fragment: str, label: str, label_attrs: str = "") -> str:
    """Follow each heading that has an id with a link to it (`#`, named `label: heading`).

    The link sits beside the heading, not inside it, so the heading's own name stays its text.
    `label_attrs` (e.g. ` lang="ar" dir="rtl"`) marks the label's language when the body is in another.
    """

    def anchor(match: re.Match) -> str:
        ident = match.group(3)
        name = html.escape(f"{label}: {' '.join(plain_text(match.group(4)).split())}", quote=False)
        return (
            f'<div class="heading">{match.group(0)}<a class="heading-anchor" href="#{ident}">'
            f'<span aria-hidden="true">#</span><span class="visually-hidden"{label_attrs}>{name}</span></a></div>'
        )

    return _HEADING.sub(anchor, fragment)


def starts_with_latin(text: str) -> bool:
    return bool(LATIN_RUN.match(text.lstrip()))


RLM = "\u200f"  # RIGHT-TO-LEFT MARK


def mark_rtl(text: str, direction: str) -> str:
    """Plain text that cannot hold <bdi> (a feed title, <title>, og:title): a right-to-left text that
    starts with a Latin name gets a leading RLM, so readers that guess the direction from the first
    letter still set it right to left."""
    return RLM + text if direction == "rtl" and starts_with_latin(text) else text


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


# ---- digits ----

DIGIT_SYSTEMS = {"latn": "0123456789", "arab": "٠١٢٣٤٥٦٧٨٩"}


def to_digits(text: str, system: str) -> str:
    """Write the ASCII digits of already formatted text in `system` (`latn` leaves it as is)."""
    return text if system == "latn" else text.translate(str.maketrans("0123456789", DIGIT_SYSTEMS[system]))


# ---- plural forms ----

# Each noun takes the form CLDR's plural category for the number asks for: Arabic has six.
ARTICLE_FORMS = {
    "zero": "لا أخبار",
    "one": "خبر واحد",
    "two": "خبران",
    "few": "{n} أخبار",
    "many": "{n} خبرًا",
    "other": "{n} خبر",
}
MINUTE_FORMS = {
    "zero": "أقل من دقيقة",
    "one": "دقيقة واحدة",
    "two": "دقيقتان",
    "few": "{n} دقائق",
    "many": "{n} دقيقة",
    "other": "{n} دقيقة",
}


def plural(n: int, forms: Mapping[str, str], lang: str = "ar", digits: str = "latn") -> str:
    """The form of `forms` CLDR's plural rules pick for `n` in `lang`, with `n` in `digits`."""
    return forms[_plural_form(lang, n)].format(n=to_digits(str(n), digits))


@functools.lru_cache(maxsize=1024)
def _plural_form(lang: str, n: int) -> str:
    return Locale.parse(lang, sep="-").plural_form(n)


# ---- reading time ----

WORDS_PER_MINUTE = {"ar": 140}  # Arabic is read more slowly than English: script density, diacritics unwritten
DEFAULT_WORDS_PER_MINUTE = 200
_WORDS = re.compile(r"\w+")


def count_words(text: str) -> int:
    return len(_WORDS.findall(text))


def reading_minutes(text: str | int, lang: str) -> int:
    """Whole minutes to read `text` (or that many words), at least 1."""
    words = text if isinstance(text, int) else count_words(text)
    per_minute = WORDS_PER_MINUTE.get(lang.split("-")[0].lower(), DEFAULT_WORDS_PER_MINUTE)
    return max(1, round(words / per_minute))
