"""The persistent build cache: parsed articles, prepared bodies, and what the last output holds.

Nothing here is trusted blindly. Every record is keyed by the SHA-256 of its input
together with a fingerprint of everything else it depends on (site.yml, topics.yml,
templates, static files, Nashra's version), so a stale record is never found, only
missed. A file that cannot be read back, or does not match its own checksum, is
ignored with a warning and the work is done again.

    .nashra-cache/articles.jsonl      parsed articles, a line each (JSON)
    .nashra-cache/index.json          where each prepared body is, its word count, the page manifest
    .nashra-cache/bodies/<name>.pack  prepared bodies, each its checksum, a newline and its HTML
    .nashra-cache/spare/              the tree output/ held before, brought up to date by the next build
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from . import __version__
from .layout import CACHE_DIR
from .model import Article, Image, Source
from .output import check_relpath
from .read.scan import Link

FORMAT = 4  # 4: words counted between spaces (the bodies cache holds word counts)
ARTICLES = "articles.jsonl"
DEFAULT_FOLDER = CACHE_DIR
SPARE = "spare"  # output.py keeps the previous output tree here, with its own manifest


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
    """One digest over the named files (relative to root) and their contents; absent files count too."""
    known = digests if digests is not None else file_digests(root, names)
    parts = [__version__]
    for name in sorted(names):
        parts += [name, known[name] if name in known else file_digests(root, [name])[name]]
    return digest(*parts)


# ---- the stamp of the last build: when every input is the same, there is nothing to do ----

STAMP = "last-build.json"


STAMP_COUNTS = ("pages", "files", "topics", "feeds", "articles")


def read_stamp(folder: Path, warnings: list[str] | None = None) -> dict:
    """What the last build recorded; {} if there is no stamp, or (with a warning) a damaged one."""
    path = folder / STAMP
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, ValueError) as exc:
        wrong = str(exc)
    else:
        if _is_stamp(data):
            return data
        wrong = "unexpected layout"
    if warnings is not None:
        warnings.append(f"ignoring the build cache {path}: {wrong}")
    return {}


def _is_stamp(data) -> bool:
    if not (isinstance(data, dict) and isinstance(data.get("inputs"), str) and isinstance(data.get("output"), str)):
        return False
    result, files = data.get("result"), data.get("files")
    return (
        isinstance(result, dict)
        and all(type(result.get(name)) is int and result[name] >= 0 for name in STAMP_COUNTS)
        and isinstance(files, dict)
        and all(isinstance(name, str) and _is_file_state(state) for name, state in files.items())
    )


def _is_file_state(state) -> bool:
    """[mtime_ns, size, inode, digest, recorded_at], as file_digests records them."""
    return (
        isinstance(state, list)
        and len(state) == 5
        and all(type(state[i]) is int for i in (0, 1, 2, 4))
        and isinstance(state[3], str)
        and _DIGEST.fullmatch(state[3]) is not None
    )


_DIGEST = re.compile(r"[0-9a-f]{64}")


def write_stamp(folder: Path, inputs: str, output: Path, result: dict, files: dict[str, list]) -> None:
    data = {"inputs": inputs, "output": folder_id(output), "result": result, "files": files}
    atomic_write(folder / STAMP, json.dumps(data, sort_keys=True))


def stamp_matches(stamp: dict, inputs: str, output: Path) -> bool:
    return bool(stamp) and stamp.get("inputs") == inputs and stamp.get("output") == folder_id(output)


# ---- articles as JSON ----


def article_to_json(article: Article) -> dict:
    """Everything but the body, which is read again from the file (it is most of the bytes)."""
    return {name: _plain(getattr(article, name)) for name in _field_names(Article) if name != "body"}


_SCALARS = (str, int, float, type(None))  # (bool is an int)


def _plain(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [v if isinstance(v, _SCALARS) else _plain(v) for v in value]
    return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def article_from_json(data: object, relpath: str, file_digest: str) -> Article:
    """Rebuild the Article recorded for the file `relpath` with digest `file_digest`, every value
    checked for its type first; raises ValueError on anything foreign."""
    if type(data) is not dict or data.keys() != _RECORD_KEYS:
        raise ValueError("not a Nashra article record")
    for name, kinds in _RECORD_TYPES:
        if type(data[name]) not in kinds:
            raise _unexpected(name)
    if data["path"] != relpath or data["digest"] != file_digest:
        raise _unexpected("path" if data["path"] != relpath else "digest")
    if data["body_line"] < 1:
        raise _unexpected("body_line")
    for topic in data["topics"]:
        if type(topic) is not str:
            raise _unexpected("topics")
    for line in data["lines"]:
        if type(line) is not list or len(line) != 2 or type(line[0]) is not str or type(line[1]) is not int:
            raise _unexpected("lines")
    image = data["image"]
    return Article(
        path=relpath,
        slug=data["slug"],
        title=data["title"],
        date=_aware(data["date"], "date"),
        topics=tuple(data["topics"]),
        summary=data["summary"],
        source=Source(**_fields(data["source"], _SOURCE, "source")),
        body="",
        body_line=data["body_line"],
        updated=None if data["updated"] is None else _aware(data["updated"], "updated"),
        author=data["author"],
        image=None if image is None else Image(**_fields(image, _IMAGE, "image")),
        draft=data["draft"],
        lang=data["lang"],
        correction=data["correction"],
        lines=tuple(map(tuple, data["lines"])),
        digest=file_digest,
        front_digest=data["front_digest"],
    )


_RECORD_KEYS = frozenset(_field_names(Article)) - {"body"}
_TEXT, _MAYBE_TEXT = frozenset({str}), frozenset({str, type(None)})
_RECORD_TYPES = tuple(
    {
        "path": _TEXT,
        "slug": _TEXT,
        "title": _TEXT,
        "date": _TEXT,
        "topics": frozenset({list}),
        "summary": _TEXT,
        "source": frozenset({dict}),
        "body_line": frozenset({int}),  # not bool
        "updated": _MAYBE_TEXT,
        "author": _MAYBE_TEXT,
        "image": frozenset({dict, type(None)}),
        "draft": frozenset({bool}),
        "lang": _MAYBE_TEXT,
        "correction": _MAYBE_TEXT,
        "lines": frozenset({list}),
        "digest": _TEXT,
        "front_digest": _TEXT,
    }.items()
)
assert {name for name, _ in _RECORD_TYPES} == _RECORD_KEYS
_SOURCE = {"name": _TEXT, "url": _MAYBE_TEXT}
_IMAGE = {"src": _TEXT, "alt": _TEXT, "caption": _MAYBE_TEXT}


def _unexpected(name: str) -> ValueError:
    return ValueError(f"unexpected '{name}'")


def _aware(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _unexpected(name) from None
    if parsed.utcoffset() is None:
        raise _unexpected(name)
    return parsed


def _fields(value: dict, types: dict[str, frozenset], name: str) -> dict:
    """The fields of a recorded Source or Image: exactly its own, each of its types."""
    if value.keys() != types.keys() or any(type(value[k]) not in kinds for k, kinds in types.items()):
        raise _unexpected(name)
    return value


class Cache:
    """Read once at the start of a build, saved once at its successful end."""

    def __init__(self, folder: Path, fingerprint: str, *, load: bool = True, persistent: bool = True):
        self.folder = folder
        self.fingerprint = fingerprint
        self.persistent = persistent
        self.warnings: list[str] = []
        # articles.jsonl holds one line per article: path, file digest, and the record as JSON text,
        # kept as text so that a record carried over unchanged is written back without re-encoding.
        self._articles: dict[str, tuple[str, str]] = {}
        self._new_articles: dict[str, tuple[str, str | dict]] = {}
        self._links: dict[str, list] = {}
        # key -> [word count, pack, offset, length] of each prepared body
        self._bodies: dict[str, list] = {}
        self._new_bodies: dict[str, list] = {}
        self._packs: dict[str, bool] = {}  # pack name -> whether its file is there
        self._pages: dict[str, list] = {}
        self._output = ""
        if load:
            self._load()

    @classmethod
    def temporary(cls) -> Cache:
        """A cache for one build only (--no-cache): bodies still go to disk, not memory."""
        return cls(Path(tempfile.mkdtemp(prefix="nashra-cache-")), "", load=False, persistent=False)

    @classmethod
    def open(cls, folder: Path, fingerprint: str, site: Path) -> Cache:
        """The cache in `folder`; when that cannot hold one (it or its bodies/ is a file, a link
        leading out of the `site` folder, or cannot be written), a temporary one for this build,
        with a warning, so a cold build is done instead."""
        wrong = unusable(folder, site)
        if wrong is None:
            return cls(folder, fingerprint)
        cache = cls.temporary()
        cache.warnings.append(f"cannot use the build cache {folder.name}/ ({wrong}): built without it this time")
        return cache

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
        path = self.folder / ARTICLES
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            return
        if lines[0] != self._articles_header():
            return  # another version's, or made with other settings: every article is parsed again
        for line in lines[1:]:
            parts = line.split("\t", 2)
            if len(parts) == 3:
                self._articles[parts[0]] = (parts[1], parts[2])
            elif line:
                self.warnings.append(f"ignoring a damaged line of {path}")

    def _articles_header(self) -> str:
        return f"nashra-articles\t{FORMAT}\t{__version__}\t{self.fingerprint}"

    # ---- parsed articles, keyed by the file's digest under the fingerprint ----

    def article(
        self, relpath: str, file_digest: str, check: Callable[[Article], str | None] = lambda article: None
    ) -> Article | None:
        """The article recorded for this file and digest, if its record is sound and passes `check`
        (the reader's rules: what is wrong, or None), so a record is trusted no more than the file."""
        digest_then, raw = self._articles.get(relpath, ("", ""))
        if digest_then != file_digest:
            return None
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not a Nashra article record")
            article = article_from_json(record.get("article"), relpath, file_digest)
            wrong = check(article)
            if wrong:
                raise ValueError(wrong)
        except (RecursionError, ValueError) as exc:
            self.warnings.append(f"ignoring a cached record for {relpath}: {exc}")
            return None
        self._new_articles[relpath] = (file_digest, raw)
        if isinstance(record.get("links"), list):
            self._links[relpath] = record["links"]
        return article

    def keep_article(self, relpath: str, file_digest: str, article: Article) -> None:
        self._new_articles[relpath] = (file_digest, {"article": article_to_json(article)})

    def links(self, relpath: str) -> list[Link] | None:
        """The links found in the body of an article just taken from the cache."""
        found = self._links.get(relpath)
        if found is None:
            return None
        if not all(_is_link(link) for link in found):
            self.warnings.append(f"ignoring cached links for {relpath}: unexpected layout")
            return None
        return [Link(*link) for link in found]

    def keep_links(self, relpath: str, links: list[Link]) -> None:
        if relpath not in self._new_articles:
            return
        file_digest, record = self._new_articles[relpath]
        if isinstance(record, str):
            record = json.loads(record)
        record["links"] = [[k.line, k.col, k.url, k.image] for k in links]
        self._new_articles[relpath] = (file_digest, record)

    # ---- prepared bodies, content-addressed, a batch to a file ----
    # A cold build prepares thousands of bodies at once, and creating a file costs more than
    # filling it: each batch goes into one pack file, and the index says where each body is.

    def words(self, key: str) -> int | None:
        """The word count of a prepared body, if its pack is there too (else it is made again)."""
        if key in self._new_bodies:  # prepared in this build
            return self._new_bodies[key][0]
        record = self._bodies.get(key)
        if record is None or not self._pack_exists(record[1]):
            return None
        self._new_bodies[key] = record
        return record[0]

    def keep_body(self, key: str, words: int, location: tuple[str, int, int]) -> None:
        self._new_bodies[key] = [words, *location]

    def _pack_path(self, name: str) -> Path:
        return self.folder / "bodies" / f"{name}.pack"

    def _pack_exists(self, name: str) -> bool:
        if name not in self._packs:
            self._packs[name] = self._pack_path(name).is_file()
        return self._packs[name]

    def put_bodies(self, bodies: list[tuple[str, str]]) -> dict[str, tuple[str, int, int]]:
        """Write (key, HTML) bodies into a new pack; return where each is: (pack, offset, length)."""
        name = digest("pack", *(key for key, _ in bodies))[:32]
        records, spans, offset = [], {}, 0
        for key, html in bodies:
            record = f"{digest(html)}\n{html}".encode()
            records.append(record)
            spans[key] = (name, offset, len(record))
            offset += len(record)
        atomic_write(self._pack_path(name), b"".join(records))
        self._packs[name] = True
        return spans

    def body(self, key: str) -> str | None:
        record = self._new_bodies.get(key) or self._bodies.get(key)
        if record is None:
            return None
        _, name, offset, length = record
        path = self._pack_path(name)
        check, html = "", None
        try:
            with open(path, "rb") as f:
                if offset + length <= os.fstat(f.fileno()).st_size:  # else a record of another pack
                    f.seek(offset)
                    check, _, html = f.read(length).decode("utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            pass
        if html is None or check != digest(html):
            self.warnings.append(f"ignoring a corrupt or missing cache file {path}")
            return None
        return html

    # ---- the page manifest: which output file was built from which inputs ----

    def manifest(self, output: Path) -> dict[str, tuple[str, int]]:
        """What the last build wrote (path -> key and size), if that tree is the one now at `output`.

        The tree is known by its folder's identity: each build swaps in a new folder, so a
        tree written by any other build (say with --no-cache) is never taken for this one.
        """
        if not self._output or self._output != folder_id(output):
            return {}
        manifest = {}
        for path, record in self._pages.items():
            if not (isinstance(record, list) and len(record) == 2 and isinstance(record[0], str)):
                self.warnings.append("ignoring the build cache's page manifest: unexpected layout")
                return {}
            manifest[path] = (record[0], int(record[1]))
        return manifest

    def save(self, output: Path, pages: dict[str, tuple[str, int]]) -> None:
        """Record this build (unless nothing changed); bodies no longer used are removed."""
        if not self.persistent:
            return
        output_id = folder_id(output)
        articles_unchanged = self._new_articles == self._articles
        if (
            articles_unchanged
            and self._output == output_id
            and self._new_bodies == self._bodies
            and {path: list(key) for path, key in pages.items()} == self._pages
        ):
            return
        if not articles_unchanged:
            lines = [self._articles_header()]
            for relpath, (file_digest, record) in sorted(self._new_articles.items()):
                text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
                lines.append(f"{relpath}\t{file_digest}\t{text}")
            atomic_write(self.folder / ARTICLES, "\n".join(lines) + "\n")
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
                size = self._pack_path(name).stat().st_size
            except OSError:
                continue
            if size <= 2 * sum(self._new_bodies[key][3] for key in keys):
                continue
            bodies = [(key, self.body(key)) for key in sorted(keys)]
            if all(html is not None for _, html in bodies):
                for key, location in self.put_bodies(bodies).items():
                    self.keep_body(key, self._new_bodies[key][0], location)

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


_PACK = re.compile(r"[0-9a-f]{32}")  # put_bodies' names: nothing that leads out of bodies/


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


def _is_link(value) -> bool:
    """[line, column, url, whether an image]"""
    return (
        isinstance(value, list)
        and len(value) == 4
        and all(type(value[i]) is int for i in (0, 1))
        and isinstance(value[2], str)
        and type(value[3]) is bool
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


def atomic_write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
