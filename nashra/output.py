"""{path: bytes} -> output/, swapped in atomically. The only module that writes."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .parallel import workers
from .problems import ContentError, Problem


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy something else."""
    out, top = output.resolve(), root.resolve()
    if out == top or top.is_relative_to(out):
        raise ContentError(
            [
                Problem(
                    str(output),
                    0,
                    0,
                    "NSH301",
                    "the output folder contains the project itself",
                    "choose a folder such as output/",
                )
            ]
        )
    for inside in ("content", "templates"):
        if out.is_relative_to(top / inside):
            raise ContentError(
                [
                    Problem(
                        str(output),
                        0,
                        0,
                        "NSH301",
                        f"the output folder is inside {inside}/",
                        "choose a folder such as output/",
                    )
                ]
            )
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise ContentError(
            [
                Problem(
                    str(output),
                    0,
                    0,
                    "NSH302",
                    "the output folder exists and is not a Nashra build (no index.html); it was left alone",
                    "remove it or choose another --output",
                )
            ]
        )


def check_relpath(relpath: str) -> str:
    """`relpath` if it names a file inside a folder (forward slashes, no `..`, not absolute)."""
    parts = relpath.split("/")
    if (
        not relpath
        or relpath.startswith("/")
        or "\\" in relpath
        or "\0" in relpath
        or any(part in {"", ".", ".."} for part in parts)
    ):
        raise ValueError(f"refusing to write outside the output folder: {relpath!r}")
    return relpath


@dataclass(frozen=True, slots=True)
class Planned:
    """A file of the site: where it goes, a digest of what it is made from, and how to make it.

    An empty key means "always make it" (small files not worth tracking).
    """

    path: str
    key: str
    make: Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Written:
    written: int
    reused: int
    manifest: dict[str, tuple[str, int]]  # path -> (key, size), for the next build


def write_output(
    output: Path,
    planned: Sequence[Planned],
    copies: dict[str, Path],
    previous: Mapping[str, tuple[str, int]] = MappingProxyType({}),
    progress: Callable[[int], None] = lambda done: None,
) -> Written:
    """Write a complete tree beside `output`, then swap it in; a failing build leaves `output` as it was.

    `previous` is the manifest of the tree now at `output` (every file's path -> key and size).
    A planned file whose key it records unchanged is not made again but taken from that tree;
    when every file is unchanged the tree is left as it is. `copies` maps output paths to files
    to copy. The build goes in three steps:

    1. every changed file is made and written into a new folder beside `output` (a template
       or content error stops the build here, before `output` is touched);
    2. unchanged files are moved over from the old tree, a whole folder at a time where nothing
       in it changed (a rename is far cheaper than a new folder and a link per file); any error
       moves them back;
    3. the new folder is swapped in, and what is left of the old tree removed.
    """
    output = output.absolute()
    for item in planned:
        check_relpath(item.path)  # refuse a bad path before anything is written
    for relpath in copies:
        check_relpath(relpath)
    if previous and _up_to_date(output, planned, copies, previous):
        return Written(0, len(planned) + len(copies), dict(previous))
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(output)
    staging = tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent)
    old_root = str(output)
    made: set[str] = {staging}
    manifest: dict[str, tuple[str, int]] = {}
    fresh: list[str] = []
    carried: list[str] = []
    moved: list[str] = []

    def target_of(relpath: str) -> str:
        target = f"{staging}/{relpath}"
        folder = target.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        return target

    try:
        to_make = []
        for item in planned:
            before = previous.get(item.path) if item.key else None
            if before and before[0] == item.key and _has_size(f"{old_root}/{item.path}", before[1]):
                carried.append(item.path)
                manifest[item.path] = before
            else:
                to_make.append(item)
        progress(len(carried))
        for done, (item, size) in enumerate(make_files(to_make, staging), start=len(carried) + 1):
            fresh.append(item.path)
            manifest[item.path] = (item.key, size)
            progress(done)
        for relpath in sorted(copies):
            target = target_of(relpath)
            shutil.copyfile(copies[relpath], target)
            fresh.append(relpath)
            manifest[relpath] = ("", os.stat(target).st_size)
        for relpath in plan_moves(previous.keys(), carried, fresh):
            target = f"{staging}/{relpath}"
            parent = target.rpartition("/")[0]
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            os.rename(f"{old_root}/{relpath}", target)
            moved.append(relpath)
        os.chmod(staging, 0o755)
        swap_in(Path(staging), output, len(previous) - len(carried))
    except BaseException:
        for relpath in reversed(moved):  # put the old tree back together
            with contextlib.suppress(OSError):
                os.rename(f"{staging}/{relpath}", f"{old_root}/{relpath}")
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(len(fresh), len(carried), manifest)


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
        with multiprocessing.get_context("fork").Pool(n) as pool:
            for sizes in pool.imap(_make_chunk, [(folder, c.start, c.stop) for c in chunks]):
                for index, size in sizes:
                    yield items[index], size
    finally:
        _TO_MAKE = ()


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


def plan_moves(old_files: Iterable[str], carried: Iterable[str], fresh: Iterable[str]) -> list[str]:
    """What to move from the old tree so the new one gets every carried file: whole folders
    where nothing inside changed (no file new, replaced or gone), single files elsewhere."""
    carried = set(carried)
    dirty: set[str] = {""}
    for relpath in itertools.chain(fresh, (f for f in old_files if f not in carried)):
        parts = relpath.split("/")
        for depth in range(1, len(parts)):
            dirty.add("/".join(parts[:depth]))
    moves: set[str] = set()
    for relpath in carried:
        parts = relpath.split("/")
        for depth in range(1, len(parts) + 1):
            candidate = "/".join(parts[:depth])
            if candidate not in dirty:
                moves.add(candidate)
                break
    return sorted(moves)


def _up_to_date(
    output: Path, planned: Sequence[Planned], copies: dict[str, Path], previous: Mapping[str, tuple[str, int]]
) -> bool:
    """True when the tree at `output` is exactly what this build would write."""
    if previous.keys() != {item.path for item in planned} | copies.keys():
        return False
    root = str(output)
    for item in planned:
        before = previous[item.path]
        path = f"{root}/{item.path}"
        if item.key:
            if before[0] != item.key or not _has_size(path, before[1]):
                return False
        elif not _same_bytes(path, item.make()):
            return False
    return all(_same_bytes(f"{root}/{relpath}", Path(source).read_bytes()) for relpath, source in copies.items())


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _has_size(path: str, size: int) -> bool:
    try:
        return os.stat(path).st_size == size
    except OSError:
        return False


# Removing a large old tree takes longer than building the new one incrementally, so from
# this many files on it is removed by a detached process while the build returns.
BACKGROUND_REMOVAL_FROM = 2000
REMOVER = "import os, shutil, sys; os.nice(19); shutil.rmtree(sys.argv[1], ignore_errors=True)"


def swap_in(staging: Path, output: Path, files: int = 0) -> None:
    """Rename `staging` to `output`; the previous tree is removed only once the new one is in place."""
    if not output.exists():
        staging.rename(output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
    old.rmdir()
    output.rename(old)
    try:
        staging.rename(output)
    except BaseException:
        old.rename(output)
        raise
    remove_tree(old, background=files >= BACKGROUND_REMOVAL_FROM)


def remove_tree(folder: Path, background: bool) -> None:
    if background:
        try:
            subprocess.Popen(
                [sys.executable, "-c", REMOVER, folder],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return
        except OSError:
            pass  # remove it here instead
    shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(output: Path) -> None:
    """Old trees whose removal was interrupted (the machine stopped, say)."""
    for path in output.parent.glob(f".{output.name}-old-*"):
        if path.is_dir() and not path.is_symlink():
            remove_tree(path, background=True)
