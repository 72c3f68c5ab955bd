"""The pack writer: prepared bodies, a batch to a file, written whole or not at all.

It holds no state, so the workers that prepare bodies call it (body/prepare.py); everything else
about the cache is the store's (store.py).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .digests import digest

Location = tuple[str, int, int]  # a prepared body's pack, offset and length


def write_pack(folder: str, bodies: list[tuple[str, str]]) -> dict[str, Location]:
    """Write (key, HTML) bodies into one new pack under the cache `folder`; return where each is."""
    name = digest("pack", *(key for key, _ in bodies))[:32]
    records, spans, offset = [], {}, 0
    for key, html in bodies:
        record = f"{digest(html)}\n{html}".encode()
        records.append(record)
        spans[key] = (name, offset, len(record))
        offset += len(record)
    atomic_write(pack_path(Path(folder), name), b"".join(records))
    return spans


def pack_path(folder: Path, name: str) -> Path:
    return folder / "bodies" / f"{name}.pack"


def atomic_write(path: Path, data: str | bytes | Iterable[str | bytes]) -> None:
    """Write `data` to `path` whole or not at all. It may come in pieces (the lines of the article
    records, say), each written as it comes (text encoded as UTF-8), so that no copy of the whole is made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes):
                f.write(data)
            else:
                pieces = [data] if isinstance(data, str) else data
                f.writelines(piece if isinstance(piece, bytes) else piece.encode("utf-8") for piece in pieces)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
