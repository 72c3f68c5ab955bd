"""Feeds in three formats (RSS 2.0, Atom 1.0, JSON Feed 1.1), each item carrying what the page carries:
read with feedparser (RSS, Atom) and checked against a JSON Schema for JSON Feed 1.1 (tests/schemas/)."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import html5lib
import htmltools
import jsonschema
import pytest
from conftest import FIXTURES, build, make_site

HOST = "https://example.github.io/nashra/"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
SOURCES = ("aswshytd-brs", "by-by-sy-rby", "msdr", "nature", "nywywrk-taymz", "rwytrz")  # derived slugs
FOLDERS = ("", "topics/politics/", "topics/economy/", "topics/science/", "editions/")
FOLDERS += tuple(f"sources/{s}/" for s in SOURCES)


def rss_and_atom(out: Path, folder: str):
    feeds = []
    for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
        parsed = feedparser.parse((out / folder / name).read_bytes())
        assert parsed.bozo == 0, (folder + name, parsed.get("bozo_exception"))
        assert parsed.version == version
        feeds.append(parsed)
    return feeds


def json_feed(out: Path, folder: str) -> dict:
    doc = json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_every_rss_feed_has_an_atom_and_a_json_feed_beside_it(out: Path):
    found = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("feed.xml"))
    assert found == sorted(f.rstrip("/") or "." for f in FOLDERS)
    for folder in FOLDERS:
        rss, atom = rss_and_atom(out, folder)
        doc = json_feed(out, folder)
        ids = [e.id for e in rss.entries]
        assert ids and [e.id for e in atom.entries] == ids == [i["id"] for i in doc["items"]]
        assert [e.link for e in atom.entries] == [e.link for e in rss.entries] == [i["url"] for i in doc["items"]]
        assert atom.feed.title == rss.feed.title == doc["title"]
        assert [link.href for link in atom.feed.links if link.rel == "self"] == [HOST + folder + "atom.xml"]
        assert doc["feed_url"] == HOST + folder + "feed.json"
        assert doc["home_page_url"] == rss.feed.link == atom.feed.link


def test_the_json_feed_schema_refuses_what_the_specification_refuses(out: Path):
    doc = json_feed(out, "")
    for broken in (
        {**doc, "version": "https://jsonfeed.org/version/1"},
        {**doc, "items": [{k: v for k, v in doc["items"][0].items() if k != "content_html"}]},
        {**doc, "items": [{**doc["items"][0], "date_published": "17 June 2024"}]},
        {**doc, "homepage": HOST},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_items_start_with_the_lead_image_and_end_with_the_attribution_in_every_format(out: Path):
    rss, atom = rss_and_atom(out, "")
    doc = json_feed(out, "")
    size = (FIXTURES / "site/content/images/route.svg").stat().st_size
    bodies = [rss.entries[0].content[0].value, atom.entries[0].content[0].value, doc["items"][0]["content_html"]]
    for body in bodies:
        div = htmltools.find_all(html5lib.parseFragment(body, namespaceHTMLElements=True), "div")[0]
        children = list(div)
        first, last = children[0], children[-1]
        assert first.tag == htmltools.NS + "figure"
        img = htmltools.find_all(first, "img")[0]
        assert img.get("src") == HOST + "images/route.svg"
        assert img.get("alt") == "خريطة رمزية لمسار الزيارة"
        assert htmltools.text(htmltools.find_all(first, "figcaption")[0]) == "مسار رمزي"
        assert last.tag == htmltools.NS + "p" and htmltools.text(last) == "المصدر: نيويورك تايمز"
        assert [a.get("href") for a in htmltools.find_all(last, "a")] == ["https://www.nytimes.com/"]
    assert '<p class="source">المصدر: <a href="https://www.nytimes.com/">نيويورك تايمز</a></p>' in bodies[2]
    enclosure = {"href": HOST + "images/route.svg", "type": "image/svg+xml", "length": str(size)}
    assert [dict(e) for e in rss.entries[0].enclosures] == [enclosure]
    assert [dict(e) for e in atom.entries[0].enclosures] == [enclosure]
    assert doc["items"][0]["image"] == HOST + "images/route.svg"
    assert doc["items"][0]["attachments"] == [
        {"url": HOST + "images/route.svg", "mime_type": "image/svg+xml", "size_in_bytes": size}
    ]
    # An item without an image starts with its text, and still ends with the attribution.
    budget = json_feed(out, "topics/economy/")["items"][0]
    assert "<figure" not in budget["content_html"] and "image" not in budget
    assert budget["content_html"].endswith(
        '<p class="source">المصدر: <a href="https://www.reuters.com/">رويترز</a></p>\n</div>'
    )
    assert not rss_and_atom(out, "topics/economy/")[0].entries[0].get("enclosures")


def test_attribution_without_a_source_address_names_the_source_unlinked(tmp_path: Path):
    root = make_site(tmp_path / "site")
    site_yml = root / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("feed_items: 3", "feed_items: 20"), "utf-8")
    assert build(root) == 0
    items = {i["id"]: i for i in json_feed(root / "output", "")["items"]}
    talks = items["tag:nashra,2024-05-10:talks"]
    assert talks["content_html"].endswith('<p class="source">المصدر: أسوشيتد برس</p>\n</div>')
    assert "external_url" not in talks


def test_external_url_is_the_source_and_an_english_item_keeps_the_arabic_attribution(out: Path):
    items = {i["id"]: i for i in json_feed(out, "")["items"]}
    assert items["tag:nashra,2024-06-17:visit"]["external_url"] == "https://www.nytimes.com/"
    probe = items["tag:nashra,2024-06-01:probe"]
    assert probe["external_url"] == "https://www.nature.com/"
    assert probe["language"] == "en"
    assert probe["content_html"].startswith('<div dir="ltr" lang="en">')
    assert (
        '<p class="source" lang="ar" dir="rtl">المصدر: <a href="https://www.nature.com/">Nature</a></p>'
        in (probe["content_html"])
    )
    atom = rss_and_atom(out, "")[1]
    visit = atom.entries[0]
    assert [(link.rel, link.href) for link in visit.links if link.rel == "related"] == [
        ("related", "https://www.nytimes.com/")
    ]


def test_ids_stay_the_same_when_base_url_changes(tmp_path: Path):
    seen = []
    for name, url in (("a", HOST), ("b", "https://news.example.org/")):
        root = make_site(tmp_path / name)
        assert build(root, "--base-url", url) == 0
        out = root / "output"
        _, atom = rss_and_atom(out, "topics/politics/")
        doc = json_feed(out, "topics/politics/")
        seen.append((atom.feed.id, [e.id for e in atom.entries], [i["id"] for i in doc["items"]]))
        assert doc["items"][0]["url"].startswith(url)
    assert seen[0] == seen[1]
    assert seen[0][0] == "tag:nashra,2024:feeds/topics/politics/"


def alternates(page: Path) -> list[tuple[str, str, str]]:
    doc = htmltools.parse(page)
    return [
        (link.get("type"), link.get("href"), link.get("title"))
        for link in htmltools.find_all(doc, "link")
        if link.get("rel") == "alternate"
    ]


def test_pages_advertise_every_feed_format(out: Path):
    site = [
        ("application/rss+xml", HOST + "feed.xml", "نشرة الاختبار"),
        ("application/atom+xml", HOST + "atom.xml", "نشرة الاختبار"),
        ("application/feed+json", HOST + "feed.json", "نشرة الاختبار"),
    ]
    assert alternates(out / "index.html") == site
    assert alternates(out / "articles/visit/index.html") == site
    topic = [(kind, href.replace(HOST, HOST + "topics/economy/"), "نشرة الاختبار: اقتصاد") for kind, href, _ in site]
    assert alternates(out / "topics/economy/index.html") == site + topic
    for kind, href, _ in site + topic:
        assert (out / href.removeprefix(HOST)).is_file(), (kind, href)


def test_an_empty_topic_has_valid_feeds_with_a_fixed_date(tmp_path: Path):
    root = make_site(tmp_path / "site")
    with (root / "content/topics.yml").open("a", encoding="utf-8") as f:
        f.write("- slug: sports\n  name: رياضة\n  description: أخبار الرياضة.\n")
    assert build(root) == 0
    out = root / "output"
    _, atom = rss_and_atom(out, "topics/sports/")
    assert atom.entries == [] and atom.feed.updated == "2024-01-01T00:00:00+00:00"
    assert json_feed(out, "topics/sports/")["items"] == []
