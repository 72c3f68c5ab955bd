"""Strict YAML reading shared by site.yml, topics.yml and front matter.

PyYAML is used only to compose a node tree, never to construct Python values, so
YAML 1.1's implicit typing (`no` -> False, `2024-06-17` -> date) never reaches us:
every field reader decides the type it expects from the raw scalar text. Each
node keeps its position, so every problem names the exact line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem

NULLS = {"", "~", "null", "Null", "NULL"}
TRUE = {"true", "yes", "on"}
FALSE = {"false", "no", "off"}


@dataclass
class Reader:
    """Collects problems for one YAML document inside one file.

    `first_line` is the file line (from 1) of the document's first line.
    """

    path: str
    first_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    # ---- positions and problems ----

    def line(self, node: Node) -> int:
        return node.start_mark.line + self.first_line

    def col(self, node: Node) -> int:
        return node.start_mark.column + 1

    def error(self, node: Node | None, code: str, message: str, hint: str = "") -> None:
        line, col = (self.line(node), self.col(node)) if node is not None else (self.first_line, 0)
        self.problems.append(Problem(self.path, line, col, code, message, hint))

    # ---- parsing ----

    def compose(self, text: str) -> Node | None:
        """Parse `text` into a node tree; report syntax errors and duplicate keys.

        libyaml composes ten times faster; on any error the pure-Python parser
        reads the text again, for its clearer messages.
        """
        node = _fast_compose(text)
        if node is not None:
            self._check_duplicates(node)
            return node
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
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
        if node is not None:
            self._check_duplicates(node)
        return node

    def _check_duplicates(self, node: Node) -> None:
        if isinstance(node, MappingNode):
            seen: dict[str, Node] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in seen:
                        first = self.line(seen[key.value])
                        self.error(
                            key,
                            "NSH006",
                            f"key '{key.value}' is given twice (first on line {first})",
                            "keep one of them",
                        )
                    else:
                        seen[key.value] = key
                self._check_duplicates(value)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                self._check_duplicates(item)

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


def _fast_compose(text: str) -> Node | None:
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return None


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
