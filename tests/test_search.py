"""The search index (render/search.py): what it holds, read back from Pagefind's own files in output/pagefind/,
that it is the same bytes for the same input, and that it is made again only when what it holds changes.
In the browser: tests/test_search_browser.py."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import TEST_FRONT, build
from htmltools import find, find_all, parse

from nashra.render import search
from nashra.render.search import FOLDS, fold, unfold, unfolding

NOW = ("--now", "2025-01-01T00:00")


def indexed(output: Path) -> dict[str, dict]:
    """Every page the index holds, by URL: Pagefind's fragments are gzip'd JSON behind a signature."""
    pages = {}
    for path in (output / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        page = json.loads(data)
        pages[page["url"]] = page
    return pages


def index_files(output: Path) -> dict[str, bytes]:
    folder = output / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def calls(monkeypatch) -> list[int]:
    """How many times the indexer runs, and with how many records."""
    seen: list[int] = []
    real = search.run_indexer

    async def counting(records, folder):
        seen.append(len(records))
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
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.ar.pagefind"} <= names
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


def test_the_index_is_made_again_only_when_an_article_changes(site: Path, calls: list[int]):
    assert build(site, *NOW) == 0
    assert len(calls) == 1
    before = index_files(site / "output")
    style = site / "templates/static/style.css"  # a change the index does not hold: pages are made again
    style.write_text(style.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 1 and index_files(site / "output") == before
    (site / "content/articles/2024/06/changed.md").write_text(TEST_FRONT + "\nنص عن المسؤولين الجدد.\n", "utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 2
    assert "articles/changed/" in indexed(site / "output")
    (site / "content/articles/2024/06/changed.md").write_text(TEST_FRONT + "\nنص آخر تمامًا.\n", "utf-8")
    assert build(site, *NOW) == 0
    assert len(calls) == 3 and "آخر" in indexed(site / "output")["articles/changed/"]["content"]


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
    assert box.get("data-pagefind") == "/nashra/pagefind/pagefind.js"
    assert json.loads(box.get("data-folds")) == FOLDS
    article = parse(output / "articles/visit/index.html")
    assert not [s for s in find_all(article, "script") if s.get("src")]
