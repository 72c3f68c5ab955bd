"""Planned files -> output/: bring a tree beside it up to date, then exchange the two."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from .guard import is_build, output_problem
from .make import make_files
from .plan import Planned, Written, check_relpath
from .tree import (
    SPARE_STATE,
    _keep_as_spare,
    _new_folder,
    _read_spare,
    _usable_spare,
    discard,
    exchange,
    remove_leftovers,
    remove_marked,
)


def write_output(
    output: Path,
    planned: Sequence[Planned],
    copies: dict[str, Path],
    previous: Mapping[str, tuple[str, int]] = MappingProxyType({}),
    progress: Callable[[int], None] = lambda done: None,
    spare: Path | None = None,
) -> Written:
    """Bring a tree beside `output` up to date, then exchange the two; `output` is never written into.

    `previous` is the manifest of the tree now at `output` (every file's path -> key and size).
    A planned file whose key it records unchanged is not made again but linked from that tree;
    when every file is unchanged the tree is left as it is. `copies` maps output paths to files
    to copy. `spare` (on the same file system) is where the previous tree is kept for the next
    build, with its manifest: that build then changes only the files that differ in it. Without
    one, or when it is not known to be complete, a new tree is made beside `output`. The build
    goes in three steps:

    1. every file to make is made into a new folder (a template or content error stops the build
       here, before anything else is touched);
    2. the files are moved into the spare, replacing the old ones, and what is gone deleted (the
       spare's manifest is removed first, so a kill leaves a spare known to be incomplete); files
       unchanged since `output` was made are hard-linked from it (a new name for the same bytes:
       a file in a tree is only ever replaced, never written over);
    3. the tree is exchanged with `output` in one step (Linux's renameat2 RENAME_EXCHANGE; elsewhere
       two renames, between which `output` is briefly absent, never partial), and the previous tree
       becomes the spare, or is removed.

    What the system refuses (no space, a read-only folder) becomes a ContentError, and a failing
    build leaves `output` as it was and nothing beside it.
    """
    output = output.absolute()
    for item in planned:
        check_relpath(item.path)  # refuse a bad path before anything is written
    for relpath in copies:
        check_relpath(relpath)
    if previous and _up_to_date(output, planned, copies, previous):
        return Written(0, len(planned) + len(copies), dict(previous))
    try:
        return _write(output, planned, copies, previous, progress, spare)
    except OSError as exc:
        raise output_problem(exc, output, getattr(exc, "nashra_needed", 0)) from None


def _write(
    output: Path,
    planned: Sequence[Planned],
    copies: dict[str, Path],
    previous: Mapping[str, tuple[str, int]],
    progress: Callable[[int], None],
    spare: Path | None,
) -> Written:
    output.parent.mkdir(parents=True, exist_ok=True)
    spare = _usable_spare(spare, output)
    remove_leftovers(output)
    had_output = output.is_dir()
    kept = None
    if spare is not None:
        remove_leftovers(spare)
        kept = _read_spare(spare, output) if had_output else None
        if kept is None:  # kept for another output, say, or restored beside none (a CI cache): any size
            discard(spare, None)
    if kept is not None:  # update the spare in place, from files made beside it
        tree, fresh = str(spare), _new_folder(spare.parent, f".{spare.name}-new-")
    elif spare is not None:  # a new tree, where the spare will be
        tree = fresh = _new_folder(spare, like=output)
    else:
        tree = fresh = _new_folder(output.parent, f".{output.name}-new-", output)
    base = kept or {}
    manifest: dict[str, tuple[str, int]] = {}
    kept_files, links, to_make = 0, [], []
    for item in planned:
        if item.key:
            record = base.get(item.path)
            if record and record[0] == item.key and _has_size(f"{tree}/{item.path}", record[1]):
                manifest[item.path] = record
                kept_files += 1
                continue
            record = previous.get(item.path)
            if record and record[0] == item.key and _has_size(f"{output}/{item.path}", record[1]):
                manifest[item.path] = record
                links.append(item.path)
                continue
        to_make.append(item)
    made: set[str] = set()

    def target_in(root: str, relpath: str) -> str:
        target = f"{root}/{relpath}"
        folder = target.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        return target

    touched = False
    try:
        progress(kept_files + len(links))
        for done, (item, size) in enumerate(make_files(to_make, fresh), start=kept_files + len(links) + 1):
            manifest[item.path] = (item.key, size)
            progress(done)
        for relpath in sorted(copies):
            target = target_in(fresh, relpath)
            shutil.copyfile(copies[relpath], target)
            manifest[relpath] = ("", os.stat(target).st_size)
        if kept is not None:
            touched = True
            os.unlink(f"{tree}/{SPARE_STATE}")  # from here on, the spare is known to be incomplete
            _update_in_place(tree, fresh, kept, manifest, [item.path for item in to_make] + sorted(copies), target_in)
        for relpath in links:
            target = target_in(tree, relpath)
            if kept is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
            os.link(f"{output}/{relpath}", target)
        os.chmod(tree, 0o755)
        if had_output:
            exchange(tree, str(output))
        else:
            os.rename(tree, output)
    except BaseException as exc:
        if isinstance(exc, OSError):  # for the message: what this build would have written
            exc.nashra_needed = _needed(to_make, copies, manifest, previous, tree == fresh and links)
        remove_marked(fresh)  # its marker last: a kill now leaves a known leftover
        if touched:
            remove_marked(tree)
        raise
    if had_output:  # the previous tree is now at `tree`
        if spare is not None and previous and _keep_as_spare(spare, output, previous):
            pass
        else:
            discard(Path(tree), len(manifest))
    return Written(len(to_make) + len(copies), kept_files + len(links), manifest)


def _update_in_place(
    tree: str,
    fresh: str,
    kept: Mapping[str, tuple[str, int]],
    manifest: Mapping[str, tuple[str, int]],
    made: list[str],
    target_in: Callable[[str, str], str],
) -> None:
    """Delete from the spare what the new site has not, and move in the files just made."""
    emptied = set()
    for relpath in kept:
        if relpath not in manifest:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{tree}/{relpath}")
            emptied.add(relpath.rpartition("/")[0])
    for folder in sorted(emptied, key=lambda f: f.count("/"), reverse=True):
        while folder:
            try:
                os.rmdir(f"{tree}/{folder}")
            except OSError:
                break
            folder = folder.rpartition("/")[0]
    for relpath in made:
        target = target_in(tree, relpath)
        try:
            os.replace(f"{fresh}/{relpath}", target)
        except IsADirectoryError:  # a folder of the old site where the new one has a file
            shutil.rmtree(target)
            os.replace(f"{fresh}/{relpath}", target)
    remove_marked(fresh)


def _needed(to_make, copies, manifest, previous, links) -> int:
    """About how many bytes this build writes: its files (as large as last time, or as those made
    so far) and a block for each new folder."""
    sizes = [manifest.get(item.path, previous.get(item.path, ("", -1)))[1] for item in to_make]
    known = [s for s in sizes if s >= 0]
    average = sum(known) // len(known) if known else 8192
    total = sum(s if s >= 0 else average for s in sizes)
    total += sum(os.stat(source).st_size for source in copies.values() if os.path.exists(source))
    paths = [item.path for item in to_make] + list(copies) + list(links or ())
    return total + 4096 * len({path.rpartition("/")[0] for path in paths})


def _up_to_date(
    output: Path, planned: Sequence[Planned], copies: dict[str, Path], previous: Mapping[str, tuple[str, int]]
) -> bool:
    """True when the tree at `output` is exactly what this build would write."""
    if previous.keys() != {item.path for item in planned} | copies.keys() or not is_build(output):
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
