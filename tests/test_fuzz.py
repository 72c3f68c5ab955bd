"""Hypothesis over the check path: any text, any YAML values, any file contents give problems, never a traceback.

Fixed budget and derandomised, so CI runs the same examples every time.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import make_site
from hypothesis import given, settings
from hypothesis import strategies as st

from nashra.commands.check import check_site, review_article
from nashra.commands.report import (
    escape_data,
    escape_property,
    format_github,
    format_json,
    format_text,
    summary_markdown,
)
from nashra.problems import Problem
from nashra.read.frontmatter import FIELDS, parse_article
from nashra.read.links import check_links, link_sites
from nashra.read.scan import find_headings, find_links
from nashra.read.topics import parse_topics

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)
FEW = settings(max_examples=40, deadline=None, derandomize=True)

CAIRO = ZoneInfo("Africa/Cairo")
NOW = datetime(2025, 1, 1, tzinfo=UTC)
TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n- slug: economy\n  name: اقتصاد\n")
PATH = "content/articles/2024/06/a.md"
BASE, _ = parse_article(
    PATH,
    "---\ntitle: t\ndate: 2024-06-17\ntopics: [politics]\nsummary: ملخص الخبر في جملة كاملة تكفي لقائمة الأخبار.\n"
    "source:\n  name: n\n---\nbody\n",
    TOPICS,
    CAIRO,
)
OTHER = dataclasses.replace(BASE, path="content/articles/2024/05/budget.md", slug="budget")

# Markdown-ish text: the tokens the scanner cares about, mixed with anything at all.
TOKENS = [
    "[", "]", "(", ")", "![", "](", "<", ">", "`", "```", "~~~", "\\", "\n", "\n\n", " ", "\t", "#", "## ", "---",
    "===", '"', "'", ":", "<!--", "-->", "../", "/", "#x", "?q", "%20", "%", "budget.md", "a.md", "/articles/",
    "/images/", "/topics/politics/", "images/x.png", "http://", "https://x.org", "mailto:a@b", "نص", "a", "1",
]  # fmt: skip
markdown = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=80).map("".join),
)


@FUZZ
@given(markdown)
def test_any_body_gives_links_and_headings_within_it(body: str):
    last = 10 + body.count("\n")
    for link in find_links(body, 10):
        assert 10 <= link.line <= last and link.col >= 1
    for heading in find_headings(body, 10):
        assert 10 <= heading.line <= last and 1 <= heading.level <= 6


@FUZZ
@given(markdown, st.booleans())
def test_any_body_gives_located_problems_not_tracebacks(body: str, draft: bool):
    article = dataclasses.replace(BASE, body=body, body_line=9, draft=draft)
    files = [article.path, OTHER.path]
    problems = check_links(link_sites([article, OTHER], files, TOPICS, ["x.png"], ["style.css"], 2), [article, OTHER])
    problems += review_article(article, NOW, {"x.png": 10**6})
    last = 9 + body.count("\n")
    for p in problems:
        assert isinstance(p, Problem) and p.path == PATH
        assert 8 <= p.line <= last, p  # the closing '---' (no body) or a body line
        assert p.code.startswith("NSH") and p.message


def test_the_scanner_is_fast_on_hostile_text():
    hostile = ["[a](" + " " * 5000 + "x", "[" * 5000, "[a" * 5000, "`a" * 5000, "[a](b " * 5000, "a\n---\n" * 5000]
    for body in hostile:
        started = time.perf_counter()
        find_links(body)
        find_headings(body)
        assert time.perf_counter() - started < 1, body[:20]


KEYS = list(FIELDS)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
good = {
    "title": "عنوان",
    "date": "2024-06-17",
    "topics": ["politics"],
    "summary": "ملخص",
    "source": {"name": "مصدر", "url": "https://x.org"},
}


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=6), markdown)
def test_any_front_matter_and_body_through_the_whole_check(changes: dict, body: str):
    """Arbitrary values in every key on top of a valid article: the reader, the link rule and the review."""
    text = "---\n" + yaml.safe_dump(good | changes, allow_unicode=True) + "---\n" + body
    article, problems = parse_article(PATH, text, TOPICS, CAIRO)
    assert (article is None) == any(p.severity == "error" for p in problems)
    if article:
        check_links(link_sites([article, OTHER], [article.path, OTHER.path], TOPICS, [], [], 20), [article, OTHER])
        review_article(article, NOW, {})


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory) -> Path:
    return make_site(tmp_path_factory.mktemp("fuzz") / "site")


@FEW
@given(st.one_of(st.binary(max_size=300), markdown.map(lambda s: ("---\n" + s).encode("utf-8", "surrogatepass"))))
def test_check_over_any_file_contents(fuzz_site: Path, data: bytes):
    """A file of any bytes among the articles: check reports, in every format, and never raises."""
    (fuzz_site / "content/articles/2024/06/fuzz.md").write_bytes(data)
    checked = check_site(fuzz_site, now=NOW)
    problems = checked.problems
    assert checked.articles == 8
    assert all(p.path.startswith("content/") for p in problems)
    assert len(json.loads(format_json(problems))) == len(problems)
    assert len(format_github(problems).splitlines()) == len(problems)  # one command per problem
    format_text(problems, colour=True)
    summary_markdown(problems, checked.articles)


@FUZZ
@given(st.text())
def test_workflow_command_escaping_is_reversible_and_single_line(text: str):
    data, prop = escape_data(text), escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert not {":", ",", "\n", "\r"} & set(prop)
    assert unescape(data) == text and unescape(prop) == text


def unescape(text: str) -> str:
    codes = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
    return re.sub("|".join(codes), lambda m: codes[m.group(0)], text)
