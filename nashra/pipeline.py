"""The build, stage by stage, shared by `build` and `serve`.

    load_config -> load_content -> prepare_bodies -> build_site -> plan_pages + plan_feeds -> write_output

With the cache (the default), an unchanged article is not parsed again, an unchanged
body not converted again, and a page whose inputs are unchanged is taken from the
previous output instead of being rendered: the result is byte-identical either way.
An article that is parsed has its body prepared right after, by the same worker
(content.AfterParse), so prepare_bodies is left with bodies lost from the cache.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .body.prepare import PrepareParsed, body_html, keyed, prepare_bodies
from .cache import (
    DEFAULT_FOLDER,
    SPARE,
    Cache,
    digest,
    file_digests,
    fingerprint_files,
    read_stamp,
    stamp_matches,
    unusable,
    write_stamp,
)
from .editions import build_editions
from .model import Entry
from .output import check_output_dir, claim_output, tidy, write_output
from .problems import raise_if
from .read.config import CONFIG_FILE, load_config
from .read.content import IMAGES_DIR, STATIC_DIR, TOPICS_FILE, AfterParse, BodyFile, load_content
from .read.inputs import input_files
from .read.notes import read_notes
from .render.editions import plan_editions, plan_editions_feeds
from .render.email import plan_email
from .render.feeds import plan_feeds
from .render.pages import load_templates, plan_pages
from .site import build_site, with_body


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


def run_build(
    root: Path,
    output: Path,
    base_url: str | None = None,
    drafts: bool = False,
    use_cache: bool = True,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> BuildResult:
    """Build the site at `root` into `output`; raises ContentError with every problem found.

    One build at a time: a second one, into the same folder or of the same site, refuses at once.
    """
    with claim_output(output, root):
        cache_dir = root / DEFAULT_FOLDER
        # A cache that cannot be used is a warning and a build without it (Cache.open), never a failure.
        cache_dir = cache_dir if use_cache and unusable(cache_dir, root) is None else None
        check_output_dir(output, root, cache_dir)
        tidy(output, cache_dir / SPARE if cache_dir else None)
        return _run_build(root, output, base_url, drafts, use_cache, progress)


def _run_build(
    root: Path,
    output: Path,
    base_url: str | None,
    drafts: bool,
    use_cache: bool,
    progress: Callable[[int, int], None],
) -> BuildResult:
    started = time.perf_counter()
    config = load_config(root, base_url)
    cache_dir = root / DEFAULT_FOLDER
    notes: list[str] = []  # warnings before the cache is opened
    stamp = read_stamp(cache_dir, notes) if use_cache else {}
    known = stamp.get("files") if isinstance(stamp.get("files"), dict) else None
    states: dict[str, list] = {}  # for the stamp: what the next build needs to trust these digests
    digests = input_digests(root, known, states)
    templates = load_templates(root / "templates")  # once the paths are known to stay inside the project
    inputs = digest(config.base_url, str(drafts), fingerprint_files(root, sorted(digests), digests))
    if stamp_matches(stamp, inputs, output):
        try:
            last = stamp["result"]
            return BuildResult(
                last["pages"],
                0,
                last["files"],
                last["topics"],
                last["feeds"],
                last["articles"],
                time.perf_counter() - started,
                (),
            )
        except (KeyError, TypeError):
            pass  # a stamp not written by this version: build
    parse_fp = fingerprint_files(root, [CONFIG_FILE, TOPICS_FILE], digests)
    cache = Cache.open(cache_dir, parse_fp, root) if use_cache else Cache.temporary()
    try:
        prepare = AfterParse(PrepareParsed(str(cache.folder), config.language, drafts), lambda p: cache.keep_body(*p))
        content = load_content(root, config, cache, digests, keep_bodies=False, after_parse=prepare)
        included = [a for a in content.articles if drafts or not a.draft]
        keys = {a.path: keyed(a, config.language) for a in included}  # path -> (key, rtl)
        sources = {a.path: BodyFile(str(root), a.path, a.body_line) for a in included}
        words = prepare_bodies(cache, ((key, sources[path], rtl) for path, (key, rtl) in keys.items()))
        bodies = {path: (key, words[key]) for path, (key, _) in keys.items()}
        template_files = [name for name in digests if name.startswith("templates/")]
        site_fp = digest(parse_fp, fingerprint_files(root, template_files, digests), config.base_url, str(drafts))
        site = build_site(config, content, drafts, bodies, site_fp)
        editor_notes, problems = read_notes(root, config, included)
        raise_if(problems)
        editions = build_editions(site, editor_notes)

        def filled(entry: Entry) -> Entry:
            prepared = body_html(cache, entry.body_key, sources[entry.path].read, keys[entry.path][1])
            return with_body(site, entry, prepared)

        pages = plan_pages(site, templates, filled, editions) + plan_editions(site, editions, templates)
        pages += plan_email(site, editions, templates)
        sizes = {name: (root / IMAGES_DIR / name).stat().st_size for name in site.images}  # enclosures
        feeds = plan_feeds(site, filled, sizes) + plan_editions_feeds(site, editions)
        copies = {f"static/{name}": root / STATIC_DIR / name for name in site.static}
        copies |= {f"images/{name}": root / IMAGES_DIR / name for name in site.images}
        total = len(pages) + len(feeds)
        written = write_output(
            output,
            pages + feeds,
            copies,
            previous=cache.manifest(output),
            spare=cache_dir / SPARE if cache.persistent else None,
            progress=lambda done: progress(done, total),
        )
        counts = {
            "pages": sum(1 for p in pages if p.path.endswith(".html")),
            "files": written.written + written.reused,
            "topics": len(site.topics),
            "feeds": len(feeds),
            "articles": len(site.entries),
        }
        try:  # output/ is the new build now: a cache that cannot be written only costs the next build time
            cache.save(output, written.manifest)
            if cache.persistent:
                write_stamp(cache_dir, inputs, output, counts, states)
        except OSError as exc:
            cache.warnings.append(
                f"could not write the build cache {DEFAULT_FOLDER}/: {exc}; the next build will do all the work again"
            )
        result = BuildResult(
            pages=counts["pages"],
            written=written.written,
            reused=written.reused,
            topics=counts["topics"],
            feeds=counts["feeds"],
            articles=counts["articles"],
            seconds=time.perf_counter() - started,
            warnings=(*notes, *cache.warnings),
        )
    finally:
        cache.close()
    return result


def input_digests(
    root: Path, known: Mapping[str, list] | None = None, states: dict[str, list] | None = None
) -> dict[str, str]:
    """The digest of every file the build reads, by path relative to the site's folder; ContentError
    for every path that leads out of the project, into a hidden folder or out of its own folder."""
    names, refused = input_files(root)
    raise_if(refused)
    return file_digests(root, names, known, states)


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
