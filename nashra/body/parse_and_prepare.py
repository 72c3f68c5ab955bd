"""Reading the site for a build: the one deliberate fusion of two stages.

A worker parses a chunk of article files and prepares the bodies of those the build includes
while their text is at hand (one read of each file, one pack of bodies a chunk), then returns
the articles without their bodies (a large archive's bodies are most of its memory; BodyFile
reads one again when needed), their problems and links, and where each body went. Articles an
earlier build knows are not read at all (incremental.Session); bodies lost from the cache are
prepared after (prepare.prepare_bodies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from ..incremental.keys import body_key_and_rtl
from ..incremental.session import BodyJob, Session
from ..model import Article, Content, Scope, SiteConfig, Topic
from ..parallel import run_chunks
from ..problems import has_errors, raise_if
from ..read.content import BodyFile, Parsed, files_to_read, finish_reading, parse_files
from .prepare import Prepared, prepare_bodies, prepare_chunk


@dataclass(frozen=True, slots=True)
class ParseAndPrepare:
    """The worker's job (it must pickle): parse article files, prepare the included ones' bodies into
    one pack under `folder`."""

    folder: str  # the cache folder
    language: str  # the site's
    scope: Scope  # which articles the build includes

    def __call__(
        self, top: str, topics: tuple[Topic, ...], tz: ZoneInfo, relpaths: list[str]
    ) -> list[tuple[Parsed, list[Prepared]]]:
        parsed = parse_files(top, topics, tz, relpaths)
        jobs = {}  # by article path
        for result in parsed:
            article = result.article
            if article is not None and not has_errors(result.problems) and self.scope.includes(article):
                key, rtl = body_key_and_rtl(article, self.language)
                jobs[article.path] = (key, article.body, rtl)
        done = dict(zip(jobs, prepare_chunk(self.folder, list(jobs.values())), strict=True)) if jobs else {}
        results = []
        for result in parsed:
            article = result.article
            if article is not None:
                result = replace(result, article=replace(article, body=""))
            results.append((result, [done[article.path]] if article is not None and article.path in done else []))
        return results


@dataclass(frozen=True, slots=True)
class ReadSite:
    """The content (articles without bodies), and for the articles the build includes, by file: each
    body's key, source and direction (for the pages) and its word count (for the site)."""

    content: Content
    articles: tuple[Article, ...]  # those the build includes
    bodies: Mapping[str, BodyJob]
    words: Mapping[str, int]


def read_and_prepare(root: Path, config: SiteConfig, scope: Scope, session: Session) -> ReadSite:
    """Read every article (or take it from the session) and prepare every included body; raise
    ContentError with every problem found."""
    plan = files_to_read(root, config, session)
    worker = ParseAndPrepare(session.bodies_folder, config.language, scope)
    parsed = []
    for result, prepared in run_chunks(worker, plan.unread, str(root), plan.topics, plan.tz):
        parsed.append(result)
        for key, words, location in prepared:
            session.keep_body(key, words, location)
    reading = finish_reading(root, config, plan, parsed, session)
    raise_if(reading.problems)
    session.keep_articles(reading)
    articles = tuple(a for a in reading.content.articles if scope.includes(a))
    bodies = {}
    for a in articles:
        key, rtl = body_key_and_rtl(a, config.language)
        bodies[a.path] = (key, BodyFile(str(root), a.path, a.body_line), rtl)
    words = prepare_bodies(session, bodies.values())
    return ReadSite(reading.content, articles, bodies, {path: words[key] for path, (key, _, _) in bodies.items()})
