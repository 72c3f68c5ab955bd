"""Pagefind's files put in order: the one thing in its output that varies.

Pagefind 1.5 keeps filters in Rust hash maps, whose order is seeded at random in every run: the
same records give filter files whose values come in another order, and a meta file listing the
filters in another order, so their content-named files get other names on every build (everything
else, fragments and word index included, is the same bytes). We put them in order: each filter
file's values sorted, the meta file's list of filters sorted, every file renamed by the digest of
its new content, and pagefind-entry.json pointing at the new meta file. Pagefind's script reads
them by the names the meta file gives and does not check the names against the content. The files
are gzip'd CBOR behind the signature `pagefind_dcd`; items are moved whole, never re-encoded.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

_SIGNATURE = b"pagefind_dcd"


def put_filters_in_order(folder: Path) -> None:
    renamed: dict[str, str] = {}
    for path in sorted((folder / "filter").glob("*.pf_filter")):
        data = _unpack(path.read_bytes())
        _, items = _array(data, 0)  # [name, [[value, [page, ...]], ...]]
        start, values = _array(data, items[1][0])
        tidy = data[:start] + b"".join(sorted(data[a:b] for a, b in values))
        name = _named(path.name.split("_")[0], tidy, 7)
        renamed[path.stem] = name
        path.unlink()
        (folder / "filter" / f"{name}.pf_filter").write_bytes(_pack(tidy))
    (meta_path,) = folder.glob("pagefind.*.pf_meta")
    data = _unpack(meta_path.read_bytes())
    for old, new in renamed.items():  # same length: the items' sizes do not change
        data = data.replace(old.encode(), new.encode())
    names = tuple(new.encode() for new in renamed.values())
    for a, b in _array(data, 0)[1]:  # the list of filters: [[name, file], ...]
        start, items = _array(data, a) if data[a] >> 5 == 4 else (a, [])
        if items and all(data[x] == 0x82 and data[x:y].endswith(names) for x, y in items):
            data = data[:start] + b"".join(sorted(data[x:y] for x, y in items)) + data[b:]
            break
    old_hash = meta_path.name.split(".")[1]
    new_hash = _named(old_hash.split("_")[0], data, len(old_hash.split("_")[1]))
    meta_path.unlink()
    (folder / f"pagefind.{new_hash}.pf_meta").write_bytes(_pack(data))
    entry = folder / "pagefind-entry.json"
    entry.write_bytes(entry.read_bytes().replace(f'"{old_hash}"'.encode(), f'"{new_hash}"'.encode()))


def _named(language: str, content: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(content).hexdigest()[:length]}"


def _unpack(data: bytes) -> bytes:
    return gzip.decompress(data).removeprefix(_SIGNATURE)


def _pack(data: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + data, mtime=0)


def _head(data: bytes, i: int) -> tuple[int, int, int]:
    """A CBOR item's major type, its argument and where its content starts."""
    major, info = data[i] >> 5, data[i] & 31
    if info < 24:
        return major, info, i + 1
    size = 1 << (info - 24)
    return major, int.from_bytes(data[i + 1 : i + 1 + size], "big"), i + 1 + size


def _end(data: bytes, i: int) -> int:
    """Where the CBOR item at `i` ends."""
    major, arg, at = _head(data, i)
    if major in (2, 3):
        return at + arg
    if major in (4, 5):
        for _ in range(arg * (2 if major == 5 else 1)):
            at = _end(data, at)
        return at
    if major == 6:
        return _end(data, at)
    return at  # numbers, and simple values and floats (their bytes are the argument's)


def _array(data: bytes, i: int) -> tuple[int, list[tuple[int, int]]]:
    """Where the array at `i`'s items start, and each item's (start, end)."""
    _, count, at = _head(data, i)
    items = []
    for _ in range(count):
        end = _end(data, at)
        items.append((at, end))
        at = end
    return (_head(data, i)[2], items)
