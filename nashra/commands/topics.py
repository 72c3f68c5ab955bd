"""`topics`: the topic list from content/topics.yml, as text or Markdown, and kept current in CONTRIBUTING.md.

CONTRIBUTING.md holds the list between two markers; `python build.py topics --update
CONTRIBUTING.md` rewrites what is between them, and a test checks that it is current.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..model import Topic
from . import add_root_option
from .new import load_topics

START = "<!-- topics:start -->"
END = "<!-- topics:end -->"
NOTE = "<!-- Generated from content/topics.yml by: python build.py topics --update CONTRIBUTING.md -->"


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def topics_markdown(topics: Sequence[Topic]) -> str:
    """A Markdown table of the topics, in the order the site shows them."""
    lines = ["| slug | الموضوع · topic | الوصف · description |", "|---|---|---|"]
    lines += [f"| `{t.slug}` | {cell(t.name)} | {cell(t.description)} |" for t in topics]
    return "\n".join(lines)


def topics_text(topics: Sequence[Topic]) -> str:
    width = max((len(t.slug) for t in topics), default=0)
    return "\n".join(f"{t.slug.ljust(width)}  {t.name}" for t in topics)


def replace_block(text: str, block: str) -> str:
    """`text` with what lies between START and END replaced by `block`."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the file has no '{START}' ... '{END}' block")
    return f"{text[: start + len(START)]}\n{NOTE}\n\n{block}\n\n{text[end:]}"


def add_topics_options(p: argparse.ArgumentParser) -> None:
    add_root_option(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--markdown", action="store_true", help="print a Markdown table")
    what.add_argument("--update", metavar="FILE", type=Path, help=f"rewrite the {START} block of FILE")


def run_topics(args: argparse.Namespace) -> int:
    topics = load_topics(args.root)
    if args.update is None:
        print(topics_markdown(topics) if args.markdown else topics_text(topics))
        return 0
    path: Path = args.update
    inside = Path(os.path.normpath(path.absolute())).is_relative_to(Path(os.path.normpath(args.root.absolute())))
    if not inside or not path.is_file() or not path.resolve().is_relative_to(args.root.resolve()):
        print(f"build.py topics: error: '{path}' is not a file of the project", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8")
    try:
        updated = replace_block(text, topics_markdown(topics))
    except ValueError as exc:
        print(f"build.py topics: error: {path}: {exc}", file=sys.stderr)
        return 2
    if updated == text:
        print(f"{path}: the topic list is up to date")
        return 0
    path.write_text(updated, encoding="utf-8")
    print(f"{path}: the topic list was updated from content/topics.yml")
    return 0
