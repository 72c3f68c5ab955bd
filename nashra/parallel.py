"""Work spread over the cores, in order, when there is enough of it to pay for worker processes.

Two ways, one table of when each pays (SPREAD):

- run_chunks: independent jobs (article files to parse, bodies to prepare) in a process pool;
  the function, its arguments and its results pickle.
- make_in_forks: files to make, by workers forked from the build, which share its site and
  templates without copying them; each result is small (a file's size).

One rule for both: a worker returns everything it learned, and the build stores and prints it.
run_chunks' functions return it with their results. What the file makers learn on the way (a
body made again because its cache pack was corrupt, and the warning) they cannot return
through a Planned file: the build names, with `reporting`, how to collect it in a worker and
how to take it in the build, and each worker hands it over with every chunk it returns.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.connection
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from .libc import libc_function

Job = TypeVar("Job")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Spread:
    start_from: int  # below this many jobs, starting worker processes costs more than it saves
    chunk: int  # jobs a worker takes at a time
    fresh: bool = False  # a new worker for each chunk (make_in_forks): what a chunk leaves in memory goes with it


SPREAD = {
    # articles to parse and prepare, bodies to prepare: ~1 ms each; a chunk is one pack of bodies
    "chunks": Spread(start_from=200, chunk=50),
    # files to make (pages, feeds), by forked workers: forking and collecting costs more than it
    # saves below this many; a chunk small enough that the feeds, the slowest files and the last
    # planned, are shared between the workers rather than left to one while the other waits
    "files": Spread(start_from=1000, chunk=25),
    # photos to resize (nashra/photos.py): tens to hundreds of ms each, so a few already pay
    "photos": Spread(start_from=4, chunk=1),
    # social cards to draw (render/cards.py): 0.1-0.2 s each, 0.6 s over a photo, so forking pays
    # from a dozen or so; two at a time keeps every worker busy to the end
    "cards": Spread(start_from=16, chunk=2),
    # search shards to index (render/search.py): seconds each, so a second one already pays for the
    # workers; a worker takes one and ends, since indexing leaves some 25 MB a shard that Python's
    # allocator keeps (a worker that indexed 6 shards of a cold build reached 302 MB, bench/README.md)
    "search": Spread(start_from=2, chunk=1, fresh=True),
}
forked_chunks = 0  # chunks of files made by forked workers, in this process's life (the tests read it)


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def run_chunks(
    function: Callable[..., list[Result]], jobs: Sequence[Job], *shared: object, kind: str = "chunks"
) -> Iterator[Result]:
    """Yield the results of `function(*shared, chunk)` for consecutive chunks of `jobs`, in order.

    `function` returns one result per job of its chunk. It runs in worker processes when there
    are SPREAD[kind].start_from jobs or more and more than one core, else here; `function`,
    `shared`, the jobs and the results must then pickle.
    """
    spread = SPREAD[kind]
    chunks = [jobs[i : i + spread.chunk] for i in range(0, len(jobs), spread.chunk)]
    run = functools.partial(function, *shared)
    n = workers()
    if len(jobs) < spread.start_from or n < 2:
        for chunk in chunks:
            yield from run(chunk)
        return
    with ProcessPoolExecutor(max_workers=n) as pool:
        for results in pool.map(run, chunks):
            yield from results


# ---- what file makers learn on the way ----

_collect: Callable[[], Any] = lambda: None  # noqa: E731  (in a worker: what it learned since last asked)
_take: Callable[[Any], None] = lambda found: None  # noqa: E731  (in the build: keep it)


@contextlib.contextmanager
def reporting(collect: Callable[[], Any], take: Callable[[Any], None]) -> Iterator[None]:
    """While files are made in this block, hand what `collect()` returns (None: nothing) after each
    chunk, in the worker that made it, to `take` in the build."""
    global _collect, _take
    before = _collect, _take
    _collect, _take = collect, take
    try:
        yield
    finally:
        _collect, _take = before


def _hand_over(found: Any) -> None:
    if found is not None:
        _take(found)


# ---- files made by forked workers ----

_TO_MAKE: Sequence[Any] = ()
_MAKE_ONE: Callable[[Any], int] = len


def make_in_forks(
    items: Sequence[Job], make_one: Callable[[Job], int], kind: str = "files"
) -> Iterator[tuple[Job, int]]:
    """`make_one(item)` (which makes and writes a file and returns its size) for every item; yield
    each item with its size, in order. Forked workers do it when there are SPREAD[kind].start_from
    items or more, more than one core and fork; what they learn on the way comes back (reporting)."""
    spread = SPREAD[kind]
    chunks = [range(i, min(i + spread.chunk, len(items))) for i in range(0, len(items), spread.chunk)]
    n = workers()
    if len(items) < spread.start_from or n < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            for i in chunk:
                yield items[i], make_one(items[i])
            _hand_over(_collect())
        return
    global _TO_MAKE, _MAKE_ONE, forked_chunks
    _TO_MAKE, _MAKE_ONE = items, make_one
    jobs = [(c.start, c.stop) for c in chunks]
    try:
        with contextlib.ExitStack() as stack:
            if spread.fresh:
                results = _in_fresh_workers(jobs, n)
                stack.callback(results.close)  # its workers ended even when this stops early
            else:
                pool = stack.enter_context(
                    multiprocessing.get_context("fork").Pool(n, _die_with_parent, (os.getpid(),))
                )
                results = pool.imap(_make_chunk, jobs)
            for sizes, found in results:
                forked_chunks += 1
                _hand_over(found)
                for index, size in sizes:
                    yield items[index], size
    finally:
        _TO_MAKE, _MAKE_ONE = (), len


def _make_chunk(job: tuple[int, int]) -> tuple[list[tuple[int, int]], Any]:
    start, stop = job
    return [(i, _MAKE_ONE(_TO_MAKE[i])) for i in range(start, stop)], _collect()


def _in_fresh_workers(jobs: list[tuple[int, int]], n: int) -> Iterator[tuple[list[tuple[int, int]], Any]]:
    """Each job's results, in order, each made by a worker forked for it alone, n at a time: what a job
    leaves in memory ends with its worker. Forked here, by the build's own thread (a Pool's
    maxtasksperchild forks its new workers from a thread of its own, and such a pool was seen to hang
    on its way out)."""
    context = multiprocessing.get_context("fork")
    running: dict[int, tuple[Any, Any]] = {}  # job's index -> (its worker, the end its result comes from)
    done: dict[int, Any] = {}
    started = following = 0
    try:
        while following < len(jobs):
            while started < len(jobs) and len(running) < n:
                receive, send = context.Pipe(duplex=False)
                worker = context.Process(target=_fresh_worker, args=(jobs[started], send, os.getpid()))
                worker.start()
                send.close()
                running[started], started = (worker, receive), started + 1
            ready = multiprocessing.connection.wait([receive for _, receive in running.values()])
            for index, (worker, receive) in list(running.items()):
                if receive in ready:
                    try:
                        done[index] = receive.recv()
                    except EOFError:
                        worker.join()
                        raise RuntimeError(
                            f"a worker ended without its result (exit status {worker.exitcode})"
                        ) from None
                    worker.join()
                    del running[index]
            while following in done:
                outcome, value = done.pop(following)
                if outcome == "raised":
                    raise value
                yield value
                following += 1
    finally:
        for worker, _ in running.values():  # the build failed or stopped: no file is made after it
            worker.kill()
            worker.join()


def _fresh_worker(job: tuple[int, int], send: Any, parent: int) -> None:
    _die_with_parent(parent)
    try:
        result: tuple[str, Any] = ("made", _make_chunk(job))
    except BaseException as exc:  # raised in the build, as a Pool's worker's would be
        result = ("raised", exc)
    send.send(result)
    send.close()


_prctl = libc_function("prctl")


def _die_with_parent(parent: int) -> None:
    """A worker stops when the build does, even when it is killed (no file is written after it)."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
