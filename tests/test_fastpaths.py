"""Fast paths checked against the slower, plainer code they stand in for, on the same inputs.

The body pipeline is most of a cold build's time, so three steps of it take shortcuts: Python-Markdown
leaves out the preprocessors, block processors and inline patterns whose trigger characters a body
lacks, and skips in each text node the inline patterns whose triggers that node lacks; Latin runs are
found in sanitised HTML with regular expressions rather than html.parser; and URLs are rewritten only
in tags that have one. Each shortcut must give byte-identical output to the plain way on sample bodies,
on the benchmark corpus and on Markdown made up of the characters that mean something to either.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import json
import re
import sys
import types
import typing
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from conftest import ROOT
from hypothesis import example, given, settings
from hypothesis import strategies as st
from isolate_reference import isolate_html_reference

from nashra.body.markdown import (
    _URL_ATTR,
    TRIGGERS,
    _markdown,
    _TriggeredInline,
    render_markdown,
    rewrite_urls,
    unneeded_parts,
)
from nashra.body.typography import isolate_html
from nashra.incremental.records import article_from_json, article_to_json
from nashra.model import Article
from nashra.read.frontmatter import parse_article
from nashra.read.scan import find_links
from nashra.read.topics import parse_topics
from nashra.urls import plain_split

sys.path.insert(0, str(ROOT / "bench"))
import generate  # bench/generate.py: the benchmark corpus

MANY = settings(max_examples=400, deadline=None, derandomize=True)

PIECES = [
    "قال",
    "الوزير",
    " ",
    " ",
    "\n",
    "\n\n",
    "  \n",
    "Reuters",
    "The New York Times",
    "AT&T",
    "GPT-4",
    "5G",
    "https://example.org/a?b=1&c=2",
    "www.example.org",
    "٣",
    "2024",
    "iOS 18",
    " 3 ",
    "17.5",
    "3-1",
    "تريليونات",
    "مرة أخرى",
    "%",
    "\u200e",
    "\u200f",
    "&lrm;",
    "&",
    "&amp;",
    "&lt;",
    "&#65;",
    "&#x41;",
    "&nbsp;",
    "\u00a0",
    '"',
    "'",
    "<",
    ">",
    "*",
    "**",
    "_",
    "__",
    "`",
    "``",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "![",
    '[a](https://x.org/ "T")',
    "<https://x.org>",
    "<a@b.org>",
    '<span lang="en">',
    '<span dir="ltr">',
    '<span lang="ar">',
    "</span>",
    "<code>",
    "</code>",
    "<b>",
    "</b>",
    "<br>",
    "<br/>",
    "<!-- c -->",
    "<script>x</script>",
    "# ",
    "## ",
    "- ",
    "1. ",
    "> ",
    ">",
    "    ",
    "\t",
    "```\n",
    "~~~\n",
    "===\n",
    "---\n",
    "* * *\n",
    "___",
    "=",
    "|",
    "\n[x]: https://x.org/r\n",
    "- a\n\n    b\n",
    "[x]",
    "]:",
    "&amp",
    "&#65",
    "AT&T ",
    "| a | b |\n|---|---|\n| c | d |\n",
    "<p dir>",
    "<kbd>",
    "</kbd>",
    "<bdi>",
    "</bdi>",
    "<pre>",
    "</pre>",
    ":",
    "،",
    "-",
    "—",
    "/",
    ".",
]
markdown_text = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=50).map("".join)


def sample_bodies() -> list[str]:
    files = sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "tests" / "fixtures").rglob("*.md"))
    bodies = [path.read_text(encoding="utf-8", errors="replace").split("\n---\n", 1)[-1] for path in files]
    return bodies + [text.split("\n---\n", 1)[-1] for _, text in generate.articles(200, seed=7)]


def test_isolation_matches_the_html_parser_on_real_bodies():
    for body in sample_bodies():
        html = render_markdown(body)
        assert isolate_html(html) == isolate_html_reference(html), body


@MANY
@given(markdown_text)
def test_isolation_matches_the_html_parser_on_made_up_markdown(text: str):
    html = render_markdown(text)
    assert isolate_html(html) == isolate_html_reference(html)


def convert(text: str, without: frozenset[tuple[str, str]], plain: bool = False) -> str:
    md = _markdown(without, plain)
    md.reset()
    return md.convert(text)


def convert_plainly(text: str) -> str:
    """Python-Markdown as it comes: every part, its own inline pass."""
    return convert(text, frozenset(), plain=True)


def test_leaving_out_parts_changes_nothing_on_real_bodies():
    bodies = sample_bodies()
    assert any(unneeded_parts(body) for body in bodies)
    for body in bodies:
        assert convert(body, unneeded_parts(body)) == convert_plainly(body), body


@MANY
@given(markdown_text)
@example("ab\t\nd")  # a tab that ends up as two spaces before a newline: a line break
@example("ab \x02 \nd")  # the same, from two spaces a removed character kept apart
@example("!\x02[a](b.png)")  # an image
@example("a\n\n\tcode")  # a tab that becomes an indented code block
@example("&amp x")  # an entity without its ';', which the raw HTML pass completes
@example("a\n[x]: https://x.org/r\n")  # a link reference definition
@example("- a\n\n    b\n")  # a list item's second paragraph
def test_leaving_out_parts_changes_nothing_on_made_up_markdown(text: str):
    assert convert(text, unneeded_parts(text)) == convert_plainly(text)


@MANY
@given(markdown_text)
@example("a \x02[b](c) *d* `e` \x03<f> &amp; \\*")  # no part left out of the body: only text nodes skip
@example("[*a* `b`](c) _d_ **[e](f)**")  # patterns run again inside what another one made
@example("قال __الوزير__ اليوم")  # a node whose only trigger is '_'
@example("a  \nb")  # or a line break
def test_skipping_patterns_in_text_nodes_changes_nothing_on_made_up_markdown(text: str):
    assert convert(text, frozenset()) == convert_plainly(text)


def test_the_converter_skips_patterns_in_text_nodes():
    assert isinstance(_markdown().treeprocessors["inline"], _TriggeredInline)
    assert not isinstance(_markdown(plain=True).treeprocessors["inline"], _TriggeredInline)


def test_a_part_is_left_out_only_without_its_triggers():
    bold = unneeded_parts("نص **عريض**")
    assert {("inlinePatterns", "link"), ("inlinePatterns", "entity"), ("blockprocessors", "quote")} <= bold
    assert {("preprocessors", "html_block"), ("blockprocessors", "hashheader")} <= bold
    assert ("inlinePatterns", "em_strong") not in bold
    assert ("blockprocessors", "hr") not in bold
    assert ("inlinePatterns", "linebreak") not in unneeded_parts("سطر\t\nآخر")
    assert ("blockprocessors", "code") not in unneeded_parts("سطر\n\n\tشيفرة")
    assert ("preprocessors", "html_block") not in unneeded_parts("AT&T")
    assert unneeded_parts("نص\x02 مع *") == frozenset()


def test_every_part_named_is_one_python_markdown_has():
    md = _markdown()
    for registry, name in TRIGGERS:
        assert name in (md.parser.blockprocessors if registry == "blockprocessors" else getattr(md, registry))


def rewrite_urls_reference(sanitised: str, rewrite) -> str:
    """Every tag visited, as rewrite_urls first did."""

    def in_attr(match: re.Match) -> str:
        url = rewrite(htmllib.unescape(match.group(2)))
        return match.group(1) + htmllib.escape(url, quote=True) + match.group(3)

    return re.sub(r"<[a-zA-Z][^<>]*>", lambda tag: _URL_ATTR.sub(in_attr, tag.group(0)), sanitised)


def mark(url: str) -> str:
    return f"/x/{url}?<&>"


def test_url_rewriting_matches_visiting_every_tag_on_real_bodies():
    for body in sample_bodies():
        sanitised = render_markdown(body)
        assert rewrite_urls(sanitised, mark) == rewrite_urls_reference(sanitised, mark)


@MANY
@given(markdown_text)
def test_url_rewriting_matches_visiting_every_tag_on_made_up_markdown(text: str):
    sanitised = render_markdown(text)
    assert rewrite_urls(sanitised, mark) == rewrite_urls_reference(sanitised, mark)


def read_record_reference(hint, raw):
    """A record's value read by taking its type hint apart at every value, as records.py first did."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if raw is None and type(None) in args:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return read_record_reference(inner, raw)
    if origin is tuple:
        if type(raw) is not list:
            raise TypeError
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(read_record_reference(args[0], item) for item in raw)
        if len(raw) != len(args):
            raise TypeError
        return tuple(read_record_reference(arg, item) for arg, item in zip(args, raw, strict=True))
    if hint is datetime:
        if type(raw) is not str or (moment := datetime.fromisoformat(raw)).utcoffset() is None:
            raise TypeError
        return moment
    if dataclasses.is_dataclass(hint):
        fields = typing.get_type_hints(hint)
        if type(raw) is not dict or raw.keys() != {f.name for f in dataclasses.fields(hint)}:
            raise TypeError
        return hint(**{name: read_record_reference(fields[name], raw[name]) for name in raw})
    if hint in (str, int, bool) and type(raw) is hint:
        return raw
    raise TypeError


def read_record_both_ways(record: dict, path: str, digest: str):
    """(what article_from_json made, or None when it refused; the same read the reference way)."""
    try:
        fast = article_from_json(record, path, digest)
    except ValueError:
        fast = None
    hints = typing.get_type_hints(Article)
    try:
        plain = Article(**{name: read_record_reference(hints[name], raw) for name, raw in record.items()}, body="")
        if plain.path != path or plain.digest != digest or plain.body_line < 1:
            plain = None
    except (TypeError, ValueError):
        plain = None
    return fast, plain


def corpus_articles() -> list[Article]:
    topics, _ = parse_topics(generate.topics_yml())
    tz = ZoneInfo("Africa/Cairo")
    found = [parse_article(planned.relpath, text, topics, tz) for planned, text in generate.articles(200, seed=7)]
    return [dataclasses.replace(article, digest="d" * 64) for article, _ in found if article is not None]


def test_records_read_as_the_reference_reads_them_on_the_bench_corpus():
    articles = corpus_articles()
    assert len(articles) == 200
    for article in articles:
        record = json.loads(json.dumps(article_to_json(article)))
        fast, plain = read_record_both_ways(record, article.path, article.digest)
        assert fast is not None and article_to_json(fast) == article_to_json(plain) == record


CORPUS_ARTICLE = next(a for a in corpus_articles() if a.image and a.source and a.updated is None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "a", "2024-06-10T10:00:00+03:00"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["src", "alt", "caption", "name", "url"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@MANY
@given(st.sampled_from(sorted(set(typing.get_type_hints(Article)) - {"body"})), json_values)
@example("body_line", True)  # a bool is not an int
@example("updated", 0)  # nor None
@example("draft", 1)
@example("lines", [["title", 2, 3]])  # a pair of three
@example("lines", [["title", True]])  # a bool for a line number
@example("topics", [])
@example("image", {"src": "a.jpg", "alt": "", "caption": None})
@example("image", {"src": "a.jpg", "alt": ""})
@example("date", "2024-06-10T10:00:00")  # no zone
@example("correction", None)
def test_records_refused_as_the_reference_refuses_them(name: str, value):
    article = CORPUS_ARTICLE
    record = {**json.loads(json.dumps(article_to_json(article))), name: value}
    fast, plain = read_record_both_ways(record, article.path, article.digest)
    assert (fast is None) == (plain is None)
    if fast is not None:
        assert article_to_json(fast) == article_to_json(plain)


# ---- addresses split without urlsplit (urls.plain_split) ----

URL_PIECES = ["https://", "http://", "HTTPS://", "//", "https:", "mailto:", "[", "]", "::1", "example.org", "مثال"]
URL_PIECES += ["a", "@", "/", "?", "#", ":", "\t", "\n", "\r", " ", "\x00", "\x7f", "%41", "\uff03", "\u200f", "\\"]
URL_PIECES += [".", "..", "../05/budget.md", "/articles/x/", "\xa0"]


@MANY
@given(st.lists(st.sampled_from(URL_PIECES) | st.text(max_size=2), max_size=8).map("".join))
@example("https://[example.org/x")  # a bracket that does not close
@example("https://[nonsense]/x")  # brackets around no IPv6 address
@example("https://\t/x")  # a host that is only a tab, which urlsplit drops
@example("https://a.b\t[/x")  # a bracket in the host once the tab is dropped
@example("https://ex\uff03ample/")  # a host that NFKC makes 'ex#ample'
@example("https://example.org/مسار?س=1#ف")  # not ASCII past the host
@example(" /articles/x/")  # a space that urlsplit strips
@example("a\tb:c")  # a scheme once the tab is dropped
def test_plain_addresses_split_as_urlsplit_splits_them(url: str):
    plain = plain_split(url)
    if plain is not None:
        assert plain == urlsplit(url)


def test_the_links_of_the_bench_corpus_are_plain_addresses():
    links = [link.url for _, text in generate.articles(200, seed=7) for link in find_links(text, 1)]
    assert len(links) > 500
    assert all(plain_split(url) == urlsplit(url) for url in links)
