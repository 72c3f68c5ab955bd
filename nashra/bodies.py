"""Article bodies: Markdown -> sanitised, isolated HTML, once per content version.

Converting Markdown is most of a cold build's work, so it runs here apart from
the rest: only for bodies the cache does not hold, spread over the cores when
there are many, each result written to the cache and read back when a page
needs it. Links are resolved later (site.with_body): they depend on other files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import __version__
from .cache import Cache, digest, digest_bytes
from .content import BodyFile
from .markup import render_markdown
from .model import Article
from .typography import count_words, isolate_html, plain_text

# Below this many bodies to convert, starting worker processes costs more than it saves.
PARALLEL_FROM = 200
CHUNK = 50


def body_key(article: Article, rtl: bool) -> str:
    """The prepared body's name: from the article file's digest (or, unread from a file, its body)."""
    return digest(__version__, "rtl" if rtl else "ltr", article.digest or digest_bytes(article.body.encode()))


def prepare_body(markdown: str, rtl: bool) -> tuple[str, int]:
    """Sanitised HTML (Latin runs isolated in right-to-left text) and its word count."""
    html = render_markdown(markdown)
    if rtl:
        html = isolate_html(html)
    return html, count_words(plain_text(html))


def _prepare_chunk(folder: str, jobs: list[tuple[str, BodyFile | str, bool]]) -> list[tuple[str, int]]:
    """In a worker: prepare bodies and write them into the cache folder; return their word counts."""
    store = Cache(Path(folder), "", load=False)
    counts = []
    for key, source, rtl in jobs:
        html, words = prepare_body(text_of(source), rtl)
        store.put_body(key, html)
        counts.append((key, words))
    return counts


def text_of(source: BodyFile | str) -> str:
    return source if isinstance(source, str) else source.read()


def workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def prepare_bodies(cache: Cache, jobs: Iterable[tuple[str, BodyFile | str, bool]]) -> dict[str, int]:
    """Make sure the cache holds every (key, Markdown or where to read it, rtl) body; return word counts
    by key. Worker processes read the files themselves, so the bodies never all sit in memory at once."""
    counts: dict[str, int] = {}
    todo: dict[str, tuple[str, BodyFile | str, bool]] = {}
    for key, source, rtl in jobs:
        words = cache.words(key)
        if words is not None:
            counts[key] = words
        elif key not in todo:
            todo[key] = (key, source, rtl)
    n = workers()
    if len(todo) >= PARALLEL_FROM and n > 1:
        jobs_left = list(todo.values())
        chunks = [jobs_left[i : i + CHUNK] for i in range(0, len(jobs_left), CHUNK)]
        with ProcessPoolExecutor(max_workers=n) as pool:
            for result in pool.map(_prepare_chunk, [str(cache.folder)] * len(chunks), chunks):
                counts.update(result)
    else:
        for key, source, rtl in todo.values():
            html, words = prepare_body(text_of(source), rtl)
            cache.put_body(key, html)
            counts[key] = words
    for key in todo:
        cache.keep_words(key, counts[key])
    return counts


def body_html(cache: Cache, key: str, markdown: Callable[[], str], rtl: bool) -> str:
    """The prepared body, from the cache, or made again if the cached file is gone or corrupt."""
    html = cache.body(key)
    if html is None:
        html, _ = prepare_body(markdown(), rtl)
        cache.put_body(key, html)
    return html
