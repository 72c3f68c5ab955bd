"""RSS 2.0 feeds, read with feedparser as subscribers' readers do."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import feedparser
import htmltools
from conftest import build, make_site

HOST = "https://example.github.io/nashra/"


def parse_feed(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    return feed


def test_site_feed_channel(out: Path):
    feed = parse_feed(out / "feed.xml")
    channel = feed.feed
    assert channel.title == "نشرة الاختبار"
    assert channel.link == HOST
    assert channel.language == "ar"
    assert channel.subtitle == "موقع صغير للاختبارات."
    self_links = [link.href for link in channel.links if link.rel == "self"]
    assert self_links == [HOST + "feed.xml"]
    # lastBuildDate comes from the newest item, never the clock
    raw = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<lastBuildDate>Mon, 17 Jun 2024 19:01:00 +0300</lastBuildDate>" in raw


def test_site_feed_items_newest_first_and_capped(out: Path):
    feed = parse_feed(out / "feed.xml")
    assert [e.link for e in feed.entries] == [
        HOST + "articles/visit/",
        HOST + "articles/unsafe/",
        HOST + "articles/probe/",
    ]


def test_item_elements(out: Path):
    item = parse_feed(out / "feed.xml").entries[0]
    assert item.title == "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون"
    assert item.id == "tag:nashra,2024-06-17:visit"
    assert item.guidislink is False
    assert item.published == "Mon, 17 Jun 2024 19:01:00 +0300"
    assert item.summary == "ملخص قصير للخبر الأول يكفي لقائمة الأخبار وللخلاصة."
    assert [t.term for t in item.tags] == ["سياسة"]
    assert item.author == "هيئة التحرير"  # from dc:creator
    content = item.content[0].value
    assert 'href="https://example.github.io/nashra/articles/budget/"' in content
    assert 'src="https://example.github.io/nashra/images/route.svg"' in content
    assert not re.search(r'(href|src)="/', content)


def test_raw_feed_uses_dc_creator_not_author(out: Path):
    root = ElementTree.parse(out / "feed.xml").getroot()
    item = root.find("channel/item")
    assert item.find("author") is None
    assert item.find("{http://purl.org/dc/elements/1.1/}creator").text == "هيئة التحرير"
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("{http://purl.org/rss/1.0/modules/content/}encoded") is not None


def test_topic_feeds(out: Path):
    feed = parse_feed(out / "topics/economy/feed.xml")
    assert feed.feed.title == "نشرة الاختبار: اقتصاد"
    assert feed.feed.link == HOST + "topics/economy/"
    assert [e.link for e in feed.entries] == [HOST + "articles/budget/"]
    politics = parse_feed(out / "topics/politics/feed.xml")
    assert len(politics.entries) == 3  # feed_items caps topic feeds too


def test_guid_survives_a_new_base_url(tmp_path: Path):
    guids = []
    for name, url in (("a", "https://example.github.io/nashra/"), ("b", "https://news.example.org/")):
        root = make_site(tmp_path / name)
        assert build(root, "--base-url", url) == 0
        guids.append([e.id for e in parse_feed(root / "output/feed.xml").entries])
    assert guids[0] == guids[1]


# ---- text fields carry text: what a contributor types is never read as markup ----

HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(1)>"


def hostile_site(tmp_path: Path) -> Path:
    """The fixture site with markup-like text in every field a feed carries as text."""
    root = make_site(tmp_path / "site")
    site_yml = root / "site.yml"
    site_yml.write_text(
        site_yml.read_text(encoding="utf-8").replace("موقع صغير للاختبارات.", f"'{HOSTILE}'"), encoding="utf-8"
    )
    topics = root / "content/topics.yml"
    topics.write_text(
        topics.read_text(encoding="utf-8")
        .replace("name: اقتصاد", "name: 'اقتصاد & <أعمال>'")
        .replace("description: أخبار الاقتصاد.", f"description: '{HOSTILE}'"),
        encoding="utf-8",
    )
    budget = root / "content/articles/2024/05/budget.md"
    text = budget.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    lines = [line for line in head.splitlines() if not line.startswith(("title:", "summary:", "author:"))]
    lines += [
        f"title: '{HOSTILE} عنوان'",
        f"summary: 'ملخص فيه {HOSTILE} وما يكفي من النص للقائمة.'",
        f"author: '{HOSTILE}'",
    ]
    budget.write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    assert build(root) == 0
    return root / "output"


def text_of(value: str, detail) -> str:
    """What a reader shows for a feedparser value: plain text as is, HTML (sanitised) as the text it renders."""
    if detail.type == "text/plain":
        return value
    assert detail.type == "text/html"
    assert "<" not in re.sub(r"</?bdi>", "", value), f"markup reached the reader: {value!r}"
    return html.unescape(re.sub(r"</?bdi>", "", value))


def test_topic_description_and_every_text_field_reach_readers_as_text(tmp_path: Path):
    out = hostile_site(tmp_path)
    feed = parse_feed(out / "topics/economy/feed.xml")
    channel = feed.feed
    assert text_of(channel.subtitle, channel.subtitle_detail) == HOSTILE
    assert text_of(channel.title, channel.title_detail) == "نشرة الاختبار: اقتصاد & <أعمال>"
    (item,) = feed.entries
    assert text_of(item.title, item.title_detail) == f"{HOSTILE} عنوان"
    assert text_of(item.summary, item.summary_detail) == f"ملخص فيه {HOSTILE} وما يكفي من النص للقائمة."
    assert item.author == HOSTILE
    assert [t.term for t in item.tags] == ["اقتصاد & <أعمال>", "سياسة"]
    site_feed = parse_feed(out / "feed.xml")
    assert text_of(site_feed.feed.subtitle, site_feed.feed.subtitle_detail) == HOSTILE


def test_feed_descriptions_are_escaped_html_in_the_raw_xml(tmp_path: Path):
    out = hostile_site(tmp_path)
    channel = ElementTree.parse(out / "topics/economy/feed.xml").getroot().find("channel")
    # The XML text of a description is HTML: the contributor's text, escaped once more.
    assert channel.find("description").text == html.escape(HOSTILE, quote=False)
    item = channel.find("item")
    assert html.unescape(re.sub(r"</?bdi>", "", item.find("description").text)) == (
        f"ملخص فيه {HOSTILE} وما يكفي من النص للقائمة."
    )
    assert "<script" not in item.find("description").text
    # Plain text elements hold the text itself.
    assert item.find("title").text == f"{HOSTILE} عنوان"
    assert [c.text for c in item.findall("category")] == ["اقتصاد & <أعمال>", "سياسة"]
    assert item.find("{http://purl.org/dc/elements/1.1/}creator").text == HOSTILE


# ---- the pages themselves, read as a feed ----


def html5_feed_items(page: Path, page_url: str) -> list[tuple[str, str]] | None:
    """(link, title) of each item a reader that takes a page's <article>s as a feed finds, as Liferea does:
    a feed when 3 or more <article>s hold a heading; each item's link is its article's first `a[href]`,
    its title the first heading's text (h1 first, then h2, ...). None when the page is not such a feed."""
    doc = htmltools.parse(page)
    body = htmltools.find_all(doc, "body")[0]
    articles = htmltools.find_all(body, "article")
    headings = ("h1", "h2", "h3", "h4", "h5")
    if sum(1 for a in articles if any(htmltools.find_all(a, h) for h in headings)) < 3:
        return None
    items = []
    for article in articles:
        link = next((a.get("href") for a in htmltools.find_all(article, "a") if a.get("href") is not None), None)
        heading = next((found[0] for h in headings if (found := htmltools.find_all(article, h))), None)
        if link is not None and heading is not None:
            items.append((urljoin(page_url, link), " ".join(htmltools.text(heading).split())))
    return items


def test_card_pages_read_as_an_html5_feed_list_the_articles(tmp_path: Path):
    root = make_site(tmp_path / "site")
    site_yml = root / "site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("per_page: 2", "per_page: 10"), encoding="utf-8")
    assert build(root) == 0
    out = root / "output"
    article_url = re.compile(re.escape(HOST) + r"articles/[^/]+/$")
    read = 0
    for page in sorted(out.rglob("*.html")):
        page_url = HOST + page.relative_to(out).as_posix()
        items = html5_feed_items(page, page_url)
        if items is None:
            continue
        read += 1
        for link, title in items:
            assert article_url.match(link), f"{page_url}: an item links to {link}"
            h1 = htmltools.find_all(htmltools.parse(out / link.removeprefix(HOST) / "index.html"), "h1")[0]
            assert title == " ".join(htmltools.text(h1).split()), link
    assert read >= 2  # the home page and the politics topic at least


def test_every_card_links_to_its_article_first(out: Path):
    pages = [out / "index.html", out / "page/2/index.html", out / "topics/politics/index.html", out / "404.html"]
    cards = 0
    for page in pages:
        for card in htmltools.with_class(htmltools.parse(page), "article", "card"):
            links = [a.get("href") for a in htmltools.find_all(card, "a") if a.get("href") is not None]
            title_link = htmltools.find_all(htmltools.with_class(card, "h2", "card-title")[0], "a")[0]
            assert links[0] == title_link.get("href"), page
            assert "/articles/" in links[0]
            cards += 1
    assert cards >= 5
