"""The build, shared by `build` and `serve`: run_build claims the output, reads site.yml and opens
the incremental session, which says whether anything changed at all; only then are the stages
that do the work (stages.py, the table of contents) imported and run, so that a build with
nothing to do starts without loading Markdown, Jinja, Pillow and the rest.

With the cache (the default), an unchanged article is not parsed again, an unchanged body not
converted again, and a page whose inputs are unchanged is taken from the previous output instead
of being rendered: the result is byte-identical either way.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .incremental.session import Session, cache_folder, spare_folder
from .model import Scope, SiteConfig
from .output.guard import check_output_dir, claim_output
from .output.tree import tidy
from .read.config import load_config
from .schedule import build_now
from .timings import recording, stage


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages: int  # HTML pages
    written: int  # files made this time
    reused: int  # files taken unchanged from the previous output
    topics: int
    feeds: int
    articles: int
    seconds: float
    warnings: tuple[str, ...]
    changed: bool | None = None  # whether output/ differs from the last build's (asked with report_changes)
    next_change: datetime | None = None  # when the output changes with the clock alone (a scheduled article)


def run_build(
    root: Path,
    output: Path,
    base_url: str | None = None,
    drafts: bool = False,
    use_cache: bool = True,
    progress: Callable[[int, int], None] = lambda done, total: None,
    now: datetime | None = None,
    future: bool = False,
    report_changes: bool = False,
) -> BuildResult:
    """Build the site at `root` into `output`; raises ContentError with every problem found.

    `now` is the build's clock (naive: in site.yml's timezone; None: the current time): an article dated
    after it is left out of everything (Scope), unless `future`. With `report_changes`, the result says
    whether the output differs from the last build's. The stages:

        claim output -> config -> session -> (nothing changed: done) -> templates -> read articles and
        prepare bodies -> images -> site -> page keys and search shards -> editions -> plan pages + feeds ->
        social cards (drawn or kept) -> search index (its shards) -> write output -> save the session

    One build at a time: a second one, into the same folder or of the same site, refuses at once.
    """
    started = time.perf_counter()
    with recording(), _claimed(output, root, use_cache):  # recording: NASHRA_TIMINGS, see timings.py
        with stage("start"):
            config = load_config(root, base_url)
            scope = _scope(config, drafts, now, future)
            session = Session.open(root, config, scope, use_cache, output)
        with session:
            with stage("start"):
                last = session.unchanged()
            if last is not None:  # so output/ is the last build's tree
                return _result(last, 0, last["files"], started, (), session, False if report_changes else None)
            with stage("imports"):
                from . import stages  # the work: deferred, see the module's docstring
            with fewer_collections():
                made = stages.make_site(root, output, config, scope, session, progress, report_changes)
            return _result(made.counts, made.written, made.reused, started, made.warnings, session, made.changed)


# Python's cycle collector runs every 700 new container objects (its first threshold): a build makes
# millions (records, entries, template contexts) and frees nearly all of them by reference counting,
# so at 10,000 articles a one-change rebuild ran 1,347 collections, 0.6 s of its 3.2 s. With these
# thresholds it runs 16, in 0.1 s, and its peak memory is the same (bench/README.md).
GC_THRESHOLDS = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The stages run with the cycle collector's GC_THRESHOLDS, and the process's own after them."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _scope(config: SiteConfig, drafts: bool, now: datetime | None, future: bool) -> Scope:
    """Which articles this build publishes: the options, and the clock (a naive `now` in the site's timezone)."""
    return Scope(build_now(now, ZoneInfo(config.timezone)), drafts, future)


@contextlib.contextmanager
def _claimed(output: Path, root: Path, use_cache: bool) -> Iterator[None]:
    """The output folder claimed for this build, checked, and tidied of what an interrupted one left.
    A cache that cannot be used is a warning and a build without it (Session), never a failure."""
    with claim_output(output, root):
        cache = cache_folder(root, use_cache)
        check_output_dir(output, root, cache)
        tidy(output, spare_folder(cache))
        yield


def _result(
    counts: Mapping[str, int],
    written: int,
    reused: int,
    started: float,
    warnings: tuple[str, ...],
    session: Session,
    changed: bool | None,
) -> BuildResult:
    seconds = time.perf_counter() - started
    return BuildResult(
        counts["pages"], written, reused, counts["topics"], counts["feeds"], counts["articles"],
        seconds, warnings, changed, session.next_change(),
    )  # fmt: skip


class Progress:
    """A bar with counts and rate on a terminal; a few plain lines elsewhere (CI logs), for long builds."""

    SHOW_FROM = 2000  # files; smaller builds finish before a bar helps

    def __init__(self, stream=None):
        self.stream = sys.stderr if stream is None else stream  # the one of the moment (a test may have replaced it)
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if total < self.SHOW_FROM:
            return
        rate = done / max(time.perf_counter() - self.started, 1e-6)
        if self.tty:
            if done % 100 == 0 or done == total:
                filled = done * 30 // total
                bar = "#" * filled + "-" * (30 - filled)
                end = "\n" if done == total else ""
                self.stream.write(f"\r[{bar}] {done}/{total} files, {rate:.0f}/s{end}")
                self.stream.flush()
        elif done * 4 // total > self.shown or done == total:
            self.shown = done * 4 // total
            self.stream.write(f"{done}/{total} files ({rate:.0f}/s)\n")
