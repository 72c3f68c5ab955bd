"""{path: bytes} -> output/, swapped in atomically. The only module that writes.

`output/` is never written into: each build brings another tree up to date beside it and
exchanges the two in one step, so a reader of `output/`, or a build killed at any moment,
sees either the previous complete site or the new one. Every tree Nashra makes holds a small
MARKER file; it is how a build knows a folder for one of its own (an `index.html` proves
nothing), and the only way a leftover of an interrupted build is recognised and removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from . import parallel
from .problems import ContentError, Problem

try:
    import fcntl
except ImportError:  # not on Windows: builds are not locked there
    fcntl = None

MARKER = ".nashra-build"  # in every tree Nashra makes, published too
MARKER_TEXT = b"Made by Nashra, a static site generator. Each build replaces this folder whole.\n"
SPARE_STATE = ".nashra-spare.json"  # in the spare only, removed before it is touched or swapped in


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
    for inside in ("content", "templates"):
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
            if not folder.exists() and parts[0] != ".nashra-cache":
                break
            others = folder.exists() and [e for e in os.scandir(folder) if e.name != parts[depth] and not is_build(e)]
            if others or is_build(folder) or parts[0] == ".nashra-cache":
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
        if kept is None:
            discard(spare, len(previous))
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


def discard(folder: Path, files: int = 0) -> None:
    """Remove a tree of Nashra's (or an empty folder), in the background when it is large."""
    if not os.path.lexists(folder):
        return
    if not is_build(folder):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty
        return
    old = tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent)
    os.rmdir(old)
    os.rename(folder, old)
    remove_tree(Path(old), background=files >= BACKGROUND_REMOVAL_FROM)


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


def _libc_function(name: str):
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError, TypeError):
        return None
    return function


_renameat2 = _libc_function("renameat2") if sys.platform.startswith("linux") else None
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    _renameat2.restype = ctypes.c_int


# Making pages is most of a cold build after Markdown: from parallel.SPREAD["files"] on, they are
# made by worker processes forked from the build, which share its site and templates without copying them.


def make_files(items: Sequence[Planned], folder: str) -> Iterator[tuple[Planned, int]]:
    """Make each item and write it under `folder`; yield it with its size, in order."""
    _made_folders.clear()
    yield from parallel.make_in_forks(items, functools.partial(_write_one, folder=folder))


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


# Removing a large tree takes longer than building the new one incrementally, so from
# this many files on it is removed by a detached process while the build returns.
BACKGROUND_REMOVAL_FROM = 2000
REMOVER = (
    "import os, sys; os.nice(19); sys.path[0] = sys.argv[1]; "
    "from nashra import output; output.remove_marked(sys.argv[2])"
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


def _fewer_files(folder: Path, limit: int) -> bool:
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
                [sys.executable, "-c", REMOVER, str(Path(__file__).resolve().parents[1]), str(folder)],
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
                remove_tree(path, background=not _fewer_files(path, BACKGROUND_REMOVAL_FROM))
            elif path.is_dir() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.rmdir()
