"""Links and images in article bodies: found with their file line, and checked against the site."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from conftest import build, run_cli

from nashra.read.frontmatter import parse_article
from nashra.read.links import check_links, link_sites, local_image
from nashra.read.scan import Link, find_headings, find_links
from nashra.read.topics import parse_topics

TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n- slug: economy\n  name: اقتصاد\n")
CAIRO = ZoneInfo("Africa/Cairo")
HERE = "content/articles/2024/06/visit.md"


def article(path: str, body: str = "", extra: str = ""):
    text = (
        "---\ntitle: عنوان\ndate: 2024-06-17T19:01\ntopics: [politics]\n"
        f"summary: ملخص\nsource:\n  name: مصدر\n{extra}---\n{body}"
    )
    a, problems = parse_article(path, text, TOPICS, CAIRO)
    assert problems == []
    return a


SITE = [
    article("content/articles/2024/05/budget.md"),
    article("content/articles/2024/06/secret.md", extra="draft: true\n"),
]
IMAGES = ["route.svg", "maps/cairo.png"]


def problems_for(body: str, *, draft: bool = False, per_page: int = 20):
    mine = article(HERE, body, "draft: true\n" if draft else "")
    files = [a.path for a in [*SITE, mine]] + ["content/articles/2024/06/broken.md"]
    found = check_links(link_sites([*SITE, mine], files, TOPICS, IMAGES, ["style.css"], per_page), [*SITE, mine])
    return [(p.line, p.col, p.code) for p in found]


# ---- finding links ----


def test_links_are_found_with_file_line_and_column():
    body = 'نص\n\nانظر [الموازنة](../05/budget.md) و![خريطة](/images/route.svg "عنوان").\n'
    assert find_links(body, 10) == [
        Link(12, 17, "../05/budget.md", False),
        Link(12, 44, "/images/route.svg", True),
    ]


def test_code_comments_and_escapes_hide_links():
    body = "`[a](x.md)`\n\n```\n[b](y.md)\n```\n\n<!-- [c](z.md) -->\n\n\\[d](w.md)\n\n~~~md\n[e](v.md)\n~~~\n"
    assert find_links(body) == []


def test_nested_image_reference_autolink_angle_and_parentheses():
    body = (
        "[![صورة](a.png)](https://x.org)\n"
        "[ref]: ../05/budget.md\n"
        "<http://plain.example>\n"
        "[ويكي](https://en.wikipedia.org/wiki/Foo_(bar))\n"
        "[مسافة](<../05/a b.md>)\n"
        "[نص على\nسطرين](../05/budget.md)\n"
    )
    assert [(link.line, link.url, link.image) for link in find_links(body)] == [
        (1, "a.png", True),
        (1, "https://x.org", False),
        (2, "../05/budget.md", False),
        (3, "http://plain.example", False),
        (4, "https://en.wikipedia.org/wiki/Foo_(bar)", False),
        (5, "../05/a b.md", False),
        (7, "../05/budget.md", False),
    ]


def test_link_text_does_not_run_across_paragraphs():
    assert find_links("[a\n\nb](x.md)\n") == []


def test_headings_atx_and_setext():
    body = "## أ\n\nنص\n\n#### ب\n\nعنوان\n-----\n\n```\n# ليس عنوانًا\n```\n\n| a |\n|---|\n"
    assert [(h.line, h.level, h.text) for h in find_headings(body, 5)] == [(5, 2, "أ"), (9, 4, "ب"), (11, 2, "عنوان")]


# ---- checking links against the site ----


@pytest.mark.parametrize(
    "body",
    [
        "[a](../05/budget.md)",
        "[a](../05/budget.md#table)",
        "[a](/articles/budget/)",
        "[a](/articles/budget)",
        "[a](/articles/budget/index.html)",
        "[a](/topics/politics/)",
        "[a](/topics/)",
        "[a](/)",
        "[a](/feed.xml)",
        "[a](/topics/economy/feed.xml)",
        "[a](/static/style.css)",
        "![a](../../../images/route.svg)",
        "![a](/images/maps/cairo.png)",
        "![a](../../../images/maps/cairo%2Epng)",
        "[a](https://example.org/x) [b](mailto:a@b.org) [c](#part) [d](?q=1)",
        "[a](broken.md)",  # a file with errors of its own: exists, its problems are reported there
        "[a](visit.md)",
    ],
)
def test_links_that_exist_pass(body: str):
    assert problems_for(body) == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("[a](../05/nope.md)", "NSH121"),
        ("[a](../2024/06/other.md)", "NSH121"),
        ("[a](notes.txt)", "NSH121"),
        ("[a](../../../../../etc/passwd)", "NSH121"),
        ("[a](../../topics.yml)", "NSH121"),
        ("[a](../budget/)", "NSH121"),
        ("[a](secret.md)", "NSH121"),  # a draft: not published
        ("[a](/articles/nope/)", "NSH122"),
        ("[a](/articles/secret/)", "NSH122"),
        ("[a](/topics/sport/)", "NSH122"),
        ("[a](/page/2/)", "NSH122"),
        ("[a](/nashra/articles/budget/)", "NSH122"),
        ("![a](../images/x.jpg)", "NSH121"),
        ("![a](../../../images/nope.svg)", "NSH111"),
        ("![a](/images/nope.svg)", "NSH111"),
        ("[a](https://[example.org/x)", "NSH128"),  # a host in brackets that do not close: Python will not split it
        ("[a](http://[not-ipv6]/x)", "NSH128"),
        ("![a](https://[example.org/a.jpg)", "NSH128"),
    ],
)
def test_links_that_lead_nowhere_are_errors(body: str, code: str):
    assert problems_for("\n" + body) == [(10, 6 if body.startswith("!") else 5, code)]


def test_a_draft_may_link_to_a_draft():
    assert problems_for("[a](secret.md) [b](/articles/secret/)", draft=True) == []


def test_pages_exist_as_far_as_the_articles_reach():
    assert problems_for("[a](/page/2/) [b](/topics/politics/page/2/)", per_page=1) == []
    assert [code for *_, code in problems_for("[a](/page/3/)", per_page=1)] == ["NSH122"]


def hint(body: str) -> str:
    mine = article(HERE, body)
    (problem,) = check_links(
        link_sites([*SITE, mine], [a.path for a in [*SITE, mine]], TOPICS, IMAGES, [], 20), [*SITE, mine]
    )
    return problem.hint


def test_hints_suggest_what_was_meant():
    assert hint("[a](../06/budget.md)") == "did you mean '../05/budget.md'?"
    assert hint("![a](../images/route.svg)") == "images are in content/images/: link it as '/images/route.svg'"
    assert hint("![a](/images/rout.svg)") == "did you mean '/images/route.svg'?"
    assert hint("[a](/articles/budjet/)") == "did you mean '/articles/budget/'?"
    assert hint("[a](/nashra/articles/budget/)") == (
        "write '/articles/budget/': Nashra adds the site's own address ('/nashra/') itself"
    )
    assert hint("[a](/topics/politic/)") == "did you mean '/topics/politics/'?"
    assert hint("[a](../05/nope.md)").startswith("link to an article by its file")
    assert (
        hint("[a](www.reuters.com/world)")
        == "for another website write the whole address, e.g. 'https://www.reuters.com/world'"
    )


def test_local_image():
    assert local_image("../../../images/a/b.png", HERE) == "a/b.png"
    assert local_image("/images/a.png#x", HERE) == "a.png"
    assert local_image("https://x.org/images/a.png", HERE) is None
    assert local_image("../05/budget.md", HERE) is None


# ---- the build refuses them too ----


def test_build_refuses_a_dangling_link_naming_file_and_line(site, capsys):
    path = site / "content/articles/2024/06/visit.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n[قديم](../05/gone.md)\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n")
    assert build(site) == 1
    err = capsys.readouterr().err
    assert (
        f"content/articles/2024/06/visit.md:{line}: link '../05/gone.md' goes to content/articles/2024/05/gone.md"
        in err
    )
    assert not (site / "output").exists()


VISIT = "content/articles/2024/06/visit.md"


# An address Python will not split (a host in brackets that do not close, or holding no IPv6 address)
# where a contributor can write one: where -> (file, the text replaced, its replacement, the message)
UNSPLIT = {
    "body link": (VISIT, "صدرت عن الزيارة.", "صدرت عن [الزيارة](https://[example.org/x).", "is not an address"),
    "raw HTML image": (VISIT, "صدرت عن الزيارة.", '<img src="https://[a.org/a.png" alt="ا">', "is not an address"),
    "source url": (VISIT, "url: https://www.nytimes.com/", "url: https://[www.nytimes.com/", "must be an absolute"),
    "base_url": ("site.yml", "base_url: https://example.github.io/nashra/", "base_url: https://[x/", "an absolute"),
}


@pytest.mark.parametrize("where", sorted(UNSPLIT))
def test_an_address_python_will_not_split_is_a_problem_at_its_line(site, where: str):
    name, old, new, message = UNSPLIT[where]
    path = site / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    for command in (["--root", str(site)], ["check", "--root", str(site)]):
        result = run_cli(*command)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert f"{name}:{line}:" in result.stderr + result.stdout and message in result.stderr + result.stdout
    assert not (site / "output").exists()
