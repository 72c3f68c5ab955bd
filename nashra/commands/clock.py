"""`--now` and `--future`: the build's clock, for previews and tests (build, serve, check)."""

from __future__ import annotations

import argparse
from datetime import datetime

from ..problems import UsageError
from ..schedule import parse_now


def add_clock_options(p: argparse.ArgumentParser, future: bool = True) -> None:
    p.add_argument(
        "--now",
        metavar="DATETIME",
        help="the build's clock, ISO 8601 (2024-06-17T09:00+03:00; without an offset: site.yml's timezone); "
        "articles dated after it are scheduled, left out (default: the current time)",
    )
    if future:
        p.add_argument("--future", action="store_true", help="include scheduled articles (dated after --now)")


def given_now(args: argparse.Namespace) -> datetime | None:
    """--now's value, or None (the current time); UsageError when it is not a date and time."""
    if args.now is None:
        return None
    try:
        return parse_now(args.now)
    except ValueError:
        raise UsageError(
            f"--now {args.now!r} is not a date and time: give ISO 8601, e.g. 2024-06-17T09:00+03:00, "
            "or 2024-06-17T09:00 in site.yml's timezone"
        ) from None
