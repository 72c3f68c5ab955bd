"""argv -> command; content problems -> exit 1, usage errors (argparse's, and UsageError) -> exit 2.

Each command is a pair in COMMANDS: a function adding its options to an
argparse sub-parser, and a function running it that returns the exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .commands import add_root_option
from .commands.check import add_check_options, run_check
from .commands.clock import add_clock_options, given_now
from .commands.email import add_email_options, run_email
from .commands.new import add_new_options, run_new
from .commands.preview import add_preview_options, run_preview
from .commands.report import shown
from .commands.serve import add_serve_options, run_serve
from .commands.topics import add_topics_options, run_topics
from .pipeline import Progress, run_build
from .problems import ContentError, Problem, UsageError

NOTHING_DUE = "Nothing changed and nothing came due: the output is the last build's, nothing to publish."


def add_build_options(p: argparse.ArgumentParser) -> None:
    add_root_option(p)
    p.add_argument("--output", type=Path, help="where to build (default: output/ in the site's folder)")
    p.add_argument("--base-url", help="override site.yml's base_url for this build")
    p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache (.nashra-cache/)")
    add_clock_options(p)
    p.add_argument(
        "--github-output",
        action="store_true",
        help="append changed=true|false (whether output/ differs from the last build's) to $GITHUB_OUTPUT",
    )


def build(args: argparse.Namespace) -> int:
    output: Path = args.output or args.root / "output"
    now, github_output = given_now(args), os.environ.get("GITHUB_OUTPUT") if args.github_output else None
    if args.github_output and not github_output:
        raise UsageError("--github-output needs $GITHUB_OUTPUT, which GitHub Actions sets for each step")
    result = run_build(
        args.root, output, args.base_url, args.drafts, not args.no_cache, Progress(), now, args.future,
        report_changes=args.github_output,
    )  # fmt: skip
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"Built {result.pages} pages ({result.written} files written, {result.reused} reused), "
        f"{result.topics} topics, {result.feeds} feeds, {result.articles} articles into {output} "
        f"in {result.seconds:.2f} s"
    )
    if github_output:
        print("The output changed since the last build." if result.changed else NOTHING_DUE)
        with open(github_output, "a", encoding="utf-8") as f:
            f.write(f"changed={'true' if result.changed else 'false'}\n")
    return 0


# name -> (help, add options, run)
COMMANDS = {
    "build": ("build the site into output/ (the default command)", add_build_options, build),
    "check": ("check the content as the build does, and more, writing nothing", add_check_options, run_check),
    "new": ("start a new article file, with every required key to fill in", add_new_options, run_new),
    "serve": ("build, serve on 127.0.0.1, and rebuild and reload on every change", add_serve_options, run_serve),
    "topics": ("list the topics as text or Markdown, or update CONTRIBUTING.md's list", add_topics_options, run_topics),
    "preview": (
        "build with drafts and scheduled articles, and screenshot articles at phone and desktop width in Chromium",
        add_preview_options,
        run_preview,
    ),
    "email": ("build, then send one edition through the SMTP server in NASHRA_SMTP_*", add_email_options, run_email),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Build a Nashra news-digest site.")
    p.add_argument("--version", action="version", version=f"Nashra {__version__}")
    sub = p.add_subparsers(dest="command")
    for name, (help_text, add_options, _) in COMMANDS.items():
        add_options(sub.add_parser(name, help=help_text, description=help_text))
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in {"-h", "--help", "--version"}):
        argv.insert(0, "build")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command][2](args)
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
