"""Trees of Nashra's beside the output folder: new ones, the spare, their exchange and removal.

Every tree holds the MARKER file, made first and removed last: a tree cut short in the making or
the removing is still known for one of Nashra's, and finished later (remove_leftovers).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..libc import libc_function
from .guard import MARKER, MARKER_TEXT, is_build

SPARE_STATE = ".nashra-spare.json"  # in the spare only, removed before it is touched or swapped in


def _new_folder(parent: Path | str, prefix: str | None = None, like: Path | None = None) -> str:
    """A new folder holding the marker (the one of tree `like`, if it has one): at `parent`
    itself, or inside it with a unique name."""
    if prefix is None:
        folder = str(parent)
        os.mkdir(folder)
    else:
        folder = tempfile.mkdtemp(prefix=prefix, dir=parent)
    try:
        os.link(like / MARKER, f"{folder}/{MARKER}")
    except (OSError, TypeError):
        with open(f"{folder}/{MARKER}", "wb") as f:
            f.write(MARKER_TEXT)
    return folder


def _usable_spare(spare: Path | None, output: Path) -> Path | None:
    """`spare`, if it can be exchanged with `output` (same file system) and is Nashra's or absent."""
    if spare is None:
        return None
    spare = spare.absolute()
    spare.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(spare.parent).st_dev != os.stat(output.parent).st_dev:
        return None
    if os.path.lexists(spare) and not (is_build(spare) or (spare.is_dir() and not any(spare.iterdir()))):
        return None  # not ours: left alone
    return spare


def _read_spare(spare: Path, output: Path) -> dict[str, tuple[str, int]] | None:
    """The manifest of the spare, when it is a complete tree kept for this output."""
    try:
        data = json.loads((spare / SPARE_STATE).read_text(encoding="utf-8"))
        if not is_build(spare) or data["output"] != str(output):
            return None
        return {str(path): (str(key), int(size)) for path, (key, size) in data["pages"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _keep_as_spare(spare: Path, output: Path, manifest: Mapping[str, tuple[str, int]]) -> bool:
    data = {"output": str(output), "pages": {path: list(record) for path, record in manifest.items()}}
    try:
        tmp = spare / f".tmp-{SPARE_STATE}"
        tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, spare / SPARE_STATE)
    except OSError:
        return False  # no room for it, say: the tree is removed instead
    return True


def discard(folder: Path, files: int | None = 0) -> None:
    """Remove a tree of Nashra's (or an empty folder) of `files` files, in the background when they are
    many or not known (None)."""
    if not os.path.lexists(folder):
        return
    if not is_build(folder):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty
        return
    old = tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent)
    os.rmdir(old)
    os.rename(folder, old)
    remove_tree(Path(old), background=files is None or files >= BACKGROUND_REMOVAL_FROM)


def exchange(a: str, b: str) -> None:
    """Swap the folders at paths `a` and `b` in one step where the system can, else by two renames."""
    if _renameat2 is not None:
        if _renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # not supported: fall back
            raise OSError(code, os.strerror(code), b)
    aside = tempfile.mkdtemp(prefix=f".{os.path.basename(b)}-old-", dir=os.path.dirname(b))
    os.rmdir(aside)
    os.rename(b, aside)
    try:
        os.rename(a, b)
    except BaseException:
        os.rename(aside, b)
        raise
    os.rename(aside, a)


_renameat2 = libc_function("renameat2")
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    _renameat2.restype = ctypes.c_int


# Removing a large tree takes longer than building the new one incrementally, so from
# this many files on it is removed by a detached process while the build returns.
BACKGROUND_REMOVAL_FROM = 2000
REMOVER = (
    "import os, sys; os.nice(19); sys.path[0] = sys.argv[1]; "
    "from nashra.output.tree import remove_marked; remove_marked(sys.argv[2])"
)


def remove_marked(folder: str) -> None:
    """Remove a tree of Nashra's, its marker last: a removal cut short is still recognised, and finished later."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name != MARKER:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
        if os.listdir(folder) == [MARKER]:
            os.unlink(os.path.join(folder, MARKER))
            os.rmdir(folder)


def fewer_files(folder: Path, limit: int) -> bool:
    """Whether the tree at `folder` holds fewer than `limit` entries (counting stops there)."""
    count = 0
    for _, dirs, files in os.walk(folder):
        count += len(dirs) + len(files)
        if count >= limit:
            return False
    return True


def remove_tree(folder: Path, background: bool) -> None:
    if background:
        try:
            subprocess.Popen(
                [sys.executable, "-c", REMOVER, str(Path(__file__).resolve().parents[2]), str(folder)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return
        except OSError:
            pass  # remove it here instead
    remove_marked(str(folder))


def tidy(output: Path, spare: Path | None) -> None:
    """Remove what interrupted builds left beside `output` and the spare, even when this build
    finds nothing to write."""
    remove_leftovers(output.absolute())
    if spare is not None and spare.parent.is_dir():
        remove_leftovers(spare.absolute())


def remove_leftovers(tree: Path) -> None:
    """What interrupted builds left beside `tree`: new and old trees, known by their marker (an empty
    one too, made just before its marker); any other folder of these names is left alone."""
    for pattern in (f".{tree.name}-new-*", f".{tree.name}-old-*"):
        for path in tree.parent.glob(pattern):
            if is_build(path) and path.is_dir():
                remove_tree(path, background=not fewer_files(path, BACKGROUND_REMOVAL_FROM))
            elif path.is_dir() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.rmdir()
