"""What a build plans to write: a file's path, key and maker, and what writing it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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
