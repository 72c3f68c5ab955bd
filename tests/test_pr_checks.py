"""`check` in a pull request: the changed files first, whatever their names, and a job summary GitHub
accepts and shows as written (GitHub-flavoured Markdown, under the runner's 1 MiB)."""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import html5lib
import pytest
from conftest import FIXTURES, ROOT, make_site
from markdown_it import MarkdownIt

from nashra.cli import main
from nashra.commands.report import SUMMARY_BYTES, summary_markdown
from nashra.problems import Problem

ARTICLES = "content/articles/2024/06"
BROKEN = FIXTURES / "broken" / "unknown-key.md"  # an unknown key: an error in any file it is copied to
NOT_UTF8 = os.fsdecode(b"x\xff.md")


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def add_broken(root: Path, name: str) -> str:
    """Copy the broken article to content/articles/2024/06/`name`; skip where the file system refuses it."""
    path = root / ARTICLES / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BROKEN, path)
    except (OSError, UnicodeEncodeError) as exc:
        pytest.skip(f"this file system refuses the name {name!r}: {exc}")
    return f"{ARTICLES}/{name}"


def check(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python build.py check ARGS` in `root`, as a workflow step runs it; output kept as bytes."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", *args],
        cwd=root,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def json_paths(output: bytes) -> list[str]:
    return [p["path"] for p in json.loads(output)]


# ---- item 20: names as git quotes them ----

QUOTED = ["عربي/خبر.md", "خبر-جديد.md", "back\\slash.md", 'qu"ote.md', "new\nline.md", "tab\there.md"]


def test_changed_files_with_any_name_come_first(tmp_path: Path):
    root = make_site(tmp_path / "site")
    base = [add_broken(root, "0-base.md"), add_broken(root, "مقال-قديم.md")]  # sort before or among the rest
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "core.quotePath", "true")  # git's default: names outside ASCII are C-quoted
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "contribution")
    committed = [add_broken(root, name) for name in QUOTED[:4]]
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "new articles")
    untracked = [add_broken(root, name) for name in QUOTED[4:]]
    (root / base[1]).write_text(BROKEN.read_text(encoding="utf-8") + "\nنص جديد.\n", encoding="utf-8")  # uncommitted
    changed = {*committed, *untracked, base[1]}
    result = check(root, "--format", "json", "--changed-from", "main")
    assert result.returncode == 1, result.stderr
    paths = json_paths(result.stdout)
    first = paths[: paths.index(base[0])]
    assert set(first) == changed
    assert set(paths[len(first) :]) == {base[0]}


def test_a_changed_file_whose_name_is_not_utf8_comes_first(tmp_path: Path):
    root = make_site(tmp_path / "site")
    base = add_broken(root, "0-base.md")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "contribution")
    committed = add_broken(root, NOT_UTF8)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "a name in Latin-1")
    result = check(root, "--format", "json", "--changed-from", "main")
    assert result.returncode == 1, result.stderr
    paths = json_paths(result.stdout)
    assert set(paths[: paths.index(base)]) == {committed}
    # The JSON keeps the name's bytes: \udcff, which os.fsencode turns back into the file's name.
    assert b'x\\udcff.md"' in result.stdout
    assert os.fsencode(paths[0]) == os.fsencode(f"{ARTICLES}/") + b"x\xff.md"


# ---- item 23: a REF is a REF ----


@pytest.mark.parametrize("ref", ["--output=written.txt", "-p", ""])
def test_changed_from_refuses_a_ref_that_git_would_read_as_an_option(tmp_path: Path, ref: str):
    root = make_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    before = sorted(p.name for p in root.iterdir())
    result = check(root, f"--changed-from={ref}")
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert f"--changed-from {ref!r}: give a git branch, tag or commit".encode() in result.stderr
    assert sorted(p.name for p in root.iterdir()) == before  # git wrote no file


# ---- item 23: a file name that is not UTF-8 in every output ----


def test_a_name_that_is_not_utf8_never_breaks_the_output_or_the_summary(tmp_path: Path):
    root = make_site(tmp_path / "site")
    add_broken(root, NOT_UTF8)
    summary = tmp_path / "summary.md"
    for fmt in ("text", "github", "json"):
        # PYTHONIOENCODING makes the output strict UTF-8, as a UTF-8 locale other than C does.
        result = check(root, "--format", fmt, env={"GITHUB_STEP_SUMMARY": str(summary), "PYTHONIOENCODING": "utf-8"})
        assert result.returncode == 1
        assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
        assert result.stdout.decode("utf-8")  # valid UTF-8
        if fmt != "json":
            assert b"x\\xff.md" in result.stdout  # the byte, shown
    text = summary.read_bytes().decode("utf-8")  # valid UTF-8: no raw byte, no surrogate
    assert text.count("### Nashra check") == 3
    assert "`content/articles/2024/06/x\\xff.md`" in text


# ---- item 21: the summary stays under 1 MiB ----


def many_problems(n: int) -> list[Problem]:
    return [
        Problem(
            f"content/articles/2024/06/article-{i:05}.md",
            2,
            1,
            "NSH101",
            "unknown key 'titel' in the front matter: " + "ملخص طويل " * 20,
            "did you mean 'title'? " + "x" * 100,
        )
        for i in range(n)
    ]


def test_a_summary_of_thousands_of_problems_is_cut_below_the_limit_at_a_row():
    problems = many_problems(6000)
    guide = "https://github.com/example/nashra/blob/abc123/CONTRIBUTING.md"
    text = summary_markdown(problems, 6000, guide)
    assert len(text.encode("utf-8")) + 1 <= SUMMARY_BYTES < 1024 * 1024  # and the newline write_summary adds
    lines = text.splitlines()
    rows = [line for line in lines if line.startswith("| ❌")]
    assert 1000 < len(rows) < 6000
    assert all(row.endswith(" |") and row.count(" | ") == 5 for row in rows)  # whole rows only
    assert rows[0].startswith("| ❌ error | `content/articles/2024/06/article-00000.md`")  # in the problems' order
    assert rows[-1].startswith(f"| ❌ error | `content/articles/2024/06/article-{len(rows) - 1:05}.md`")
    left = 6000 - len(rows)
    (note,) = [line for line in lines if "not shown here" in line]
    assert note.startswith(f"**{left} more problems of 6000 are not shown here**")
    assert "step's log lists every problem" in note and "--format json" in note
    assert lines[-1] == f"Every code is explained, with its fix, in [CONTRIBUTING.md]({guide})."
    # Under the limit, nothing is left out.
    assert "not shown here" not in summary_markdown(problems[:100], 100, guide)


def test_the_summary_counts_what_the_step_wrote_before(tmp_path: Path, monkeypatch, capsys):
    root = make_site(tmp_path / "site")
    for i in range(40):
        add_broken(root, f"broken-{i:02}.md")
    summary = tmp_path / "summary.md"
    summary.write_text("x" * (SUMMARY_BYTES - 3000) + "\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["check", "--root", str(root), "--format", "github"]) == 1
    capsys.readouterr()
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= SUMMARY_BYTES
    assert re.search(r"\*\*\d+ more problems of 40 are not shown here\*\*", text)


# ---- item 22: every cell shows its text as written ----

NASTY_PATH = "content/articles/2024/06/a&b<i>c</i>`d``e|f\\g\\|h*i_&amp;.md"
NASTY_TEXT = (
    "**bold** _em_ [link](https://example.org/x) <img src=x onerror=alert(1)> &amp; &lt; `code` ~~gone~~ "
    ":smile: @someone #12 $x^2$ | pipe \\| back\\ slash \\*not\\* ![img](y.png) <https://example.org/>"
)


def render_gfm(text: str):
    """The summary rendered as GitHub renders Markdown (tables, strikethrough), parsed as HTML."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return html5lib.parse(md.render(text), namespaceHTMLElements=False)


def test_summary_cells_render_as_their_text_in_gfm():
    problems = [Problem(NASTY_PATH, 3, 1, "NSH101", NASTY_TEXT, "fix: " + NASTY_TEXT, "error")]
    doc = render_gfm(summary_markdown(problems, 1))
    (row,) = doc.findall(".//tbody/tr")
    cells = row.findall("td")
    assert len(cells) == 6
    where, message, hint = cells[1], cells[4], cells[5]
    assert [child.tag for child in where] == ["code"]
    assert where[0].text == NASTY_PATH
    for td, expected in ((message, NASTY_TEXT), (hint, "fix: " + NASTY_TEXT)):
        assert list(td) == [], f"markup in a cell: {[child.tag for child in td]}"
        assert td.text == expected


ESCAPED = re.compile(r"\\([" + re.escape(string.punctuation) + "])")


def test_summary_cells_escape_every_markdown_character_and_undo_exactly():
    (row,) = [
        line
        for line in summary_markdown([Problem("a.md", 1, 1, "NSH101", NASTY_TEXT, "")], 1).splitlines()
        if line.startswith("| ❌")
    ]
    message = row.split(" | ")[4]
    # Every ASCII punctuation character is escaped: none is left bare for Markdown to act on.
    assert not [ch for ch in ESCAPED.sub("", message) if ch in string.punctuation]
    assert ESCAPED.sub(r"\1", message) == NASTY_TEXT


@pytest.mark.parametrize(
    "path",
    ["a`b.md", "``x.md", "x`", " lead.md", "a|b.md", "a\\|b.md", "a&amp;b.md", "a<b>.md", "tab\there.md"],
)
def test_a_path_is_its_code_span(path: str):
    doc = render_gfm(summary_markdown([Problem(path, 1, 1, "NSH101", "m", "h")], 1))
    code = doc.find(".//tbody/tr/td[2]/code")
    assert code is not None
    assert code.text == path.replace("\t", "\\t")


def test_a_summary_cell_holds_no_raw_html():
    text = summary_markdown([Problem("a.md", 1, 1, "NSH101", "<script>alert(1)</script>", "&lt;b&gt;")], 1)
    assert "<script>" not in text
    doc = render_gfm(text)
    assert doc.find(".//script") is None
    assert doc.find(".//tbody/tr/td[6]").text == "&lt;b&gt;"  # the text typed, not its entity
