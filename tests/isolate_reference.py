"""The first, slower way Nashra isolated Latin runs, through html.parser: an oracle for
body.typography.isolate_html, which tokenises sanitised HTML with a regular expression instead."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from nashra.body.typography import _SKIP, _VOID, LATIN_RUN, _sets_own_direction, isolate_text

_LINE_START = re.compile(r"^", re.MULTILINE)


def isolate_html_reference(fragment: str) -> str:
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
        if not self.tokens:
            return self.source
        ends = [offset for offset, _ in self.tokens[1:]] + [len(self.source)]
        out = [self.source[: self.tokens[0][0]]]
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
