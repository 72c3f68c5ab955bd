"""Sources: content/sources.yml (or derived slugs without it), /sources/ and /sources/<slug>/ with their feeds.

Sites are built from the fixture site into tmp_path; pages read with html5lib, feeds with feedparser and
JSON Feed against tests/schemas; `check` and the build report the same problems."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest
from conftest import build, make_site
from htmltools import find, find_all, parse, text, with_class

from nashra.cli import main
from nashra.commands.check import check_site
from nashra.pipeline import run_build
from nashra.problems import ContentError
from nashra.read.sources import derive_slug, derived_slugs, parse_sources, sort_key

BASE = "/nashra/"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
REGISTRY = """\
- slug: nyt
  name: نيويورك تايمز
  url: https://www.nytimes.com/
  country: US
  language: en
- slug: ap
  name: أسوشيتد برس
  url: https://apnews.com/
- slug: reuters
  name: رويترز
- slug: bbc-arabic
  name: بي بي سي عربي
- slug: nature
  name: Nature
- slug: local
  name: مصدر
"""


def registered(tmp_path: Path, registry: str = REGISTRY) -> Path:
    root = make_site(tmp_path / "site")
    (root / "content/sources.yml").write_text(registry, encoding="utf-8")
    return root


def problems_of(root: Path, capsys) -> tuple[list[str], list[str]]:
    """`check`'s errors and the build's, as `path:line: message [code]`; and both commands fail."""
    checked = [p for p in check_site(root).problems if p.severity == "error"]
    with pytest.raises(ContentError) as raised:
        run_build(root, root / "output", use_cache=False)
    built = sorted(p for p in raised.value.problems if p.severity == "error")
    assert main(["check", "--root", str(root)]) == 1 and build(root, "--no-cache") == 1
    printed = capsys.readouterr().err
    assert "Traceback" not in printed
    assert all(f"{p.path}:{p.line}: {p.message}" in printed for p in built)  # as the build prints them
    line = lambda p: f"{p.path}:{p.line}: {p.message} [{p.code}]"  # noqa: E731
    return [line(p) for p in checked], [line(p) for p in built]


# ---- sources.yml ----

YML = "content/sources.yml"
BROKEN = {  # sources.yml -> the start of its first problem's line
    "duplicate slug": ("- slug: nyt\n  name: أ\n- slug: nyt\n  name: ب\n",
                       f"{YML}:3: source slug 'nyt' is used twice (first on line 1) [NSH136]"),
    "duplicate name": ("- slug: a\n  name: أ\n- slug: b\n  name: أ\n",
                       f"{YML}:4: source name 'أ' is used twice (first on line 2) [NSH136]"),
    "missing name": ("- slug: nyt\n  url: https://www.nytimes.com/\n",
                     f"{YML}:1: missing required key 'name' in a source [NSH102]"),
    "unknown key": ("- slug: nyt\n  name: أ\n  site: https://www.nytimes.com/\n",
                    f"{YML}:3: unknown key 'site' in a source [NSH101]"),
    "yaml error": ("- slug: nyt\n  name: [أ\n", f"{YML}:3: YAML syntax error"),
    "bad slug": ("- slug: New_York\n  name: أ\n", f"{YML}:1: source slug 'New_York' is not valid [NSH135]"),
    "bad url": ("- slug: nyt\n  name: أ\n  url: nytimes.com\n",
                f"{YML}:3: url 'nytimes.com' must be an absolute http:// or https:// address [NSH109]"),
    "bad country": ("- slug: nyt\n  name: أ\n  country: USA\n", f"{YML}:3: unknown country code 'USA' [NSH137]"),
    "not a list": ("nyt: نيويورك تايمز\n", f"{YML}:1: sources.yml must be a list of sources"),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_bad_sources_yml_is_reported_at_its_line_by_check_and_build(tmp_path: Path, capsys, case: str):
    text_, expected = BROKEN[case]
    checked, built = problems_of(registered(tmp_path, text_), capsys)
    assert checked == built
    assert checked[0].startswith(expected)
    assert all(line.startswith("content/sources.yml") for line in checked)  # no echo in every article


def test_unknown_source_name_suggests_the_nearest_registered_name(tmp_path: Path, capsys):
    root = registered(tmp_path)
    visit = root / "content/articles/2024/06/visit.md"
    visit.write_text(visit.read_text(encoding="utf-8").replace("نيويورك تايمز", "نيويورك تيمز"), encoding="utf-8")
    checked, built = problems_of(root, capsys)
    assert checked == built == ["content/articles/2024/06/visit.md:6: unknown source 'نيويورك تيمز' [NSH131]"]
    found = check_site(root).problems
    assert [(p.code, p.hint) for p in found if p.severity == "error"] == [
        ("NSH131", "did you mean 'نيويورك تايمز'? Sources are listed in content/sources.yml.")
    ]


def test_source_slug_shorthand_takes_the_registered_name_and_unknown_slugs_are_reported(tmp_path: Path, capsys):
    root = registered(tmp_path)
    probe = root / "content/articles/2024/06/probe.md"
    body = probe.read_text(encoding="utf-8")
    start = body.index("source:")
    end = body.index("\n", body.index("url:", start))
    probe.write_text(body[:start] + "source: nature" + body[end:], encoding="utf-8")
    assert build(root, "--no-cache") == 0
    source = with_class(find(parse(root / "output/articles/probe/index.html"), "article"), "p", "source")[0]
    assert [(a.get("href"), text(a)) for a in find_all(source, "a")] == [(BASE + "sources/nature/", "Nature")]
    probe.write_text(body[:start] + "source: natur" + body[end:], encoding="utf-8")
    checked, built = problems_of(root, capsys)
    assert checked == built == ["content/articles/2024/06/probe.md:6: unknown source slug 'natur' [NSH132]"]
    (root / "content/sources.yml").unlink()
    checked, built = problems_of(root, capsys)
    assert checked == built
    assert checked[0].startswith("content/articles/2024/06/probe.md:6: 'source: natur' names a source by its slug")


def test_parse_sources_keeps_every_field():
    outlets, problems = parse_sources(REGISTRY)
    assert problems == []
    assert outlets[0].slug == "nyt" and outlets[0].url == "https://www.nytimes.com/"
    assert (outlets[0].country, outlets[0].language) == ("US", "en")


# ---- derived slugs ----


def test_derived_slugs_are_stable_latin_and_resolve_collisions_by_first_appearance():
    assert derive_slug("رويترز") == "rwytrz"
    assert derive_slug("الجزيرة نت") == "al-jzyra-nt"
    assert derive_slug("Le Monde") == "le-monde"
    assert derive_slug("الشرق الأوسط") == derive_slug("الشرق  الأوسط")
    assert derive_slug("★").startswith("source-")
    old, new = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    # ص and س are both "s": the same slug; the outlet cited first keeps it.
    first = derived_slugs({"صباح": old})
    later = derived_slugs({"سباح": new, "صباح": old})
    assert first["صباح"] == later["صباح"] == "sbah"
    assert later["سباح"].startswith("sbah-") and later["سباح"] != "sbah"
    assert derived_slugs({"صباح": old, "سباح": new}) == later  # order of the mapping is irrelevant


def test_without_sources_yml_every_source_name_gets_a_page_at_its_derived_slug(out: Path):
    index = parse(out / "sources/index.html")
    names = [text(find(li, "a")) for li in find_all(find(index, "ul", **{"class": "topic-index source-index"}), "li")]
    assert names == sorted(names, key=sort_key)
    assert (out / "sources/nywywrk-taymz/index.html").is_file()
    source = with_class(find(parse(out / "articles/visit/index.html"), "article"), "p", "source")[0]
    assert find(source, "a").get("href") == BASE + "sources/nywywrk-taymz/"


# ---- /sources/ and /sources/<slug>/ ----


def test_sources_index_lists_every_outlet_with_its_count_in_arabic_alphabetical_order(tmp_path: Path):
    root = registered(tmp_path)
    assert build(root, "--no-cache") == 0
    doc = parse(root / "output/sources/index.html")
    rows = [
        (find(li, "a").get("href"), text(find(li, "a")), text(with_class(li, "p", "meta")[0]).split(" · ")[0])
        for li in find_all(find(doc, "ul", **{"class": "topic-index source-index"}), "li")
    ]
    # أسوشيتد (ا), بي بي سي (ب), رويترز (ر), مصدر (م), نيويورك (ن), then Latin names.
    assert rows == [
        (BASE + "sources/ap/", "أسوشيتد برس", "خبر واحد"),
        (BASE + "sources/bbc-arabic/", "بي بي سي عربي", "خبر واحد"),
        (BASE + "sources/reuters/", "رويترز", "خبر واحد"),
        (BASE + "sources/local/", "مصدر", "خبر واحد"),  # the other is a draft
        (BASE + "sources/nyt/", "نيويورك تايمز", "خبر واحد"),
        (BASE + "sources/nature/", "Nature", "خبر واحد"),
    ]
    assert "الولايات المتحدة" in text(with_class(find_all(doc, "li")[-2], "p", "meta")[0])


def test_arabic_order_folds_hamza_seats_and_ta_marbuta_and_ignores_the_article():
    names = ["الغارديان", "أمل", "Nature", "بي بي سي", "ابتسام", "الجزيرة", "آراء", "مؤتمر", "موجز", "قمة", "قمر"]
    # آراء and أمل sort as اراء and امل, after ابتسام (ب before ر and م), though آ and أ come before ا in
    # Unicode; مؤتمر as موتمر, before موجز; قمة as قمه, after قمر (ة comes before ر in Unicode).
    assert sorted(names, key=sort_key) == [
        "ابتسام", "آراء", "أمل", "بي بي سي", "الجزيرة", "الغارديان", "قمر", "قمة", "مؤتمر", "موجز", "Nature"
    ]  # fmt: skip


def test_source_page_lists_its_articles_newest_first_paginated_and_advertises_its_feeds(tmp_path: Path):
    root = make_site(tmp_path / "site")
    for day in ("01", "02", "03"):
        front = (root / "content/articles/2024/06/visit.md").read_text(encoding="utf-8")
        front = front.replace("2024-06-17T19:01:00", f"2024-06-{day}T08:00:00").replace(
            "slug: visit", f"slug: nyt-{day}"
        )
        (root / f"content/articles/2024/06/nyt-{day}.md").write_text(front, encoding="utf-8")
    assert build(root, "--no-cache") == 0
    out = root / "output/sources/nywywrk-taymz"
    cards = lambda p: [find(c, "a").get("href") for c in with_class(parse(p), "article", "card")]  # noqa: E731
    assert cards(out / "index.html") == [BASE + "articles/visit/", BASE + "articles/nyt-03/"]
    assert cards(out / "page/2/index.html") == [BASE + "articles/nyt-02/", BASE + "articles/nyt-01/"]
    doc = parse(out / "index.html")
    assert text(find(doc, "h1")) == "نيويورك تايمز"
    host = "https://example.github.io/nashra/sources/nywywrk-taymz/"
    feeds = {(link.get("type"), link.get("href")) for link in find_all(doc, "link") if link.get("rel") == "alternate"}
    assert {("application/rss+xml", host + "feed.xml"), ("application/atom+xml", host + "atom.xml"),
            ("application/feed+json", host + "feed.json")} <= feeds  # fmt: skip
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        links = [e.link for e in parsed.entries][:2]
        assert links == [
            "https://example.github.io/nashra/articles/visit/",
            "https://example.github.io/nashra/articles/nyt-03/",
        ]
    doc = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert doc["home_page_url"] == host and len(doc["items"]) == 3  # feed_items: 3
    assert all(item["external_url"] == "https://www.nytimes.com/" for item in doc["items"])


def test_article_links_its_source_page_beside_the_original_report(tmp_path: Path):
    root = registered(tmp_path)
    assert build(root, "--no-cache") == 0
    source = with_class(find(parse(root / "output/articles/visit/index.html"), "article"), "p", "source")[0]
    links = [(a.get("href"), a.get("rel"), text(a)) for a in find_all(source, "a")]
    assert links == [
        (BASE + "sources/nyt/", None, "نيويورك تايمز"),
        ("https://www.nytimes.com/", "external", "التقرير الأصلي"),
    ]


# ---- incremental ----


def test_a_change_to_sources_yml_reaches_every_page_through_the_cache(tmp_path: Path):
    root = registered(tmp_path)
    probe = root / "content/articles/2024/06/probe.md"
    body = probe.read_text(encoding="utf-8")
    start = body.index("source:")
    end = body.index("\n", body.index("url:", start))
    probe.write_text(body[:start] + "source: nature" + body[end:], encoding="utf-8")
    assert build(root) == 0
    registry = root / "content/sources.yml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("name: Nature", "name: Nature (journal)"), encoding="utf-8"
    )
    assert build(root) == 0
    out = root / "output"
    source = with_class(find(parse(out / "articles/probe/index.html"), "article"), "p", "source")[0]
    assert text(find(source, "a")) == "Nature (journal)"
    assert "Nature (journal)" in text(find(parse(out / "sources/index.html"), "main"))
    card = [
        c
        for c in with_class(parse(out / "topics/science/index.html"), "article", "card")
        if "probe" in find(c, "a").get("href")
    ]
    assert text(with_class(card[0], "bdi", "source-name")[0]) == "Nature (journal)"
