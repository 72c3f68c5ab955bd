"""The one object the pipeline talks to about earlier builds: what is unchanged, what is known.

session = Session.open(root, config, scope, use_cache, output)
session.unchanged()                      the last result, when no input changed (nor the clock state)
session.known_article / known_links      what reading may take instead of parsing a file
session.known_linked / links_passed      ... and instead of checking its links again
session.keep_articles(reading)           what the next build may take
session.body_words / keep_body ...       prepared bodies
session.page_keys(articles, linked)      what each page is made from
session.body_filler(jobs, remake)        prepared HTML for the pages made (read-only)
session.learn(found)                     what a worker learned: remade bodies, warnings
session.derived(kind)                    files made by a costly step, kept by the digest of their inputs
session.derived_folder                   where all of them are (what is copied from there is kept by name)
session.previous_manifest() / save(...)  the output tree, then everything, for the next build
session.output_changed(digest)           whether the output differs from the last build's
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Article, Scope, SiteConfig
from ..problems import raise_if
from ..read.inputs import input_files
from ..read.scan import Link
from ..schedule import clock_state, from_ticks, next_change, to_ticks
from . import keys
from .derived import DERIVED, DerivedFiles
from .digests import file_digests
from .packs import Location
from .records import NO_LINKS, article_from_json, links_from_json, record_front, record_line, record_links
from .stamp import read_stamp, stamp_matches, write_stamp
from .store import DEFAULT_FOLDER, SPARE, Store, unusable

if TYPE_CHECKING:  # read.content loads the whole reader: not needed to find that nothing changed
    from ..read.content import BodyFile, Reading
    from ..read.links import LinkSites

NOT_RECORDED = object()  # a record without its linked files (an older one's)
Remade = tuple[str, str, int]  # a body made again: key, HTML, word count
Found = tuple[list[Remade], list[str]]  # what a body filler learned: bodies made again, warnings
BodyJob = tuple[str, "BodyFile", bool]  # an article's body: its key, where to read it, whether right to left


def cache_folder(root: Path, use_cache: bool) -> Path | None:
    """The build cache's folder, when this build uses one and it can hold one."""
    folder = root / DEFAULT_FOLDER
    return folder if use_cache and unusable(folder, root) is None else None


def spare_folder(cache: Path | None) -> Path | None:
    """Where the previous output tree is kept (output/), in a usable cache folder."""
    return cache / SPARE if cache else None


def input_digests(
    root: Path, known: Mapping[str, list] | None = None, states: dict[str, list] | None = None
) -> dict[str, str]:
    """The digest of every file the build reads, by path relative to the site's folder; ContentError
    for every path that leads out of the project, into a hidden folder or out of its own folder."""
    names, refused = input_files(root)
    raise_if(refused)
    return file_digests(root, names, known, states)


class Session:
    """One build's view of the cache: read once at the start, saved once at the successful end."""

    def __init__(self, root: Path, config: SiteConfig, scope: Scope, use_cache: bool, output: Path):
        self.root, self.config, self.scope, self.use_cache, self.output = root, config, scope, use_cache, output
        self.folder = root / DEFAULT_FOLDER
        self._notes: list[str] = []  # warnings before the store is opened
        self._stamp = read_stamp(self.folder, self._notes) if use_cache else {}
        known = self._stamp.get("files") if isinstance(self._stamp.get("files"), dict) else None
        self._states: dict[str, list] = {}  # for the stamp: what the next build needs to trust these digests
        self.digests = input_digests(root, known, self._states)
        self._inputs = keys.inputs_key(root, self.digests, config.base_url, scope.drafts, scope.future)
        self._parse_fp = keys.parse_fingerprint(root, self.digests)
        # What reading may still ask of the article records read in this build, by path: their linked
        # files as recorded (NOT_RECORDED without them); the rest is the Article, built already.
        self._linked: dict[str, object] = {}
        self._found: dict[str, None] = {}  # warnings learned from workers, each once
        self._remade: set[str] = set()  # bodies made again in this build, stored already
        self._dates: list[int] | None = None  # of the articles the build may publish, now or later (schedule.to_ticks)
        self._output_digest: str | None = None
        self._derived: dict[str, DerivedFiles] = {}

    @classmethod
    def open(cls, root: Path, config: SiteConfig, scope: Scope, use_cache: bool, output: Path) -> Session:
        return cls(root, config, scope, use_cache, output)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @functools.cached_property
    def _store(self) -> Store:
        """Opened once it is needed: a build with nothing to do never reads it."""
        if not self.use_cache:
            return Store.temporary()
        return Store.open(self.folder, self._parse_fp, self.root)

    def close(self) -> None:
        if "_store" in self.__dict__:
            self._store.close()

    @property
    def warnings(self) -> tuple[str, ...]:
        store = self._store.warnings if "_store" in self.__dict__ else []
        return tuple(dict.fromkeys([*self._notes, *store, *self._found]))

    def unchanged(self) -> dict[str, int] | None:
        """The last build's counts, when every input and option is the same, its output is in place and
        the clock has moved on no article's time (none came due, none left the news window)."""
        if stamp_matches(self._stamp, self._inputs, self.output) and self._clock_state_unchanged():
            return self._stamp["result"]
        return None

    @functools.cached_property
    def _stamp_ticks(self) -> list[int] | None:
        """The dates the last build recorded (schedule.to_ticks, sorted), if the record is sound; checked
        once (a build with nothing to do asks for them twice: the clock's state, then the next change)."""
        clock = self._stamp.get("clock")
        ticks = clock.get("dates") if isinstance(clock, dict) else None
        if not (isinstance(ticks, list) and all(type(t) is int for t in ticks) and isinstance(clock.get("state"), str)):
            return None
        if ticks != sorted(ticks):
            return None
        try:
            from_ticks(ticks[:1] + ticks[-1:])  # dates Python can hold (the earliest and the latest)
        except OverflowError:
            return None
        return ticks

    def _clock_state_unchanged(self) -> bool:
        ticks = self._stamp_ticks
        return ticks is not None and clock_state(ticks, self.scope) == self._stamp["clock"]["state"]

    def next_change(self) -> datetime | None:
        """When the output next changes with the clock alone (schedule.next_change), as far as this
        build knows its articles (read now, or recorded by the last build when nothing changed)."""
        ticks = self._dates if self._dates is not None else (self._stamp_ticks or [])
        return next_change(ticks, self.scope)

    # ---- articles ----

    def known_article(self, relpath: str, check: Callable[[Article], str | None]) -> Article | None:
        """The article recorded for this file as it is now, if its record is sound and passes `check`
        (the reader's rules: what is wrong, or None), so a record is trusted no more than the file.

        Its links are read only when they are checked again (known_links, records.record_line)."""
        file_digest = self.digests.get(relpath)
        raw = self._store.article_record(relpath, file_digest) if file_digest else None
        if raw is None:
            return None
        try:
            record = record_front(raw)
            if not isinstance(record, dict):
                raise ValueError("not a Nashra article record")
            article = article_from_json(record.get("article"), relpath, file_digest)
            wrong = check(article)
            if wrong:
                raise ValueError(wrong)
        except (RecursionError, ValueError) as exc:
            self._store.warnings.append(f"ignoring a cached record for {relpath}: {exc}")
            return None
        self._linked[relpath] = record.get("linked", NOT_RECORDED)
        return article

    def known_links(self, relpath: str) -> list[Link] | None:
        """The links recorded for the body of an article taken from the cache (known_article)."""
        if relpath not in self._linked:
            return None
        try:
            found = record_links(self._store.article_record(relpath, self.digests[relpath]))
        except (RecursionError, ValueError):
            found = None
        if found is NO_LINKS:
            return None  # a record without them: the body is scanned for them again
        links = links_from_json(found)
        if links is None:
            self._store.warnings.append(f"ignoring cached links for {relpath}: unexpected layout")
        return links

    def known_linked(self, relpath: str) -> tuple[str, ...] | None:
        """The article files recorded as linked to from the body of an article taken from the cache
        (read.content.linked_files), or None when the record has none (an older record: its links then)."""
        found = self._linked.get(relpath, NOT_RECORDED)
        if found is NOT_RECORDED:
            return None
        if not (isinstance(found, list) and all(type(path) is str for path in found)):
            self._store.warnings.append(f"ignoring the cached linked files of {relpath}: unexpected layout")
            return None
        return tuple(found)

    def links_passed(self, sites: LinkSites, digest: str) -> bool:
        """Whether the links of the articles taken from the cache with their links (known_links)
        passed the last build's check against sites that `sites` (of this `digest`) cover: the same
        sites, or sites that hold all theirs (read.links.LinkSites.covers). The records are those of
        the last build's articles, and it kept them only once all their links passed."""
        before = self._store.links_site
        return bool(before) and (digest == before or sites.covers(self._store.link_members(), before))

    def keep_articles(self, reading: Reading) -> None:
        """Record every article read for the next build, with the links in its body: a record taken
        from the cache as it was, the others anew; and the site their links passed the check against."""
        if reading.link_members is not None:
            self._store.keep_links_site(reading.links_digest, reading.link_members)
        publishable = self.scope.ignoring_clock().includes
        self._dates = sorted(to_ticks(a.date) for a in reading.content.articles if publishable(a))
        for article in reading.content.articles:
            relpath = article.path
            if relpath in reading.from_records:
                self._store.keep_article(relpath, article.digest, self._store.article_record(relpath, article.digest))
            else:
                record = record_line(article, reading.content.linked.get(relpath, ()), reading.links[relpath])
                self._store.keep_article(relpath, article.digest, record)

    # ---- prepared bodies ----

    @property
    def bodies_folder(self) -> str:
        """Where workers write the packs of the bodies they prepare (store.write_pack)."""
        return str(self._store.folder)

    def body_words(self, key: str) -> int | None:
        """The word count of a body prepared in this build or the last one (whose pack is there)."""
        return self._store.body_words(key)

    def keep_body(self, key: str, words: int, location: Location) -> None:
        """Record a body prepared in this build, in a pack a worker wrote."""
        self._store.keep_body(key, words, location)

    def keep_known_bodies(self, body_keys: Iterable[str]) -> None:
        """Carry these bodies of the last build over to the next."""
        for key in body_keys:
            self._store.keep_known_body(key)

    def body_filler(self, jobs: Mapping[str, BodyJob], remake: Callable[[str, bool], tuple[str, int]]) -> BodyFiller:
        return BodyFiller(self._store, jobs, remake)

    def learn(self, found: Found) -> None:
        """Keep what a body filler learned, here or in a worker: the bodies it made again go into
        one pack, its warnings are printed once each."""
        bodies, warnings = found
        fresh = [body for body in bodies if body[0] not in self._remade]
        self._remade.update(key for key, _, _ in fresh)
        self._store.write_bodies(fresh)
        self._found.update(dict.fromkeys(warnings))

    # ---- derived files ----

    def derived(self, kind: str) -> DerivedFiles:
        """The entries of one kind of derived file (derived.py): in the cache, or for this build only
        without one; those this build did not use are removed when it is saved."""
        if kind not in self._derived:
            self._derived[kind] = DerivedFiles(self._store.folder, kind)
        return self._derived[kind]

    @property
    def derived_folder(self) -> Path:
        """The folder holding every kind's entries (a file under it is a derived one)."""
        return self._store.folder / DERIVED

    # ---- pages ----

    @property
    def parse_fingerprint(self) -> str:
        """What parsing an article depends on besides its file (keys.parse_fingerprint)."""
        return self._parse_fp

    def page_keys(
        self, articles: Iterable[Article], linked: Mapping[str, tuple[str, ...]], photos: str = ""
    ) -> keys.PageKeys:
        """`linked`: the article files each body links to (Content.linked); `photos` is what pages print
        of the images (photos.PhotoSet.key): their sizes."""
        base_url, drafts = self.config.base_url, self.scope.drafts
        fingerprint = keys.site_fingerprint(self.root, self.digests, self._parse_fp, base_url, drafts, photos)
        return keys.page_keys(articles, fingerprint, linked)

    @property
    def spare(self) -> Path | None:
        """Where output/ keeps the previous tree: in the cache, when this build keeps one."""
        return self.folder / SPARE if self._store.persistent else None

    def previous_manifest(self) -> dict[str, tuple[str, int]]:
        return self._store.manifest(self.output)

    def output_changed(self, output_digest: str) -> bool:
        """Whether the output (its digest, output.changes.tree_digest) differs from the last build's,
        as the last build that said it recorded it; kept for the next build."""
        self._output_digest = output_digest
        return self._stamp.get("output_digest") != output_digest

    def save(self, manifest: dict[str, tuple[str, int]], counts: dict[str, int]) -> None:
        """Record this build for the next; a cache that cannot be written only costs that build time."""
        try:
            self._store.save(self.output, manifest)
            for files in self._derived.values():
                files.prune()
            if self._store.persistent:
                dates = self._dates or []
                clock = {"dates": dates, "state": clock_state(dates, self.scope)}
                extra = {"clock": clock} | ({"output_digest": self._output_digest} if self._output_digest else {})
                write_stamp(self.folder, self._inputs, self.output, counts, self._states, extra)
        except OSError as exc:
            self._store.warnings.append(
                f"could not write the build cache {DEFAULT_FOLDER}/: {exc}; the next build will do all the work again"
            )


class BodyFiller:
    """The prepared HTML of article bodies, by article file, for the pages being made: read from the
    cache, or made again (with a warning) when its pack is missing or corrupt.

    It never writes to the cache: pages are made in forked workers too. What it made again, and
    why, `report` hands over once, for the build to keep (Session.learn, through parallel.reporting).
    """

    def __init__(self, store: Store, jobs: Mapping[str, BodyJob], remake: Callable[[str, bool], tuple[str, int]]):
        self._store = store
        self._jobs = jobs
        self._remake = remake
        self._made: dict[str, str] = {}  # key -> HTML made again in this process
        self._new: list[Remade] = []
        self._warnings: list[str] = []

    def __call__(self, path: str) -> str:
        key, source, rtl = self._jobs[path]
        if key in self._made:
            return self._made[key]
        html = self._store.read_body(key)
        if html is None:
            html, words = self._remake(source.read(), rtl)
            self._made[key] = html
            self._new.append((key, html, words))
            where = self._store.pack_path(key)
            if where is not None:
                self._warnings.append(f"ignoring a corrupt or missing cache file {where}")
        return html

    def report(self) -> Found | None:
        """What was learned since the last report, if anything (then forgotten here)."""
        if not (self._new or self._warnings):
            return None
        found, self._new, self._warnings = (self._new, self._warnings), [], []
        return found
