"""The Google News sitemap (issue 15): news-sitemap.xml holds exactly the articles of the 48 hours before
the build's `now`, newest first, at most 1,000, and robots.txt names it."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, build
from lxml import etree

from nashra.render.news import NEWS_MAX, news_entries

sys.path.insert(0, str(ROOT / "tools"))
from tree_hash import tree_hash

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
BASE = "https://example.github.io/nashra/"
# The fixture site's articles in Cairo (UTC+3): visit 2024-06-17T19:01, probe 06-01T09:00, unsafe 06-05T10:00.
# Added here: `edge` exactly 48 hours before NOW, `older` one minute more, `later` one minute after NOW.
NOW = "2024-06-19T12:00:00+03:00"
ADDED = {
    "edge": "2024-06-17T12:00:00+03:00",
    "older": "2024-06-17T11:59:00+03:00",
    "later": "2024-06-19T12:01:00+03:00",
    "recent": "2024-06-19T11:59:59+03:00",
}


def article(slug: str, date: str) -> str:
    return f"""---
title: خبر {slug} & <شيء>
date: {date}
topics: [politics]
summary: ملخص قصير للخبر يكفي لقائمة الأخبار وللخلاصة في الموقع.
source:
  name: مصدر
---

نص الخبر.
"""


@pytest.fixture
def news_site(site: Path) -> Path:
    for slug, date in ADDED.items():
        (site / f"content/articles/2024/06/{slug}.md").write_text(article(slug, date), encoding="utf-8")
    return site


def read_news(output: Path) -> list[dict]:
    doc = etree.parse(str(output / "news-sitemap.xml"))
    assert doc.getroot().tag == f"{{{NS['s']}}}urlset"
    found = []
    for url in doc.getroot().findall("s:url", NS):
        found.append(
            {
                "loc": url.findtext("s:loc", namespaces=NS),
                "name": url.findtext("news:news/news:publication/news:name", namespaces=NS),
                "language": url.findtext("news:news/news:publication/news:language", namespaces=NS),
                "date": url.findtext("news:news/news:publication_date", namespaces=NS),
                "title": url.findtext("news:news/news:title", namespaces=NS),
            }
        )
    return found


def test_the_news_sitemap_holds_exactly_the_last_48_hours(news_site: Path):
    assert build(news_site, "--now", NOW, "--future") == 0  # `later` is built, but is not news before its time
    found = read_news(news_site / "output")
    assert [f["loc"] for f in found] == [BASE + f"articles/{s}/" for s in ("recent", "visit", "edge")]
    assert {f["name"] for f in found} == {"نشرة الاختبار"} and {f["language"] for f in found} == {"ar"}
    assert found[0]["title"] == "خبر recent & <شيء>"
    assert found[0]["date"] == "2024-06-19T11:59:59+03:00"
    for f in found:
        datetime.fromisoformat(f["date"])  # W3C datetime, with its offset
        assert f["date"][-6] in "+-"


def test_the_news_sitemap_follows_the_clock_with_the_cache(news_site: Path, tmp_path: Path):
    """Same files, a later `now`: `edge` and `visit` leave the window, `later` enters it; the cached build
    equals a cold one."""
    assert build(news_site, "--now", NOW) == 0
    assert build(news_site, "--now", "2024-06-19T12:01:00+03:00") == 0
    assert [f["loc"].rsplit("/", 2)[1] for f in read_news(news_site / "output")] == ["later", "recent", "visit"]
    assert build(news_site, "--now", "2024-06-19T19:01:01+03:00") == 0  # visit: 48 hours and a second ago
    assert [f["loc"].rsplit("/", 2)[1] for f in read_news(news_site / "output")] == ["later", "recent"]
    cold = shutil.copytree(news_site, tmp_path / "cold", ignore=shutil.ignore_patterns("output", ".nashra-cache"))
    assert build(cold, "--now", "2024-06-19T19:01:01+03:00", "--no-cache") == 0
    assert tree_hash(news_site / "output") == tree_hash(cold / "output")


@pytest.mark.parametrize(("base_url", "path"), [(BASE, "/nashra/"), ("https://example.github.io/", "/")])
def test_robots_txt_names_both_sitemaps_by_absolute_url(site: Path, base_url: str, path: str):
    assert build(site, "--base-url", base_url) == 0
    robots = (site / "output/robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: https://example.github.io{path}sitemap.xml" in robots
    assert f"Sitemap: https://example.github.io{path}news-sitemap.xml" in robots
    assert read_news(site / "output") == []  # the fixture's articles are two years old: an empty urlset


def test_the_news_sitemap_lists_at_most_1000_newest_first(fixture_site: Path):
    from nashra.model import Scope
    from nashra.read.config import load_config
    from nashra.read.content import read_content
    from nashra.site import build_site

    config = load_config(fixture_site)
    content, _ = read_content(fixture_site, config)
    now = datetime.fromisoformat(NOW)
    site = build_site(config, content, Scope(now), {a.path: 100 for a in content.articles})
    many = tuple(replace(site.entries[0], slug=f"a{i}", date=now - timedelta(seconds=i)) for i in range(NEWS_MAX + 5))
    chosen = news_entries(replace(site, entries=many), now)
    assert len(chosen) == NEWS_MAX and chosen[0].slug == "a0" and chosen[-1].slug == f"a{NEWS_MAX - 1}"
