"""{path: bytes} -> output/, swapped in atomically. The only module that writes."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def write_output(output: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write a complete tree beside `output`, then swap it in; on any failure `output` is untouched.

    `files` maps output paths to contents; `copies` maps output paths to files to copy.
    """
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent))
    try:
        for relpath in sorted(files):
            target = safe_join(staging, relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[relpath])
        for relpath in sorted(copies):
            target = safe_join(staging, relpath)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(copies[relpath], target)
        os.chmod(staging, 0o755)
        swap_in(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
