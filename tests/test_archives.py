"""Date archives (/archive/, /archive/YYYY/, /archive/YYYY/MM/): built from the fixture site into tmp_path
and read back with an HTML5 parser (html5lib), as a reader's browser would."""

from __future__ import annotations

from pathlib import Path

from conftest import TEST_FRONT, build, make_site
from htmltools import find, find_all, parse, text, with_class

BASE = "/nashra/"


def periods(path: Path) -> list[tuple[str, str, str]]:
    """(link, name, count line) of every year or month an archive page lists."""
    doc = parse(path)
    found = []
    for item in find_all(with_class(doc, "ul", "archive-index")[0], "li"):
        link = find(item, "a")
        found.append((link.get("href"), text(link), text(with_class(item, "p", "meta")[0])))
    return found


def card_links(path: Path) -> list[str]:
    return [find(card, "a").get("href") for card in with_class(parse(path), "article", "card")]


def test_archive_lists_years_then_months_with_their_counts(out: Path):
    assert periods(out / "archive/index.html") == [(BASE + "archive/2024/", "2024", "6 أخبار")]
    assert periods(out / "archive/2024/index.html") == [
        (BASE + "archive/2024/06/", "يونيو 2024", "3 أخبار"),  # the draft is left out
        (BASE + "archive/2024/05/", "مايو 2024", "3 أخبار"),
    ]
    doc = parse(out / "archive/2024/06/index.html")
    assert text(find(doc, "h1")) == "أرشيف يونيو 2024"
    nav = [(a.get("href"), text(a)) for a in find_all(with_class(doc, "nav", "page-links")[0], "a")]
    assert nav == [(BASE + "archive/2024/", "كل أشهر 2024"), (BASE + "archive/", "كل السنوات")]


def test_month_pages_list_newest_first_and_paginate_by_per_page(out: Path):
    first = out / "archive/2024/06/index.html"
    second = out / "archive/2024/06/page/2/index.html"
    assert card_links(first) == [BASE + "articles/visit/", BASE + "articles/unsafe/"]  # 17 and 5 June; per_page: 2
    assert card_links(second) == [BASE + "articles/probe/"]  # 1 June
    assert find(parse(first), "a", rel="next").get("href") == BASE + "archive/2024/06/page/2/"
    assert find(parse(second), "a", rel="prev").get("href") == BASE + "archive/2024/06/"
    assert "صفحة 2" in text(find(parse(second), "title"))
    assert not (out / "archive/2024/06/page/3").exists()


def test_every_page_links_the_archive_and_the_sources_from_its_footer(out: Path):
    for path in (out / "index.html", out / "articles/visit/index.html", out / "404.html"):
        footer = find(parse(path), "footer", **{"class": "site-footer"})
        links = {text(a): a.get("href") for a in find_all(footer, "a")}
        assert links["الأرشيف"] == BASE + "archive/" and links["المصادر"] == BASE + "sources/", path


def test_an_articles_date_links_to_its_month_on_its_page_and_on_cards(out: Path):
    article = find(parse(out / "articles/visit/index.html"), "article")
    date = find(with_class(article, "p", "meta")[0], "a")
    assert date.get("href") == BASE + "archive/2024/06/" and find(date, "time") is not None
    card = next(
        c for c in with_class(parse(out / "index.html"), "article", "card") if "visit" in find(c, "a").get("href")
    )
    assert find(with_class(card, "p", "meta")[0], "a").get("href") == BASE + "archive/2024/06/"


def test_months_are_taken_in_the_sites_timezone(tmp_path: Path):
    """23:30 UTC on 31 May is 02:30 on 1 June in Riyadh: a June article there."""
    root = make_site(tmp_path / "site")
    config = root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("Africa/Cairo", "Asia/Riyadh"), encoding="utf-8")
    late = TEST_FRONT.replace("2024-06-10T10:00:00", "2024-05-31T23:30:00Z") + "\nنص.\n"
    (root / "content/articles/2024/05/late.md").write_text(late, encoding="utf-8")
    assert build(root, "--no-cache") == 0
    out = root / "output"
    june = card_links(out / "archive/2024/06/index.html") + card_links(out / "archive/2024/06/page/2/index.html")
    may = [link for p in sorted(out.glob("archive/2024/05/**/index.html")) for link in card_links(p)]
    assert BASE + "articles/late/" in june and BASE + "articles/late/" not in may
    date = find(with_class(find(parse(out / "articles/late/index.html"), "article"), "p", "meta")[0], "a")
    assert date.get("href") == BASE + "archive/2024/06/"
    assert "4 أخبار" in dict((n, c) for _, n, c in periods(out / "archive/2024/index.html"))["يونيو 2024"]


def test_hijri_months_locale_month_names_and_arabic_digits(tmp_path: Path):
    root = make_site(tmp_path / "site")
    config = root / "site.yml"
    settings = "show_hijri: true\ndigits: arab\ndate_locale: ar_LB\n"
    config.write_text(config.read_text(encoding="utf-8") + settings, encoding="utf-8")
    assert build(root, "--no-cache") == 0
    out = root / "output"
    assert periods(out / "archive/index.html") == [(BASE + "archive/2024/", "٢٠٢٤", "٦ أخبار · ١٤٤٥ – ١٤٤٦ هـ")]
    months = periods(out / "archive/2024/index.html")
    assert months[0] == (BASE + "archive/2024/06/", "حزيران ٢٠٢٤", "٣ أخبار · ذو القعدة – ذو الحجة ١٤٤٥ هـ")
    assert months[1][1] == "أيار ٢٠٢٤"
    doc = parse(out / "archive/2024/06/index.html")
    assert text(find(doc, "h1")) == "أرشيف حزيران ٢٠٢٤"
    assert text(with_class(doc, "p", "intro")[0]) == "ذو القعدة – ذو الحجة ١٤٤٥ هـ"
