"""Problems -> text for people, GitHub workflow commands, JSON, and a Markdown table for a job summary.

Every function here is pure: it returns text, and the caller prints or writes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from .problems import Problem

FORMATS = ("text", "github", "json")
ICONS = {"error": "❌", "warning": "⚠️"}
# ANSI styles, used only when printing to a terminal.
STYLES = {"path": "1", "error": "1;31", "warning": "1;33", "code": "2", "fix": "36"}


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, len(problems) - errors


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def totals(problems: Sequence[Problem], articles: int) -> str:
    """`2 errors and 1 warning in 16 articles.` or `No problems in 16 articles.`"""
    errors, warnings = count(problems)
    where = f"in {plural(articles, 'article')}"
    if not problems:
        return f"No problems {where}."
    return f"{plural(errors, 'error')} and {plural(warnings, 'warning')} {where}."


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
        command = "error" if p.severity == "error" else "warning"
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


def format_json(problems: Sequence[Problem]) -> str:
    return json.dumps([as_dict(p) for p in problems], ensure_ascii=False, indent=2)


# ---- the job summary ----


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def summary_markdown(problems: Sequence[Problem], articles: int, guide_url: str | None = None) -> str:
    """A heading, the totals and a table of every problem, for $GITHUB_STEP_SUMMARY.

    `guide_url` (CONTRIBUTING.md on GitHub) turns each code into a link to its entry.
    """
    errors, _ = count(problems)
    mark = "❌" if errors else ("⚠️" if problems else "✅")
    lines = ["### Nashra check · فحص نشرة", "", f"{mark} {totals(problems, articles)}", ""]
    if problems:
        lines += ["| | File | Line | Code | Problem | How to fix |", "|---|---|---|---|---|---|"]
        for p in problems:
            code = f"[{p.code}]({guide_url}#{p.code.lower()})" if guide_url else p.code
            where = f"`{cell(p.path).replace('`', '')}`"
            line = str(p.line) if p.line else ""
            lines.append(
                f"| {ICONS.get(p.severity, '')} {p.severity} | {where} | {line} | {code} "
                f"| {cell(p.message)} | {cell(p.hint)} |"
            )
        lines.append("")
        if guide_url:
            lines += [f"Every code is explained, with its fix, in [CONTRIBUTING.md]({guide_url}).", ""]
    return "\n".join(lines)
