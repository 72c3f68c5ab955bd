"""Article bodies: Markdown -> sanitised, isolated HTML, once per content version.

Converting Markdown is most of a cold build's work, so it runs here apart from
the rest: only for bodies the cache does not hold, spread over the cores when
there are many, each result written to the cache and read back when a page
needs it. An article parsed in this build has its body prepared right after, in
the same worker (PrepareParsed), while its text is at hand. Links are resolved
later (site.with_body): they depend on other files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..cache import Cache, digest, digest_bytes
from ..model import Article
from ..parallel import run_chunks
from ..read.content import BodyFile
from .markdown import render_markdown
from .typography import count_words, direction, isolate_html, plain_text

Prepared = tuple[str, int, tuple[str, int, int]]  # key, word count, place in the cache's packs


def is_rtl(article: Article, language: str) -> bool:
    """Whether an article's body runs right to left: by its own language, else the site's."""
    return direction(article.lang or language) == "rtl"


def body_key(article: Article, rtl: bool) -> str:
    """The prepared body's name: from the article file's digest (or, unread from a file, its body)."""
    return digest(__version__, "rtl" if rtl else "ltr", article.digest or digest_bytes(article.body.encode()))


def keyed(article: Article, language: str) -> tuple[str, bool]:
    """The body's key and whether it runs right to left, the same wherever the body is prepared."""
    rtl = is_rtl(article, language)
    return body_key(article, rtl), rtl


def prepare_body(markdown: str, rtl: bool) -> tuple[str, int]:
    """Sanitised HTML (Latin runs isolated in right-to-left text) and its word count."""
    html = render_markdown(markdown)
    if rtl:
        html = isolate_html(html)
    return html, count_words(plain_text(html))


def _prepare_chunk(folder: str, jobs: list[tuple[str, BodyFile | str, bool]]) -> list[Prepared]:
    """Prepare bodies and write them into one pack in the cache folder (in a worker, for many);
    return each one's key, word count and place in the pack."""
    prepared = [(key, *prepare_body(text_of(source), rtl)) for key, source, rtl in jobs]
    where = Cache(Path(folder), "", load=False).put_bodies([(key, html) for key, html, _ in prepared])
    return [(key, words, where[key]) for key, _, words in prepared]


@dataclass(frozen=True, slots=True)
class PrepareParsed:
    """Prepare the bodies of articles just parsed, in the worker that parsed them (content.AfterParse's
    work): the ones a build includes, into a pack in the cache folder."""

    folder: str
    language: str  # the site's
    drafts: bool  # whether the build includes drafts

    def __call__(self, articles: list[Article]) -> list[Prepared | None]:
        jobs: dict[str, tuple[str, str, bool]] = {}  # by article path
        for article in articles:
            if article.included(self.drafts):
                key, rtl = keyed(article, self.language)
                jobs[article.path] = (key, article.body, rtl)
        if not jobs:
            return [None] * len(articles)
        done = dict(zip(jobs, _prepare_chunk(self.folder, list(jobs.values())), strict=True))
        return [done.get(article.path) for article in articles]


def text_of(source: BodyFile | str) -> str:
    return source if isinstance(source, str) else source.read()


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
    for key, words, location in run_chunks(_prepare_chunk, list(todo.values()), str(cache.folder)):
        counts[key] = words
        cache.keep_body(key, words, location)
    return counts


def body_html(cache: Cache, key: str, markdown: Callable[[], str], rtl: bool) -> str:
    """The prepared body, from the cache, or made again if the cached file is gone or corrupt."""
    html = cache.body(key)
    if html is None:
        html, words = prepare_body(markdown(), rtl)
        cache.keep_body(key, words, cache.put_bodies([(key, html)])[key])
    return html
