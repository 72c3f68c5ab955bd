"""The build, stage by stage, shared by `build` and `serve` (run_build is the table of contents).

With the cache (the default), the incremental session says when nothing changed at all, an
unchanged article is not parsed again, an unchanged body not converted again, and a page
whose inputs are unchanged is taken from the previous output instead of being rendered: the
result is byte-identical either way.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Template

from .archives import build_archives
from .body.parse_and_prepare import read_and_prepare
from .body.prepare import prepare_body
from .editions import Editions, build_editions
from .incremental.digests import digest
from .incremental.keys import PageKeys
from .incremental.session import Session, cache_folder, spare_folder
from .layout import STATIC_DIR, TEMPLATES_DIR
from .model import Article, Content, Entry, Scope, Site, SiteConfig
from .output import Planned, Written, check_output_dir, claim_output, tidy, write_output
from .output.changes import tree_digest
from .output.size import size_warnings
from .parallel import reporting
from .photos import PhotoSet, make_photos
from .problems import raise_if
from .read.config import load_config
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
from .schedule import build_now
from .site import build_site, with_body
from .sources import build_sources
from .timings import recording, stage
from .urls import Urls


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages: int  # HTML pages
    written: int  # files made this time
    reused: int  # files taken unchanged from the previous output
    topics: int
    feeds: int
    articles: int
    seconds: float
    warnings: tuple[str, ...]
    changed: bool | None = None  # whether output/ differs from the last build's (asked with report_changes)
    next_change: datetime | None = None  # when the output changes with the clock alone (a scheduled article)


def run_build(
    root: Path,
    output: Path,
    base_url: str | None = None,
    drafts: bool = False,
    use_cache: bool = True,
    progress: Callable[[int, int], None] = lambda done, total: None,
    now: datetime | None = None,
    future: bool = False,
    report_changes: bool = False,
) -> BuildResult:
    """Build the site at `root` into `output`; raises ContentError with every problem found.

    `now` is the build's clock (naive: in site.yml's timezone; None: the current time): an article dated
    after it is left out of everything (Scope), unless `future`. With `report_changes`, the result says
    whether the output differs from the last build's. The stages:

        claim output -> config -> session -> templates -> (nothing changed: done) -> read articles and
        prepare bodies -> images -> site -> page keys and search shards -> editions -> plan pages + feeds ->
        social cards (drawn or kept) -> search index (its shards) -> write output -> save the session

    One build at a time: a second one, into the same folder or of the same site, refuses at once.
    """
    started = time.perf_counter()
    with recording(), _claimed(output, root, use_cache):  # recording: NASHRA_TIMINGS, see timings.py
        with stage("start"):
            config = load_config(root, base_url)
            scope = _scope(config, drafts, now, future)
            session = Session.open(root, config, scope, use_cache, output)
        with session:
            with stage("start"):
                templates = load_templates(root / TEMPLATES_DIR)  # once the paths are known to stay inside the project
                last = session.unchanged()
            if last is not None:  # so output/ is the last build's tree
                unchanged = Written(0, last["files"], {})
                return _result(last, unchanged, started, (), session, False if report_changes else None)
            with stage("read"):  # the bodies of the articles read are prepared in the same pass
                read = read_and_prepare(root, config, scope, session)
            with stage("images"):
                photos = _photos(root, read.content.images, session)
            with stage("site"):
                site = build_site(config, read.content, scope, read.words, photos.photos)
                keys = session.page_keys(read.articles, read.content.linking, photos.key)
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
                derived, copies = _from_derived(copies, session.derived("search").folder.parent)
                planned += derived
                show = lambda done: progress(done, len(planned))  # noqa: E731
                with stage("render and write"):
                    written = write_output(output, planned, copies, previous, show, session.spare)
            counts = _counts(site, pages, feeds, written)
            changed = session.output_changed(tree_digest(output)) if report_changes else None
            with stage("save"):
                session.save(written.manifest, counts)
            warnings = session.warnings + size_warnings(written.manifest, output.name)
            return _result(counts, written, started, warnings, session, changed)


def _scope(config: SiteConfig, drafts: bool, now: datetime | None, future: bool) -> Scope:
    """Which articles this build publishes: the options, and the clock (a naive `now` in the site's timezone)."""
    return Scope(build_now(now, ZoneInfo(config.timezone)), drafts, future)


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


@contextlib.contextmanager
def _claimed(output: Path, root: Path, use_cache: bool) -> Iterator[None]:
    """The output folder claimed for this build, checked, and tidied of what an interrupted one left.
    A cache that cannot be used is a warning and a build without it (Session), never a failure."""
    with claim_output(output, root):
        cache = cache_folder(root, use_cache)
        check_output_dir(output, root, cache)
        tidy(output, spare_folder(cache))
        yield


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
    planned, rest = [], {}
    for path, source in copies.items():
        if source.is_relative_to(derived):
            key = digest("derived", source.relative_to(derived).as_posix())
            planned.append(Planned(path, key, source.read_bytes))
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


def _result(
    counts: Mapping[str, int],
    written: Written,
    started: float,
    warnings: tuple[str, ...],
    session: Session,
    changed: bool | None,
) -> BuildResult:
    seconds = time.perf_counter() - started
    return BuildResult(
        counts["pages"], written.written, written.reused, counts["topics"], counts["feeds"], counts["articles"],
        seconds, warnings, changed, session.next_change(),
    )  # fmt: skip


class Progress:
    """A bar with counts and rate on a terminal; a few plain lines elsewhere (CI logs), for long builds."""

    SHOW_FROM = 2000  # files; smaller builds finish before a bar helps

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.perf_counter()
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if total < self.SHOW_FROM:
            return
        rate = done / max(time.perf_counter() - self.started, 1e-6)
        if self.tty:
            if done % 100 == 0 or done == total:
                filled = done * 30 // total
                bar = "#" * filled + "-" * (30 - filled)
                end = "\n" if done == total else ""
                self.stream.write(f"\r[{bar}] {done}/{total} files, {rate:.0f}/s{end}")
                self.stream.flush()
        elif done * 4 // total > self.shown or done == total:
            self.shown = done * 4 // total
            self.stream.write(f"{done}/{total} files ({rate:.0f}/s)\n")
