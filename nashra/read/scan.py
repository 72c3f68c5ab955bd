"""Markdown body -> the links, images and headings in it, each with its file line and column.

Pure text scanning, no rendering: code (fenced blocks, `spans`), HTML comments and
backslash-escaped punctuation are blanked out first, keeping every offset, so a
position in the blanked text is a position in the file. Of raw HTML only the src
of an <img> is read (a picture the page would fetch); its links are not.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")

# `[text](` or `![text](`: no bracket in the text except one nested pair, never across a blank line, and
# at most TEXT_MAX characters, so a stray `[` costs little. What follows `(` is read by `destination`.
TEXT_MAX = 1000
_CHAR = r"(?:[^\[\]\n]|\n(?![ \t]*(?:\n|\Z)))"
INLINE = re.compile(rf"(!?)\[((?:{_CHAR}|\[{_CHAR}{{0,{TEXT_MAX}}}\]){{0,{TEXT_MAX}}})\]\(")
TITLE_END = {'"': '"', "'": "'", "(": ")"}
REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^<>\n]*>|\S+)", re.M)
# A raw HTML <img> and its src, for the site's images and NSH123 (the quotes as html.parser reads them).
HTML_IMG = re.compile(r"""<img(?=[\s/>])[^>]*?[\s/"']src[ \t\n]*=[ \t\n]*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)", re.M)
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[#>|*+-]|\d+[.)]|$)")


@dataclass(frozen=True, slots=True)
class Link:
    line: int  # file line of the URL
    col: int  # from 1
    url: str
    image: bool  # ![...](...)


@dataclass(frozen=True, slots=True)
class Heading:
    line: int
    level: int  # 1..6
    text: str


def blank(text: str) -> str:
    """`text` with code, comments and escapes replaced by spaces; same length, same newlines."""
    lines = text.split("\n")
    fence = ""
    for i, line in enumerate(lines):
        match = FENCE.match(line)
        if fence:
            if (
                match
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
                and not line[match.end() :].strip()
            ):
                fence = ""
            lines[i] = " " * len(line)
        elif match and not (match.group(1)[0] == "`" and "`" in line[match.end() :]):
            fence = match.group(1)
            lines[i] = " " * len(line)
    text = "\n".join(lines)
    for pattern, trigger in ((COMMENT, "<!--"), (CODE_SPAN, "`"), (ESCAPE, "\\")):
        if trigger in text:  # (most bodies have none of them: no need to scan)
            text = pattern.sub(_spaces, text)
    return text


def _spaces(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def find_links(body: str, body_line: int = 1) -> list[Link]:
    """Every Markdown link, image, reference definition and autolink, in order of position."""
    text = blank(body)
    found: list[tuple[int, str, bool]] = []
    if "[" in text:
        _inline(text, 0, len(text), found, _Scanner(text))
        found += [(m.start(1), m.group(1), False) for m in REFERENCE.finditer(text)]
    if "<" in text:
        found += [(m.start(1), m.group(1), False) for m in AUTOLINK.finditer(text)]
        for m in HTML_IMG.finditer(text):
            value = next(i for i in (1, 2, 3) if m.group(i) is not None)
            found.append((m.start(value), html.unescape(m.group(value)), True))
    links = []
    line, line_start, counted = 1, 0, 0  # the positions come in order: count each line break once
    for pos, url, image in sorted(found):
        if url.startswith("<") and url.endswith(">"):
            url, pos = url[1:-1], pos + 1
        line += text.count("\n", counted, pos)
        counted = pos
        if line > 1:
            line_start = text.rfind("\n", line_start, pos) + 1 or line_start
        links.append(Link(body_line + line - 1, pos - line_start + 1, url.strip(), image))
    return links


def _inline(text: str, start: int, end: int, found: list[tuple[int, str, bool]], scan: _Scanner) -> None:
    pos = start
    while True:
        match = INLINE.search(text, pos, end)
        if not match:
            return
        link = destination(text, match.end(), end, scan)
        if link is None:
            pos = match.start() + 1
            continue
        url_start, url_end, close = link
        found.append((url_start, text[url_start:url_end], match.group(1) == "!"))
        _inline(text, match.start(2), match.end(2), found, scan)  # an image inside a link's text
        pos = close


_URL_STOP = re.compile(r"[()<\s]")


class _Scanner:
    """What `destination` needs to know of a text, each part found once, so that reading the links of a
    text stays linear in its length however many `(` it holds: where each `(` of a URL is closed, and
    where a character is next, remembered from the last search for it."""

    def __init__(self, text: str):
        self.text = text
        self._closers: dict[int, int] | None = None
        self._spans: dict[str, tuple[int, int]] = {}  # characters -> (from, to): none of them in between

    def closer(self, pos: int) -> int:
        """Where the `)` is that closes the `(` at `pos` in its run of text without space or `<`, or -1."""
        if self._closers is None:
            self._closers, opened = {}, []
            for match in _URL_STOP.finditer(self.text):
                if match.group() == "(":
                    opened.append(match.start())
                elif match.group() == ")":
                    if opened:
                        self._closers[opened.pop()] = match.start()
                else:
                    opened.clear()
        return self._closers.get(pos, -1)

    def find(self, chars: str, pos: int, end: int) -> int:
        """The first of `chars` in text[pos:end], or -1."""
        start, stop = self._spans.get(chars, (0, -1))
        if not start <= pos <= stop:
            start, stop = pos, pos
        if stop < end:
            match = _pattern(chars).search(self.text, stop, end)
            stop = match.start() if match else end
            self._spans[chars] = (start, stop)
        return stop if stop < end else -1


@functools.cache
def _pattern(chars: str) -> re.Pattern:
    return re.compile(f"[{re.escape(chars)}]")


def destination(text: str, pos: int, end: int, scan: _Scanner | None = None) -> tuple[int, int, int] | None:
    """Read `url "title")` from just after `(`: (url start, url end, after `)`), or None if it is no link.

    One pass, no backtracking: whitespace (at most one line break), the URL (`<...>` or
    text with balanced parentheses), an optional title, whitespace, `)`.
    """
    scan = scan or _Scanner(text)
    pos = _space(text, pos, end)
    if pos < end and text[pos] == "<":
        close = scan.find("<>\n", pos + 1, end)
        if close < 0 or text[close] != ">":
            return None
        url_start, url_end, pos = pos, close + 1, close + 1
    else:
        url_start = pos
        while (match := _URL_STOP.search(text, pos, end)) and match.group() == "(":
            close = scan.closer(match.start())
            if close < 0 or close >= end:
                return None  # never closed: the URL ends with a '(' open
            pos = close + 1
        pos = match.start() if match else end
        url_end = pos
    after_url = pos
    pos = _space(text, pos, end)
    if pos > after_url and pos < end and text[pos] in TITLE_END:
        close = scan.find(TITLE_END[text[pos]] + "\n", pos + 1, end)
        if close < 0 or text[close] == "\n":
            return None
        pos = _space(text, close + 1, end)
    if pos < end and text[pos] == ")":
        return url_start, url_end, pos + 1
    return None


def _space(text: str, pos: int, end: int) -> int:
    """After spaces and tabs with at most one line break."""
    newline = False
    while pos < end and text[pos] in " \t\n":
        if text[pos] == "\n":
            if newline:
                break
            newline = True
        pos += 1
    return pos


def find_headings(body: str, body_line: int = 1) -> list[Heading]:
    """ATX (`## x`) and setext (`x` underlined with === or ---) headings, in order."""
    lines = blank(body).split("\n")
    headings = []
    for i, line in enumerate(lines):
        atx = ATX.match(line)
        if atx:
            headings.append(Heading(body_line + i, len(atx.group(1)), line[atx.end() :].strip(" #\t")))
            continue
        setext = SETEXT.match(line)
        if setext and i > 0 and not NOT_PARAGRAPH.match(lines[i - 1]) and not SETEXT.match(lines[i - 1]):
            level = 1 if setext.group(1)[0] == "=" else 2
            headings.append(Heading(body_line + i - 1, level, lines[i - 1].strip()))
    return headings


def position(text: str, pos: int) -> tuple[int, int]:
    """(line, column) of an offset, both from 1."""
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1
