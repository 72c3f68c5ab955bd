"""Independent jobs spread over the cores, in order, when there are enough of them to pay for it."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

# Below this many jobs, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
CHUNK = 50  # jobs a worker takes at a time


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def run_chunks(function: Callable[..., list[Result]], jobs: Sequence[Job], *shared: object) -> Iterator[Result]:
    """Yield the results of `function(*shared, chunk)` for consecutive chunks of `jobs`, in order.

    `function` returns one result per job of its chunk. It runs in worker processes when there
    are PARALLEL_FROM jobs or more and more than one core, else here; `function`, `shared`, the
    jobs and the results must then pickle.
    """
    chunks = [jobs[i : i + CHUNK] for i in range(0, len(jobs), CHUNK)]
    run = functools.partial(function, *shared)
    n = workers()
    if len(jobs) < PARALLEL_FROM or n < 2:
        for chunk in chunks:
            yield from run(chunk)
        return
    with ProcessPoolExecutor(max_workers=n) as pool:
        for results in pool.map(run, chunks):
            yield from results
