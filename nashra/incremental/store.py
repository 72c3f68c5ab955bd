"""The build cache's files: parsed articles, prepared bodies, and what the last output holds.

Nothing here is trusted blindly. Every record is keyed by the SHA-256 of its input together
with a fingerprint of everything else it depends on (keys.py), so a stale record is never
found, only missed. A file that cannot be read back, or does not match its own checksum, is
ignored with a warning and the work is done again.

    .nashra-cache/articles.jsonl      parsed articles, a line each (the article's JSON, a tab, its links'),
                                      after a header naming the site their links passed the check against
    .nashra-cache/link-sites.json     what those sites hold: a site that holds it all passes them too
    .nashra-cache/index.json          where each prepared body is, its word count, the page manifest
    .nashra-cache/bodies/<name>.pack  prepared bodies, each its checksum, a newline and its HTML
    .nashra-cache/last-build.json     the stamp of the last build (stamp.py)
    .nashra-cache/spare/              the tree output/ held before, brought up to date by the next build
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .. import __version__
from ..layout import CACHE_DIR
from ..output.plan import check_relpath
from .digests import digest
from .packs import Location, atomic_write, pack_path, write_pack

FORMAT = 5  # 4: words counted between spaces (the bodies cache holds word counts); 5: a record's links apart
ARTICLES = "articles.jsonl"
LINK_SITES = "link-sites.json"  # what the sites the articles' links passed against hold (read/links.py)
DEFAULT_FOLDER = CACHE_DIR
SPARE = "spare"  # output/ keeps the previous output tree here, with its own manifest


class Store:
    """Read once at the start of a build, saved once at its successful end."""

    def __init__(self, folder: Path, fingerprint: str, *, load: bool = True, persistent: bool = True):
        self.folder = folder
        self.fingerprint = fingerprint
        self.persistent = persistent
        self.warnings: list[str] = []
        # articles.jsonl holds one line per article: path, file digest, and the record (session.known_article),
        # kept as its UTF-8 bytes, written back as they are when carried over unchanged (as text, Python
        # would hold its Arabic and its ASCII two bytes a character: 27 MB at 10,000 articles, not 15).
        self._articles: dict[str, tuple[str, bytes]] = {}
        self._new_articles: dict[str, tuple[str, bytes]] = {}
        # The digest of the site the links of those articles passed the check against (read/links.py
        # LinkSites), written in the file's header: the same site, the same answer for their links.
        self._links_site = self._new_links_site = ""
        self._new_link_members: list | None = None  # what those sites hold, kept beside (LINK_SITES)
        # key -> [word count, pack, offset, length] of each prepared body
        self._bodies: dict[str, list] = {}
        self._new_bodies: dict[str, list] = {}
        self._packs: dict[str, bool] = {}  # pack name -> whether its file is there
        self._pages: dict[str, list] = {}
        self._output = ""
        if load:
            self._load()

    @classmethod
    def temporary(cls) -> Store:
        """A store for one build only (--no-cache): bodies still go to disk, not memory."""
        return cls(Path(tempfile.mkdtemp(prefix="nashra-cache-")), "", load=False, persistent=False)

    @classmethod
    def open(cls, folder: Path, fingerprint: str, site: Path) -> Store:
        """The store in `folder`; when that cannot hold one (it or its bodies/ is a file, a link
        leading out of the `site` folder, or cannot be written), a temporary one for this build,
        with a warning, so a cold build is done instead."""
        wrong = unusable(folder, site)
        if wrong is None:
            return cls(folder, fingerprint)
        store = cls.temporary()
        store.warnings.append(f"cannot use the build cache {folder.name}/ ({wrong}): built without it this time")
        return store

    def close(self) -> None:
        if not self.persistent:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _load(self) -> None:
        index = self.folder / "index.json"
        if not index.exists():
            return
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != __version__:
                raise ValueError("written by another version")
            pages, bodies = data["pages"], data["bodies"]
            if not all(isinstance(x, dict) for x in (pages, bodies)):
                raise ValueError("unexpected layout")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.warnings.append(f"ignoring the build cache {index}: {exc}")
            return
        self._bodies = {k: v for k, v in bodies.items() if _is_body_record(v)}
        if len(self._bodies) < len(bodies):
            self.warnings.append(f"ignoring damaged records of prepared bodies in {index}")
        output = data.get("output", "")
        if isinstance(output, str) and all(_is_page_record(path, record) for path, record in pages.items()):
            self._pages, self._output = pages, output
        else:  # every page is made again
            self.warnings.append(f"ignoring the page manifest in {index}: unexpected layout")
        self._load_articles()

    def _load_articles(self) -> None:
        """The records of the last build's articles, read line by line (at 10,000 articles the file
        holds some 15 MB: no second copy of it is made)."""
        path = self.folder / ARTICLES
        articles: dict[str, tuple[str, bytes]] = {}
        try:
            with path.open("rb") as lines:
                header = lines.readline().removesuffix(b"\n").decode("utf-8").split("\t")
                if "\t".join(header[:4]) != self._articles_header():
                    return  # another version's, or made with other settings: every article is parsed again
                site = header[4] if len(header) == 5 else ""
                for line in lines:
                    parts = line.removesuffix(b"\n").split(b"\t", 2)
                    if len(parts) == 3:
                        articles[parts[0].decode("utf-8")] = (parts[1].decode("ascii"), parts[2])
                    elif line.strip(b"\n"):
                        self.warnings.append(f"ignoring a damaged line of {path}")
        except (OSError, UnicodeDecodeError):
            return
        self._articles = articles
        self._links_site = site if _DIGEST.fullmatch(site) else ""

    def _articles_header(self) -> str:
        return f"nashra-articles\t{FORMAT}\t{__version__}\t{self.fingerprint}"

    def _article_lines(self) -> Iterator[bytes]:
        """The articles file, a line at a time: its header, then each article's path, file digest and record."""
        yield f"{self._articles_header()}\t{self._new_links_site}\n".encode()
        for relpath, (file_digest, record) in sorted(self._new_articles.items()):
            yield b"%s\t%s\t%s\n" % (relpath.encode(), file_digest.encode(), record)

    # ---- parsed articles, keyed by the file's digest under the fingerprint ----

    def article_record(self, relpath: str, file_digest: str) -> bytes | None:
        """The record kept for this file and digest, if any, as UTF-8 (session.py reads it)."""
        digest_then, raw = self._articles.get(relpath, ("", b""))
        return raw if digest_then == file_digest else None

    def keep_article(self, relpath: str, file_digest: str, record: bytes) -> None:
        """Record an article for the next build: its recorded text unchanged, or a new record (one line)."""
        self._new_articles[relpath] = (file_digest, record)

    @property
    def links_site(self) -> str:
        """The site the recorded articles' links passed the check against ('' if none is known)."""
        return self._links_site

    def link_members(self) -> object:
        """What the sites named by links_site hold (LinkSites.members), as kept: unchecked JSON, or None."""
        try:
            return json.loads((self.folder / LINK_SITES).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None

    def keep_links_site(self, site: str, members: list) -> None:
        """The sites the links of the articles kept for the next build passed the check against: their
        digest and what they hold (LinkSites.members)."""
        self._new_links_site, self._new_link_members = site, members

    # ---- prepared bodies, content-addressed, a batch to a file ----
    # A cold build prepares thousands of bodies at once, and creating a file costs more than
    # filling it: each batch goes into one pack file, and the index says where each body is.

    def body_words(self, key: str) -> int | None:
        """The word count of a prepared body, this build's or the last one's if its pack is there."""
        record = self._new_bodies.get(key) or self._bodies.get(key)
        if record is None or not self._pack_exists(record[1]):
            return None
        return record[0]

    def keep_body(self, key: str, words: int, location: Location) -> None:
        """Record a body prepared in this build."""
        self._new_bodies[key] = [words, *location]

    def keep_known_body(self, key: str) -> None:
        """Carry a body of the last build over to the next one."""
        if key not in self._new_bodies and key in self._bodies:
            self._new_bodies[key] = self._bodies[key]

    def pack_path(self, key: str) -> Path | None:
        record = self._new_bodies.get(key) or self._bodies.get(key)
        return None if record is None else pack_path(self.folder, record[1])

    def _pack_exists(self, name: str) -> bool:
        if name not in self._packs:
            self._packs[name] = pack_path(self.folder, name).is_file()
        return self._packs[name]

    def write_bodies(self, bodies: list[tuple[str, str, int]]) -> None:
        """Write (key, HTML, word count) bodies into one new pack and record them."""
        if not bodies:
            return
        spans = write_pack(str(self.folder), [(key, html) for key, html, _ in bodies])
        for key, _, words in bodies:
            self.keep_body(key, words, spans[key])
            self._packs[spans[key][0]] = True

    def read_body(self, key: str) -> str | None:
        """A prepared body's HTML; None when it is unknown, or its pack is missing or corrupt."""
        record = self._new_bodies.get(key) or self._bodies.get(key)
        if record is None:
            return None
        _, name, offset, length = record
        check, html = "", None
        try:
            with open(pack_path(self.folder, name), "rb") as f:
                if offset + length <= os.fstat(f.fileno()).st_size:  # else a record of another pack
                    f.seek(offset)
                    check, _, html = f.read(length).decode("utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            pass
        return html if html is not None and check == digest(html) else None

    # ---- the page manifest: which output file was built from which inputs ----

    def manifest(self, output: Path) -> dict[str, tuple[str, int]]:
        """What the last build wrote (path -> key and size), if that tree is the one now at `output`.

        The tree is known by its folder's identity: each build swaps in a new folder, so a
        tree written by any other build (say with --no-cache) is never taken for this one.
        """
        if not self._output or self._output != folder_id(output):
            return {}
        return {path: (record[0], record[1]) for path, record in self._pages.items()}

    def save(self, output: Path, pages: dict[str, tuple[str, int]]) -> None:
        """Record this build (unless nothing changed); bodies no longer used are removed."""
        if not self.persistent:
            return
        output_id = folder_id(output)
        articles_unchanged = self._new_articles == self._articles and self._new_links_site == self._links_site
        if (
            articles_unchanged
            and self._output == output_id
            and self._new_bodies == self._bodies
            and {path: list(key) for path, key in pages.items()} == self._pages
        ):
            return
        if not articles_unchanged:
            if self._new_link_members is not None:  # read only for the digest the articles file names
                atomic_write(self.folder / LINK_SITES, json.dumps(self._new_link_members))
            atomic_write(self.folder / ARTICLES, self._article_lines())
        if self._new_bodies != self._bodies:
            self._compact()
        data = {
            "format": FORMAT,
            "version": __version__,
            "output": output_id,
            "bodies": dict(sorted(self._new_bodies.items())),
            "pages": {path: list(pages[path]) for path in sorted(pages)},
        }
        atomic_write(self.folder / "index.json", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        self._prune_bodies()

    def _compact(self) -> None:
        """Rewrite each pack that is more than half bodies no longer used with only those in use."""
        by_pack: dict[str, list[str]] = {}
        for key, record in self._new_bodies.items():
            by_pack.setdefault(record[1], []).append(key)
        for name, keys in sorted(by_pack.items()):
            try:
                size = pack_path(self.folder, name).stat().st_size
            except OSError:
                continue
            if size <= 2 * sum(self._new_bodies[key][3] for key in keys):
                continue
            bodies = [(key, self.read_body(key), self._new_bodies[key][0]) for key in sorted(keys)]
            if all(html is not None for _, html, _ in bodies):
                self.write_bodies(bodies)

    def _prune_bodies(self) -> None:
        """Remove the packs no body in use is in, and anything else in bodies/ (older layouts)."""
        live = {record[1] + ".pack" for record in self._new_bodies.values()}
        folder = self.folder / "bodies"
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            if entry.name not in live:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    Path(entry.path).unlink(missing_ok=True)


def _is_body_record(value) -> bool:
    """[word count, pack name, offset, length]"""
    return (
        isinstance(value, list)
        and len(value) == 4
        and isinstance(value[1], str)
        and _PACK.fullmatch(value[1]) is not None
        and all(type(value[i]) is int and value[i] >= 0 for i in (0, 2, 3))
    )


_DIGEST = re.compile(r"[0-9a-f]{64}")  # a SHA-256, as read.links.members_digest writes it
_PACK = re.compile(r"[0-9a-f]{32}")  # packs.write_pack's names: nothing that leads out of bodies/


def _is_page_record(path, record) -> bool:
    """An output file's path (inside the output folder) -> [key, size]"""
    try:
        check_relpath(path)
    except (TypeError, ValueError, AttributeError):
        return False
    return (
        isinstance(record, list)
        and len(record) == 2
        and isinstance(record[0], str)
        and type(record[1]) is int
        and record[1] >= 0
    )


def unusable(folder: Path, site: Path) -> str | None:
    """Why `folder` cannot hold the cache, if it cannot: it and its bodies/ must be folders (made
    if missing) that stay inside `site` and can be written to."""
    top = os.path.realpath(site)
    for path in (folder, folder / "bodies"):
        shown = path.relative_to(folder.parent).as_posix()
        if path.is_symlink() and not os.path.realpath(path).startswith(top + os.sep):
            return f"{shown} is a link leading out of the site's folder"
        if path.exists() and not path.is_dir():
            return f"{shown} is not a folder"
        try:
            path.mkdir(exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".tmp-", dir=path)  # as the build writes there
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            return f"{shown} cannot be written to: {exc.strerror or exc}"
    return None


def folder_id(folder: Path) -> str:
    try:
        st = folder.stat()
    except OSError:
        return "absent"
    return f"{folder.absolute()}:{st.st_dev}:{st.st_ino}:{st.st_mtime_ns}"
