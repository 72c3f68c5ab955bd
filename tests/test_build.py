"""The fixture site, built and read back with an HTML5 parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build, make_site
from htmltools import find, find_all, parse, text, with_class

BASE = "/nashra/"
PAGES = [
    "index.html",
    "page/2/index.html",
    "page/3/index.html",
    "articles/visit/index.html",
    "articles/budget/index.html",
    "articles/probe/index.html",
    "topics/index.html",
    "topics/politics/index.html",
    "topics/politics/page/2/index.html",
    "topics/politics/page/3/index.html",
    "topics/economy/index.html",
    "topics/science/index.html",
    "search/index.html",
    "404.html",
]
# One edition per day with articles (/editions/YYYY-MM-DD/), and their index, 2 per page.
EDITIONS = [
    *(f"editions/{day}/index.html" for day in ("2024-06-17", "2024-06-05", "2024-06-01", "2024-05-20", "2024-05-10")),
    "editions/2024-05-02/index.html",
    "editions/index.html",
    "editions/page/2/index.html",
    "editions/page/3/index.html",
]
# The date archives (by month, in Africa/Cairo; 2 per page) and a page per source name (no sources.yml:
# derived slugs, read/sources.derive_slug).
ARCHIVES = [
    "archive/index.html",
    "archive/2024/index.html",
    *(f"archive/2024/{m}/index.html" for m in ("05", "06")),
    *(f"archive/2024/{m}/page/2/index.html" for m in ("05", "06")),
]
SOURCES = [
    "sources/index.html",
    *(f"sources/{s}/index.html" for s in ("aswshytd-brs", "by-by-sy-rby", "msdr", "nature", "nywywrk-taymz", "rwytrz")),
]
OTHER_FILES = [
    "feed.xml",
    "topics/politics/feed.xml",
    "topics/economy/feed.xml",
    "topics/science/feed.xml",
    "sitemap.xml",
    "robots.txt",
    ".nojekyll",
    "static/style.css",
    "images/route.svg",
]


def all_pages(out: Path) -> list[Path]:
    """The web pages: not the editions' email.html, a mail body (tests/test_email.py)."""
    return sorted(p for p in out.rglob("*.html") if p.name != "email.html")


def executable_scripts(doc) -> list:
    """Script elements a browser would run: JSON-LD (type application/ld+json) is data, not code."""
    return [el for el in find_all(doc, "script") if el.get("type") != "application/ld+json"]


def test_every_url_of_the_map_exists(out: Path):
    for path in PAGES + OTHER_FILES:
        assert (out / path).is_file(), path
    assert not (out / "page/4").exists()
    assert not (out / "CNAME").exists()


def test_exactly_the_expected_pages_are_built(out: Path):
    assert sorted(p.relative_to(out).as_posix() for p in all_pages(out)) == sorted(
        [*PAGES, *EDITIONS, *ARCHIVES, *SOURCES, *(f"articles/{s}/index.html" for s in ("talks", "vote", "unsafe"))]
    )


def test_drafts_are_left_out_unless_asked(out: Path, tmp_path: Path):
    assert not (out / "articles/secret").exists()
    assert "secret" not in (out / "feed.xml").read_text(encoding="utf-8")
    root = make_site(tmp_path / "site")
    assert build(root, "--drafts") == 0
    assert (root / "output/articles/secret/index.html").is_file()


def test_every_page_is_rtl_arabic_with_the_common_head(out: Path):
    for path in all_pages(out):
        doc = parse(path)
        html = doc if doc.tag.endswith("html") else find(doc, "html")
        lang = "en" if path.parent.name == "probe" else "ar"
        assert html.get("lang") == lang, path
        assert html.get("dir") == ("ltr" if lang == "en" else "rtl"), path
        assert find(doc, "meta", charset="utf-8") is not None, path
        assert find(doc, "meta", name="viewport") is not None, path
        assert text(find(doc, "title")), path
        assert find(doc, "meta", name="description").get("content"), path
        feeds = [el for el in find_all(doc, "link") if el.get("type") == "application/rss+xml"]
        assert feeds and feeds[0].get("href") == "https://example.github.io/nashra/feed.xml", path
        if path.name != "404.html":
            canonical = find(doc, "link", rel="canonical").get("href")
            expected = "https://example.github.io/nashra/" + path.relative_to(out).as_posix().removesuffix("index.html")
            assert canonical == expected
        header = find_all(doc, "header")[0]
        assert text(find(header, "a")) == "نشرة الاختبار"
        nav = find(header, "nav")
        assert [a.get("href") for a in find_all(nav, "a")] == [
            BASE + "topics/politics/",
            BASE + "topics/economy/",
            BASE + "topics/science/",
            BASE + "topics/",
        ]
        assert find_all(doc, "footer"), path
        assert not executable_scripts(doc) or path == out / "search/index.html", path  # test_script_in_content_...


def test_english_article_keeps_arabic_chrome(out: Path):
    doc = parse(out / "articles/probe/index.html")
    header = with_class(doc, "header", "site-header")[0]
    assert (header.get("lang"), header.get("dir")) == ("ar", "rtl")
    footer = with_class(doc, "footer", "article-footer")[0]
    assert (footer.get("lang"), footer.get("dir")) == ("ar", "rtl")
    assert text(find(doc, "h1")) == "Space probe launched"


def test_article_page_has_every_part(out: Path):
    doc = parse(out / "articles/visit/index.html")
    article = find(doc, "article")
    labels = with_class(article, "ul", "topic-labels")[0]
    assert [(a.get("href"), text(a)) for a in find_all(labels, "a")] == [(BASE + "topics/politics/", "سياسة")]
    assert text(find(article, "h1")) == "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون"
    time = find(article, "time")
    assert time.get("datetime") == "2024-06-17T19:01:00+03:00"
    assert text(time) == "الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة"
    figure = find(article, "figure")
    assert find(figure, "img").get("src") == BASE + "images/route.svg"
    assert find(figure, "img").get("alt") == "خريطة رمزية لمسار الزيارة"
    assert text(find(figure, "figcaption")) == "مسار رمزي"
    source = with_class(article, "p", "source")[0]
    assert text(source).startswith("المصدر:")
    assert find(source, "a").get("href") == BASE + "sources/nywywrk-taymz/"  # the source's page
    assert text(find(source, "a")) == "نيويورك تايمز"
    report = find(source, "a", rel="external")
    assert (report.get("href"), text(report)) == ("https://www.nytimes.com/", "التقرير الأصلي")
    assert "هيئة التحرير" in text(with_class(article, "p", "curator")[0])
    assert find(with_class(article, "p", "print-link")[0], "a").get("href") == "#print"
    related = find(doc, "aside")
    assert text(find(related, "h2")) == "المزيد في سياسة"
    assert [a.get("href") for a in find_all(related, "a")] == [
        BASE + "articles/unsafe/",
        BASE + "articles/vote/",
        BASE + "articles/talks/",
        BASE + "articles/budget/",
    ]


def test_updated_time_is_shown_in_the_site_timezone(out: Path):
    doc = parse(out / "articles/budget/index.html")
    updated = with_class(doc, "p", "updated")[0]
    assert find(updated, "time").get("datetime") == "2024-05-03T10:00:00+02:00"
    assert text(find(updated, "time")) == "الجمعة 3 مايو 2024، 11:00 ص بتوقيت القاهرة"  # Cairo is +03:00 in May 2024


def test_body_links_and_images_resolve_to_site_urls(out: Path):
    body = with_class(parse(out / "articles/visit/index.html"), "div", "body")[0]
    assert [a.get("href") for a in find_all(body, "a")] == [BASE + "articles/budget/", BASE + "topics/economy/"]
    assert [img.get("src") for img in find_all(body, "img")] == [BASE + "images/route.svg"]
    for tag in ("ul", "blockquote", "table"):
        assert find_all(body, tag), tag


def test_home_lists_newest_first_with_pagination(out: Path):
    slugs = []
    for page in ("index.html", "page/2/index.html", "page/3/index.html"):
        doc = parse(out / page)
        for card in with_class(doc, "article", "card"):
            slugs.append(find(card, "h2").find(".//{http://www.w3.org/1999/xhtml}a").get("href"))
    assert slugs == [BASE + f"articles/{s}/" for s in ("visit", "unsafe", "probe", "vote", "talks", "budget")]
    page2 = parse(out / "page/2/index.html")
    nav = with_class(page2, "nav", "pagination")[0]
    assert nav.get("aria-label")
    assert find(nav, "a", rel="prev").get("href") == BASE
    assert find(nav, "a", rel="next").get("href") == BASE + "page/3/"
    assert find(page2, "link", rel="prev").get("href") == BASE
    assert "صفحة 2 من 3" in text(nav)


def test_card_shows_topic_headline_date_and_summary(out: Path):
    card = with_class(parse(out / "topics/economy/index.html"), "article", "card")[0]
    assert text(with_class(card, "ul", "topic-labels")[0]).split() == ["اقتصاد", "سياسة"]
    assert text(find(card, "h2")) == "موازنة جديدة"
    assert find(card, "time").get("datetime") == "2024-05-02T00:00:00+03:00"
    assert text(with_class(card, "p", "summary")[0]).startswith("الحكومة تعلن موازنة")


def test_topics_index_counts_articles_in_arabic(out: Path):
    doc = parse(out / "topics/index.html")
    items = find_all(with_class(doc, "ul", "topic-index")[0], "li")
    assert [text(find(li, "h2")) for li in items] == ["سياسة", "اقتصاد", "علوم"]
    counts = [text(with_class(li, "p", "meta")[0]).split(" · ")[0] for li in items]
    assert counts == ["5 أخبار", "خبر واحد", "خبر واحد"]


def test_404_uses_root_relative_links_that_work_at_any_depth(out: Path):
    doc = parse(out / "404.html")
    assert find(doc, "link", rel="stylesheet").get("href") == BASE + "static/style.css"
    for a in find_all(doc, "a"):
        href = a.get("href")
        assert href.startswith(("/nashra/", "https://", "#")), href
    assert find(doc, "meta", name="robots").get("content") == "noindex"


def test_script_in_content_never_becomes_an_element(out: Path):
    doc = parse(out / "articles/unsafe/index.html")
    assert not executable_scripts(doc)
    assert "<script>alert('title')</script>" in text(find(doc, "h1"))
    for el in doc.iter():
        for name, value in el.attrib.items():
            assert not name.startswith("on"), (el.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (el.tag, name, value)
    for page in all_pages(out):
        scripts = executable_scripts(parse(page))
        if page == out / "search/index.html":  # the one page that runs a script: ours, from static/
            assert [(el.get("type"), el.get("src")) for el in scripts] == [("module", BASE + "static/search.js")]
            continue
        for el in scripts:
            pytest.fail(f"script element in {page}: {text(el)}")


def test_sitemap_and_robots(out: Path):
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://example.github.io/nashra/" in locs
    assert "https://example.github.io/nashra/articles/visit/" in locs
    assert "https://example.github.io/nashra/topics/politics/page/3/" in locs
    assert "https://example.github.io/nashra/editions/2024-06-17/" in locs
    assert "https://example.github.io/nashra/archive/2024/06/page/2/" in locs
    assert "https://example.github.io/nashra/sources/nature/" in locs
    # every page but 404, 3 more articles
    assert len(locs) == len(set(locs)) == len(PAGES) - 1 + 3 + len(EDITIONS) + len(ARCHIVES) + len(SOURCES)
    robots = (out / "robots.txt").read_text()
    assert "Sitemap: https://example.github.io/nashra/sitemap.xml" in robots


def test_cname_is_written_and_becomes_the_host(site: Path):
    config = site / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "cname: news.example.org\n", encoding="utf-8")
    assert build(site) == 0
    assert (site / "output/CNAME").read_text() == "news.example.org\n"
    assert "<loc>https://news.example.org/articles/visit/</loc>" in (site / "output/sitemap.xml").read_text()
    doc = parse(site / "output/articles/visit/index.html")
    assert find(doc, "link", rel="stylesheet").get("href") == "/static/style.css"


def test_base_url_override_moves_every_link(site: Path):
    assert build(site, "--base-url", "https://example.org/") == 0
    doc = parse(site / "output/articles/visit/index.html")
    assert find(doc, "link", rel="canonical").get("href") == "https://example.org/articles/visit/"
    assert find(doc, "link", rel="stylesheet").get("href") == "/static/style.css"
    assert "/nashra/" not in (site / "output/index.html").read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(tmp_path: Path):
    trees = []
    for name in ("one", "two"):
        root = make_site(tmp_path / name)
        assert build(root) == 0
        out = root / "output"
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]


def test_rebuilding_replaces_the_whole_tree(site: Path):
    assert build(site) == 0
    (site / "content/articles/2024/05/talks.md").unlink()
    assert build(site) == 0
    assert not (site / "output/articles/talks").exists()
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def test_summary_line(site: Path, capsys):
    assert build(site) == 0
    line = capsys.readouterr().out.strip()
    # 120 files before the social cards (the search index in two shards), and a card for each of the 6 articles
    pattern = r"Built 45 pages \(126 files written, 0 reused\), 3 topics, 33 feeds, 6 articles into .+ in \d+\.\d\d s"
    assert re.fullmatch(pattern, line), line


def nav_links(out: Path, page: str) -> list[tuple[str, str, str | None]]:
    (nav,) = with_class(parse(out / page), "nav", "topic-nav")
    return [(text(a), a.get("href"), a.get("aria-current")) for a in find_all(nav, "a")]


def test_the_topic_navigation_marks_the_topic_shown(out: Path):
    politics = nav_links(out, "topics/politics/page/2/index.html")
    assert [href for _, href, _ in politics] == [
        f"{BASE}topics/politics/",
        f"{BASE}topics/economy/",
        f"{BASE}topics/science/",
        f"{BASE}topics/",
    ]
    assert [current for _, _, current in politics] == ["page", None, None, None]
    assert nav_links(out, "topics/science/index.html")[2][2] == "page"
    for page in ("index.html", "articles/visit/index.html", "topics/index.html", "404.html"):
        links = nav_links(out, page)
        assert [href for _, href, _ in links] == [href for _, href, _ in politics], page
        assert all(current is None for _, _, current in links), page
