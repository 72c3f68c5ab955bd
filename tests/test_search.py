"""The search index (render/search.py): what it holds, read back from Pagefind's own files in output/pagefind/,
that it is the same bytes for the same input, and that it is made again only when what it holds changes.
In the browser: tests/test_search_browser.py."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import TEST_FRONT, build, make_site
from htmltools import find, find_all, parse

from nashra import parallel
from nashra.incremental.derived import DerivedFiles
from nashra.render import search
from nashra.render.search import FOLDS, fold, unfold, unfolding

NOW = ("--now", "2025-01-01T00:00")
UTC_CONFIG = SimpleNamespace(timezone="UTC")


def indexed(output: Path) -> dict[str, dict]:
    """Every page the index holds, by URL, with its shard (`shard`): Pagefind's fragments are gzip'd JSON
    behind a signature."""
    pages = {}
    for path in sorted((output / "pagefind").glob("*/fragment/*")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        page = json.loads(data)
        assert page["url"] not in pages  # in one shard only
        pages[page["url"]] = page | {"shard": path.parent.parent.name}
    return pages


def index_files(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class IndexerCalls:
    """Each run of the indexer (one shard): the URLs of the records it was given, in whichever process
    it ran. A forked worker cannot append to the test's list, so each run is a line of a file."""

    def __init__(self, log: Path):
        self.log = log

    def runs(self) -> list[frozenset[str]]:
        lines = self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []
        return [frozenset(json.loads(line)) for line in lines]

    def __len__(self) -> int:
        return len(self.runs())

    def __iter__(self):
        return iter(self.runs())

    def __eq__(self, other: object) -> bool:
        return self.runs() == list(other)

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def calls(monkeypatch, tmp_path: Path) -> IndexerCalls:
    seen = IndexerCalls(tmp_path / "indexer-calls.jsonl")
    real = search.run_indexer

    async def counting(records, folder):
        with seen.log.open("a", encoding="utf-8") as log:  # one short line, appended whole
            log.write(json.dumps(sorted(r.url for r in records)) + "\n")
        await real(records, folder)

    monkeypatch.setattr(search, "run_indexer", counting)
    return seen


# ---- folding ----


@pytest.mark.parametrize(
    "typed, written",
    [
        ("المسئولون", "المسؤولون"),  # hamza seats
        ("مستشفي", "مستشفى"),  # final yaa / alef maqsura
        ("المدرسه", "المدرسة"),  # haa / taa marbuta
        ("سؤال", "سءال"),
        ("فارسی", "فارسي"),  # a Persian keyboard's yeh
    ],
)
def test_spelling_variants_fold_to_one_form(typed, written):
    assert fold(typed) == fold(written)


def test_folding_keeps_every_character_in_place():
    text = "قال المسؤولون في مستشفى المدرسة: Tedros Ghebreyesus، ١٢ طالبًا مُعلِّمـــون."
    folded = fold(text)
    assert len(folded) == len(text)
    assert [i for i, (a, b) in enumerate(zip(text, folded, strict=True)) if a != b] == [
        i for i, ch in enumerate(text) if ch in FOLDS
    ]
    assert folded.split(" ") != text.split(" ") and len(folded.split(" ")) == len(text.split(" "))
    assert unfold(folded, unfolding(text)) == text  # the original, from the folded text and what changed
    assert unfold(fold("🙂 مستشفى"), unfolding("🙂 مستشفى")) == "🙂 مستشفى"  # positions in code points
    assert fold("Tedros Ghebreyesus ١٢ مُعلِّمـــون") == "Tedros Ghebreyesus ١٢ مُعلِّمـــون"  # the rest untouched


# ---- the built index ----

VARIANTS = """---
title: "المسؤولون يزورون مستشفى المدينة"
date: 2024-06-12T10:00:00
topics: [politics]
summary: "زيارة إلى المدرسة القديمة بعد ترميمها."
source:
  name: مصدر
---

قال Tedros Ghebreyesus إن المسؤولين تفقدوا المستشفى والمدرسة معًا.
"""


def test_the_index_holds_each_published_article_text_and_metadata(site: Path):
    (site / "content/articles/2024/06/variants.md").write_text(VARIANTS, encoding="utf-8")
    assert build(site, *NOW) == 0
    output = site / "output"
    pages = indexed(output)
    articles = {p.parent.name for p in (output / "articles").glob("*/index.html")}
    assert set(pages) == {f"articles/{slug}/" for slug in articles}
    page = pages["articles/variants/"]
    meta = page["meta"]
    assert meta["title"] == "المسؤولون يزورون مستشفى المدينة"
    assert page["content"] == fold(page["content"])  # indexed folded
    written = unfold(page["content"], meta["unfold"])  # and shown as written
    assert written.startswith("المسؤولون يزورون مستشفى المدينة زيارة إلى المدرسة القديمة")
    assert "Tedros Ghebreyesus" in written and meta["source"] == "مصدر"
    assert meta["date"] == "12 يونيو 2024، 10:00 ص" and meta["topics"] == "سياسة"
    assert page["filters"] == {"topic": ["سياسة"], "source": ["مصدر"]}
    # Only the article: no navigation, no footer, no list of other articles.
    assert "الأقسام" not in page["content"] and "RSS" not in page["content"]
    # Only the files the site's own search uses: not Pagefind's English UIs.
    names = set(index_files(output))
    shard = "2024-06"  # the fixture's articles, May and June 2024: the newest month a shard of its own
    assert {f"{shard}/{name}" for name in (*SCRIPTS, "pagefind-entry.json")} <= names
    assert not [n for n in names if "ui" in n or n.endswith(".css")]


def test_a_scheduled_article_is_not_in_the_index_until_its_time(site: Path):
    (site / "content/articles/2024/06/variants.md").write_text(
        VARIANTS.replace("2024-06-12T10:00:00", "2025-03-01T10:00:00"), encoding="utf-8"
    )
    assert build(site, *NOW) == 0
    assert "articles/variants/" not in indexed(site / "output")
    assert build(site, "--now", "2025-03-02T00:00") == 0
    assert "articles/variants/" in indexed(site / "output")


def test_two_builds_of_the_same_input_give_the_same_index_bytes(site: Path, tmp_path: Path):
    assert build(site, *NOW) == 0
    assert build(site, *NOW, "--no-cache", "--output", str(tmp_path / "again")) == 0
    first, second = index_files(site / "output"), index_files(tmp_path / "again")
    assert len(first) > 5 and first == second


def test_the_index_is_made_again_only_when_an_article_changes(site: Path, calls: IndexerCalls):
    assert build(site, *NOW) == 0
    assert len(calls) == 2  # May's shard and June's
    before = index_files(site / "output")
    style = site / "templates/static/style.css"  # a change the index does not hold: pages are made again
    style.write_text(style.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 2 and index_files(site / "output") == before
    (site / "content/articles/2024/06/changed.md").write_text(TEST_FRONT + "\nنص عن المسؤولين الجدد.\n", "utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 3  # June's again
    assert "articles/changed/" in indexed(site / "output")
    (site / "content/articles/2024/06/changed.md").write_text(TEST_FRONT + "\nنص آخر تمامًا.\n", "utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 4 and "آخر" in indexed(site / "output")["articles/changed/"]["content"]


def test_every_page_has_a_search_form_for_the_search_page(site: Path):
    assert build(site, *NOW, "--base-url", "https://example.org/nashra/") == 0
    output = site / "output"
    for path in ("index.html", "articles/visit/index.html", "archive/index.html", "search/index.html"):
        form = find(parse(output / path), "form", role="search")
        assert form is not None and form.get("action") == "/nashra/search/" and form.get("method") == "get", path
        field = find(form, "input", name="q")
        label = find(form, "label")
        assert field is not None and label is not None and label.get("for") == field.get("id")
        assert label.text == "ابحث في الأخبار"
    page = parse(output / "search/index.html")
    scripts = [s.get("src") for s in find_all(page, "script")]
    assert scripts == ["/nashra/static/search.js"]
    box = find(page, "section", id="search")
    assert box.get("data-pagefind") == "/nashra/pagefind/2024-06/pagefind.js"
    assert json.loads(box.get("data-shards")) == ["/nashra/pagefind/2024-06/", "/nashra/pagefind/2024-05/"]
    assert json.loads(box.get("data-folds")) == FOLDS
    article = parse(output / "articles/visit/index.html")
    assert not [s for s in find_all(article, "script") if s.get("src")]


# ---- the shards ----

SHARDED_NOW = ("--now", "2025-04-01T00:00")
SOURCES = "- slug: wire\n  name: وكالة الأنباء\n"
# file name -> date, in the site's timezone (Africa/Cairo) unless it says otherwise
SHARDED = {
    "old": "2023-03-10T09:00:00",
    "spring": "2024-05-01T09:00:00",
    "autumn": "2024-11-20T09:00:00",
    "new-year": "2024-12-31T23:30:00+00:00",  # 01:30 on 1 January 2025 in Cairo: January's shard
    "january": "2025-01-15T09:00:00",
    "february": "2025-02-10T09:00:00",
    "late-february": "2025-02-20T09:00:00",
    "march": "2025-03-05T09:00:00",
}
SHARD_LIMIT = 2  # articles a shard: months together from the oldest on while they fit, else a shard of their own
SHARDS = {
    "2023-03": {"old", "spring"},  # March 2023 and May 2024: 2 articles
    "2024-11": {"autumn"},  # a third would not fit: a new shard, which January's two would overfill
    "2025-01": {"new-year", "january"},
    "2025-02": {"february", "late-february"},
    "2025-03": {"march"},
}


def sharded_article(slug: str, date: str, body: str = "نص الخبر عن المستشفى الجديد.") -> str:
    return (
        f'---\ntitle: "خبر {slug}"\ndate: {date}\ntopics: [politics]\nsummary: "ملخص الخبر."\nsource: wire\n---\n\n'
        f"{body}\n"
    )


@pytest.fixture
def sharded(tmp_path: Path, monkeypatch) -> Path:
    """A site of its own articles over six months of three years, in shards of at most two articles."""
    monkeypatch.setattr(search, "SHARD_LIMIT", SHARD_LIMIT)
    root = make_site(tmp_path / "site")
    articles = root / "content/articles"
    shutil.rmtree(articles)
    for slug, date in SHARDED.items():
        write_article(root, slug, sharded_article(slug, date))
    (root / "content/sources.yml").write_text(SOURCES, encoding="utf-8")
    return root


def write_article(root: Path, slug: str, text: str) -> None:
    path = root / "content/articles" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def shard_files(output: Path) -> dict[str, dict[str, bytes]]:
    """Each shard's files, by shard."""
    files = index_files(output)
    return {s: {n: b for n, b in files.items() if n.startswith(f"{s}/")} for s in {n.split("/")[0] for n in files}}


def urls_of(*shards: str) -> frozenset[str]:
    return frozenset(f"articles/{slug}/" for s in shards for slug in SHARDS[s])


def test_the_index_is_split_into_runs_of_months_of_at_most_the_limit_from_the_oldest(sharded: Path, calls):
    assert build(sharded, *SHARDED_NOW, "--base-url", "https://example.org/nashra/") == 0
    pages = indexed(sharded / "output")
    assert {url: page["shard"] for url, page in pages.items()} == {
        f"articles/{slug}/": shard for shard, slugs in SHARDS.items() for slug in slugs
    }
    assert sorted(calls, key=sorted) == sorted((urls_of(s) for s in SHARDS), key=sorted)  # each shard once
    names = set(index_files(sharded / "output"))
    for shard in SHARDS:  # every shard an index of its own; Pagefind's script only in the newest, imported
        assert {f"{shard}/pagefind-entry.json"} <= names and any(n.startswith(f"{shard}/fragment/") for n in names)
        scripts = {f"{shard}/{n}" for n in ("pagefind.js", "pagefind-worker.js", "wasm.ar.pagefind")}
        assert scripts <= names if shard == "2025-03" else not scripts & names, shard
    box = find(parse(sharded / "output/search/index.html"), "section", id="search")
    assert box.get("data-pagefind") == "/nashra/pagefind/2025-03/pagefind.js"
    assert json.loads(box.get("data-shards")) == [f"/nashra/pagefind/{s}/" for s in sorted(SHARDS, reverse=True)]


def test_a_changed_body_or_a_new_article_indexes_its_shard_alone(sharded: Path, calls):
    assert build(sharded, *SHARDED_NOW) == 0
    before, cache = shard_files(sharded / "output"), sorted(sharded.glob(".nashra-cache/**/derived/search/*"))
    assert len(calls) == len(SHARDS) == len(cache)
    calls.clear()
    write_article(sharded, "spring", sharded_article("spring", SHARDED["spring"], "نص جديد عن الميناء."))
    assert build(sharded, *SHARDED_NOW) == 0
    assert calls == [urls_of("2023-03")]
    after = shard_files(sharded / "output")
    assert [s for s in SHARDS if after[s] != before[s]] == ["2023-03"]
    assert "الميناء" in indexed(sharded / "output")["articles/spring/"]["content"]
    calls.clear()
    write_article(sharded, "newest", sharded_article("newest", "2025-03-20T09:00:00"))
    assert build(sharded, *SHARDED_NOW) == 0
    assert calls == [urls_of("2025-03") | {"articles/newest/"}]
    assert indexed(sharded / "output")["articles/newest/"]["shard"] == "2025-03"
    assert [s for s in SHARDS if shard_files(sharded / "output")[s] != after[s]] == ["2025-03"]
    assert len(sorted(sharded.glob(".nashra-cache/**/derived/search/*"))) == len(SHARDS)  # the old entry pruned
    calls.clear()
    write_article(sharded, "newer", sharded_article("newer", "2025-03-25T09:00:00"))  # a month over the limit
    assert build(sharded, *SHARDED_NOW) == 0
    assert calls == [urls_of("2025-03") | {"articles/newest/", "articles/newer/"}]
    assert len(shard_files(sharded / "output")) == len(SHARDS)  # a month is never split


def test_a_new_article_that_would_overfill_the_last_shard_starts_one(sharded: Path, calls):
    write_article(sharded, "march-too", sharded_article("march-too", "2025-03-10T09:00:00"))
    assert build(sharded, "--now", "2025-05-01T00:00") == 0
    before = shard_files(sharded / "output")
    calls.clear()
    write_article(sharded, "april", sharded_article("april", "2025-04-10T09:00:00"))
    assert build(sharded, "--now", "2025-05-01T00:00") == 0
    assert calls == [frozenset({"articles/april/"})]
    after = shard_files(sharded / "output")
    index = lambda files: {n: b for n, b in files.items() if not n.endswith(SCRIPTS)}  # noqa: E731
    assert set(after) == set(before) | {"2025-04"} and all(index(after[s]) == index(before[s]) for s in before)
    assert set(after["2025-04"]) >= {f"2025-04/{name}" for name in SCRIPTS}  # the script: in the newest shard


SCRIPTS = ("pagefind.js", "pagefind-worker.js", "wasm.ar.pagefind")


def _body(root: Path) -> None:
    write_article(root, "autumn", sharded_article("autumn", SHARDED["autumn"], "نص آخر."))


def _title(root: Path) -> None:
    write_article(root, "autumn", sharded_article("autumn", SHARDED["autumn"]).replace("خبر autumn", "عنوان آخر"))


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return change


# What each change does to the records: the shards indexed again (all: None), and what one of them shows.
CHANGES = {
    "body": (_body, {"2024-11"}, lambda page: "آخر" in page["content"]),
    "title": (_title, {"2024-11"}, lambda page: page["meta"]["title"] == "عنوان آخر"),
    "topic name": (_replace("content/topics.yml", "name: سياسة", "name: شؤون سياسية"), None,
                   lambda page: page["filters"]["topic"] == ["شؤون سياسية"]),
    "source name": (_replace("content/sources.yml", "وكالة الأنباء", "وكالة أخرى"), None,
                    lambda page: page["meta"]["source"] == "وكالة أخرى"),
    "date format": (lambda root: (root / "site.yml").write_text(
        (root / "site.yml").read_text(encoding="utf-8") + "digits: arab\n", encoding="utf-8"), None,
        lambda page: "٢٠٢٤" in page["meta"]["date"]),
}  # fmt: skip


@pytest.mark.parametrize("kind", CHANGES)
def test_each_input_of_a_record_indexes_its_shard_again(sharded: Path, calls, kind):
    change, shards, shows = CHANGES[kind]
    assert build(sharded, *SHARDED_NOW) == 0
    calls.clear()
    change(sharded)
    assert build(sharded, *SHARDED_NOW) == 0
    assert sorted(calls, key=sorted) == sorted((urls_of(s) for s in shards or SHARDS), key=sorted), kind
    assert shows(indexed(sharded / "output")["articles/autumn/"]), kind


def test_a_template_change_indexes_nothing_again(sharded: Path, calls):
    assert build(sharded, *SHARDED_NOW) == 0
    before = index_files(sharded / "output")
    calls.clear()
    for name in ("article.html", "search.html"):
        template = sharded / "templates" / name
        template.write_text(template.read_text(encoding="utf-8") + "{# changed #}\n", encoding="utf-8")
    assert build(sharded, *SHARDED_NOW) == 0
    assert calls == [] and index_files(sharded / "output") == before


def test_the_sharded_index_is_the_same_bytes_made_again_from_scratch(sharded: Path, tmp_path: Path):
    assert build(sharded, *SHARDED_NOW) == 0
    write_article(sharded, "spring", sharded_article("spring", SHARDED["spring"], "نص جديد عن الميناء."))
    assert build(sharded, *SHARDED_NOW) == 0  # one shard made again, the others from the cache
    assert build(sharded, *SHARDED_NOW, "--no-cache", "--output", str(tmp_path / "again")) == 0
    first, second = index_files(sharded / "output"), index_files(tmp_path / "again")
    assert len(shard_files(sharded / "output")) == len(SHARDS) and first == second


def test_shards_are_indexed_each_in_a_forked_worker_which_makes_its_records(tmp_path: Path, monkeypatch):
    """The memory a shard's records and Pagefind's answers take goes with its worker, kept neither by the
    build nor by a worker that indexes the next shard."""
    if parallel.workers() < 2:
        pytest.skip("forked workers are used only with two cores or more")
    log = tmp_path / "pids"

    def note(event: str) -> None:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{event} {os.getpid()}\n")

    async def indexer(records, folder):
        note(f"indexed {records[0]}")
        (folder / "pagefind-entry.json").write_text("{}")

    monkeypatch.setattr(search, "run_indexer", indexer)
    jobs = {key * 32: (lambda key=key: note(f"made {key}") or (key,)) for key in "abc"}
    forked = parallel.forked_chunks
    made = search.index_shards(jobs, DerivedFiles(tmp_path, "search"))
    assert set(made) == set(jobs) and all((path / "pagefind-entry.json").is_file() for path in made.values())
    assert parallel.forked_chunks - forked == 3  # a shard a chunk
    pids = dict(line.rsplit(" ", 1) for line in log.read_text(encoding="utf-8").splitlines())
    assert len(pids) == 6 and str(os.getpid()) not in pids.values()
    assert all(pids[f"made {key}"] == pids[f"indexed {key}"] for key in "abc")  # made where it is indexed
    assert len({pids[f"indexed {key}"] for key in "abc"}) == 3  # each in a worker of its own, ended after it


def test_a_failure_in_a_fresh_worker_is_raised_in_the_build_and_no_worker_is_left(monkeypatch):
    if parallel.workers() < 2:
        pytest.skip("forked workers are used only with two cores or more")
    monkeypatch.setitem(parallel.SPREAD, "search", parallel.Spread(start_from=2, chunk=1, fresh=True))

    def make(item: str) -> int:
        if item == "b":
            raise ValueError(f"no index for {item}")
        return len(item)

    with pytest.raises(ValueError, match="no index for b"):
        list(parallel.make_in_forks(["a", "b", "c", "d"], make, kind="search"))
    assert multiprocessing.active_children() == []


def test_one_shard_is_indexed_in_the_builds_own_process(tmp_path: Path, monkeypatch):
    pids = []

    async def indexer(records, folder):
        pids.append(os.getpid())
        (folder / "pagefind-entry.json").write_text("{}")

    monkeypatch.setattr(search, "run_indexer", indexer)
    made = search.index_shards({"a" * 32: lambda: ("a",)}, DerivedFiles(tmp_path, "search"))
    assert pids == [os.getpid()] and (made["a" * 32] / "pagefind-entry.json").is_file()


def test_the_newest_month_is_a_shard_of_its_own_and_joins_the_grouping_when_the_next_one_starts(monkeypatch):
    monkeypatch.setattr(search, "SHARD_LIMIT", 3)

    def shards(*months: str) -> dict[str, int]:
        entries = [SimpleNamespace(date=datetime.fromisoformat(f"{m}-10T09:00:00+00:00")) for m in months]
        site = SimpleNamespace(entries=sorted(entries, key=lambda e: e.date, reverse=True), config=UTC_CONFIG)
        return {name: len(entries) for name, entries in search.search_shards(site).items()}

    assert shards("2025-01", "2025-02", "2025-03") == {"2025-01": 2, "2025-03": 1}  # all three would fit
    assert shards("2025-01", "2025-02", "2025-03", "2025-04") == {"2025-01": 3, "2025-04": 1}
    assert shards("2025-01", "2025-02", "2025-03", "2025-03", "2025-04") == {"2025-01": 2, "2025-03": 2, "2025-04": 1}
    assert shards("2025-04", "2025-04", "2025-04", "2025-04") == {"2025-04": 4}  # a month is never split
    assert shards() == {}


def test_a_busy_newest_month_has_its_newest_week_in_a_shard_of_its_own(monkeypatch):
    """Past WEEK_SPLIT articles in the newest month, its newest week (from Monday) is a shard named by
    that Monday, which sorts after every month (the newest shard holds the script search.js imports)."""
    monkeypatch.setattr(search, "WEEK_SPLIT", 3)

    def shards(*days: str, config=UTC_CONFIG) -> dict[str, int]:
        entries = [SimpleNamespace(date=datetime.fromisoformat(f"{d}T23:30:00+00:00")) for d in days]
        site = SimpleNamespace(entries=sorted(entries, key=lambda e: e.date, reverse=True), config=config)
        return {name: len(entries) for name, entries in search.search_shards(site).items()}

    # 2025-04-14 is a Monday: the 14th, 15th and 16th are the newest week; the 1st and 8th the month's shard.
    assert shards("2025-03-05", "2025-04-01", "2025-04-08", "2025-04-14", "2025-04-16") == {
        "2025-03": 1, "2025-04": 2, "2025-04-14": 2,
    }  # fmt: skip
    assert shards("2025-04-01", "2025-04-14", "2025-04-16") == {"2025-04": 3}  # not past the limit: one month
    # A week that starts in the month before takes its last days; the month before keeps the rest.
    week = shards("2025-04-20", "2025-04-29", "2025-05-01", "2025-05-01", "2025-05-02", "2025-05-02")
    assert week == {"2025-04": 1, "2025-04-28": 5} and max(week) == "2025-04-28"
    # By the day in the site's timezone: 23:30 UTC on Sunday 13 April is Monday 14 April in Cairo.
    days = ("2025-04-01", "2025-04-08", "2025-04-13", "2025-04-16")
    assert shards(*days, config=SimpleNamespace(timezone="Africa/Cairo")) == {"2025-04": 2, "2025-04-14": 2}
    assert shards(*days) == {"2025-04": 3, "2025-04-14": 1}
