"""An Article as JSON and back, derived from the dataclasses' fields and type hints.

Reading a record trusts nothing: every value must have exactly the type its field declares (a
bool is not an int, a nested Source or Image has exactly its own fields), a date must carry its
zone, and the record must be the one of this file and digest. Anything else is a ValueError
naming the article's field.

A record as the cache keeps it (record_line, record_front, record_links) is the article's JSON with
the files its body links to, then its links, a tab apart, so that reading the first leaves the second.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Callable, Iterable
from datetime import datetime

from ..model import Article
from ..read.scan import Link

_SCALARS = (str, int, float, type(None))  # (bool is an int)


def article_to_json(article: Article) -> dict:
    """Everything but the body, which is read again from the file (it is most of the bytes)."""
    return {name: _plain(getattr(article, name)) for name in _hints(Article) if name != "body"}


def _plain(value):
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [v if isinstance(v, _SCALARS) else _plain(v) for v in value]
    return {name: _plain(getattr(value, name)) for name in _hints(type(value))}


@functools.cache
def _hints(cls: type) -> dict[str, object]:
    """A dataclass's fields, in order, with their types."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


_RECORD_KEYS = frozenset(_hints(Article)) - {"body"}


def article_from_json(data: object, relpath: str, file_digest: str) -> Article:
    """Rebuild the Article recorded for the file `relpath` with digest `file_digest`, every value
    checked for its type first; raises ValueError on anything foreign."""
    if type(data) is not dict or data.keys() != _RECORD_KEYS:
        raise ValueError("not a Nashra article record")
    values = {}
    for name, read in _article_readers():
        try:
            values[name] = read(data[name])
        except (TypeError, ValueError):
            raise _unexpected(name) from None
    if values["path"] != relpath or values["digest"] != file_digest:
        raise _unexpected("path" if values["path"] != relpath else "digest")
    if values["body_line"] < 1:
        raise _unexpected("body_line")
    return Article(**values, body="")


@functools.cache
def _article_readers() -> tuple[tuple[str, Callable[[object], object]], ...]:
    return tuple((name, _reader(hint)) for name, hint in _hints(Article).items() if name != "body")


@functools.cache
def _reader(hint) -> Callable[[object], object]:
    """A function taking a JSON value to a value of the type `hint` (TypeError or ValueError when it is
    not one): the type hint is taken apart once, not once per record (10,000 of them in a rebuild)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):  # X | None
        (inner,) = (arg for arg in args if arg is not type(None))
        read_inner = _reader(inner)
        if type(None) not in args:
            return read_inner
        return lambda raw: None if raw is None else read_inner(raw)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            read_item = _reader(args[0])
            return lambda raw: tuple(read_item(item) for item in _list(raw))
        if all(arg in (str, int, bool) for arg in args):  # ('title', 2): the lines of the front matter
            return functools.partial(_read_scalars, args)
        readers = tuple(_reader(arg) for arg in args)

        def read_fixed(raw):
            if len(_list(raw)) != len(readers):
                raise TypeError
            return tuple(read(item) for read, item in zip(readers, raw, strict=True))

        return read_fixed
    if hint is datetime:
        return _moment
    if dataclasses.is_dataclass(hint):
        fields = _hints(hint)
        readers = {name: _reader(inner) for name, inner in fields.items()}

        def read_dataclass(raw):
            if type(raw) is not dict or raw.keys() != fields.keys():
                raise TypeError
            return hint(**{name: read(raw[name]) for name, read in readers.items()})

        return read_dataclass
    if hint in (str, int, bool):

        def read_scalar(raw):
            if type(raw) is not hint:
                raise TypeError
            return raw

        return read_scalar
    raise TypeError(f"no reader for {hint!r}")


def _read_scalars(types_: tuple[type, ...], raw) -> tuple:
    """A list of exactly these scalar types (a bool is not an int), as a tuple."""
    if type(raw) is not list or len(raw) != len(types_) or any(map(_not_exactly, raw, types_)):
        raise TypeError
    return tuple(raw)


def _not_exactly(value, kind: type) -> bool:
    return type(value) is not kind


def _list(raw) -> list:
    if type(raw) is not list:
        raise TypeError
    return raw


def _moment(raw) -> datetime:
    if type(raw) is not str:
        raise TypeError
    moment = datetime.fromisoformat(raw)
    if moment.utcoffset() is None:
        raise ValueError
    return moment


def _unexpected(name: str) -> ValueError:
    return ValueError(f"unexpected '{name}'")


# ---- the record as the cache keeps it ----
# Two JSON texts a tab apart (JSON never holds a raw tab), as UTF-8: {"article": ..., "linked": [...]},
# then the body's links, which most builds never read (half of a record's bytes).


def record_line(article: Article, linked: Iterable[str], links: list[Link]) -> bytes:
    """An article's record: its fields (article_to_json), the files its body links to, its links."""
    front = json.dumps({"article": article_to_json(article), "linked": list(linked)}, ensure_ascii=False)
    return f"{front}\t{json.dumps(links_to_json(links), ensure_ascii=False)}".encode()


def record_front(raw: bytes) -> object:
    """The first text of a record, parsed: the article and its linked files (ValueError when it is not
    JSON, or not UTF-8: decoded strictly, so no lone surrogate gets through as json.loads(bytes) lets it)."""
    return json.loads(raw.partition(b"\t")[0].decode("utf-8"))


def record_links(raw: bytes) -> object:
    """The second text of a record, parsed, or NO_LINKS when the record has none (ValueError when it
    is not JSON)."""
    _, tab, links = raw.partition(b"\t")
    return json.loads(links.decode("utf-8")) if tab else NO_LINKS


NO_LINKS = object()


def links_to_json(links: list[Link]) -> list[list]:
    return [[k.line, k.col, k.url, k.image] for k in links]


def links_from_json(value: object) -> list[Link] | None:
    """The links recorded for an article's body ([line, column, url, whether an image] each), or
    None when they are not links."""
    if not (isinstance(value, list) and all(_is_link(link) for link in value)):
        return None
    return [Link(*link) for link in value]


def _is_link(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 4
        and all(type(value[i]) is int for i in (0, 1))
        and isinstance(value[2], str)
        and type(value[3]) is bool
    )
