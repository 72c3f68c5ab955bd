"""Site -> the search index (Pagefind's files, in shards under output/pagefind/) and the /search/ page.

Each published article becomes one Pagefind *custom record*: its title, summary and body text (no
navigation, no lists), with its title, Arabic date, topics and source as metadata and its topics and
source as filters. The records are fed to Pagefind's indexer, the binary its PyPI wheel ships, through
its Python API, from the build's own process (no Node).

Arabic spelling variants. Pagefind stems Arabic and folds harakat, tatweel and أ/إ/آ, but a reader
who types ة for ه, ى for ي, or another seat of the hamza (ئ/ؤ/ء) finds nothing. `fold` maps those
letters to one form, one character for one character, in the indexed text here and in the query in
static/search.js (which reads this table, FOLDS, from the search page). Because the folding keeps every
character and every space where it was, the indexed text splits into the same words as the
original, and the original is the indexed text with the folded letters put back: the record's
metadata keeps them (`unfold`: each one's position and letter, `12ة40ى`), search.js restores the
original text from the result's text and builds the excerpt from it at the word locations Pagefind
reports, in the article's own spelling. (Keeping the whole original text in the metadata instead
made indexing 40 % slower: bench/README.md.)

Shards. Pagefind has no incremental mode, costs about 3.8 ms an article and holds about 220 KB an
article in memory while it indexes (bench/README.md), so the index is split by the article's date in
the site's timezone: consecutive months of at most SHARD_LIMIT articles together, counted from the
oldest, the newest month alone and, in a busy month, its newest week too (search_shards), so that a new
article changes a small shard only. Each is a Pagefind index of its own, output/pagefind/<2026-05>/
(entry, meta, index, filter and fragment files), and a derived entry (session.derived("search")) whose
key, shard_key, is found from what its records are made of without making one: the articles' files, the
parse fingerprint, the versions and FOLDS. Only shards whose key is new get their records made (the
bodies) and indexed, at once, one Pagefind service per shard, each shard in a worker forked for it
alone when there are two or more. A merged index loads only its entry, meta and chunks, and uses the
WebAssembly and worker of the index it is merged into; so Pagefind's script, worker and WebAssembly are
published once, in the newest shard's folder: search.js imports that shard's pagefind.js and merges the
others (mergeIndex), and Pagefind gives one list of results sorted by score, counts and filters summed.

Pagefind writes the same bytes for the same records (tests/test_search.py builds twice and compares);
the records go in a fixed order (the site's, newest first) so nothing depends on the order of a dict
or a file system, nor on which shard's service answers first.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Template
from pagefind.service import PagefindService

from .. import __version__, urls
from ..body.typography import plain_text
from ..incremental.derived import DerivedFiles
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Entry, Site
from ..output import Planned
from ..parallel import make_in_forks
from ..urls import Urls
from ..words import RESULT_FORMS, WORDS
from .pagefind_order import put_filters_in_order
from .pages import Frame, chrome, nav_html, render

INDEX_DIR = "pagefind"  # output/pagefind/: the index and Pagefind's search script

# Spelling variants folded to one letter, here and in search.js (the page hands it this table). One for one:
# the excerpt relies on it (see the module's docstring).
FOLDS = {
    "ة": "ه",  # taa marbuta: المدرسة, المدرسه
    "ى": "ي",  # alef maqsura: مستشفى, مستشفي
    "ؤ": "ء",  # hamza on waw: المسؤولون
    "ئ": "ء",  # hamza on yaa: المسئولون
    "ی": "ي",  # Persian yeh (a Persian keyboard's ي)
    "ک": "ك",  # Persian keheh (a Persian keyboard's ك)
    "ٱ": "ا",  # alef wasla
}
_FOLD_TABLE = str.maketrans(FOLDS)
_FOLDED = re.compile(f"[{''.join(FOLDS)}]")

# What Pagefind keeps of its bundle: the search script, its worker, the Arabic WebAssembly, the index.
# Not its ready-made UIs (English labels, not right to left) nor the playground.
_SCRIPT = re.compile(r"pagefind\.js|pagefind-worker\.js|wasm\.ar\.pagefind")  # the newest shard's only
_INDEX = re.compile(r"pagefind-entry\.json|pagefind\.[^/]+\.pf_meta|(?:fragment|index|filter)/[^/]+")  # every shard's
_BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|figure|figcaption|table|tr|td|th|pre|br|hr|div)\b[^>]*>", re.I
)
_SPACES = re.compile(r"[\s\u200b\ufeff]+")  # words split as search.js splits them (and no zero-width space)


def fold(text: str) -> str:
    """`text` with its spelling variants folded (FOLDS), as long as it was, character for character."""
    return text.translate(_FOLD_TABLE)


def unfolding(text: str) -> str:
    """What `fold` changed in `text`: each folded letter's position (in code points) and original letter."""
    return "".join(f"{m.start()}{m.group()}" for m in _FOLDED.finditer(text))


def unfold(folded: str, unfolding: str) -> str:
    """The text `fold` was given, from its result and `unfolding` (search.js does the same)."""
    chars = list(folded)
    for at, ch in re.findall(r"(\d+)(\D)", unfolding):
        chars[int(at)] = ch
    return "".join(chars)


@dataclass(frozen=True, slots=True)
class Record:
    """What the index holds of one article: Pagefind's add_custom_record arguments."""

    url: str  # its site path (articles/<slug>/): search.js's Pagefind puts the site's base path before it
    text: str  # title, summary and body, words one space apart, in the article's spelling (indexed folded)
    meta: tuple[tuple[str, str], ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]

    def as_json(self) -> str:
        return json.dumps([self.url, self.text, self.meta, self.filters], ensure_ascii=False)


SHARD_LIMIT = 1000  # articles in a shard at most, unless one month has more (see search_shards)
WEEK_SPLIT = 100  # articles in the newest month past which its newest week is a shard of its own


def search_shards(site: Site) -> dict[str, tuple[Entry, ...]]:
    """The published articles (site.entries: Scope has left out drafts and scheduled ones) by shard,
    oldest shard first, each shard's in the site's order (newest first).

    A shard is one month or more of consecutive months, by the article's date in the site's timezone,
    grouped from the oldest month on: a month joins the shard before it while that shard would hold
    at most SHARD_LIMIT articles. The bound is Pagefind's memory: it holds about 220 KB an article
    while it indexes (2.1 GB for one index of 10,000: bench/README.md), so no process of the build
    grows past about 250 MB however large the archive. The newest month is a shard of its own: it is
    where articles are added and most edits fall, and each of them indexes its shard again, so it is
    kept small (when the next month starts, it joins the grouping, and the shard before it is indexed
    again if it joins that one). Once the newest month holds more than WEEK_SPLIT articles, the
    newest week (Monday on, the week of the newest article, even where it starts in the month before)
    is a shard of its own too, named by its Monday (2026-06-22, after every month's name): a busy
    newsroom's new article or fix indexes a few days' articles again, not up to a month's, and each
    Monday the week before joins its month's shard, indexed again then. A shard is otherwise named by
    its first month (2026-05): a new article changes the newest shard only (or starts one), an edit
    only its own; an article added to an old month, or removed from one, may move the bounds of the
    shards after it, which are then indexed again."""
    tz = ZoneInfo(site.config.timezone)
    days = [entry.date.astimezone(tz) for entry in site.entries]  # in the site's order
    week = _newest_week(days)
    in_week = [bool(week) and f"{day:%Y-%m-%d}" >= week for day in days]
    months = Counter(f"{day:%Y-%m}" for day, weekly in zip(days, in_week, strict=True) if not weekly)
    shard_of: dict[str, str] = {}  # month -> its shard's name
    name, size, newest = "", 0, max(months, default="")
    for month in sorted(months):
        if not name or size + months[month] > SHARD_LIMIT or month == newest:
            name, size = month, 0
        shard_of[month] = name
        size += months[month]
    shards: dict[str, list[Entry]] = {}
    for entry, day, weekly in zip(site.entries, days, in_week, strict=True):
        name = week if weekly else shard_of[f"{day:%Y-%m}"]
        shards.setdefault(name, []).append(entry)
    return {name: tuple(shards[name]) for name in sorted(shards)}


def _newest_week(days: Sequence[datetime]) -> str:
    """The newest week's shard name, its Monday (2026-06-22), when the newest month holds more than
    WEEK_SPLIT articles; else ''."""
    newest = max(days, default=None)
    if newest is None or sum(1 for day in days if (day.year, day.month) == (newest.year, newest.month)) <= WEEK_SPLIT:
        return ""
    return f"{newest.date() - timedelta(days=newest.weekday()):%Y-%m-%d}"


def shard_key(entries: Iterable[Entry], article_keys: Mapping[str, str], parse_fp: str) -> str:
    """A shard's name in the cache, from what its records are made of, without making them: Pagefind's
    version, Nashra's (how records are made and files put in order), FOLDS, `parse_fp` (site.yml,
    topics.yml, sources.yml: titles, dates as printed, topic and source names) and each article's
    file (`article_keys`: path -> its digest). Not the templates, the base URL, the photos nor which
    file has which slug: `record` drops every tag of the body, and with them every URL they hold."""
    folds = json.dumps(FOLDS, ensure_ascii=False)
    files = (f"{e.path}={article_keys[e.path]}" for e in entries)
    return digest("pagefind", pagefind_version(), __version__, folds, parse_fp, *files)


def search_records(entries: Iterable[Entry], with_body: Callable[[Entry], Entry]) -> tuple[Record, ...]:
    """One record per article of a shard, in its order."""
    return tuple(record(with_body(entry)) for entry in entries)


def record(entry: Entry) -> Record:
    body = plain_text(_BLOCK_TAG.sub(" ", entry.html))
    text = _SPACES.sub(" ", f"{entry.title} {entry.summary} {body}").strip()
    topics = tuple(t.name for t in entry.topics)
    meta = (
        ("title", entry.title),
        ("date", entry.date_short),
        ("datetime", entry.date_iso),
        ("topics", "، ".join(topics)),
        ("source", entry.source.name),
        ("unfold", unfolding(text)),
    )
    return Record(urls.article(entry.slug), text, meta, (("topic", topics), ("source", (entry.source.name,))))


def pagefind_version() -> str:
    return version("pagefind_bin")


def search_index(
    shards: Mapping[str, tuple[Entry, ...]],
    keys: Mapping[str, str],
    with_body: Callable[[Entry], Entry],
    files: DerivedFiles,
) -> dict[str, Path]:
    """The index's files (output path -> file in the cache): each shard (`keys`: its key) taken from
    `files` when there, else its records made and indexed (index_shards), the others' bodies untouched."""
    made = {name: files.get(keys[name]) for name in shards}
    missing = [name for name, entry in made.items() if entry is None]
    jobs = {keys[name]: functools.partial(search_records, shards[name], with_body) for name in missing}
    entries = index_shards(jobs, files)
    return index_copies({name: made[name] or entries[keys[name]] for name in shards})


def index_shards(jobs: Mapping[str, Callable[[], tuple[Record, ...]]], files: DerivedFiles) -> dict[str, Path]:
    """Index each shard's records (by key; `jobs` makes them) into its entry of `files`, one Pagefind
    service per shard. With two shards or more, each is indexed in a worker forked from the build
    (parallel.make_in_forks), as many at a time as there are cores: the worker makes the shard's
    records, drives its service and exits, and the memory they took goes with it. Made in the build's
    own process, each shard left about 25 MB that Python does not give back to the system (its
    records' texts and Pagefind's answers, freed in pieces): 250 MB for the 11 shards of a cold
    build of 10,000 articles (bench/README.md)."""
    made: dict[str, Path] = {}
    for key, _count in make_in_forks(list(jobs), functools.partial(_index_shard, jobs, files), kind="search"):
        made[key] = files.get(key)  # found and counted here: a forked worker's make() counted it there
    return made


def _index_shard(jobs: Mapping[str, Callable[[], tuple[Record, ...]]], files: DerivedFiles, key: str) -> int:
    """One shard's records made and indexed into its entry; their number."""
    records = jobs[key]()
    files.make(key, lambda into: _in_a_thread(run_indexer(records, into)))
    return len(records)


def _in_a_thread(work: Coroutine[None, None, None]) -> None:
    """`work` run in an event loop of its own in a new thread, the only loop there, even when the build
    is called from code that runs one (Playwright's, in the tests)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, work).result()


def index_copies(entries: Mapping[str, Path]) -> dict[str, Path]:
    """The shards' files in their cache entries (by shard name) -> their output paths, pagefind/<shard>/...:
    every shard's index; Pagefind's script, worker and WebAssembly only from the newest shard, the one
    search.js imports (the others are merged into it and read none of them)."""
    copies = {}
    for name, entry in entries.items():
        newest = name == max(entries)
        for rel in _files_in(entry):
            if _INDEX.fullmatch(rel) or (newest and _SCRIPT.fullmatch(rel)):
                copies[f"{INDEX_DIR}/{name}/{rel}"] = entry / rel
    return copies


def _files_in(folder: Path) -> list[str]:
    """The files under `folder`, as sorted relative POSIX paths (os.walk: a tenth of rglob's time for the
    10,000 files of the index at 10,000 articles, which every build with a change lists)."""
    top = str(folder)
    found = []
    for at, _folders, files in os.walk(top):
        inside = at[len(top) + 1 :].replace(os.sep, "/")
        found += [f"{inside}/{file}" if inside else file for file in files]
    return sorted(found)


def shard_paths(shards: Iterable[str]) -> list[str]:
    """Each shard's site path (pagefind/<shard>/), newest first: search.js imports the first one's script."""
    return [f"{INDEX_DIR}/{name}/" for name in sorted(shards, reverse=True)]


async def run_indexer(records: tuple[Record, ...], folder: Path) -> None:
    """One shard's Pagefind service: `records` indexed, the files the site serves written into `folder`."""
    service = await _Service().launch()
    try:
        index = await service.create_index({"force_language": "ar"})
        for r in records:  # one at a time, in the site's order: the same records give the same files
            await index.add_custom_record(
                url=r.url,
                content=fold(r.text),
                language="ar",
                meta=dict(r.meta),
                filters={name: list(values) for name, values in r.filters if values},
            )
        files = await index.get_files()  # in memory: write_files answers before the files are all written
    finally:
        await service.close()
    for file in files:
        if _SCRIPT.fullmatch(file["path"]) or _INDEX.fullmatch(file["path"]):
            (folder / file["path"]).parent.mkdir(parents=True, exist_ok=True)
            (folder / file["path"]).write_bytes(file["content"])
    put_filters_in_order(folder)


class _Service(PagefindService):
    """Pagefind's service, reading its answers as they come.

    The library's reader sleeps a tenth of a second before each answer it reads, so indexing 10,000
    records one by one would take over 16 minutes; this one waits on the pipe alone (bench/search.py).
    And its pipe takes an answer of up to 1 GiB, not 2 MiB: get_files sends the whole index as one.
    """

    async def launch(self) -> _Service:
        self._backend = await asyncio.create_subprocess_exec(
            self._bin,
            "--service",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            limit=2**30,
        )
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def _wait_for_responses(self) -> None:
        while True:
            message = await self._backend.stdout.readuntil(b",")
            answer = json.loads(base64.b64decode(message[:-1]))
            waiting = self._responses.get(answer.get("message_id"))
            if waiting is None or waiting.done():
                continue
            payload = answer["payload"]
            if payload["type"] == "Error":
                waiting.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
            else:
                waiting.set_result(payload)


# ---- the search page ----


def plan_search(site: Site, templates: dict[str, Template], keys: PageKeys, shards: Iterable[str]) -> list[Planned]:
    """The search page, which names the index's shards (search_shards' names)."""
    u, paths = Urls(site.config.base_url), shard_paths(shards)
    frame = Frame(site, u, lambda current: nav_html(site, u, templates["_nav.html"], current))
    return [
        Planned(
            urls.out_path(urls.search()),
            digest(keys.fingerprint, "search", *paths),
            lambda: render(templates["search.html"], context_for_search(frame, paths)),
        )
    ]


def search_sitemap(u: Urls) -> tuple[tuple[str, str | None], ...]:
    """The search page's sitemap row (its ?q= addresses all name it as their canonical address)."""
    return ((u.absolute(urls.search()), None),)


def context_for_search(frame: Frame, shards: list[str]) -> dict:
    config, u = frame.site.config, frame.u
    return {
        "chrome": chrome(
            frame,
            title=WORDS["search"],
            description=WORDS["search_description"].format(site=config.title),
            site_path=urls.search(),
        ),
        "script": u.link(urls.static("search.js")),
        "pagefind": u.link(f"{shards[0]}pagefind.js") if shards else "",  # the newest shard's script
        "shards": json.dumps([u.link(path) for path in shards]),  # newest first: the others are merged into it
        "archive_url": u.link(urls.archive()),
        "result_forms": json.dumps(dict(RESULT_FORMS), ensure_ascii=False),
        "folds": json.dumps(FOLDS, ensure_ascii=False),
        "digits": config.digits,
    }
