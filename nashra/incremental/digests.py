"""SHA-256 of texts and files; a file whose state is unchanged since it was recorded is not read again."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from pathlib import Path

from .toolchain import made_by


def digest(*parts: str) -> str:
    """SHA-256 over texts, kept apart by NUL (which the texts hashed here never hold)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digests(
    root: Path, names: list[str], known: Mapping[str, list] | None = None, states: dict[str, list] | None = None
) -> dict[str, str]:
    """The digest of each named file (relative to root); "absent" for one that is not there.

    `known` maps paths to [mtime_ns, size, inode, digest, recorded_at] as `states` records them
    (when given, for the next build): a file whose state is unchanged is not read again. As git
    does for its index, a file changed less than two seconds before it was recorded is always
    read, since its time could hide a change. A file is recorded as it was before it was read,
    so a change made after that is seen next time.
    """
    top = str(root)
    now = time.time_ns()
    digests = {}
    for name in names:
        path = os.path.join(top, name)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            digests[name] = "absent"
            continue
        record = known.get(name) if known else None
        if record and record[:3] == [st.st_mtime_ns, st.st_size, st.st_ino] and len(record) == 5:
            recorded_at, digest_then = record[4], record[3]
            if st.st_mtime_ns < recorded_at - 2_000_000_000:
                digests[name] = digest_then
                if states is not None:
                    states[name] = record
                continue
        with open(path, "rb") as f:
            digests[name] = digest_bytes(f.read())
        if states is not None:
            states[name] = [st.st_mtime_ns, st.st_size, st.st_ino, digests[name], now]
    return digests


def fingerprint_files(root: Path, names: list[str], digests: Mapping[str, str] | None = None) -> str:
    """One digest over the named files (relative to root) and their contents; absent files count too; and
    what makes the output of them (toolchain.made_by)."""
    known = digests if digests is not None else file_digests(root, names)
    parts = [made_by()]
    for name in sorted(names):
        parts += [name, known[name] if name in known else file_digests(root, [name])[name]]
    return digest(*parts)
