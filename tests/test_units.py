"""Unit tests for the tricky pure functions: front matter, dates, URLs, sanitising."""

from __future__ import annotations

import gc
import weakref
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nashra.body.markdown import render_markdown, rewrite_urls
from nashra.output import shared
from nashra.problems import ContentError
from nashra.read.config import parse_config
from nashra.read.frontmatter import FIELDS, parse_article, parse_datetime, split_front_matter
from nashra.read.topics import parse_topics
from nashra.site import count_articles
from nashra.urls import Urls

CAIRO = ZoneInfo("Africa/Cairo")
TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n- slug: 'no'\n  name: لا\n")
GOOD = """---
title: عنوان
date: 2024-06-17T19:01
topics: [politics]
summary: ملخص
source:
  name: مصدر
{extra}---
النص
"""


def article(extra: str = "", path: str = "content/articles/2024/06/visit.md"):
    return parse_article(path, GOOD.format(extra=extra), TOPICS, CAIRO)


# ---- front matter ----


def test_good_article_parses():
    a, problems = article()
    assert problems == []
    assert (a.slug, a.title, a.topics, a.body, a.body_line) == ("visit", "عنوان", ("politics",), "النص\n", 9)
    assert a.date == datetime(2024, 6, 17, 19, 1, tzinfo=CAIRO)


@pytest.mark.parametrize(("text", "expected"), [("no", False), ("yes", True), ("false", False), ("true", True)])
def test_draft_reads_yaml_words_as_booleans(text: str, expected: bool):
    a, problems = article(f"draft: {text}\n")
    assert problems == [] and a.draft is expected


def test_topic_no_stays_text():
    a, problems = parse_article("a.md", GOOD.format(extra="").replace("[politics]", "[no, politics]"), TOPICS, CAIRO)
    assert problems == [] and a.topics == ("no", "politics")


def test_title_that_looks_like_a_number_or_date_stays_text():
    text = GOOD.format(extra="").replace("title: عنوان", "title: 2024-06-17")
    a, problems = parse_article("a.md", text, TOPICS, CAIRO)
    assert problems == [] and a.title == "2024-06-17"


def test_unknown_key_is_reported_once_with_suggestion():
    text = GOOD.format(extra="").replace("summary:", "sumary:")
    _, problems = parse_article("a.md", text, TOPICS, CAIRO)
    assert [(p.line, p.code, p.message, p.hint) for p in problems] == [
        (5, "NSH101", "unknown key 'sumary' in the front matter", "did you mean 'summary'?")
    ]


def test_unknown_topic_suggests_nearest_slug():
    text = GOOD.format(extra="").replace("[politics]", "[politcs]")
    _, problems = parse_article("a.md", text, TOPICS, CAIRO)
    assert problems[0].hint.startswith("did you mean 'politics'?")


def test_duplicate_keys_inside_a_nested_mapping_are_found():
    _, problems = article("image:\n  src: a.svg\n  alt: x\n  alt: y\n")
    assert [(p.line, p.code) for p in problems] == [(11, "NSH006")]


@pytest.mark.parametrize(
    "extra",
    [
        "image:\n  src: ../../etc/passwd\n  alt: x\n",
        "image:\n  src: /etc/passwd\n  alt: x\n",
        "image:\n  src: javascript:alert(1)\n  alt: x\n",
    ],
)
def test_image_paths_cannot_leave_the_images_folder(extra: str):
    _, problems = article(extra)
    assert [p.code for p in problems] == ["NSH109"]


def test_file_name_that_is_not_a_slug_needs_a_slug_key():
    _, problems = article(path="content/articles/زيارة.md")
    assert problems[0].code == "NSH106" and "add 'slug: ...'" in problems[0].hint
    a, problems = parse_article("content/articles/زيارة.md", GOOD.format(extra="slug: visit\n"), TOPICS, CAIRO)
    assert problems == [] and a.slug == "visit"


def test_split_front_matter():
    assert split_front_matter("---\na: 1\n---\nbody\n") == ("a: 1", "body\n", 4)
    assert split_front_matter("---\na: 1\n") is None
    assert split_front_matter("a: 1\n---\n") is None


# ---- dates ----


def test_bare_date_is_midnight_in_the_site_timezone():
    assert parse_datetime("2024-06-17", CAIRO) == datetime(2024, 6, 17, tzinfo=CAIRO)


def test_offset_is_kept():
    moment = parse_datetime("2024-06-17T19:01:00+01:00", CAIRO)
    assert moment.utcoffset() == timedelta(hours=1)
    assert parse_datetime("2024-06-17T16:01:00Z", CAIRO) == moment.astimezone(CAIRO) + timedelta(hours=-2)


@pytest.mark.parametrize("value", ["17/06/2024", "2024-13-01", "yesterday", "2024-06-17T25:00"])
def test_bad_dates_raise(value: str):
    with pytest.raises(ValueError):
        parse_datetime(value, CAIRO)


# ---- counts ----


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "لا أخبار"),
        (1, "خبر واحد"),
        (2, "خبران"),
        (3, "3 أخبار"),
        (10, "10 أخبار"),
        (11, "11 خبرًا"),
        (99, "99 خبرًا"),
        (100, "100 خبر"),
        (103, "103 أخبار"),
    ],
)
def test_arabic_article_counts(n: int, text: str):
    assert count_articles(n) == text


# ---- config ----


def test_config_defaults():
    config = parse_config("title: نشرة\n")
    assert (config.base_url, config.language, config.timezone, config.per_page, config.feed_items) == (
        "http://localhost:8000/",
        "ar",
        "UTC",
        20,
        50,
    )


def test_config_requires_title_and_rejects_unknown_keys():
    with pytest.raises(ContentError) as info:
        parse_config("titel: x\n")
    assert [(p.line, p.code) for p in info.value.problems] == [(1, "NSH101")]
    with pytest.raises(ContentError) as info:
        parse_config("description: x\n")
    assert info.value.problems[0].message == "missing required key 'title' in site.yml"


def test_base_url_gets_a_trailing_slash_and_override_wins():
    assert parse_config("title: t\nbase_url: https://e.org/news\n").base_url == "https://e.org/news/"
    assert parse_config("title: t\nbase_url: https://e.org/news/\n", "https://x.org").base_url == "https://x.org/"


# ---- URLs ----

U = Urls("https://example.github.io/nashra/")
SLUGS = {"content/articles/2024/05/budget.md": "budget"}
HERE = "content/articles/2024/06/visit.md"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("../05/budget.md", "/nashra/articles/budget/"),
        ("../05/budget.md#table", "/nashra/articles/budget/#table"),
        ("/articles/budget/", "/nashra/articles/budget/"),
        ("/topics/economy/?x=1", "/nashra/topics/economy/?x=1"),
        ("../../../images/a.svg", "/nashra/images/a.svg"),
        ("https://www.nytimes.com/", "https://www.nytimes.com/"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("#part", "#part"),
        ("../05/missing.md", "../05/missing.md"),
        ("../../../../../etc/passwd", "../../../../../etc/passwd"),
        ("//evil.example/x", "//evil.example/x"),
    ],
)
def test_resolve_body_url(url: str, expected: str):
    assert U.resolve_body_url(url, HERE, SLUGS) == expected


def test_absolutise():
    page = "https://example.github.io/nashra/articles/visit/"
    assert U.absolutise("/nashra/a/", page) == "https://example.github.io/nashra/a/"
    assert U.absolutise("../budget/", page) == "https://example.github.io/nashra/articles/budget/"
    assert U.absolutise("#part", page) == page + "#part"
    assert U.absolutise("https://x.org/", page) == "https://x.org/"
    assert U.absolutise("mailto:desk@example.org", page) == "mailto:desk@example.org"


# ---- Markdown and sanitising ----


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<style>body{display:none}</style>",
    ],
)
def test_markdown_html_is_sanitised(source: str):
    out = render_markdown(source).lower()
    for bad in ("<script", "onerror", "javascript:", "<iframe", "style", "<svg"):
        assert bad not in out, out


def test_markdown_keeps_tables_lists_quotes():
    out = render_markdown("- a\n- b\n\n> q\n\n| h |\n|---|\n| c |\n")
    for tag in ("<ul>", "<blockquote>", "<table>", "<th>h</th>"):
        assert tag in out


def test_rewrite_urls_touches_only_attributes():
    html = render_markdown('[a](x.md "t>") `href="/code"`\n\n<a href="/y" title="a&quot;b">b</a>')
    out = rewrite_urls(html, lambda url: "[" + url + "]")
    assert 'href="[x.md]"' in out and 'href="[/y]"' in out
    assert '<code>href="/code"</code>' in out


def test_rewrite_urls_escapes_what_it_writes():
    assert rewrite_urls('<a href="/a">x</a>', lambda url: '"><script>') == '<a href="&quot;&gt;&lt;script&gt;">x</a>'


# ---- the reader never crashes ----

KEYS = [*FIELDS, "x"]
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_any_text_gives_problems_not_tracebacks(text: str):
    parse_article("content/articles/a.md", text, TOPICS, CAIRO)
    parse_article("content/articles/a.md", "---\n" + text + "\n---\n", TOPICS, CAIRO)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=8))
def test_any_yaml_values_give_problems_not_tracebacks(front: dict):
    import yaml

    text = "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\nbody\n"
    result, problems = parse_article("content/articles/a.md", text, TOPICS, CAIRO)
    assert (result is None) == bool(problems)


# ---- a value shared by planned files ----


def test_a_shared_value_is_made_once_for_its_files_and_let_go_after_the_last():
    """A feed set's items serve its three feeds, an edition's e-mails its three files: made by the
    first file, then not held once the last has it (the e-mails of every edition held to the end of
    a build took 50 MB a worker at 10,000 articles)."""

    class Items:
        pass

    made: list[weakref.ref] = []

    def make() -> Items:
        value = Items()
        made.append(weakref.ref(value))
        return value

    take = shared(make, 3)
    first, second = take(), take()
    assert first is second and len(made) == 1
    assert take() is first  # the third and last
    del first, second
    gc.collect()
    assert made[0]() is None  # let go: nothing but its files held it
    take()  # asked for again (a file made twice): made again
    assert len(made) == 2
