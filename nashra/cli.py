"""argv -> command; content problems -> exit 1, usage errors (argparse's, and UsageError) -> exit 2.

Each command is a row of COMMANDS (its name and help) and a module, nashra/commands/<name>.py, with a
function adding its options to an argparse sub-parser and one running it that returns the exit
status; the module is imported only when its command is asked for.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Iterable

from . import __version__
from .commands.report import shown
from .problems import ContentError, Problem, UsageError

# name -> help; nashra/commands/<name>.py has add_<name>_options(parser) and run_<name>(args) -> exit
# status, imported only for the command asked for (a build with nothing to do starts in a fraction of
# the time the whole package takes to import)
COMMANDS = {
    "build": "build the site into output/ (the default command)",
    "check": "check the content as the build does, and more, writing nothing",
    "new": "start a new article file, with every required key to fill in",
    "serve": "build, serve on 127.0.0.1, and rebuild and reload on every change",
    "topics": "list the topics as text or Markdown, or update CONTRIBUTING.md's list",
    "preview": (
        "build with drafts and scheduled articles, and screenshot articles at phone and desktop width in Chromium"
    ),
    "email": "build, then send one edition through the SMTP server in NASHRA_SMTP_*",
}


def command(name: str) -> tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]:
    """A command's two functions: the one adding its options and the one running it."""
    module = importlib.import_module(f"{__package__}.commands.{name}")
    return getattr(module, f"add_{name}_options"), getattr(module, f"run_{name}")


def parser(with_options: Iterable[str] = COMMANDS) -> argparse.ArgumentParser:
    """The command line; the commands named in `with_options` get their options (the others are listed)."""
    p = argparse.ArgumentParser(prog="build.py", description="Build a Nashra news-digest site.")
    p.add_argument("--version", action="version", version=f"Nashra {__version__}")
    sub = p.add_subparsers(dest="command")
    for name, help_text in COMMANDS.items():
        listed = sub.add_parser(name, help=help_text, description=help_text)
        if name in with_options:
            command(name)[0](listed)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in {"-h", "--help", "--version"}):
        argv.insert(0, "build")
    try:
        args = parser(argv[:1]).parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return command(args.command)[1](args)
    except ContentError as exc:
        report(exc.problems)
        return 1
    except UsageError as exc:
        print(f"build.py {args.command}: error: {shown(str(exc))}", file=sys.stderr)
        return 2


def report(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(1 for p in problems if p.severity == "error")
    print(f"{errors} error(s); nothing was written, the previous output is unchanged.", file=sys.stderr)
