"""The commands, a module each, named in cli.py's table: `build` (the default), `check` (the build's
reading and rules, reported without writing, with report formatting the problems), `new` (start an
article file), `topics` (the topic list), `serve` (a preview server that rebuilds on change),
`preview` (screenshots of articles) and `email` (send an edition).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_root_option(p: argparse.ArgumentParser) -> None:
    """`--root`, the site's folder: every command has it."""
    p.add_argument("--root", type=Path, default=Path("."), help="the site's folder (default: the current one)")
