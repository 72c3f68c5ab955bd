"""Making the planned files: in this process, or in worker processes forked from it for many."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Sequence

from ..parallel import workers
from .plan import Planned
from .tree import _libc_function


# Making pages is most of a cold build after Markdown: from this many files on, they are made by
# worker processes forked from the build, which share its site and templates without copying them.
PARALLEL_FROM = 1000
# Files a worker makes at a time: small enough that the feeds, the slowest files and the last
# planned, are shared between the workers rather than left to one while the other waits.
CHUNK = 25
_TO_MAKE: Sequence[Planned] = ()


def make_files(items: Sequence[Planned], folder: str) -> Iterator[tuple[Planned, int]]:
    """Make each item and write it under `folder`; yield it with its size, in order."""
    _made_folders.clear()
    n = workers()
    if len(items) < PARALLEL_FROM or n < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield item, _write_one(item, folder)
        return
    global _TO_MAKE
    _TO_MAKE = items
    chunks = [range(i, min(i + CHUNK, len(items))) for i in range(0, len(items), CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(n, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            for sizes in pool.imap(_make_chunk, [(folder, c.start, c.stop) for c in chunks]):
                for index, size in sizes:
                    yield items[index], size
    finally:
        _TO_MAKE = ()


_prctl = _libc_function("prctl") if sys.platform.startswith("linux") else None


def _die_with_parent(parent: int) -> None:
    """A worker stops when the build does, even when it is killed (no file is written after it)."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _make_chunk(job: tuple[str, int, int]) -> list[tuple[int, int]]:
    folder, start, stop = job
    return [(i, _write_one(_TO_MAKE[i], folder)) for i in range(start, stop)]


_made_folders: set[str] = set()  # in this process, for the build under way


def _write_one(item: Planned, folder: str) -> int:
    data = item.make()
    target = f"{folder}/{item.path}"
    parent = target.rpartition("/")[0]
    if parent not in _made_folders:
        os.makedirs(parent, exist_ok=True)
        _made_folders.add(parent)
    with open(target, "wb") as f:
        f.write(data)
    return len(data)
