"""Making the planned files: in this process, or, for many, in worker processes forked from it
(parallel.make_in_forks, from parallel.SPREAD["files"] on), which share the build's site and
templates without copying them."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence

from .. import parallel
from .plan import Planned


def make_files(items: Sequence[Planned], folder: str) -> Iterator[tuple[Planned, int]]:
    """Make each item and write it under `folder`; yield it with its size, in order."""
    _made_folders.clear()
    yield from parallel.make_in_forks(items, functools.partial(_write_one, folder=folder))


_made_folders: set[str] = set()  # in this process, for the build under way


def _write_one(item: Planned, folder: str) -> int:
    target = f"{folder}/{item.path}"
    parent = target.rpartition("/")[0]
    if parent not in _made_folders:
        os.makedirs(parent, exist_ok=True)
        _made_folders.add(parent)
    if item.source:
        try:
            os.link(item.source, target)
            return os.stat(target).st_size
        except OSError:  # another file system, one without hard links, too many links: a copy
            pass
    data = item.make()
    with open(target, "wb") as f:
        f.write(data)
    return len(data)
