"""What a build plans to write: a file's path, key and maker, and what writing it did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


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

    An empty key means "always make it" (small files not worth tracking). A file kept in the build's
    cache (a derived entry: a social card, a piece of the search index, a photo's size) names it as its
    `source`: it is hard-linked from there rather than read and written again (500 MB of cards and
    index at 10,000 articles), and made by `make` (which reads the source) where it cannot be linked.
    """

    path: str
    key: str
    make: Callable[[], bytes]
    source: str = ""


def shared(make: Callable[[], T], uses: int) -> Callable[[], T]:
    """`make()` for the `uses` planned files made from one value (a feed set's items for its three
    feeds, an edition's e-mail files): made by the first to ask, kept until the last has taken it,
    then let go, so that what was made for files already written is not held to the end of the
    build (the e-mails of 674 editions took 50 MB of each worker that way). Asked for again, it is
    made again."""
    kept: list[T] = []
    taken = 0

    def take() -> T:
        nonlocal taken
        if not kept:
            kept.append(make())
            taken = 0
        value, taken = kept[0], taken + 1
        if taken >= uses:
            kept.clear()
        return value

    return take


@dataclass(frozen=True, slots=True)
class Written:
    written: int
    reused: int
    manifest: dict[str, tuple[str, int]]  # path -> (key, size), for the next build
