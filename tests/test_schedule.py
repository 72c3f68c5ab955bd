"""Scheduled publishing (issue 14): an article dated after the build's clock is left out of everything
until its time comes; --now sets the clock, --future builds such articles anyway, check notes them,
and the cache knows that the clock reaching a scheduled date is a change."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, build, make_site, run_cli

from nashra.commands.check import check_site
from nashra.commands.report import count, format_github, totals
from nashra.model import Scope
from nashra.schedule import clock_state, in_news_window, next_change, to_ticks

sys.path.insert(0, str(ROOT / "tools"))
from tree_hash import tree_hash

SLUG = "scheduled-launch"
LAUNCH = "content/articles/2024/06/launch.md"
# Cairo is UTC+3 in June 2024: the article is due at 06:00 UTC.
ARTICLE = f"""---
title: إطلاق مؤجل للقمر الصناعي
date: 2024-06-20T09:00:00
slug: {SLUG}
topics: [science]
summary: ملخص الخبر المؤجل في جملة كاملة تكفي لقائمة الأخبار وللخلاصة.
source:
  name: مصدر
---

نص الخبر المؤجل.
"""
BEFORE, AT, AFTER = "2024-06-20T08:59:59", "2024-06-20T09:00:00", "2024-06-21T12:00:00+03:00"


def add_launch(site: Path, text: str = ARTICLE) -> Path:
    (site / LAUNCH).write_text(text, encoding="utf-8")
    return site


def files_naming(output: Path, needle: str) -> list[str]:
    """Every output file whose bytes hold `needle` (pages, lists, feeds, sitemaps, editions, e-mails)."""
    return sorted(
        p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()
    )


def test_a_scheduled_article_is_left_out_of_everything_until_its_time(site: Path):
    add_launch(site)
    assert build(site, "--now", BEFORE, "--no-cache") == 0
    out = site / "output"
    assert files_naming(out, SLUG) == []
    assert files_naming(out, "2024-06-20") == []  # no edition of its day, in no list or feed
    assert not (out / "articles" / SLUG).exists()
    assert SLUG not in json.dumps(json.loads((out / "feed.json").read_text(encoding="utf-8")))
    assert [e.link for e in feedparser.parse((out / "topics/science/feed.xml").read_bytes()).entries] == [
        "https://example.github.io/nashra/articles/probe/"
    ]

    assert build(site, "--now", AT, "--no-cache") == 0  # its date exactly: due
    named = files_naming(out, SLUG)
    for expected in (
        f"articles/{SLUG}/index.html",
        "index.html",
        "topics/science/index.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "topics/science/atom.xml",
        "sitemap.xml",
        "news-sitemap.xml",
        "editions/2024-06-20/index.html",
        "editions/2024-06-20/email.html",
        "editions/2024-06-20/email.txt",
        "editions/feed.xml",
    ):
        assert expected in named, expected


def test_future_builds_scheduled_articles_for_a_preview(site: Path):
    add_launch(site)
    assert build(site, "--now", BEFORE, "--future") == 0
    assert (site / "output/articles" / SLUG / "index.html").is_file()
    assert (site / "output/editions/2024-06-20/index.html").is_file()


def test_without_now_the_clock_is_the_current_time(site: Path):
    soon = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds")
    add_launch(site, ARTICLE.replace("2024-06-20T09:00:00", soon))
    assert build(site) == 0
    assert not (site / "output/articles" / SLUG).exists()
    assert build(site, "--future") == 0
    assert (site / "output/articles" / SLUG).exists()


def test_a_naive_now_is_read_in_the_sites_timezone(site: Path):
    add_launch(site)
    assert build(site, "--now", "2024-06-20T05:59:59Z") == 0  # 08:59:59 in Cairo
    assert not (site / "output/articles" / SLUG).exists()
    assert build(site, "--now", "2024-06-20T06:00:00+00:00") == 0
    assert (site / "output/articles" / SLUG).exists()


@pytest.mark.parametrize("value", ["tomorrow", "2024-13-01T10:00", "", "2024-06-20T25:00"])
def test_a_now_that_is_not_a_date_is_a_usage_error(tmp_path: Path, value: str):
    site = make_site(tmp_path / "site")
    result = run_cli("build", "--root", str(site), "--now", value)
    assert result.returncode == 2
    assert result.stderr.startswith(f"build.py build: error: --now {value!r} is not a date and time")
    assert "Traceback" not in result.stderr
    assert not (site / "output").exists()


def test_the_cache_knows_a_scheduled_article_came_due(site: Path, tmp_path: Path):
    """Two builds with the cache and no file changed, at a `now` before and after the article's date:
    the second is not "unchanged", and equals a cold build at that `now`; then back again."""
    add_launch(site)
    assert build(site, "--now", BEFORE) == 0
    assert not (site / "output/articles" / SLUG).exists()
    assert build(site, "--now", "2024-06-20T08:59:59") == 0  # same state: the fast path, same tree
    assert not (site / "output/articles" / SLUG).exists()
    assert build(site, "--now", AFTER) == 0
    assert (site / "output/articles" / SLUG / "index.html").is_file()
    cold = shutil.copytree(site, tmp_path / "cold", ignore=shutil.ignore_patterns("output", ".nashra-cache"))
    assert build(cold, "--now", AFTER, "--no-cache") == 0
    assert tree_hash(site / "output") == tree_hash(cold / "output")
    assert build(site, "--now", BEFORE) == 0  # a clock set back hides it again
    assert not (site / "output/articles" / SLUG).exists()
    assert build(cold, "--now", BEFORE, "--no-cache") == 0
    assert tree_hash(site / "output") == tree_hash(cold / "output")


def test_an_editors_note_may_wait_for_its_scheduled_edition(site: Path):
    (site / "content/editions").mkdir(parents=True)
    (site / "content/editions/2024-06-20.md").write_text("ملاحظة المحرر عن عدد الغد.\n", encoding="utf-8")
    add_launch(site)
    assert build(site, "--now", BEFORE) == 0  # not NSH141: the day has an article, scheduled
    assert not (site / "output/editions/2024-06-20").exists()
    assert check_site(site, now=datetime(2024, 6, 20, 5, tzinfo=UTC)).problems[0].code != "NSH141"
    assert build(site, "--now", AFTER) == 0
    assert "ملاحظة المحرر" in (site / "output/editions/2024-06-20/index.html").read_text(encoding="utf-8")


def test_check_notes_a_scheduled_article_without_failing(site: Path):
    add_launch(site)
    checked = check_site(site, now=datetime(2024, 6, 19, tzinfo=UTC))
    [note] = [p for p in checked.problems if p.path == LAUNCH]
    assert (note.code, note.severity, note.line) == ("NSH144", "note", 3)
    assert note.message == "scheduled: published at 2024-06-20T09:00+03:00, left out of the site until then"
    assert count([note]) == (0, 0)
    assert totals([note], 8) == "No problems in 8 articles (1 note)."
    assert format_github([note]).startswith("::notice ")
    result = run_cli("check", "--root", str(site), "--strict", "--now", "2024-06-19T00:00", LAUNCH, cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: scheduled: published at 2024-06-20T09:00+03:00" in result.stdout
    # once due, nothing to say
    assert [p for p in check_site(site, now=datetime(2024, 6, 21, tzinfo=UTC)).problems if p.path == LAUNCH] == []


def test_check_warns_when_a_scheduled_date_is_more_than_a_year_away(site: Path):
    add_launch(site, ARTICLE.replace("2024-06-20", "2026-06-20"))
    [warning] = [p for p in check_site(site, now=datetime(2024, 6, 19, tzinfo=UTC)).problems if p.path == LAUNCH]
    assert (warning.code, warning.severity) == ("NSH404", "warning")


def test_the_clock_state_changes_when_an_article_comes_due_or_leaves_the_news_window():
    due = datetime(2024, 6, 20, 6, tzinfo=UTC)
    dates = [datetime(2024, 6, 1, tzinfo=UTC), due]
    at = lambda moment: clock_state([to_ticks(d) for d in dates], Scope(moment))  # noqa: E731
    assert at(due - timedelta(seconds=1)) != at(due)
    assert at(due) == at(due + timedelta(hours=1))
    assert at(due + timedelta(hours=48)) != at(due + timedelta(hours=48, microseconds=1))
    assert in_news_window(due, due + timedelta(hours=48))
    assert not in_news_window(due, due - timedelta(microseconds=1))


def test_the_next_change_is_the_next_scheduled_date_or_the_end_of_a_news_window():
    due = datetime(2024, 6, 20, 6, tzinfo=UTC)
    ticks = [to_ticks(datetime(2024, 6, 1, tzinfo=UTC)), to_ticks(due)]
    assert next_change(ticks, Scope(due - timedelta(hours=1))) == due  # it comes due
    window_ends = due + timedelta(hours=48, microseconds=1)  # the first moment it is out of the window
    assert next_change(ticks, Scope(due)) == window_ends
    assert next_change(ticks, Scope(due - timedelta(hours=1), future=True)) is None  # --future: none comes due
    assert next_change(ticks, Scope(window_ends)) is None
    assert clock_state(ticks, Scope(window_ends)) != clock_state(ticks, Scope(window_ends - timedelta(microseconds=1)))
