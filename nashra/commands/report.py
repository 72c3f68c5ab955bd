"""Problems -> text for people, GitHub workflow commands, JSON, and a Markdown table for a job summary.

Every function here is pure: it returns text, and the caller prints or writes it.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterable, Sequence

from ..problems import Problem

FORMATS = ("text", "github", "json")
ICONS = {"error": "❌", "warning": "⚠️", "note": "ℹ️"}
# ANSI styles, used only when printing to a terminal.
STYLES = {"path": "1", "error": "1;31", "warning": "1;33", "note": "1;36", "code": "2", "fix": "36"}
# A note (severity "note") says what the build will do, such as keeping a scheduled article back:
# neither an error nor a warning, it never fails `check`, not even with --strict.


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings); notes are neither."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, sum(1 for p in problems if p.severity not in {"error", "note"})


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def totals(problems: Sequence[Problem], articles: int) -> str:
    """`2 errors and 1 warning in 16 articles.` or `No problems in 16 articles.`"""
    errors, warnings = count(problems)
    notes = len(problems) - errors - warnings
    where = f"in {plural(articles, 'article')}"
    also = f" ({plural(notes, 'note')})" if notes else ""
    if not errors and not warnings:
        return f"No problems {where}{also}."
    return f"{plural(errors, 'error')} and {plural(warnings, 'warning')} {where}{also}."


def location(p: Problem) -> str:
    """`path:line:col`, leaving out what is unknown."""
    parts = [p.path] + ([str(p.line)] if p.line else []) + ([str(p.col)] if p.line and p.col else [])
    return ":".join(parts)


# ---- text ----


def format_text(problems: Sequence[Problem], colour: bool = False) -> str:
    """`path:line:col: error: message [NSH101]`, then the fix on an indented line."""

    def paint(style: str, text: str) -> str:
        return f"\033[{STYLES[style]}m{text}\033[0m" if colour else text

    lines = []
    for p in problems:
        severity = paint(p.severity, p.severity + ":")
        lines.append(f"{paint('path', location(p))}: {severity} {p.message} {paint('code', f'[{p.code}]')}")
        if p.hint:
            lines.append(f"    {paint('fix', 'fix:')} {p.hint}")
    return "\n".join(lines)


# ---- GitHub workflow commands ----


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Sequence[Problem], file_of: Callable[[str], str | None] = lambda path: path) -> str:
    """`::error file=...,line=...,col=...,title=...::message` for each problem.

    `file_of` maps a problem's path (relative to the site) to the repository path GitHub
    annotates, or None when the problem is not about a file.
    """
    lines = []
    for p in problems:
        props = []
        file = file_of(p.path)
        if file:
            props.append(("file", file))
            if p.line:
                props.append(("line", str(p.line)))
                if p.col:
                    props.append(("col", str(p.col)))
        props.append(("title", f"Nashra {p.code}"))
        message = f"{p.message}\nfix: {p.hint}" if p.hint else p.message
        if not file:
            message = f"{p.path}: {message}"
        command = {"error": "error", "note": "notice"}.get(p.severity, "warning")
        fields = ",".join(f"{name}={escape_property(value)}" for name, value in props)
        lines.append(f"::{command} {fields}::{escape_data(message)}")
    return "\n".join(lines)


# ---- JSON ----


def as_dict(p: Problem) -> dict:
    return {
        "path": p.path,
        "line": p.line,
        "column": p.col,
        "severity": p.severity,
        "code": p.code,
        "message": p.message,
        "hint": p.hint,
    }


_SURROGATE = re.compile("[\ud800-\udfff]")


def format_json(problems: Sequence[Problem]) -> str:
    """A JSON list; a file name that is not UTF-8 keeps its bytes as `\\udcXX` escapes (os.fsencode undoes them)."""
    text = json.dumps([as_dict(p) for p in problems], ensure_ascii=False, indent=2)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# ---- text that every output can hold ----

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str) -> str:
    """`text` as valid UTF-8: the bytes of a file name that is not UTF-8 (os.fsdecode's surrogates) as `\\xNN`."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def visible(text: str) -> str:
    """`shown(text)` with control characters written as escapes (`\\n`, `\\t`, `\\x1b`): for a file name."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(0), f"\\x{ord(m.group(0)):02x}"), shown(text))


# ---- the job summary ----

# GitHub refuses a step's summary over 1 MiB whole; this leaves room for what else the step writes.
SUMMARY_BYTES = 1000 * 1024
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")


def cell(text: str) -> str:
    """Text shown literally in a GitHub-flavoured Markdown table cell: on one line, every ASCII
    punctuation character backslash-escaped (no emphasis, link, HTML, entity, emoji or `|`)."""
    text = " ".join(visible_text(text).split())
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(0), text)


def visible_text(text: str) -> str:
    """Prose on one line: whitespace as spaces, other control characters as escapes."""
    return visible(re.sub(r"\s", " ", text))


def code_cell(text: str) -> str:
    """A file name as a code span in a table cell: fenced by more backticks than any run inside, its `|`
    escaped as a table needs even in code. A name that starts or ends with a backtick or a space is
    padded with one space each side, which the renderer strips again."""
    text = visible(text)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if {text[0], text[-1]} & {"`", " "} else ""
    text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def size(lines: Iterable[str]) -> int:
    """Bytes of the lines joined, each with its newline."""
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def summary_markdown(
    problems: Sequence[Problem], articles: int, guide_url: str | None = None, limit: int = SUMMARY_BYTES
) -> str:
    """A heading, the totals and a table of every problem, for $GITHUB_STEP_SUMMARY.

    `guide_url` (CONTRIBUTING.md on GitHub) turns each code into a link to its entry. The text stays
    under `limit` bytes (UTF-8): the table then ends with the rows that fit, in the problems' order,
    and a line saying how many are left out and where every one is listed.
    """
    errors, warnings = count(problems)
    mark = "❌" if errors else ("⚠️" if warnings else "✅")
    head = ["### Nashra check · فحص نشرة", "", f"{mark} {totals(problems, articles)}", ""]
    if not problems:
        return "\n".join(head)
    head += ["| | File | Line | Code | Problem | How to fix |", "|---|---|---|---|---|---|"]
    rows = []
    for p in problems:
        code = f"[{p.code}]({guide_url}#{p.code.lower()})" if guide_url else p.code
        line = str(p.line) if p.line else ""
        rows.append(
            f"| {ICONS.get(p.severity, '')} {p.severity} | {code_cell(p.path)} | {line} | {code} "
            f"| {cell(p.message)} | {cell(p.hint)} |"
        )
    tail = [""]
    if guide_url:
        tail += [f"Every code is explained, with its fix, in [CONTRIBUTING.md]({guide_url}).", ""]
    if size(head + rows + tail) > limit:
        room = limit - size(head + tail + ["", left_out(len(problems), len(problems))])
        kept = 0
        for row in rows:
            room -= size([row])
            if room < 0:
                break
            kept += 1
        rows = [*rows[:kept], "", left_out(len(problems) - kept, len(problems))]
    return "\n".join(head + rows + tail)


def left_out(n: int, total: int) -> str:
    return (
        f"**{plural(n, 'more problem')} of {total} {'is' if n == 1 else 'are'} not shown here**: "
        "a job summary holds at most 1 MiB. The step's log lists every problem, and "
        "`python build.py check --format json` gives them all."
    )
