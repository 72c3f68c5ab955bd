"""{path: bytes} -> output/, swapped in atomically. The only module that writes."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
    planned: Iterable[Planned],
    copies: dict[str, Path],
    previous: Callable[[str], tuple[str, int] | None] = lambda path: None,
    progress: Callable[[int], None] = lambda done: None,
) -> Written:
    """Write a complete tree beside `output`, then swap it in; on any failure `output` is untouched.

    Files are made and written one at a time. A file whose key matches what `previous`
    recorded for the current tree is hard-linked from it (or copied, where links are not
    possible) instead of being made again. `copies` maps output paths to files to copy.
    """
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent))
    made: set[Path] = {staging}
    manifest: dict[str, tuple[str, int]] = {}
    count = reused = 0

    def target_of(relpath: str) -> Path:
        target = safe_join(staging, relpath)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        return target

    try:
        for item in planned:
            count += 1
            target = target_of(item.path)
            before = previous(item.path) if item.key else None
            old = safe_join(output, item.path)
            if before and before[0] == item.key and _has_size(old, before[1]):
                link_or_copy(old, target)
                manifest[item.path] = before
                reused += 1
            else:
                data = item.make()
                target.write_bytes(data)
                if item.key:
                    manifest[item.path] = (item.key, len(data))
            progress(count)
        for relpath in sorted(copies):
            shutil.copyfile(copies[relpath], target_of(relpath))
        os.chmod(staging, 0o755)
        swap_in(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(count - reused + len(copies), reused, manifest)


def _has_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def link_or_copy(source: Path, target: Path) -> None:
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
