"""Markdown body -> sanitised HTML, and the URL rewriting applied to it later."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable

import markdown
import nh3
from markdown import util
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import InlineProcessor

from ..problems import Problem
from ..urls import split

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


def off_site(url: str) -> bool:
    """Whether a browser would fetch the image at `url` from another host (or a data: or other scheme):
    read as browsers read it, ASCII space and control characters around it and tabs and line breaks in
    it dropped, backslashes as slashes (so '\\\\host/x' and '/\\host/x' are off the site too)."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33)))).replace("\\", "/")
    parts = split(url)  # None: an address Python cannot split, taken for one elsewhere (and refused)
    return parts is None or bool(parts.scheme or parts.netloc) or url.startswith("//")


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


class _TriggeredInline(InlineProcessor):
    """Python-Markdown's inline pass, skipping in each text node the inline patterns none of whose
    triggers (TRIGGERS) the node holds: such a pattern's regular expression cannot match there, so
    trying it returns the text unchanged, as skipping does. Most text nodes of a news article hold
    no trigger at all, yet every pattern searched each of them (a third of a conversion's time)."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        patterns = md.inlinePatterns
        self.triggers: list[tuple[str, ...] | None] = [None] * len(patterns)
        for (registry, name), triggers in TRIGGERS.items():
            if registry == "inlinePatterns" and name in patterns:
                self.triggers[patterns.get_index_for_name(name)] = triggers
        # A node holding none of them is left as it is, when every pattern has triggers. Matching only
        # ever replaces text with a placeholder (\x02klzzwxh:0000\x03), which holds none of them, so a
        # trigger a node lacks never appears while it is processed.
        every = {t for triggers in self.triggers if triggers for t in triggers}
        self.any_trigger = re.compile("|".join(map(re.escape, sorted(every)))) if all(self.triggers) else None

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """InlineProcessor.__handleInline (which the rest of the pass calls), with the checks added."""
        if isinstance(data, util.AtomicString) or (self.any_trigger and not self.any_trigger.search(data)):
            return data
        index, start, count = patternIndex, 0, len(self.inlinePatterns)
        while index < count:
            triggers = self.triggers[index]
            if triggers is not None:
                for trigger in triggers:
                    if trigger in data:
                        break
                else:
                    index, start = index + 1, 0  # what a pattern that does not match returns
                    continue
            data, matched, start = self._InlineProcessor__applyPattern(self.inlinePatterns[index], data, index, start)
            if not matched:
                index += 1
        return data


@functools.cache
def _markdown(without: frozenset[tuple[str, str]] = frozenset(), plain: bool = False) -> markdown.Markdown:
    """One converter per set of parts left out, per process, made when first needed; `plain` keeps
    Python-Markdown's own inline pass (tests compare the two)."""
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    for registry, name in without:
        (md.parser.blockprocessors if registry == "blockprocessors" else getattr(md, registry)).deregister(name)
    if not plain:
        md.treeprocessors.register(_TriggeredInline(md), "inline", 20)
    return md


# ---- bodies Python-Markdown cannot convert in bounded time ----

# Python-Markdown reads forward from every `[` to its `]` (three processors: link and two references),
# from every link's `](` to its `)`, from every backtick run to the next run as long, and html.parser
# reads every `<tag` to its `>`, each through the rest of the paragraph (of the body, for `<`) when
# nothing closes it: quadratic. A body may make it read at most MAX_SCAN characters so (measured at
# about 0.55 us each for `[`, the dearest, so under a second), be at most MAX_BODY characters long
# (whatever it holds, about 2.5 s at most), and nest lists and quotes at most MAX_DEPTH deep (each
# level is a recursion, and the list processor re-reads the rest at every level).
MAX_BODY = 100_000
MAX_SCAN = 1_000_000
MAX_DEPTH = 32
_BRACKETS = re.compile(r"[\[\]\n]")  # a line break may end a paragraph (blank_after); so does the end
_PARENS = re.compile(r"[()\n]")
_TICKS = re.compile(r"`+|\n")
_BLANK_AFTER = re.compile(r"[ \t]*(?:\n|\Z)")
_TAG = re.compile(r"<[a-zA-Z]")
_TAG_END = re.compile(r""">|=[ \t\n]*(["'])""")
_NESTING = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)|>[ \t]?")
COSTLY = {  # kind -> what, and how to fix it
    "[": ("'[' that no ']' closes", "close each '[' with ']' (a link is [text](address)); a '[' that is text is '\\['"),
    "](": ("links whose '(' no ')' closes", "close each link's address with ')'; a '(' that is text is '\\('"),
    "`": ("backticks that no run as long closes", "end each `code` with as many backticks as began it, or write '\\`'"),
    "<": ("'<' that no '>' closes", "close each HTML tag with '>'; write a '<' that is text as '&lt;'"),
}


def body_problems(path: str, body: str, body_line: int) -> list[Problem]:
    """NSH124 for a body that would take Python-Markdown too long to convert (see MAX_SCAN), at the
    line where the excess starts. Linear in the body's length."""

    def problem(pos: int, message: str, hint: str) -> Problem:
        line = body.count("\n", 0, pos)
        col = pos - (body.rfind("\n", 0, pos) + 1) + 1
        return Problem(path, body_line + line, col, "NSH124", message, hint)

    if len(body) > MAX_BODY:
        return [
            problem(
                MAX_BODY,
                f"the body is {len(body):,} characters long, more than the {MAX_BODY:,} a body may have",
                "split the text into several articles, or shorten it",
            )
        ]
    found = []
    deep = next(((depth, pos) for pos, line in _lines(body) if (depth := nesting(line)) > MAX_DEPTH), None)
    if deep:
        found.append(
            problem(
                deep[1],
                f"lists or quotes nested {deep[0]} deep, more than the {MAX_DEPTH} a body may have",
                "indent less: a few levels of lists and quotes are enough",
            )
        )
    # No place is read further than the body is long: most bodies need no closer look.
    if sum(map(body.count, ("[", "](", "`", "<"))) * len(body) <= MAX_SCAN:
        return found
    costs = scan_costs(body)
    if sum(cost for cost, _, _ in costs.values()) > MAX_SCAN:
        kind, (_, _, pos) = max(costs.items(), key=lambda item: item[1][0])
        what, hint = COSTLY[kind]
        found.append(problem(pos, f"too many {what}, from here on: Markdown would take too long to read it", hint))
    return found


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def nesting(line: str) -> int:
    """How deep a line nests lists and quotes: its indentation (4 columns a level) and markers."""
    stripped = line.lstrip(" \t")
    if not _NESTING.match(stripped):
        return 0
    indent = line[: len(line) - len(stripped)].expandtabs(4)
    depth, pos = len(indent) // 4, 0
    while match := _NESTING.match(stripped, pos):
        depth, pos = depth + 1, match.end()
        if pos == len(stripped):
            break
    return depth


def scan_costs(text: str) -> dict[str, tuple[int, int, int]]:
    """For each costly kind: (characters read in all, most read from one place, that place)."""
    costs: dict[str, list[int]] = {}

    def add(kind: str, start: int, stop: int) -> None:
        add_all(kind, [start], stop)

    def add_all(kind: str, starts: list[int], stop: int) -> None:  # `starts` in order
        if starts:
            total, most, where = costs.setdefault(kind, [0, -1, 0])
            cost = stop - starts[0]
            most, where = (cost, starts[0]) if cost > most else (most, where)
            costs[kind] = [total + len(starts) * stop - sum(starts), most, where]

    def paragraph_ends(match: re.Match) -> bool:
        return match.group() == "\n" and bool(_BLANK_AFTER.match(text, match.end()))

    if "[" in text:
        opened: list[int] = []
        for match in _BRACKETS.finditer(text):
            if match.group() == "[":
                opened.append(match.start())
            elif match.group() == "]":
                if opened:
                    add("[", opened.pop(), match.start())
            elif opened and paragraph_ends(match):
                add_all("[", opened, match.start())
                opened.clear()
        add_all("[", opened, len(text))
    if "](" in text:
        parens: list[tuple[int, bool]] = []  # where, and whether a link's
        for match in _PARENS.finditer(text):
            if match.group() == "(":
                parens.append((match.start(), text[match.start() - 1 : match.start()] == "]"))
            elif match.group() == ")":
                if parens:
                    start, link = parens.pop()
                    if link:
                        add("](", start, match.start())
            elif parens and paragraph_ends(match):
                add_all("](", [start for start, link in parens if link], match.start())
                parens.clear()
        add_all("](", [start for start, link in parens if link], len(text))
    if "`" in text:
        runs: dict[int, int] = {}  # length -> where a run of it waits for its closing run
        for match in _TICKS.finditer(text):
            length = len(match.group()) if match.group() != "\n" else 0
            if length in runs:
                add("`", runs.pop(length), match.start())
            elif length:
                runs[length] = match.start()
            elif runs and paragraph_ends(match):
                add_all("`", sorted(runs.values()), match.start())
                runs.clear()
        add_all("`", sorted(runs.values()), len(text))
    if "<" in text:
        for match in _TAG.finditer(text):
            pos = match.start()
            while (end := _TAG_END.search(text, pos)) and end.group(1):  # a quoted value may hold '>'
                close = text.find(end.group(1), end.end())
                pos = close + 1 if close >= 0 else len(text)
            add("<", match.start(), end.end() if end else len(text))
            if costs["<"][0] > MAX_SCAN:
                break
    return {kind: (total, most, where) for kind, (total, most, where) in costs.items()}


def render_markdown(text: str) -> str:
    """Convert a Markdown body to HTML and sanitise it: no script, handler or javascript: URL survives."""
    md = _markdown(unneeded_parts(text))
    md.reset()
    raw = md.convert(text)
    clean = nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None).strip()
    if "&#" in text:  # a character reference is the only way left to a character XML cannot carry
        clean = _NOT_XML.sub("\ufffd", clean)
    return _IMG.sub(_site_image, clean) if "<img" in clean else clean


# What XML 1.0 (the feeds) cannot carry; raw ones are refused when the file is read (NSH009), and
# a reference to one (`&#1;`, `&#xFFFE;`) becomes U+FFFD, as HTML does for `&#0;`.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# The backstop for NSH123: an <img> whose src is off the site never leaves the sanitiser.
_IMG = re.compile(r"<img\s[^<>]*>")
_SRC = re.compile(r'\ssrc="([^"]*)"')


def _site_image(match: re.Match) -> str:
    src = _SRC.search(match.group(0))
    return match.group(0) if src and not off_site(html.unescape(src.group(1))) else ""


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
