"""The stages of a build with work to do, in order: make_site is the table of contents.

pipeline.run_build imports this module only once the incremental session has said that something
changed (it loads Markdown, Jinja, Pillow, feedgen and the rest: most of a build's start-up).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Template

from .archives import build_archives
from .body.parse_and_prepare import read_and_prepare
from .body.prepare import prepare_body
from .editions import Editions, build_editions
from .incremental.digests import digest
from .incremental.keys import PageKeys
from .incremental.session import Session
from .layout import STATIC_DIR, TEMPLATES_DIR
from .model import Article, Content, Entry, Scope, Site, SiteConfig
from .output import Planned, Written
from .output.changes import tree_digest
from .output.size import size_warnings
from .output.write import write_output
from .parallel import reporting
from .photos import PhotoSet, make_photos
from .problems import raise_if
from .read.notes import read_notes
from .render.archives import archive_sitemap, plan_archives
from .render.cards import make_cards, plan_cards
from .render.editions import plan_editions, plan_editions_feeds
from .render.email import plan_email
from .render.feeds import plan_feeds
from .render.news import plan_news_sitemap
from .render.pages import load_templates, plan_pages
from .render.search import plan_search, search_index, search_shards, search_sitemap, shard_key
from .render.sources import plan_sources, plan_sources_feeds, sources_sitemap
from .site import build_site, with_body
from .sources import build_sources
from .timings import stage
from .urls import Urls


@dataclass(frozen=True, slots=True)
class Made:
    counts: dict[str, int]  # what the session saves for the next build: pages, files, topics, feeds, articles
    written: int  # files made this time
    reused: int  # files taken unchanged from the previous output
    warnings: tuple[str, ...]
    changed: bool | None  # whether output/ differs from the last build's (asked with report_changes)


def make_site(
    root: Path,
    output: Path,
    config: SiteConfig,
    scope: Scope,
    session: Session,
    progress: Callable[[int, int], None],
    report_changes: bool,
) -> Made:
    """Every stage, into `output` (claimed by the caller); raises ContentError with every problem found."""
    with stage("start"):
        templates = load_templates(root / TEMPLATES_DIR)  # the session has checked every input path
    with stage("read"):  # the bodies of the articles read are prepared in the same pass
        read = read_and_prepare(root, config, scope, session)
    with stage("images"):
        photos = _photos(root, read.content.images, session)
    with stage("site"):
        site = build_site(config, read.content, scope, read.words, photos.photos)
        keys = session.page_keys(read.articles, read.content.linked, photos.key)
        shards = search_shards(site)  # the search index's articles by shard
    fill = session.body_filler(read.bodies, prepare_body)
    filled = lambda entry: with_body(site, entry, fill(entry.path))  # noqa: E731
    with stage("editions"):
        editions = _editions(root, site, read.content, scope)
    with stage("plan"):
        pages, feeds = _plan(root, site, templates, filled, keys, editions, scope, photos, list(shards))
    with stage("cards"):
        cards = make_cards(plan_cards(site, root, session.digests), session.derived("cards"))
    planned, previous = pages + feeds + cards, session.previous_manifest()
    with reporting(fill.report, session.learn):  # bodies made again, in whichever process
        with stage("search index"):
            copies = _copies(root, site, photos) | _search_index(shards, read.articles, filled, session)
        derived, copies = _from_derived(copies, session.derived_folder)
        planned += derived
        show = lambda done: progress(done, len(planned))  # noqa: E731
        with stage("render and write"):
            written = write_output(output, planned, copies, previous, show, session.spare)
    counts = _counts(site, pages, feeds, written)
    changed = session.output_changed(tree_digest(output)) if report_changes else None
    with stage("save"):
        session.save(written.manifest, counts)
    warnings = session.warnings + size_warnings(written.manifest, output.name)
    return Made(counts, written.written, written.reused, warnings, changed)


def _photos(root: Path, images: tuple[str, ...], session: Session) -> PhotoSet:
    """The photos stage: every image of content/images/ published clean, and the sizes of the photos
    (photos.py), made only for originals the cache does not hold; every unreadable one is a problem."""
    photos = make_photos(root, list(images), session.digests, session.derived("photos"))
    raise_if(photos.problems)
    return photos


def _editions(root: Path, site: Site, content: Content, scope: Scope) -> Editions:
    """The editions stage: the editor's notes (every problem of them at once), then the editions. A note
    may be written ahead for a day whose articles are scheduled: it waits with them."""
    published = [a for a in content.articles if scope.ignoring_clock().includes(a)]
    notes, problems = read_notes(root, site.config, published, content)
    raise_if(problems)
    return build_editions(site, notes)


def _plan(
    root: Path,
    site: Site,
    templates: dict[str, Template],
    filled: Callable[[Entry], Entry],
    keys: PageKeys,
    editions: Editions,
    scope: Scope,
    photos: PhotoSet,
    shards: list[str],
) -> tuple[list[Planned], list[Planned]]:
    """Every page (editions and their e-mails, archives, sources, the news sitemap), and every feed set."""
    sizes = photos.feed_sizes()  # enclosures: the length of the file feeds point at, by image
    ways_in, ways_in_feeds, rows = _archives_and_sources(site, templates, filled, keys, sizes)
    rows += search_sitemap(Urls(site.config.base_url))
    pages = plan_pages(site, templates, filled, keys, editions, rows) + plan_editions(site, editions, templates, keys)
    pages += plan_email(site, editions, templates, keys) + ways_in + plan_news_sitemap(site, keys, scope.now)
    pages += plan_search(site, templates, keys, shards)
    feeds = plan_feeds(site, filled, keys, sizes) + plan_editions_feeds(site, editions, keys) + ways_in_feeds
    return pages, feeds


def _archives_and_sources(
    site: Site, templates: dict[str, Template], filled: Callable[[Entry], Entry], keys: PageKeys, sizes: dict
) -> tuple[list[Planned], list[Planned], tuple[tuple[str, str | None], ...]]:
    """The date archives' and the sources' pages, the sources' feed sets, and their sitemap rows."""
    archives, sources, u = build_archives(site), build_sources(site), Urls(site.config.base_url)
    pages = plan_archives(site, archives, templates, keys) + plan_sources(site, sources, templates, keys)
    feeds = plan_sources_feeds(site, sources, filled, keys, sizes)
    return pages, feeds, (*archive_sitemap(u, archives), *sources_sitemap(u, sources))


def _search_index(
    shards: Mapping[str, tuple[Entry, ...]],
    articles: Iterable[Article],
    filled: Callable[[Entry], Entry],
    session: Session,
) -> dict[str, Path]:
    """The search index's files (output/pagefind/<shard>/): a shard is indexed again only when what its
    records are made of changes (shard_key, found without making them)."""
    files = {a.path: a.digest or repr(a) for a in articles}
    keys = {name: shard_key(entries, files, session.parse_fingerprint) for name, entries in shards.items()}
    return search_index(shards, keys, filled, session.derived("search"))


def _copies(root: Path, site: Site, photos: PhotoSet) -> dict[str, Path]:
    """Files published as they are (output path -> file): the static files, and the images (photos.py)."""
    return {f"static/{name}": root / STATIC_DIR / name for name in site.static} | photos.copies


def _from_derived(copies: dict[str, Path], derived: Path) -> tuple[list[Planned], dict[str, Path]]:
    """The copies taken from derived entries (the search index, the photos) as planned files, keyed by
    their entry and name (an entry's name is the digest of what it was made from): one unchanged since
    the last build is then kept in the output, not copied again (the search index alone is 10,000
    files at 10,000 articles); the others (static files, SVG images) are copied every build."""
    planned, rest, inside = [], {}, os.path.join(derived, "")  # by the paths' text: pathlib's took 0.3 s
    for path, source in copies.items():
        if (name := str(source)).startswith(inside):
            key = digest("derived", name.removeprefix(inside).replace(os.sep, "/"))
            planned.append(Planned(path, key, source.read_bytes, name))
        else:
            rest[path] = source
    return planned, rest


def _counts(site: Site, pages: list[Planned], feeds: list[Planned], written: Written) -> dict[str, int]:
    return {
        "pages": sum(1 for p in pages if p.path.endswith(".html")),
        "files": written.written + written.reused,
        "topics": len(site.topics),
        "feeds": len(feeds),
        "articles": len(site.entries),
    }
