"""Content problems are data: collected over every file, then raised once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the input, located in a file.

    `path` is relative to the site root and uses forward slashes; `line` and
    `col` count from 1 (0 when unknown).
    """

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentError(Exception):
    """Raised once per stage with every problem found in it."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(sorted(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the content")

    def __reduce__(self):  # raised in a worker process, re-raised in the build's
        return ContentError, (self.problems,)


class UsageError(Exception):
    """A mistake in the command line, found by a command: the CLI prints it after the command's name and exits 2."""


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def raise_if(problems: list[Problem]) -> None:
    """Raise ContentError with the errors, when there are any (warnings are for `check`)."""
    if has_errors(problems):
        raise ContentError([p for p in problems if p.severity == "error"])
