"""Editions: the articles of one day in site.yml's timezone, on the web (/editions/), in a feed, with an
optional editor's note; built from tests/conftest.py's fixture site and read back with real parsers."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import htmltools
import jsonschema
from conftest import build, make_site, run_cli
from test_feed_formats import SCHEMA

from nashra.commands.check import check_site
from nashra.read.notes import parse_note

HOST = "https://example.github.io/nashra/"
DAYS = ["2024-06-17", "2024-06-05", "2024-06-01", "2024-05-20", "2024-05-10", "2024-05-02"]


def add_article(root: Path, name: str, date: str, topic: str, title: str = "خبر إضافي للاختبار") -> None:
    (root / "content/articles/2024/06" / f"{name}.md").write_text(
        f"---\ntitle: {title}\ndate: {date}\ntopics: [{topic}]\n"
        "summary: ملخص قصير لخبر يضاف في اختبار الأعداد اليومية.\nsource:\n  name: مصدر\n"
        "  url: https://www.example.org/report\n---\n\nنص الخبر.\n",
        encoding="utf-8",
    )


def set_yml(root: Path, **values: str) -> None:
    with (root / "site.yml").open("a", encoding="utf-8") as f:
        for key, value in values.items():
            f.write(f"{key}: {value}\n")


def page(out: Path, path: str):
    return htmltools.parse(out / path / "index.html")


def texts(doc, tag: str, cls: str | None = None) -> list[str]:
    found = htmltools.with_class(doc, tag, cls) if cls else htmltools.find_all(doc, tag)
    return [" ".join(htmltools.text(el).split()) for el in found]


def test_every_day_with_articles_is_an_edition_newest_first(out: Path):
    found = sorted((p.name for p in (out / "editions").iterdir() if p.name[:1].isdigit()), reverse=True)
    assert found == DAYS
    index = [page(out, "editions"), page(out, "editions/page/2"), page(out, "editions/page/3")]  # per_page: 2
    links = [
        a.get("href") for doc in index for h2 in htmltools.find_all(doc, "h2") for a in htmltools.find_all(h2, "a")
    ]
    assert links == [f"/nashra/editions/{day}/" for day in DAYS]
    assert not (out / "editions/page/4").exists()
    assert texts(index[0], "h1") == ["الأعداد"]
    assert texts(index[0], "span", "page-count") == ["صفحة 1 من 3"]


def test_an_article_belongs_to_the_day_of_its_date_in_the_site_timezone(site: Path):
    add_article(site, "late", "2024-06-17T23:30:00Z", "economy")  # 02:30 on the 18th in Cairo
    add_article(site, "early", "2024-06-17T00:30:00+03:00", "science")  # the 17th in Cairo
    assert build(site) == 0
    out = site / "output"
    assert [
        a.get("href")
        for a in htmltools.find_all(page(out, "editions/2024-06-18"), "a")
        if "/articles/" in (a.get("href") or "")
    ] == ["/nashra/articles/late/"]
    seventeenth = page(out, "editions/2024-06-17")
    assert texts(seventeenth, "h3", "card-title") == ["نيويورك تايمز: زيارة مرتقبة تعمّق التعاون", "خبر إضافي للاختبار"]


def test_edition_page_groups_by_topic_in_topics_order_with_date_and_neighbours(site: Path):
    add_article(site, "science-news", "2024-06-17T20:00:00", "science", "خبر علمي")
    add_article(site, "economy-news", "2024-06-17T08:00:00", "economy", "خبر اقتصادي")
    assert build(site) == 0
    out = site / "output"
    doc = page(out, "editions/2024-06-17")
    assert texts(doc, "h1") == ["الاثنين 17 يونيو 2024"]
    assert htmltools.find_all(doc, "h1")[0].find(htmltools.NS + "time").get("datetime") == "2024-06-17"
    # topics.yml: politics, economy, science, whatever the times
    assert texts(doc, "h2", "section-title") == ["سياسة", "اقتصاد", "علوم"]
    cards = htmltools.with_class(doc, "article", "card")
    assert [" ".join(htmltools.text(c.find(f".//{htmltools.NS}h3")).split()) for c in cards] == [
        "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون",
        "خبر اقتصادي",
        "خبر علمي",
    ]
    first = cards[0]
    assert "ملخص قصير للخبر الأول" in htmltools.text(htmltools.with_class(first, "p", "summary")[0])
    source = htmltools.with_class(first, "p", "source")[0]
    assert " ".join(htmltools.text(source).split()) == "المصدر: نيويورك تايمز"
    assert [a.get("href") for a in htmltools.find_all(source, "a")] == ["https://www.nytimes.com/"]
    nav = htmltools.with_class(doc, "nav", "edition-nav")[0]
    assert [(a.get("rel"), a.get("href")) for a in htmltools.find_all(nav, "a")] == [
        ("prev", "/nashra/editions/2024-06-05/"),
        (None, "/nashra/editions/"),
    ]
    middle = htmltools.with_class(page(out, "editions/2024-06-05"), "nav", "edition-nav")[0]
    assert [a.get("rel") for a in htmltools.find_all(middle, "a")] == ["prev", None, "next"]
    assert htmltools.find_all(middle, "a")[2].get("href") == "/nashra/editions/2024-06-17/"


def test_hijri_date_and_arabic_digits_follow_site_settings(site: Path):
    set_yml(site, show_hijri="true", digits="arab")
    assert build(site) == 0
    doc = page(site / "output", "editions/2024-06-17")
    assert texts(doc, "h1") == ["الاثنين ١٧ يونيو ٢٠٢٤"]
    assert texts(doc, "p", "hijri") == ["١١ ذو الحجة ١٤٤٥ هـ"]
    assert texts(doc, "p", "intro") == ["خبر واحد"]


def test_home_shows_the_latest_editions_date(out: Path):
    doc = page(out, "")
    (line,) = htmltools.with_class(doc, "p", "edition-link")
    assert " ".join(htmltools.text(line).split()) == "عدد الاثنين 17 يونيو 2024 · كل الأعداد"
    assert [a.get("href") for a in htmltools.find_all(line, "a")] == [
        "/nashra/editions/2024-06-17/",
        "/nashra/editions/",
    ]


def test_edition_feed_has_one_item_per_edition_with_the_whole_edition(out: Path):
    rss = feedparser.parse((out / "editions/feed.xml").read_bytes())
    assert rss.bozo == 0 and rss.version == "rss20"
    assert [e.link for e in rss.entries] == [f"{HOST}editions/{day}/" for day in DAYS[:3]]  # feed_items: 3
    assert [e.id for e in rss.entries] == [f"tag:nashra,{day}:edition" for day in DAYS[:3]]
    content = rss.entries[1].content[0].value  # 2024-06-05: the unsafe article, text escaped
    assert "<script" not in content
    assert f'<a href="{HOST}articles/unsafe/">' in content
    assert '<p class="source">المصدر: <a href="https://example.com/">مصدر</a></p>' in content
    atom = feedparser.parse((out / "editions/atom.xml").read_bytes())
    assert atom.bozo == 0 and atom.version == "atom10"
    assert [e.id for e in atom.entries] == [e.id for e in rss.entries]
    doc = json.loads((out / "editions/feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert [i["url"] for i in doc["items"]] == [e.link for e in rss.entries]
    links = [(link.get("type"), link.get("href")) for link in htmltools.find_all(page(out, "editions"), "link")]
    assert ("application/rss+xml", HOST + "editions/feed.xml") in links
    assert ("application/feed+json", HOST + "editions/feed.json") in links


def test_editors_note_is_shown_above_the_articles(site: Path):
    (site / "content/editions").mkdir()
    (site / "content/editions/2024-06-17.md").write_text(
        "---\ntitle: يوم الزيارة\n---\n\n"
        "كلمة قصيرة عن **عدد اليوم**، وانظر [الموازنة](../articles/2024/05/budget.md).\n",
        encoding="utf-8",
    )
    assert build(site) == 0
    out = site / "output"
    doc = page(out, "editions/2024-06-17")
    (note,) = htmltools.with_class(doc, "section", "editor-note")
    assert texts(note, "h2") == ["يوم الزيارة"]
    assert "كلمة قصيرة عن عدد اليوم" in htmltools.text(note)
    assert [a.get("href") for a in htmltools.find_all(note, "a")] == ["/nashra/articles/budget/"]
    main = htmltools.find_all(doc, "main")[0]
    sections = [el for el in main.iter() if el.tag == htmltools.NS + "section"]
    assert sections[0] is note
    feed = feedparser.parse((out / "editions/feed.xml").read_bytes())
    assert f'<a href="{HOST}articles/budget/">' in feed.entries[0].content[0].value


def note_problems(site: Path, name: str, text: str) -> tuple[str, list[str]]:
    folder = site / "content/editions"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    result = run_cli("build", "--root", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    checked = [f"{p}" for p in check_site(site).problems if p.path.startswith("content/editions/")]
    return result.stderr, checked


def test_note_with_unknown_key_is_an_error_at_its_line(site: Path):
    err, checked = note_problems(site, "2024-06-17.md", "---\ntitle: عنوان\ntitel: خطأ\n---\n\nنص.\n")
    line = "content/editions/2024-06-17.md:3: unknown key 'titel' in an editor's note (did you mean 'title'?)"
    assert line in err.splitlines()
    assert checked == [line]


def test_note_named_other_than_a_date_is_an_error(site: Path):
    err, checked = note_problems(site, "2024-13-01.md", "نص.\n")
    line = (
        "content/editions/2024-13-01.md:1: '2024-13-01.md' is not named after a date "
        "(name an editor's note after its edition's day, e.g. content/editions/2024-06-17.md)"
    )
    assert line in err.splitlines()
    assert checked == [line]


def test_note_for_a_day_without_articles_is_an_error(site: Path):
    err, checked = note_problems(site, "2024-06-18.md", "نص.\n")
    line = (
        "content/editions/2024-06-18.md:1: no article is published on 2024-06-18 (Africa/Cairo), so there is "
        "no edition for this note (check the file's date, or the articles' dates; a draft's day has no edition)"
    )
    assert line in err.splitlines()
    assert checked == [line]


def test_other_files_in_the_notes_folder_are_errors(site: Path):
    err, checked = note_problems(site, "notes.txt", "نص.\n")
    assert err.splitlines()[0].startswith("content/editions/notes.txt: 'notes.txt' is not an editor's note")
    assert len(checked) == 1 and checked[0].startswith("content/editions/notes.txt:")


def test_a_notes_links_and_images_are_checked_as_a_published_articles(site: Path):
    """Each at its line: a page that does not exist, a draft, an image of another site, no address."""
    err, checked = note_problems(
        site,
        "2024-06-17.md",
        "---\ntitle: يوم\n---\n\nانظر [الموازنة](../articles/2024/05/budget.md).\n\n"
        "[قديم](/articles/gone/) و[سر](../articles/2024/06/secret.md)\n\n"
        "![خريطة](https://cdn.example.org/map.png) و[معطوب](https://[example.org/x)\n",
    )
    where = "content/editions/2024-06-17.md"
    expected = [
        f"{where}:7: link '/articles/gone/' goes to no page of the site",
        f"{where}:7: link '../articles/2024/06/secret.md' goes to content/articles/2024/06/secret.md, a draft",
        f"{where}:9: image 'https://cdn.example.org/map.png' is not a file of the site",
        f"{where}:9: link 'https://[example.org/x' is not an address",
    ]
    errors = [line for line in err.splitlines() if line.startswith(where)]
    assert len(errors) == len(expected) == len(checked)
    for line, said in zip(sorted(expected), sorted(errors), strict=True):
        assert said.startswith(line)
    assert sorted(checked) == sorted(errors)


def test_parse_note_is_pure_and_reads_optional_front_matter():
    note, problems = parse_note("content/editions/2024-06-17.md", "نص فقط.\n")
    assert problems == [] and note.title is None and note.body == "نص فقط.\n" and note.body_line == 1
    note, problems = parse_note("content/editions/2024-06-17.md", "---\ntitle: عنوان\n---\nنص.\n")
    assert problems == [] and note.title == "عنوان" and note.body_line == 4
    note, problems = parse_note("content/editions/2024-06-17.md", "---\ntitle: [\n---\nنص.\n")
    assert note is None and [p.code for p in problems] == ["NSH004"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path: Path):
    trees = []
    for name in ("a", "b"):
        root = make_site(tmp_path / name)
        assert build(root, "--no-cache") == 0
        trees.append(tree(root / "output"))
    assert trees[0] == trees[1]
    assert "editions/2024-06-17/index.html" in trees[0] and "editions/feed.json" in trees[0]
