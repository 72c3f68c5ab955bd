"""Bad input: exit 1, the file and line, one message per problem, no traceback, output untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, build, run_cli

from nashra import parallel

ARTICLES = "content/articles/2024/06"

# file in tests/fixtures/broken -> (line, start of the message) of every expected line
EXPECTED = {
    "no-front-matter.md": [(1, "the file has no front matter")],
    "unterminated.md": [(1, "the front matter is not closed")],
    "yaml-syntax.md": [(5, "YAML syntax error: expected ',' or ']'")],
    "yaml-colon.md": [(4, "YAML syntax error: mapping values are not allowed here")],
    "not-mapping.md": [(2, "the front matter must be a set of 'key: value' lines")],
    "missing-summary.md": [(2, "missing required key 'summary'")],
    "wrong-type.md": [(6, "'summary' must be text, not a list")],
    "bad-date.md": [(3, "'date' is not a valid date: '17/06/2024'")],
    "unknown-topic.md": [(4, "unknown topic 'politcs' (did you mean 'politics'?")],
    "topic-no.md": [(4, "unknown topic 'no'")],
    "duplicate-slug.md": [(8, "slug 'visit' is also used by content/articles/2024/06/visit.md")],
    "bad-slug.md": [(8, "slug 'Bad_Slug' is not valid")],
    "unknown-key.md": [(2, "unknown key 'titel' in the front matter (did you mean 'title'?)")],
    "duplicate-key.md": [(3, "key 'title' is given twice (first on line 2)")],
    "image-no-alt.md": [(9, "the image has no 'alt' text")],
    "not-utf8.md": [(10, "the file is not UTF-8 text")],
    "bad-lang.md": [(8, "unknown language tag 'xx-nonsense-tag'")],
    "bad-draft.md": [(8, "'draft' must be true or false")],
    "yaml-alias.md": [(4, "YAML anchors (&name) and aliases (*name) are not allowed here")],
    "yaml-deep.md": [(8, "the values are nested more than 20 levels deep")],
    "control-escape.md": [(5, "the value holds the invisible control character U+0001, which web pages")],
    "control-raw.md": [(10, "the text holds the invisible control character U+0001, which web pages")],
    "date-out-of-range.md": [(3, "'date' is outside the years 1000-9998: '9999-12-31T23:59-05:00'")],
}


def test_every_broken_fixture_has_an_expectation():
    assert sorted(p.name for p in (FIXTURES / "broken").glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_article_names_file_and_line(site: Path, name: str, capsys):
    shutil.copy(FIXTURES / "broken" / name, site / ARTICLES / name)
    assert build(site) == 1
    err = capsys.readouterr().err.splitlines()
    mine = [line for line in err if line.startswith(f"{ARTICLES}/{name}:")]
    assert len(mine) == len(EXPECTED[name]), err
    for line, (number, message) in zip(mine, EXPECTED[name], strict=True):
        assert line.startswith(f"{ARTICLES}/{name}:{number}: {message}"), line
    assert "Traceback" not in "\n".join(err)
    assert not (site / "output").exists()


def test_duplicate_slug_names_both_files(site: Path, capsys):
    shutil.copy(FIXTURES / "broken" / "duplicate-slug.md", site / ARTICLES)
    assert build(site) == 1
    err = capsys.readouterr().err
    assert f"{ARTICLES}/visit.md:1: slug 'visit' is also used by {ARTICLES}/duplicate-slug.md" in err


def test_problems_from_many_files_are_all_reported_sorted(site: Path, capsys):
    for name in ("unknown-key.md", "bad-date.md", "topic-no.md"):
        shutil.copy(FIXTURES / "broken" / name, site / ARTICLES / name)
    assert build(site) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("content/")]
    assert len(lines) == 3
    assert lines == sorted(lines)


def test_cli_exits_1_without_traceback_and_keeps_previous_output(site: Path):
    assert run_cli("--root", str(site)).returncode == 0
    before = snapshot(site / "output")
    shutil.copy(FIXTURES / "broken" / "yaml-syntax.md", site / ARTICLES)
    result = run_cli("--root", str(site))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{ARTICLES}/yaml-syntax.md:5: YAML syntax error" in result.stderr
    assert snapshot(site / "output") == before
    # no staging folder is left behind
    expected = [p.name for p in (FIXTURES / "site").iterdir()] + ["output", "templates", ".nashra-cache"]
    assert sorted(p.name for p in site.iterdir()) == sorted(expected)


def test_template_error_is_reported_with_file_and_line(site: Path, capsys):
    (site / "templates" / "404.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{{ oops(\n")
    assert build(site) == 1
    assert capsys.readouterr().err.startswith("templates/404.html:3: template error:")


def test_bom_and_crlf_are_accepted(site: Path):
    path = site / ARTICLES / "visit.md"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert build(site) == 0
    assert "زيارة مرتقبة" in (site / "output/articles/visit/index.html").read_text(encoding="utf-8")


def test_bad_site_yml_is_located(site: Path, capsys):
    (site / "site.yml").write_text("title: t\nper_page: many\ntimezone: Mars/Olympus\n", encoding="utf-8")
    assert build(site) == 1
    err = capsys.readouterr().err
    assert "site.yml:2: 'per_page' must be a whole number" in err
    assert "site.yml:3: unknown timezone 'Mars/Olympus'" in err


def test_bad_base_url_override_is_a_usage_problem(site: Path, capsys):
    assert build(site, "--base-url", "example.org/nashra") == 1
    assert "base_url 'example.org/nashra' must be an absolute" in capsys.readouterr().err


def test_output_that_is_not_a_build_is_left_alone(site: Path, capsys):
    precious = site / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    assert build(site, "--output", str(precious)) == 1
    assert "is not a Nashra build" in capsys.readouterr().err
    assert (precious / "keep.txt").read_text() == "keep"


@pytest.mark.parametrize("target", [".", "content/out", ".."])
def test_output_cannot_replace_the_project(site: Path, target: str):
    assert build(site, "--output", str(site / target)) == 1
    assert (site / "content" / "topics.yml").is_file()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failing_render_keeps_previous_output(site: Path, capsys):
    assert build(site) == 0
    before = snapshot(site / "output")
    article = site / "templates" / "article.html"
    article.write_text(article.read_text().replace("{{ entry.title_html }}</h1>", "{{ entry.no_such_field }}</h1>"))
    assert build(site) == 1
    err = capsys.readouterr().err
    assert err.startswith("templates/article.html:")
    assert "no_such_field" in err
    assert snapshot(site / "output") == before


def test_problems_found_by_worker_processes_are_the_same(site: Path, monkeypatch, capsys):
    for path in sorted((FIXTURES / "broken").glob("*.md")):
        shutil.copy(path, site / ARTICLES / path.name)
    assert build(site) == 1
    serial = capsys.readouterr().err
    monkeypatch.setitem(parallel.SPREAD, "chunks", parallel.Spread(start_from=1, chunk=3))
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert build(site) == 1
    assert capsys.readouterr().err == serial
    assert serial.count(f"{ARTICLES}/") >= len(EXPECTED)
