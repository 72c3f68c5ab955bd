"""Strict YAML reading shared by site.yml, topics.yml and front matter.

PyYAML is used only to compose a node tree, never to construct Python values, so
YAML 1.1's implicit typing (`no` -> False, `2024-06-17` -> date) never reaches us:
every field reader decides the type it expects from the raw scalar text. Each
node keeps its position, so every problem names the exact line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..problems import Problem

NULLS = {"", "~", "null", "Null", "NULL"}
TRUE = {"true", "yes", "on"}
FALSE = {"false", "no", "off"}
MAX_DEPTH = 20  # levels of lists and mappings; an article needs 2 (source: name:)
STR, SEQ, MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# What XML 1.0 cannot carry (and so no feed, nor the HTML serialised through lxml): C0 controls
# but tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF.
# Unicode's explicit direction controls: embeddings and overrides (LRE RLE LRO RLO, closed by
# PDF) and isolates (LRI RLI FSI, closed by PDI). The marks LRM, RLM and ALM embed nothing.
EMBEDDINGS, PDF = "\u202a\u202b\u202d\u202e", "\u202c"
ISOLATES, PDI = "\u2066\u2067\u2068", "\u2069"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class Reader:
    """Collects problems for one YAML document inside one file.

    `first_line` is the file line (from 1) of the document's first line; `max_values` bounds
    the scalars, lists and mappings it may hold (NSH008), so that no document makes work
    out of proportion to what the site needs of it.
    """

    path: str
    first_line: int = 1
    max_values: int = 100_000
    problems: list[Problem] = field(default_factory=list)

    # ---- positions and problems ----

    def line(self, node: Node) -> int:
        return node.start_mark.line + self.first_line

    def col(self, node: Node) -> int:
        return node.start_mark.column + 1

    def error(self, node: Node | None, code: str, message: str, hint: str = "") -> None:
        line, col = (self.line(node), self.col(node)) if node is not None else (self.first_line, 0)
        self.problems.append(Problem(self.path, line, col, code, message, hint))

    def warn(self, node: Node, code: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, self.line(node), self.col(node), code, message, hint, "warning"))

    # ---- parsing ----

    def compose(self, text: str) -> Node | None:
        """Parse `text` into a node tree; report syntax errors, duplicate keys and what we refuse.

        The tree is built here from the parser's events, without recursion: anchors and
        aliases are refused (an alias bomb would make every walk over the tree explode),
        and so is nesting deeper than MAX_DEPTH, at the line where they start. libyaml
        parses ten times faster; on any error the pure-Python parser reads the text again,
        for its clearer messages.
        """
        loader = getattr(yaml, "CSafeLoader", None)
        if loader is not None:
            before = len(self.problems)
            try:
                return self._compose_events(yaml.parse(text, Loader=loader))
            except yaml.YAMLError:
                del self.problems[before:]  # found again below, if they come before the error
        try:
            return self._compose_events(yaml.parse(text, Loader=yaml.SafeLoader))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + self.first_line if mark else self.first_line
            col = mark.column + 1 if mark else 0
            what = exc.problem or exc.context or "invalid YAML"
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    col,
                    "NSH004",
                    f"YAML syntax error: {what}",
                    "check the indentation, and put text containing ':' or '#' in quotes",
                )
            )
            return None
        except yaml.YAMLError as exc:  # reader errors, e.g. a control character
            self.problems.append(Problem(self.path, self.first_line, 0, "NSH004", f"YAML error: {exc}", ""))
            return None

    def _compose_events(self, events: Iterable[yaml.Event]) -> Node | None:
        """The node tree of a single document; None (with a problem) for what is refused.

        Plain scalars get style None from either parser, as is_null expects. A value
        holding a character no web page or feed can carry (after YAML's escapes) is
        reported, and the document is refused: no message ever quotes it.
        """
        root: Node | None = None
        documents = values = 0
        bad = False
        # open collections, innermost last: [node, is a sequence, pending key, keys seen]
        stack: list[list] = []
        for event in events:
            cls = type(event)
            if cls is ScalarEvent:
                node: Node = ScalarNode(
                    event.tag or STR, event.value, event.start_mark, event.end_mark, event.style or None
                )
                if NOT_XML.search(event.value):
                    bad = True
                    self._refuse_characters(node)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if cls is MappingStartEvent:
                    node = MappingNode(event.tag or MAP, [], event.start_mark, None, event.flow_style)
                else:
                    node = SequenceNode(event.tag or SEQ, [], event.start_mark, None, event.flow_style)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                stack.pop()[0].end_mark = event.end_mark
                continue
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.error(
                        _at(event),
                        "NSH004",
                        "YAML syntax error: a second document starts here",
                        "keep a single block of 'key: value' lines, without '---' or '...' lines inside",
                    )
                    return None
                continue
            elif cls is AliasEvent:
                return self._refuse_anchor(event)
            else:  # stream start and end, document end
                continue
            if event.anchor:
                return self._refuse_anchor(event)
            values += 1
            if values > self.max_values:
                self.error(
                    node,
                    "NSH008",
                    f"there are more than {self.max_values} values here",
                    "shorten the file: no one needs this many",
                )
                return None
            if not stack:
                root = node
            else:
                parent = stack[-1]
                if parent[1]:
                    parent[0].value.append(node)
                elif parent[2] is None:
                    parent[2] = node
                else:
                    key, parent[2] = parent[2], None
                    parent[0].value.append((key, node))
                    self._check_duplicate(key, parent[3])
            if cls is not ScalarEvent:
                stack.append([node, cls is SequenceStartEvent, None, {}])
                if len(stack) > MAX_DEPTH:
                    self.error(
                        node,
                        "NSH008",
                        f"the values are nested more than {MAX_DEPTH} levels deep",
                        "an article needs two levels at most: e.g. 'source:', then '  name: ...'",
                    )
                    return None
        return None if bad else root

    def _refuse_anchor(self, event: yaml.Event) -> None:
        self.error(
            _at(event),
            "NSH007",
            "YAML anchors (&name) and aliases (*name) are not allowed here",
            "write the value out in full where it is needed",
        )

    def _check_duplicate(self, key: Node, seen: dict[str, Node]) -> None:
        if type(key) is not ScalarNode:
            return
        if key.value in seen and not NOT_XML.search(key.value):
            first = self.line(seen[key.value])
            self.error(
                key,
                "NSH006",
                f"key '{key.value}' is given twice (first on line {first})",
                "keep one of them",
            )
        else:
            seen[key.value] = key

    def _refuse_characters(self, node: ScalarNode) -> None:
        """NSH009 for a value holding a character outside XML 1.0's (e.g. from "\\0", "\\ud800")."""
        found = NOT_XML.search(node.value)
        self.error(
            node,
            "NSH009",
            f"the value holds {describe(found.group())}, which web pages and feeds cannot carry",
            "delete the escape that writes it, such as \\0, \\x01 or \\ud800 (type a character itself)",
        )

    # ---- typed fields ----

    def mapping(
        self, node: Node, known: Iterable[str], what: str, required: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        """Check that `node` is a mapping with only `known` keys and every `required` one."""
        if not isinstance(node, MappingNode):
            self.error(node, "NSH005", f"{what} must be a set of 'key: value' lines")
            return None
        known = tuple(known)
        fields: dict[str, Node] = {}
        misspelt: set[str] = set()  # required keys already named by a "did you mean"
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if name not in known:
                self.error(key, "NSH101", f"unknown key '{name}' in {what}", suggest(str(name), known))
                misspelt.update(nearest(str(name), known)[:1])
            elif name not in fields:
                fields[name] = value
        for name in required:
            if name in misspelt and name not in fields:
                continue
            if name not in fields or is_null(fields[name]):
                at = fields.get(name, node)
                self.error(at, "NSH102", f"missing required key '{name}' in {what}", f"add '{name}: ...'")
        return fields

    def text(self, node: Node, name: str, *, required: bool = True) -> str | None:
        if is_null(node):
            if required:
                self.error(node, "NSH102", f"'{name}' is empty", f"fill it in: write a value after '{name}:'")
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, "NSH103", f"'{name}' must be text, not a {kind(node)}", quote_hint(name))
            return None
        value = node.value.strip()
        if not value and required:
            self.error(node, "NSH102", f"'{name}' is empty", f"fill it in: write a value after '{name}:'")
            return None
        if BIDI.search(value):
            codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(BIDI.findall(value))))
            self.warn(
                node,
                "NSH409",
                f"'{name}' holds invisible direction controls ({codes})",
                "delete them: Nashra isolates Latin names itself",
            )
            value = contain_bidi(value)
        return value

    def boolean(self, node: Node, name: str) -> bool | None:
        value = node.value.lower() if isinstance(node, ScalarNode) else None
        if value in TRUE:
            return True
        if value in FALSE or is_null(node):
            return False
        self.error(node, "NSH103", f"'{name}' must be true or false", f"write '{name}: true' or '{name}: false'")
        return None

    def integer(self, node: Node, name: str, minimum: int = 1) -> int | None:
        value = node.value.strip() if isinstance(node, ScalarNode) else ""
        if value.isascii() and value.isdigit() and int(value) >= minimum:
            return int(value)
        self.error(node, "NSH103", f"'{name}' must be a whole number of at least {minimum}", f"e.g. '{name}: 20'")
        return None

    def text_list(self, node: Node, name: str) -> list[tuple[str, Node]] | None:
        """A non-empty list of texts; a single text is accepted as a list of one."""
        if isinstance(node, ScalarNode) and not is_null(node):
            return [(node.value.strip(), node)]
        if not isinstance(node, SequenceNode) or not node.value:
            self.error(node, "NSH103", f"'{name}' must be a list with at least one item", f"e.g. '{name}: [a, b]'")
            return None
        items = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or is_null(item):
                self.error(item, "NSH103", f"each item of '{name}' must be text")
                continue
            items.append((item.value.strip(), item))
        return items

    def checked(self, node: Node, name: str, parse: Callable[[str], object], message: str, hint: str = ""):
        """Read text and convert it with `parse`; a ValueError becomes a problem."""
        value = self.text(node, name)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError:
            self.error(node, "NSH104" if name in {"date", "updated"} else "NSH103", f"{message}: '{value}'", hint)
            return None


def _at(event: yaml.Event) -> Node:
    """A node standing for an event, to locate a problem."""
    return ScalarNode(STR, "", event.start_mark, event.end_mark)


def describe(char: str) -> str:
    """`the invisible control character U+0001`, `half of a character (U+D800, ...)`, for problems."""
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"half of a character ({code}, a lone surrogate)"
    if char in "\ufffe\uffff":
        return f"the non-character {code}"
    return f"the invisible control character {code}"


def contain_bidi(text: str) -> str:
    """`text` with its direction controls paired, so that none reorders what follows it.

    An unpaired closer is dropped; every embedding or override still open at the end is
    closed by PDF (U+202C) and every isolate by PDI (U+2069), as UAX #9 pairs them: a PDF
    closes only an embedding opened inside the same isolate, a PDI its isolate and every
    embedding opened inside it.
    """
    out: list[str] = []
    open_: list[str] = []  # the closer each open control needs, innermost last
    for char in text:
        if char in EMBEDDINGS:
            open_.append(PDF)
        elif char in ISOLATES:
            open_.append(PDI)
        elif char == PDF:
            if not open_ or open_[-1] != PDF:
                continue
            open_.pop()
        elif char == PDI:
            if PDI not in open_:
                continue
            while open_.pop() != PDI:
                pass
        out.append(char)
    return "".join(out) + "".join(reversed(open_))


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.value in NULLS


def kind(node: Node) -> str:
    return {MappingNode: "set of keys", SequenceNode: "list"}.get(type(node), "value")


def quote_hint(name: str) -> str:
    return f"write '{name}: \"...\"' on one line"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`did you mean 'x'?` for the nearest choices, or a list of what is allowed."""
    choices = list(choices)
    close = nearest(word, choices)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return "allowed: " + ", ".join(choices) + "."


def nearest(word: str, choices: Iterable[str]) -> list[str]:
    return difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
