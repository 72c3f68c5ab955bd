"""Bodies that would make Python-Markdown (or the link scanner) work for minutes are refused, NSH124,
at the line where the excess starts, by `check` and by `build` alike: exit 1, no traceback, no hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TEST_FRONT, build, run_cli

from nashra.body.markdown import MAX_BODY, MAX_DEPTH, body_problems, render_markdown

ARTICLES = "content/articles/2024/06"
FRONT = TEST_FRONT
BODY_LINE = 9  # the body's first line in the file

# name -> (body, file line of the NSH124 problem, start of its message). Each took Python-Markdown from
# seconds to minutes (or a RecursionError) before the limit; the first three are the issue's.
HOSTILE = {
    "brackets-20kb": ("[" * 20_000, BODY_LINE, "too many '[' that no ']' closes"),
    "brackets-50000": ("[" * 50_000, BODY_LINE, "too many '[' that no ']' closes"),
    "links-32kb": ("[a](" * 8_000, BODY_LINE, "too many links whose '(' no ')' closes"),
    "images": ("intro\n\n" + "![" * 10_000, BODY_LINE + 2, "too many '[' that no ']' closes"),
    "nested-brackets": ("[" * 5_000 + "]" * 5_000, BODY_LINE, "too many '[' that no ']' closes"),
    "tags": ("<a " * 10_000, BODY_LINE, "too many '<' that no '>' closes"),
    "quoted-tags": ("<a x='" * 10_000, BODY_LINE, "too many '<' that no '>' closes"),
    "backticks": (" a ".join("`" * n for n in range(1, 400)), BODY_LINE, "too many backticks that no run as long"),
    "nested-list": ("".join("    " * i + "- a\n" for i in range(220)), BODY_LINE + MAX_DEPTH, "lists or quotes nested"),
    "list-on-a-line": ("- " * 1_000 + "a", BODY_LINE, "lists or quotes nested 1000 deep"),
    "nested-quotes": ("text\n" + "> " * 5_000 + "a", BODY_LINE + 1, "lists or quotes nested 5000 deep"),
    "too-long": (("a" * 999 + "\n") * 120, BODY_LINE + MAX_BODY // 1000, "the body is 120,000 characters long"),
}
# Shapes that look alarming but cost Python-Markdown time in proportion to their length: they build.
HARMLESS = {
    "emphasis": "*_" * 20_000,
    "strong": "**a " * 5_000 + "**" * 5_000,
    "underscores": "_" * 30_000 + "a" + "_" * 30_000,
    "code-spans": "`a` " * 10_000,
    "quotes": "".join(">" * n + " a\n" for n in range(1, MAX_DEPTH)),
    "links": "[رابط](/articles/visit/) " * 3_000,
}


def hostile_site(site: Path, bodies: dict[str, str]) -> Path:
    for name, body in bodies.items():
        (site / ARTICLES / f"{name}.md").write_text(FRONT + body, encoding="utf-8")
    return site


def test_check_reports_every_hostile_body_at_its_line(site: Path):
    hostile_site(site, {name: body for name, (body, _, _) in HOSTILE.items()})
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "--root", str(site)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    for name, (_, line, message) in HOSTILE.items():
        mine = [row for row in out.splitlines() if row.startswith(f"{ARTICLES}/{name}.md:{line}:")]
        assert mine and message in mine[0] and "[NSH124]" in mine[0], (name, out[-3000:])


def test_build_refuses_every_hostile_body_and_keeps_output(site: Path):
    hostile_site(site, {name: body for name, (body, _, _) in HOSTILE.items()})
    (site / "output").mkdir()
    (site / "output" / "index.html").write_text("published", encoding="utf-8")
    (site / "output" / ".nashra-build").write_bytes(b"")  # it stands for a previous build
    result = run_cli("build", "--root", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name, (_, line, message) in HOSTILE.items():
        assert f"{ARTICLES}/{name}.md:{line}: {message}" in result.stderr, (name, result.stderr[-3000:])
    assert sorted(p.name for p in (site / "output").iterdir()) == [".nashra-build", "index.html"]
    assert (site / "output" / "index.html").read_text(encoding="utf-8") == "published"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_body_gives_one_problem_with_a_fix(name: str):
    body, line, message = HOSTILE[name]
    problems = body_problems("a.md", body, BODY_LINE)
    assert [(p.line, p.code) for p in problems] == [(line, "NSH124")]
    assert problems[0].message.startswith(message) and problems[0].hint


def test_harmless_shapes_build(site: Path):
    hostile_site(site, HARMLESS)
    assert build(site) == 0
    for name in HARMLESS:
        assert (site / "output" / "articles" / name / "index.html").is_file()


def test_a_long_ordinary_article_is_within_the_limits():
    paragraph = "قال المتحدث إن [المحادثات](/articles/talks/) ستستأنف *الأسبوع المقبل* في `جنيف` <b>رسميًا</b>. "
    body = "\n\n".join(["## فقرة\n\n" + paragraph * 8] * 100)
    assert len(body) < MAX_BODY and not body_problems("a.md", body, 1)
    assert "<h2" in render_markdown(body)


@pytest.mark.parametrize(
    "body",
    ["[a](" * 25_000, "[a](b (" * 15_000, "[a](<" * 20_000, '[a](b "' * 15_000],
    ids=["open-parens", "open-titles", "open-angles", "open-quotes"],
)
def test_finding_links_is_linear(body: str):
    """Each of these read to the end of the text from every `(` (100 KB of the first: minutes); now once."""
    code = "import sys; from nashra.read.scan import find_links; find_links(sys.stdin.read()); print('done')"
    result = subprocess.run(
        [sys.executable, "-c", code], input=body, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.stdout.strip() == "done", result.stderr[-2000:]
