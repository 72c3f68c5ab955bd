"""`python build.py check`: every problem, located, in text, GitHub and JSON formats; nothing written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, build, make_site, run_cli
from PIL import Image
from test_errors import EXPECTED as BUILD_EXPECTED

from nashra.cli import main
from nashra.commands.report import escape_data, escape_property, format_github, format_text, summary_markdown
from nashra.problems import Problem

ARTICLES = "content/articles/2024/06"
LARGE_IMAGE = 600 * 1024

# tests/fixtures/broken/<file> -> the code of the error test_errors.py expects (at the line it expects)
BUILD_CODES = {
    "no-front-matter.md": "NSH002",
    "unterminated.md": "NSH003",
    "yaml-syntax.md": "NSH004",
    "yaml-colon.md": "NSH004",
    "not-mapping.md": "NSH005",
    "missing-summary.md": "NSH102",
    "wrong-type.md": "NSH103",
    "bad-date.md": "NSH104",
    "unknown-topic.md": "NSH105",
    "topic-no.md": "NSH105",
    "duplicate-slug.md": "NSH107",
    "bad-slug.md": "NSH106",
    "unknown-key.md": "NSH101",
    "duplicate-key.md": "NSH006",
    "image-no-alt.md": "NSH108",
    "not-utf8.md": "NSH001",
    "bad-lang.md": "NSH110",
    "bad-draft.md": "NSH103",
    "yaml-alias.md": "NSH007",
    "yaml-deep.md": "NSH008",
    "control-escape.md": "NSH009",
    "control-raw.md": "NSH009",
    "date-out-of-range.md": "NSH104",
}
# tests/fixtures/check/<file> -> (line, column, code, severity): one problem each, the build's or check's own
CHECK_EXPECTED = {
    "link-missing-file.md": (13, 27, "NSH121", "error"),
    "link-no-page.md": (13, 20, "NSH122", "error"),
    "image-missing.md": (13, 18, "NSH111", "error"),
    "summary-short.md": (5, 1, "NSH401", "warning"),
    "summary-long.md": (5, 1, "NSH402", "warning"),
    "title-long.md": (2, 1, "NSH403", "warning"),
    "date-future.md": (3, 1, "NSH404", "warning"),
    "no-body.md": (9, 1, "NSH405", "warning"),
    "http-link.md": (11, 29, "NSH406", "warning"),
    "heading-skipped.md": (13, 1, "NSH407", "warning"),
    "image-large.md": (13, 15, "NSH408", "warning"),
    "bidi-title.md": (2, 8, "NSH409", "warning"),
}


def expected_problems() -> set[tuple[str, int, str, str]]:
    """(path, line, code, severity) of every problem in the site made by `broken_site`."""
    found = {(f"{ARTICLES}/{name}", BUILD_EXPECTED[name][0][0], code, "error") for name, code in BUILD_CODES.items()}
    found.add((f"{ARTICLES}/visit.md", 1, "NSH107", "error"))  # names the other file too
    # duplicate-slug.md is otherwise readable, so check also reviews it: "ملخص" and no body
    found.add((f"{ARTICLES}/duplicate-slug.md", 5, "NSH401", "warning"))
    found.add((f"{ARTICLES}/duplicate-slug.md", 9, "NSH405", "warning"))
    found |= {(f"{ARTICLES}/{name}", line, code, sev) for name, (line, _, code, sev) in CHECK_EXPECTED.items()}
    return found


def test_every_check_fixture_has_an_expectation():
    assert sorted(p.name for p in (FIXTURES / "check").glob("*.md")) == sorted(CHECK_EXPECTED)
    assert sorted(BUILD_CODES) == sorted(BUILD_EXPECTED)


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """The fixture site with every broken and check fixture in it, and one large image."""
    root = make_site(tmp_path_factory.mktemp("check") / "site")
    for folder in ("broken", "check"):
        for path in (FIXTURES / folder).glob("*.md"):
            shutil.copy(path, root / ARTICLES / path.name)
    large = root / "content/images/large.jpg"  # a sound JPEG of noise, over LARGE_IMAGE in bytes
    Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3)).save(large, quality=95)
    assert large.stat().st_size > LARGE_IMAGE
    return root


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


TEXT_LINE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<sev>error|warning): .* \[(?P<code>NSH\d{3})\]$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<sev>error|warning) file=(?P<path>[^,]+),line=(?P<line>\d+)(?:,col=(?P<col>\d+))?,"
    r"title=Nashra (?P<code>NSH\d{3})::"
)


def parsed(pattern: re.Pattern, output: str) -> list[tuple[str, int, int, str, str]]:
    rows = []
    for line in output.splitlines():
        m = pattern.match(line)
        if m:
            rows.append((m["path"], int(m["line"]), int(m["col"] or 0), m["code"], m["sev"]))
    return rows


def test_all_three_formats_give_every_expected_code_file_and_line(broken_site, capsys, monkeypatch):
    status, out, _ = run(capsys, "--root", str(broken_site), "--format", "json")
    assert status == 1
    from_json = [(p["path"], p["line"], p["column"], p["code"], p["severity"]) for p in json.loads(out)]
    assert {(path, line, code, sev) for path, line, _, code, sev in from_json} == expected_problems()
    assert len(from_json) == len(expected_problems())

    status, out, _ = run(capsys, "--root", str(broken_site))
    assert status == 1
    assert parsed(TEXT_LINE, out) == from_json
    assert out.splitlines()[-1] == "27 errors and 11 warnings in 42 articles."

    monkeypatch.chdir(broken_site)  # GitHub annotates paths relative to the working directory
    status, out, _ = run(capsys, "--format", "github")
    assert status == 1
    assert parsed(GITHUB_LINE, out) == from_json


def test_columns_of_the_check_fixtures(broken_site, capsys):
    _, out, _ = run(capsys, "--root", str(broken_site), "--format", "json")
    found = {(p["path"].rsplit("/", 1)[1], p["line"], p["column"], p["code"], p["severity"]) for p in json.loads(out)}
    for name, expected in CHECK_EXPECTED.items():
        assert (name, *expected) in found


def test_suggestions_for_a_misspelt_key_and_topic(broken_site, capsys):
    _, out, _ = run(capsys, "--root", str(broken_site), "--format", "json")
    hints = {(p["path"].rsplit("/", 1)[1], p["code"]): p["hint"] for p in json.loads(out)}
    assert hints["unknown-key.md", "NSH101"] == "did you mean 'title'?"
    assert hints["unknown-topic.md", "NSH105"].startswith("did you mean 'politics'?")
    assert hints["link-missing-file.md", "NSH121"] == "did you mean '../05/budget.md'?"


def test_a_clean_site_gives_exit_0_and_no_github_output(site, capsys):
    assert run(capsys, "--root", str(site), "--format", "github") == (0, "", "")
    status, out, _ = run(capsys, "--root", str(site))
    assert (status, out) == (0, "No problems in 7 articles.\n")
    assert run(capsys, "--root", str(site), "--format", "json")[:2] == (0, "[]\n")


def test_the_sample_site_has_no_errors(capsys):
    status, out, _ = run(capsys, "--root", str(ROOT), "--format", "json")
    assert [p for p in json.loads(out) if p["severity"] == "error"] == []
    assert status == 0


def test_warnings_pass_unless_strict(site, capsys):
    shutil.copy(FIXTURES / "check" / "summary-short.md", site / ARTICLES)
    assert run(capsys, "--root", str(site))[0] == 0
    assert run(capsys, "--root", str(site), "--strict")[0] == 1
    assert build(site) == 0  # a warning never fails the build
    assert "warning" not in capsys.readouterr().err


def test_check_writes_nothing(broken_site, site, capsys):
    for root in (broken_site, site):
        before = tree(root)
        run(capsys, "--root", str(root))
        assert tree(root) == before
        assert not (root / "output").exists()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_cli_exit_codes_without_traceback(site):
    shutil.copy(FIXTURES / "broken" / "yaml-syntax.md", site / ARTICLES)
    result = run_cli("check", "--root", str(site))
    assert result.returncode == 1
    assert f"{ARTICLES}/yaml-syntax.md:5:8: error: YAML syntax error" in result.stdout
    usage = run_cli("check", "--root", str(site), "--format", "xml")
    assert usage.returncode == 2
    assert "invalid choice: 'xml'" in usage.stderr
    for done in (result, usage):
        assert "Traceback" not in done.stdout + done.stderr


def test_broken_site_yml_is_reported_in_every_format(site, capsys):
    (site / "site.yml").write_text("title: t\ntimezone: Mars/Olympus\n", encoding="utf-8")
    status, out, _ = run(capsys, "--root", str(site), "--format", "json")
    assert status == 1
    assert [(p["path"], p["line"], p["code"]) for p in json.loads(out)] == [("site.yml", 2, "NSH202")]


# ---- paths: only those articles, and never outside the project ----


def test_named_files_are_checked_in_the_context_of_the_site(site, capsys):
    shutil.copy(FIXTURES / "broken" / "duplicate-slug.md", site / ARTICLES)
    shutil.copy(FIXTURES / "broken" / "unknown-key.md", site / ARTICLES)
    status, out, _ = run(capsys, "--root", str(site), "--format", "json", str(site / ARTICLES / "duplicate-slug.md"))
    assert status == 1
    problems = json.loads(out)
    assert {p["path"] for p in problems} == {f"{ARTICLES}/duplicate-slug.md"}
    assert any("also used by content/articles/2024/06/visit.md" in p["message"] for p in problems)


def test_paths_outside_the_articles_are_refused_without_reading_them(site, tmp_path, capsys, monkeypatch):
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitel: [unclosed\n---\n", encoding="utf-8")
    (site / ARTICLES / "linked.md").symlink_to(outside)
    monkeypatch.chdir(site)
    given = ["../outside.md", str(outside), "README.md", "site.yml", f"{ARTICLES}/nope.md", f"{ARTICLES}/linked.md"]
    status, out, _ = run(capsys, "--format", "json", *given)
    assert status == 1
    problems = {(p["path"], p["code"]) for p in json.loads(out)}
    assert problems == {
        ("../outside.md", "NSH501"),
        (str(outside), "NSH501"),
        ("README.md", "NSH501"),
        ("site.yml", "NSH501"),
        (f"{ARTICLES}/nope.md", "NSH501"),
        (f"{ARTICLES}/linked.md", "NSH502"),
    }
    assert "titel" not in out and "unclosed" not in out


def test_symlinks_out_of_the_project_are_refused_by_check_and_build_alike(site, tmp_path, capsys):
    outside = tmp_path / "secret.md"
    outside.write_text(
        (site / "content/articles/2024/05/talks.md").read_text(encoding="utf-8").replace("talks", "secret")
    )
    (site / ARTICLES / "leak.md").symlink_to(outside)
    (site / "content/images/loop.svg").symlink_to(site / "content/images/loop.svg")
    (site / "content/outside").symlink_to(tmp_path)
    status, out, _ = run(capsys, "--root", str(site), "--format", "json")
    assert status == 1
    expected = [
        ("content/articles/2024/06/leak.md", "NSH502"),
        ("content/images/loop.svg", "NSH502"),
        ("content/outside", "NSH502"),
    ]
    assert sorted((p["path"], p["code"]) for p in json.loads(out)) == expected
    assert build(site) == 1
    err = capsys.readouterr().err
    assert [line.split(":")[0] for line in err.splitlines()[:-1]] == [path for path, _ in expected]
    assert not (site / "output").exists()


# ---- --changed-from: the pull request's files first ----


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_changed_files_come_first(site, capsys):
    shutil.copy(FIXTURES / "broken" / "bad-date.md", site / ARTICLES)  # already on the base branch
    git(site, "init", "-q", "-b", "main")
    git(site, "add", ".")
    git(site, "commit", "-q", "-m", "base")
    git(site, "checkout", "-q", "-b", "contribution")
    shutil.copy(FIXTURES / "broken" / "unknown-key.md", site / ARTICLES / "zz-new.md")
    git(site, "add", ".")
    git(site, "commit", "-q", "-m", "new article")
    shutil.copy(FIXTURES / "broken" / "bad-slug.md", site / ARTICLES / "zz-untracked.md")
    status, out, _ = run(capsys, "--root", str(site), "--format", "json", "--changed-from", "main")
    assert status == 1
    assert [p["path"].rsplit("/", 1)[1] for p in json.loads(out)] == ["zz-new.md", "zz-untracked.md", "bad-date.md"]
    status, _, err = run(capsys, "--root", str(site), "--changed-from", "no-such-branch")
    assert status == 2
    assert "--changed-from no-such-branch:" in err


# ---- the formats themselves ----

PROBLEM = Problem("content/a,b:c.md", 3, 7, "NSH101", "100% sure:\r\nnot, really", "fix: it", "error")


def test_github_commands_are_escaped():
    assert escape_data("100%\r\n") == "100%25%0D%0A"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    line = format_github([PROBLEM])
    assert line == (
        "::error file=content/a%2Cb%3Ac.md,line=3,col=7,title=Nashra NSH101::"
        "100%25 sure:%0D%0Anot, really%0Afix: fix: it"
    )
    warning = format_github([Problem("site.yml", 0, 0, "NSH401", "m", "", "warning")], lambda path: None)
    assert warning == "::warning title=Nashra NSH401::site.yml: m"


def test_text_format_colours_only_when_asked(site, capsys):
    plain = format_text([PROBLEM])
    assert plain.splitlines()[0] == "content/a,b:c.md:3:7: error: 100% sure:\r\nnot, really [NSH101]".splitlines()[0]
    assert "\033[" not in plain
    assert "\033[1;31merror:\033[0m" in format_text([PROBLEM], colour=True)
    shutil.copy(FIXTURES / "broken" / "unknown-key.md", site / ARTICLES)
    _, out, _ = run(capsys, "--root", str(site))  # captured: not a terminal
    assert "\033[" not in out
    assert "    fix: did you mean 'title'?" in out.splitlines()


def test_job_summary_gets_a_table(broken_site, tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "example/nashra")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    assert run(capsys, "--root", str(broken_site), "--format", "github")[0] == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### Nashra check")
    assert "❌ 27 errors and 11 warnings in 42 articles." in text
    assert "| | File | Line | Code | Problem | How to fix |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ❌") or line.startswith("| ⚠️")]
    assert len(rows) == len(expected_problems())
    assert "[NSH101](https://github.com/example/nashra/blob/abc123/CONTRIBUTING.md#nsh101)" in text


def test_summary_cells_are_escaped():
    text = summary_markdown([Problem("a|b.md", 1, 1, "NSH101", "x | <script>\ny", "z")], 1)
    (row,) = [line for line in text.splitlines() if line.startswith("| ❌")]
    assert row == "| ❌ error | `a\\|b.md` | 1 | NSH101 | x \\| \\<script\\> y | z |"
    assert summary_markdown([], 16) == "### Nashra check · فحص نشرة\n\n✅ No problems in 16 articles.\n"


# ---- originals too large, images no article uses (NSH151, NSH152) ----


def photo_warnings(site: Path, capsys) -> list[tuple[str, str, str]]:
    status, out, _ = run(capsys, "--root", str(site), "--format", "json")
    assert status == 0  # warnings only
    return sorted((p["path"], p["code"], p["message"]) for p in json.loads(out) if p["code"] in {"NSH151", "NSH152"})


def test_check_warns_on_originals_over_4000_pixels_or_5_mb(site: Path, capsys):
    Image.new("L", (300, 4100), 255).save(site / "content/images/tall.png")  # small in bytes, too many pixels
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    noise.save(site / "content/images/heavy.png", compress_level=0)  # few pixels, over 5 MB
    body = "\n![طويلة](/images/tall.png) ![ثقيلة](/images/heavy.png)\n"
    (site / ARTICLES / "visit.md").write_text((site / ARTICLES / "visit.md").read_text(encoding="utf-8") + body)
    mb = (site / "content/images/heavy.png").stat().st_size / 1024 / 1024
    assert photo_warnings(site, capsys) == [
        ("content/images/heavy.png", "NSH151", f"the original is {mb:.1f} MB"),
        ("content/images/tall.png", "NSH151", "the original is 300x4100 pixels"),
    ]


def test_check_warns_on_images_no_article_uses(site: Path, capsys):
    Image.new("RGB", (10, 10)).save(site / "content/images/forgotten.jpg")
    Image.new("RGB", (10, 10)).save(site / "content/images/linked.jpg")  # a link to it counts as a use
    (site / ARTICLES / "visit.md").write_text(
        (site / ARTICLES / "visit.md").read_text(encoding="utf-8") + "\n[الصورة كاملة](/images/linked.jpg)\n"
    )
    assert photo_warnings(site, capsys) == [
        ("content/images/forgotten.jpg", "NSH152", "no article uses the image"),
    ]


# ---- photos the build refuses: check finds them too, so a pull request is told, not the deploy ----


def cut_short(image: Image.Image, path: Path, **options) -> None:
    """The image saved at `path`, then only the first half of its bytes: its type still shows."""
    image.save(path, **options)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def noise(width: int = 400, height: int = 300) -> Image.Image:
    return Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))


def damaged_photos(images: Path) -> list[str]:
    cut_short(noise(), images / "cut-jpeg.jpg", quality=90)
    cut_short(noise(), images / "cut-webp.webp")
    cut_short(noise().convert("P"), images / "cut-gif.gif")
    noise().save(images / "broken.png")  # its first bytes and length right, its pixel data not
    data = (images / "broken.png").read_bytes()
    at = data.index(b"IDAT") + 200
    (images / "broken.png").write_bytes(data[:at] + bytes(64) + data[at + 64 :])
    noise().save(images / "whole.jpg")  # and one that is sound
    return ["broken.png", "cut-gif.gif", "cut-jpeg.jpg", "cut-webp.webp"]


def same_stems(images: Path) -> list[str]:
    noise(50, 50).save(images / "twin.jpg")
    noise(50, 50).save(images / "twin.png")
    return ["twin.png"]


REFUSED_PHOTOS = {"damaged": (damaged_photos, "NSH125"), "same stems": (same_stems, "NSH127")}


@pytest.mark.parametrize("case", sorted(REFUSED_PHOTOS))
def test_check_refuses_the_photos_the_build_refuses(site: Path, capsys, case: str):
    make, code = REFUSED_PHOTOS[case]
    refused = [(f"content/images/{name}", code) for name in make(site / "content/images")]
    status, out, _ = run(capsys, "--root", str(site), "--format", "json")
    assert status == 1
    errors = sorted((p["path"], p["code"]) for p in json.loads(out) if p["severity"] == "error")
    assert errors == refused
    assert build(site) == 1
    assert sorted(line.split(":")[0] for line in capsys.readouterr().err.splitlines()[:-1]) == [p for p, _ in refused]
    assert not (site / "output").exists()
