"""`build` (the default command): the site into output/, with the warnings and one line of counts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import pipeline
from ..problems import UsageError
from . import add_root_option
from .clock import add_clock_options, given_now

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


def run_build(args: argparse.Namespace) -> int:
    output: Path = args.output or args.root / "output"
    now, github_output = given_now(args), os.environ.get("GITHUB_OUTPUT") if args.github_output else None
    if args.github_output and not github_output:
        raise UsageError("--github-output needs $GITHUB_OUTPUT, which GitHub Actions sets for each step")
    result = pipeline.run_build(
        args.root, output, args.base_url, args.drafts, not args.no_cache, pipeline.Progress(), now, args.future,
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
