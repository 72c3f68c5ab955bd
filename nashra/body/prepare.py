"""Article bodies: Markdown -> sanitised, isolated HTML, once per content version.

Converting Markdown is most of a cold build's work. An article parsed in a build has its body
prepared right after, by the worker that parsed it (parse_and_prepare.py); prepare_bodies makes
the bodies neither that nor the cache holds, spread over the cores when there are many. Each
worker writes its batch into one pack in the cache folder and returns where each body is, for
the build to record; pages read them back when they are made. Links are resolved later
(site.with_body): they depend on other files.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..incremental.packs import Location, write_pack
from ..incremental.session import BodyJob, Session
from ..parallel import run_chunks
from ..read.content import BodyFile
from .markdown import render_markdown
from .typography import count_words, isolate_html, plain_text

Prepared = tuple[str, int, Location]  # key, word count, place in the cache's packs


def prepare_body(markdown: str, rtl: bool) -> tuple[str, int]:
    """Sanitised HTML (Latin runs isolated in right-to-left text) and its word count."""
    html = render_markdown(markdown)
    if rtl:
        html = isolate_html(html)
    return html, count_words(plain_text(html))


def prepare_chunk(folder: str, jobs: list[tuple[str, BodyFile | str, bool]]) -> list[Prepared]:
    """Prepare bodies and write them into one pack in the cache folder (in a worker, for many);
    return each one's key, word count and place in the pack."""
    prepared = [(key, *prepare_body(text_of(source), rtl)) for key, source, rtl in jobs]
    where = write_pack(folder, [(key, html) for key, html, _ in prepared])
    return [(key, words, where[key]) for key, _, words in prepared]


def text_of(source: BodyFile | str) -> str:
    return source if isinstance(source, str) else source.read()


def prepare_bodies(session: Session, jobs: Iterable[BodyJob]) -> dict[str, int]:
    """Make sure the cache holds every (key, where to read the Markdown, rtl) body, and that the next
    build keeps them; return word counts by key. Worker processes read the files themselves, so
    the bodies never all sit in memory at once."""
    counts: dict[str, int] = {}
    todo: dict[str, BodyJob] = {}
    for key, source, rtl in jobs:
        words = session.body_words(key)
        if words is not None:
            counts[key] = words
        elif key not in todo:
            todo[key] = (key, source, rtl)
    session.keep_known_bodies(counts)
    for key, words, location in run_chunks(prepare_chunk, list(todo.values()), session.bodies_folder):
        counts[key] = words
        session.keep_body(key, words, location)
    return counts
