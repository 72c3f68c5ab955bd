"""Files made from inputs by a costly step (the search index, social cards, photo sizes), kept
between builds under the cache and found again by the digest of what they were made from.

    .nashra-cache/derived/<kind>/<key>/...   one entry: the files one step made from one input

An entry is made in a temporary folder and renamed into place whole, so a build that stops half
way leaves no half entry behind. A build says which entries it used (`get` and `make` both count);
at its successful end, entries of the kind no longer used are removed, so the cache does not grow
with every edited photo. Without a persistent cache (--no-cache), the entries go to a temporary
folder that the build removes.

    files = session.derived("cards")
    folder = files.get(key) or files.make(key, lambda into: draw(card, into / "card.png"))
    copies[f"cards/{slug}.png"] = folder / "card.png"
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..output.guard import MARKER, MARKER_TEXT, is_build
from ..output.tree import BACKGROUND_REMOVAL_FROM, fewer_files, remove_tree

DERIVED = "derived"
_KIND = re.compile(r"[a-z][a-z0-9-]{0,31}")
_KEY = re.compile(r"[0-9a-f]{16,64}")  # a digest: nothing that leads out of its kind's folder
_DONE = ".complete"  # written last into an entry: an entry without it is not trusted
_TRASH = ".removed-"  # derived/.removed-<kind>-*/: entries being removed (prune), beside the kinds' folders


class DerivedFiles:
    """The entries of one kind of derived file; entries are folders named by their key."""

    def __init__(self, folder: Path, kind: str):
        if not _KIND.fullmatch(kind):
            raise ValueError(f"not a kind of derived file: {kind!r}")
        self.folder = folder / DERIVED / kind
        self._top = str(self.folder)
        self._used: set[str] = set()

    def get(self, key: str) -> Path | None:
        """The entry made for `key` by this build or an earlier one, if it is complete."""
        entry = self.find(key)
        return None if entry is None else Path(entry)

    def find(self, key: str) -> str | None:
        """As get, the entry's path as text: the cards ask for 10,000 entries at 10,000 articles, and
        pathlib's joining and stat took 10 us an entry of it, os.path's 1.5 us."""
        entry = self._path(key)
        if not os.path.isfile(os.path.join(entry, _DONE)):
            return None
        self._used.add(key)
        return entry

    def make(self, key: str, write: Callable[[Path], None]) -> Path:
        """Make the entry for `key`: `write` fills the folder it is given; returns the entry."""
        entry = self._entry(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
        try:
            write(tmp)
            (tmp / _DONE).write_bytes(b"")
            if entry.exists():  # an incomplete entry, or one another process made meanwhile
                shutil.rmtree(entry, ignore_errors=True)
            try:
                os.replace(tmp, entry)
            except OSError:
                if not (entry / _DONE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._used.add(key)
        return entry

    def use(self, key: str) -> None:
        """Count an entry as used that this process did not look at (a forked worker did)."""
        self._entry(key)
        self._used.add(key)

    @property
    def used(self) -> frozenset[str]:
        return frozenset(self._used)

    def prune(self) -> None:
        """Remove the entries this build did not use, and anything else left in the kind's folder.

        They are moved aside into one marked folder first (a rename each), which is removed in the
        background when it holds many files: deleting is slow on some disks (an old search index's
        10,000 files took 36 s on an ext4 mounted with `discard`), and the build need not wait for it."""
        if not self.folder.is_dir():
            return
        trashed = f"{_TRASH}{self.folder.name}-"
        for left in self.folder.parent.glob(trashed + "*"):  # an earlier build's, whose removal was cut short
            if is_build(left):
                remove_tree(left, background=True)
        unused = [item.name for item in os.scandir(self.folder) if item.name not in self._used or not item.is_dir()]
        if not unused:
            return
        trash = Path(tempfile.mkdtemp(prefix=trashed, dir=self.folder.parent))
        (trash / MARKER).write_bytes(MARKER_TEXT)
        for name in unused:
            with contextlib.suppress(OSError):
                os.rename(self.folder / name, trash / name)
        remove_tree(trash, background=not fewer_files(trash, BACKGROUND_REMOVAL_FROM))

    def _entry(self, key: str) -> Path:
        return Path(self._path(key))

    def _path(self, key: str) -> str:
        """The entry's folder for `key`, once the key is known to be a digest (it cannot lead out)."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a key of a derived file: {key!r}")
        return os.path.join(self._top, key)
