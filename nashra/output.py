"""{path: bytes} -> output/, swapped in atomically. The only module that writes."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

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


def safe_join(folder: Path, relpath: str) -> Path:
    """`folder/relpath`, refusing any path that would land outside `folder`."""
    rel = PurePosixPath(relpath)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"refusing to write outside the output folder: {relpath!r}")
    return folder.joinpath(*rel.parts)


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
    """Write a complete tree beside `output`, then swap it in; on any failure `output` is untouched.

    Files are made and written one at a time. `previous` is the manifest of the tree now at
    `output` (path -> key and size): a file whose key it records unchanged is hard-linked from
    that tree (or copied, where links are not possible) instead of being made again, and when
    every file is unchanged the tree is left as it is. `copies` maps output paths to files to copy.
    """
    output = output.absolute()
    for item in planned:
        safe_join(output, item.path)  # refuse a bad path before anything is written
    if previous and _up_to_date(output, planned, copies, previous):
        return Written(0, len(planned) + len(copies), dict(previous))
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent)
    old_root = str(output)
    made: set[str] = {staging}
    manifest: dict[str, tuple[str, int]] = {}
    count = reused = 0

    def target_of(relpath: str) -> str:
        target = f"{staging}/{relpath}"
        folder = target.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        return target

    try:
        for item in planned:
            count += 1
            target = target_of(item.path)
            before = previous.get(item.path) if item.key else None
            old = f"{old_root}/{item.path}"
            if before and before[0] == item.key and _has_size(old, before[1]):
                link_or_copy(old, target)
                manifest[item.path] = before
                reused += 1
            else:
                data = item.make()
                with open(target, "wb") as f:
                    f.write(data)
                manifest[item.path] = (item.key, len(data))
            progress(count)
        for relpath in sorted(copies):
            shutil.copyfile(copies[relpath], target_of(relpath))
        os.chmod(staging, 0o755)
        swap_in(Path(staging), output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(count - reused + len(copies), reused, manifest)


def _up_to_date(
    output: Path, planned: Sequence[Planned], copies: dict[str, Path], previous: Mapping[str, tuple[str, int]]
) -> bool:
    """True when the tree at `output` is exactly what this build would write."""
    if previous.keys() != {item.path for item in planned}:
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


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def swap_in(staging: Path, output: Path) -> None:
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
    shutil.rmtree(old)
