"""The digest of a built tree: whether a build changed what is published (a deploy worth making)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_digest(folder: Path) -> str:
    """SHA-256 over the sorted (relative path, SHA-256 of bytes) of every file below `folder`
    (what tools/tree_hash.py prints)."""
    entries = []
    for top, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            entries.append(f"{rel}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n")
    return hashlib.sha256("".join(sorted(entries)).encode("utf-8", "surrogateescape")).hexdigest()
