"""The output folder's checks, the marker that tells Nashra's trees, the build lock, and what the
system refused, as one clear line (NSH301-NSH307)."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from ..layout import CACHE_DIR, CONTENT_DIR, TEMPLATES_DIR
from ..problems import ContentError, Problem

try:
    import fcntl
except ImportError:  # not on Windows: builds are not locked there
    fcntl = None

MARKER = ".nashra-build"  # in every tree Nashra makes, published too
MARKER_TEXT = b"Made by Nashra, a static site generator. Each build replaces this folder whole.\n"


def _problem(path: Path | str, code: str, message: str, hint: str) -> ContentError:
    return ContentError([Problem(str(path), 0, 0, code, message, hint)])


def is_build(folder: Path | str) -> bool:
    """True for a folder holding the marker every Nashra build writes."""
    return os.path.isfile(os.path.join(folder, MARKER)) and not os.path.islink(folder)


def check_output_dir(output: Path, root: Path, cache: Path | None = None) -> None:
    """Refuse an output folder whose replacement would destroy something else, or that cannot be written.

    `output` must be absent, an empty folder or a Nashra build; outside the project, any such
    folder will do. Inside it, the folders that lead to it may hold nothing but other builds
    (so `output/`, `content/`, `nashra/`, `tests/`, `.git/` ... are refused), and no file may
    stand in its way. `cache` is the build cache's folder, when the build uses one.
    """
    out, top = output.resolve(), root.resolve()
    hint = "choose a folder such as output/"
    if out == top or top.is_relative_to(out):
        raise _problem(output, "NSH301", "the output folder contains the project itself", hint)
    for inside in (CONTENT_DIR, TEMPLATES_DIR):
        if out.is_relative_to(top / inside):
            raise _problem(output, "NSH301", f"the output folder is inside {inside}/", hint)
    plain = output.absolute()
    if plain.is_symlink():
        raise _problem(output, "NSH303", "the output folder is a symbolic link; it was left alone", hint)
    if plain.exists() and not plain.is_dir():
        raise _problem(output, "NSH303", "the output path is an existing file; it was left alone", hint)
    for parent in plain.parents:
        if parent.exists() and not parent.is_dir():
            name = parent.relative_to(top) if parent.is_relative_to(top) else parent
            raise _problem(output, "NSH303", f"{name} is a file, so no folder can be made inside it", hint)
    if out.is_relative_to(top):
        parts = out.relative_to(top).parts
        for depth in range(1, len(parts)):
            folder = top.joinpath(*parts[:depth])
            if not folder.exists() and parts[0] != CACHE_DIR:
                break
            others = folder.exists() and [e for e in os.scandir(folder) if e.name != parts[depth] and not is_build(e)]
            if others or is_build(folder) or parts[0] == CACHE_DIR:
                name = folder.relative_to(top).as_posix()
                raise _problem(
                    output, "NSH303", f"the output folder would be inside {name}/, a folder of the project", hint
                )
    if out.is_dir() and any(out.iterdir()) and not (is_build(out) or _built_before_markers(out)):
        raise _problem(
            output,
            "NSH302",
            f"the output folder exists and is not a Nashra build (it has no {MARKER} file); it was left alone",
            "remove it or choose another --output",
        )
    check_writable(output, root, cache)


# Every page an earlier Nashra (before the marker) wrote says so in its head.
_GENERATOR = b'<meta name="generator" content="Nashra">'


def _built_before_markers(folder: Path) -> bool:
    """True for an output folder that a Nashra from before the marker built: its home page says so."""
    try:
        with open(folder / "index.html", "rb") as f:
            return _GENERATOR in f.read(64 * 1024)
    except OSError:
        return False


def _existing(folder: Path) -> Path:
    """`folder`, or the nearest of its parents that is a folder."""
    folder = folder.absolute()
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_writable(output: Path, root: Path, cache: Path | None) -> None:
    """Refuse at once a build that could not write its output or its cache (read-only, protected)."""
    folders = [_existing(output.absolute().parent)]
    if output.is_dir():
        folders.append(output.absolute())  # it is moved between folders, which writes into it
    if cache is not None:
        folders.append(_existing(cache))
    for folder in folders:
        if not os.access(folder, os.W_OK):
            raise _problem(
                folder,
                "NSH305",
                "cannot write into this folder: it is read-only or protected",
                "make it writable (chmod u+w, or chattr -i), or build elsewhere with --output",
            )


# ---- one build at a time ----

_HELD: list[int] = []  # the descriptors of the locks this process holds


def _forget_locks() -> None:
    """In a forked worker: the lock stays the parent's, and goes when the parent goes."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


@contextlib.contextmanager
def claim_output(output: Path, root: Path) -> Iterator[None]:
    """Hold, for one build, exclusive locks on the output's folder and the project's folder.

    They are flock(2) locks on the folders themselves (no lock file to leave behind), released by
    the kernel when the build ends, however it ends. A second build refuses at once (NSH306).
    On a file system without locks the build runs unlocked.
    """
    folders = sorted({os.path.realpath(_existing(output.absolute().parent)), os.path.realpath(root)})
    held = []
    try:
        for folder in folders if fcntl is not None else ():
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
            held.append(fd)
            _HELD.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _problem(
                    folder,
                    "NSH306",
                    "another build is running in this folder",
                    "wait for it to finish, then build again",
                ) from None
            except OSError:
                pass  # locks not supported here
        yield
    finally:
        for fd in held:
            _HELD.remove(fd)
            os.close(fd)


def output_problem(exc: OSError, output: Path, needed: int = 0) -> ContentError:
    """One clear line for what the system refused while the output was written."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        try:
            st = os.statvfs(_existing(output.parent))
            free = st.f_bavail * st.f_frsize
        except OSError:
            free = 0
        what = "disk quota" if exc.errno == errno.EDQUOT else "space"
        return _problem(
            output,
            "NSH304",
            f"not enough {what} on the file system at {_mount_point(output)} to write the output folder: "
            f"about {_size(needed)} more is needed, {_size(free)} is free; nothing was changed",
            "free some space, or build elsewhere with --output",
        )
    folder = Path(exc.filename).parent if exc.filename else output
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _problem(
            folder,
            "NSH305",
            f"cannot write into this folder: {exc.strerror or exc}",
            "make it writable (chmod u+w, or chattr -i), or build elsewhere with --output",
        )
    where = f": {exc.filename}" if exc.filename else ""
    return _problem(
        output,
        "NSH307",
        f"could not write the output folder: {exc.strerror or exc}{where}; nothing was changed",
        "check the disk and build again",
    )


def _mount_point(path: Path) -> str:
    path = _existing(path)
    with contextlib.suppress(OSError):
        while path != path.parent and os.stat(path.parent).st_dev == os.stat(path).st_dev:
            path = path.parent
    return str(path)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(n, 0) // 1000 + 1} KB"
