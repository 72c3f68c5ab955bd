"""Hostile text in the content: YAML alias bombs and deep nesting, characters that no output format can
carry, dates past the calendar, direction controls. `build` and `check` answer alike, at once, with the
file and line, and never a traceback; what is harmless is cleaned quietly."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import run_cli
from htmltools import find, find_all, parse

from nashra.read.frontmatter import parse_article
from nashra.read.topics import parse_topics
from nashra.read.yamlnodes import contain_bidi

ARTICLES = "content/articles/2024/06"
NAME = "hostile.md"
PATH = f"{ARTICLES}/{NAME}"
SUMMARY = "ملخص الخبر في جملة كاملة تكفي لقائمة الأخبار وللخلاصة."


def article(title: str = "عنوان", summary: str = SUMMARY, extra: str = "", body: str = "نص الخبر.") -> str:
    """An article whose title is line 2, date line 3, summary line 5, `extra` from line 8."""
    return (
        f'---\ntitle: "{title}"\ndate: 2024-06-18T10:00\ntopics: [politics]\nsummary: "{summary}"\n'
        f"source:\n  name: رويترز\n{extra}---\n\n{body}\n"
    )


def write(site: Path, text: str, name: str = NAME) -> None:
    (site / ARTICLES / name).write_text(text, encoding="utf-8", errors="surrogatepass")


def build_and_check(site: Path):
    """Both commands as a user runs them (a subprocess each: a hang fails on its timeout)."""
    built = run_cli("--root", str(site), "--no-cache")
    checked = run_cli("check", "--root", str(site))
    for result in (built, checked):
        assert "Traceback" not in result.stderr, result.stderr
    return built, checked


def assert_refused(site: Path, path: str, line: int, code: str, message: str) -> None:
    """Build and check both fail with `message` at `path:line`, and the build writes nothing."""
    built, checked = build_and_check(site)
    assert built.returncode == 1
    assert f"{path}:{line}: {message}" in built.stderr, built.stderr
    assert not (site / "output").exists()
    assert checked.returncode == 1
    mine = [row for row in checked.stdout.splitlines() if row.startswith(f"{path}:{line}:")]
    assert any(f"error: {message}" in row and row.endswith(f"[{code}]") for row in mine), checked.stdout


# ---- 1, 2: YAML that makes work out of all proportion ----


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """`x0: &a0 [x, ...]`, `x1: &a1 [*a0, *a0, ...]`: width ** levels values from a few lines."""
    rows = ["x0: &a0 [" + ", ".join(["x"] * width) + "]"]
    rows += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(rows) + "\n"


def test_alias_bomb_is_refused_at_once_by_build_and_check(site: Path):
    write(site, article(extra=alias_bomb()))
    message = "YAML anchors (&name) and aliases (*name) are not allowed here"
    assert_refused(site, PATH, 8, "NSH007", message)


DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        (PATH, article(extra=f"author: {DEEP}\n"), 8),
        (PATH, article(extra="author: " + "[" * 1000 + "}\n"), 8),  # a syntax error too: the slower parser
        ("site.yml", f"title: نشرة\nbase_url: https://example.org/\nextra: {DEEP}\n", 3),
        ("content/topics.yml", f"- slug: politics\n  name: سياسة\n- slug: deep\n  name: {DEEP}\n", 4),
    ],
)
def test_deep_nesting_is_refused_in_every_yaml_file(site: Path, path: str, text: str, line: int):
    (site / path).write_text(text, encoding="utf-8")
    assert_refused(site, path, line, "NSH008", "the values are nested more than 20 levels deep")


MB = 1_000_000
HUGE = {  # a megabyte of front matter each, every one of which took seconds to minutes before
    "keys.md": "".join(f"k{i}: v\n" for i in range(MB // 10)),
    "twice.md": "k: v\n" * (MB // 5),
    "items.md": "topics:\n" + "- a\n" * (MB // 4),
    "flow.md": "topics: [" + "a, " * (MB // 3) + "]\n",
    "late-error.md": "k: v\n" * (MB // 5) + "x: [\n",
    "brackets.md": "author: " + "[" * MB + "\n",
    "bomb.md": alias_bomb(12),
}


def test_a_megabyte_of_hostile_front_matter_is_answered_with_few_problems(site: Path):
    for name, front in HUGE.items():
        write(site, f"---\n{front}---\nنص\n", name)
    built, checked = build_and_check(site)
    assert built.returncode == 1 and checked.returncode == 1
    for name in HUGE:
        rows = [row for row in checked.stdout.splitlines() if row.startswith(f"{ARTICLES}/{name}:")]
        assert 1 <= len(rows) <= 1000, (name, len(rows))


# ---- 4: characters that web pages and feeds cannot carry ----


@pytest.mark.parametrize(
    ("text", "line", "char"),
    [
        (article(title="عنوان\\0"), 2, "U+0000"),
        (article(summary=SUMMARY + "\\x01"), 5, "U+0001"),
        (article(extra='author: "هيئة\\x08 التحرير"\n'), 8, "U+0008"),
        (article(title="عنوان \\ud800"), 2, "U+D800"),
        (article(summary="\\uFFFE" + SUMMARY), 5, "U+FFFE"),
        (article(extra='image:\n  src: route.svg\n  alt: "خريطة\\e"\n'), 10, "U+001B"),
    ],
)
def test_escaped_characters_no_feed_can_carry_are_refused_by_build_and_check(
    site: Path, text: str, line: int, char: str
):
    write(site, text)
    assert_refused(site, PATH, line, "NSH009", f"the value holds {'half of a' if char == 'U+D800' else 'the'}")
    built = run_cli("--root", str(site))
    assert char in built.stderr


def test_a_raw_control_character_in_a_body_is_located_by_build_and_check(site: Path):
    write(site, article(body="نص\x01 الخبر.\n\nسطر\x02 آخر\x03."))
    assert_refused(site, PATH, 10, "NSH009", "the text holds the invisible control character U+0001")
    checked = run_cli("check", "--root", str(site))
    assert f"{PATH}:10:3: error:" in checked.stdout  # the column: 'نص' then the character
    assert f"{PATH}:12:4: error: the text holds the invisible control character U+0002" in checked.stdout
    assert "U+0003" not in checked.stdout  # one problem a line


def test_a_raw_control_character_in_site_yml_is_located(site: Path):
    path = site / "site.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("موقع صغير", "موقع\x07 صغير"), encoding="utf-8")
    assert_refused(site, "site.yml", 2, "NSH009", "the text holds the invisible control character U+0007")


def test_form_feed_and_vertical_tab_become_spaces(site: Path):
    write(site, article(title="عنوان\x0cالخبر", body="فقرة\x0bأولى.\x0c\n\nفقرة ثانية."))
    built, checked = build_and_check(site)
    assert built.returncode == 0, built.stderr
    assert PATH not in checked.stdout
    page = (site / "output/articles/hostile/index.html").read_text(encoding="utf-8")
    assert "فقرة أولى." in page and "عنوان الخبر" in page
    assert "\x0b" not in page and "\x0c" not in page
    feed = feedparser.parse((site / "output/feed.xml").read_bytes())
    assert not feed.bozo
    assert "عنوان الخبر" in [e.title for e in feed.entries]


# ---- 7: dates past the calendar ----


@pytest.mark.parametrize(
    ("key", "value"),
    [("date", "9999-12-31T23:59-05:00"), ("date", "0001-01-01T00:00+05:00"), ("updated", "9999-12-31")],
)
def test_a_date_past_the_calendar_is_refused_by_build_and_check(site: Path, key: str, value: str):
    text = article(extra=f"updated: {value}\n") if key == "updated" else article().replace("2024-06-18T10:00", value)
    write(site, text)
    line = 8 if key == "updated" else 3
    assert_refused(site, PATH, line, "NSH104", f"'{key}' is outside the years 1000-9998: '{value}'")


@pytest.mark.parametrize("value", ["1000-01-01T00:00+05:00", "9998-12-31T23:59-05:00"])
def test_the_first_and_last_dates_allowed_build(site: Path, value: str):
    write(site, article().replace("2024-06-18T10:00", value))
    built = run_cli("--root", str(site), "--no-cache")
    assert built.returncode == 0, built.stderr
    feed = feedparser.parse((site / "output/feed.xml").read_bytes())
    assert not feed.bozo


# ---- 9: direction controls ----

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def test_direction_controls_are_closed_before_what_follows_them(site: Path):
    write(site, article(title=f"عنوان {RLO}مقلوب", summary=f"{PDF}{SUMMARY} {RLI}Reuters"))
    built, checked = build_and_check(site)
    assert built.returncode == 0, built.stderr
    assert "NSH409" not in built.stderr + built.stdout and "direction" not in built.stderr
    assert checked.returncode == 0
    assert f"{PATH}:2:8: warning: 'title' holds invisible direction controls (U+202E) [NSH409]" in checked.stdout
    assert f"{PATH}:5:10: warning: 'summary' holds invisible direction controls (U+202C, U+2067) [NSH409]" in (
        checked.stdout
    )

    title = f"عنوان {RLO}مقلوب{PDF}"
    summary = f"{SUMMARY} {RLI}Reuters{PDI}"  # the stray PDF is dropped, the isolate closed
    doc = parse(site / "output/articles/hostile/index.html")
    page_title = "".join(find(doc, "title").itertext())
    assert title + " — " in page_title
    assert find(doc, "meta", property="og:title").get("content").endswith(title)
    assert find(doc, "meta", name="description").get("content") == summary
    scripts = [s for s in find_all(doc, "script") if s.get("type") == "application/ld+json"]
    data = json.loads(scripts[0].text)
    assert data["headline"].endswith(title)
    feed = feedparser.parse((site / "output/feed.xml").read_bytes())
    entry = next(e for e in feed.entries if "مقلوب" in e.title)
    assert entry.title.endswith(title)
    listing = (site / "output/index.html").read_text(encoding="utf-8")
    assert RLO + "مقلوب" + PDF in listing and RLO + "مقلوب<" not in listing


def test_a_failing_build_prints_its_errors_not_the_warnings(site: Path):
    write(site, article(title=f"عنوان {RLO}مقلوب"))
    write(site, article(extra="titel: x\n"), "typo.md")
    built = run_cli("--root", str(site), "--no-cache")
    assert built.returncode == 1
    assert f"{ARTICLES}/typo.md:8: unknown key 'titel'" in built.stderr
    assert PATH not in built.stderr


def test_direction_controls_in_site_yml_are_contained_and_warned(site: Path):
    path = site / "site.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("نشرة الاختبار", f"نشرة {RLO}الاختبار"), "utf-8")
    built, checked = build_and_check(site)
    assert built.returncode == 0, built.stderr
    assert "site.yml:1:8: warning: 'title' holds invisible direction controls (U+202E) [NSH409]" in checked.stdout
    page_title = "".join(find(parse(site / "output/articles/visit/index.html"), "title").itertext())
    assert page_title.endswith(f"{RLO}الاختبار{PDF}")


@pytest.mark.parametrize(
    ("text", "contained"),
    [
        (f"a{RLO}b", f"a{RLO}b{PDF}"),
        (f"a{PDF}b{PDI}c", "abc"),
        (f"a{RLI}b\u202bc{PDI}d", f"a{RLI}b\u202bc{PDI}d"),  # PDI closes the embedding inside its isolate
        (f"a\u202b{RLI}b{PDF}", f"a\u202b{RLI}b{PDI}{PDF}"),  # a PDF cannot close what is outside an isolate
        (f"x{RLI}Reuters{PDI} y", f"x{RLI}Reuters{PDI} y"),
        ("\u200fعربي\u200e", "\u200fعربي\u200e"),  # marks embed nothing: kept
    ],
)
def test_contain_bidi_pairs_every_control(text: str, contained: str):
    assert contain_bidi(text) == contained


# ---- the same answers without libyaml ----

TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n")


@pytest.mark.parametrize(
    ("extra", "code", "line"),
    [
        (alias_bomb(3), "NSH007", 8),
        (f"author: {DEEP}\n", "NSH008", 8),
        ('author: "\\ud800"\n', "NSH009", 8),
        ("author: a\nauthor: b\n", "NSH006", 9),
    ],
)
def test_the_pure_python_parser_gives_the_same_problems(monkeypatch, extra: str, code: str, line: int):
    from zoneinfo import ZoneInfo

    text = article(extra=extra)
    with_libyaml = parse_article(PATH, text, TOPICS, ZoneInfo("UTC"))[1]
    monkeypatch.delattr(yaml, "CSafeLoader")
    without = parse_article(PATH, text, TOPICS, ZoneInfo("UTC"))[1]
    assert [(p.line, p.code) for p in without] == [(p.line, p.code) for p in with_libyaml] == [(line, code)]
