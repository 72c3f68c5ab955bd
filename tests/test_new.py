"""`python build.py new`: a file with every required key, that fails check until filled in and never overwrites."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import build, run_cli

from nashra.cli import main
from nashra.commands.new import article_path, article_text, slugify
from nashra.read.frontmatter import parse_article
from nashra.read.topics import parse_topics

CAIRO = ZoneInfo("Africa/Cairo")
TOPICS, _ = parse_topics("- slug: politics\n  name: سياسة\n- slug: economy\n  name: اقتصاد\n")
MOMENT = datetime(2025, 6, 19, 10, 5, tzinfo=CAIRO)


def fill_in(text: str) -> str:
    """What a contributor does with the new file."""
    return (
        text.replace('summary: ""', "summary: ملخص الخبر في جملة كاملة تكفي لقائمة الأخبار وللخلاصة.")
        .replace('name: ""', "name: رويترز")
        .replace('url: ""', "url: https://www.reuters.com/")
        .replace("<!-- اكتب نص الخبر هنا بصيغة Markdown · Write the article here, in Markdown -->", "نص الخبر.")
    )


def test_new_text_has_every_required_key_and_fails_until_filled_in():
    text = article_text("عنوان الخبر", ["politics"], MOMENT)
    _, problems = parse_article("content/articles/2025/06/visit.md", text, TOPICS, CAIRO)
    assert [(p.line, p.code, p.message) for p in problems] == [
        (6, "NSH102", "'summary' is empty"),
        (8, "NSH102", "'name' is empty"),
        (9, "NSH102", "source url is empty"),
    ]
    assert all("fill" in p.hint for p in problems)
    article, problems = parse_article("content/articles/2025/06/visit.md", fill_in(text), TOPICS, CAIRO)
    assert problems == []
    assert (article.title, article.date, article.topics) == ("عنوان الخبر", MOMENT, ("politics",))


@pytest.mark.parametrize(
    "title", ['رويترز: "اقتباس" \\ و# ليس تعليقًا', "- يبدأ بشرطة", "no: yes", "ترويسة\tو\u200fعلامة"]
)
def test_any_title_is_written_safely(title: str):
    article, problems = parse_article("a.md", fill_in(article_text(title, ["politics"], MOMENT)), TOPICS, CAIRO)
    assert problems == [] and article.title == title.strip()


def test_without_topics_the_list_is_left_to_fill_in():
    _, problems = parse_article("a.md", fill_in(article_text("t", [], MOMENT)), TOPICS, CAIRO)
    assert [p.code for p in problems] == ["NSH103"]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("NASA: Europa Clipper launches", "nasa-europa-clipper-launches"),
        ("ناسا تطلق Europa Clipper", "europa-clipper"),
        ("Élysée: Macron's visit, 2024", "elysee-macron-s-visit-2024"),
        ("بوتين يزور كوريا الشمالية", None),
        ("بوتين 2024", None),
        ("a " * 80, "-".join(["a"] * 30)),
    ],
)
def test_slug_from_the_title(title: str, slug: str | None):
    assert slugify(title) == slug


def test_article_path():
    assert article_path("putin-visit", MOMENT) == "content/articles/2025/06/putin-visit.md"


# ---- the command ----


def new(site: Path, *args: str) -> int:
    return main(["new", "--root", str(site), *args])


def created(site: Path, slug: str) -> Path:
    (path,) = (site / "content/articles").glob(f"*/*/{slug}.md")
    return path


def test_new_file_once_filled_passes_check_and_builds(site: Path, capsys):
    assert new(site, "--topic", "politics", "--topic", "economy", "--slug", "putin-visit", "عنوان الخبر") == 0
    path = created(site, "putin-visit")
    now = datetime.now(CAIRO)  # site.yml's timezone is Africa/Cairo
    assert path.relative_to(site).as_posix().startswith(f"content/articles/{now:%Y}/{now:%m}/")
    out = capsys.readouterr().out
    assert f"Created {path.relative_to(site).as_posix()}" in out
    assert main(["check", "--root", str(site)]) == 1  # placeholders not filled in yet
    path.write_text(fill_in(path.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--root", str(site), "--strict"]) == 0
    assert build(site) == 0
    assert (site / "output/articles/putin-visit/index.html").is_file()


def test_new_never_overwrites(site: Path, capsys):
    assert new(site, "--topic", "politics", "--slug", "visit-2", "عنوان") == 0
    path = created(site, "visit-2")
    path.write_text("edited", encoding="utf-8")
    assert new(site, "--topic", "politics", "--slug", "visit-2", "عنوان آخر") == 1
    assert "already used by" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "edited"
    assert new(site, "--topic", "politics", "--slug", "visit", "عنوان") == 1  # visit.md is in 2024/06
    assert "the slug 'visit' is already used by content/articles/2024/06/visit.md" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "politcs", "--slug", "x", "عنوان"], "unknown topic 'politcs' (did you mean 'politics'?)"),
        (["--topic", "politics", "عنوان بلا حروف لاتينية"], "give one with --slug, e.g. --slug putin-visit"),
        (["--topic", "politics", "--slug", "../../escape", "t"], "--slug '../../escape' is not valid"),
        (["--topic", "politics", "--slug", "/tmp/x", "t"], "is not valid"),
        (["--topic", "politics", "  "], "the title is empty"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(site: Path, capsys, args: list[str], message: str):
    before = sorted(p.as_posix() for p in site.rglob("*"))
    assert new(site, *args) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.as_posix() for p in site.rglob("*")) == before


def test_new_from_the_command_line(site: Path):
    result = run_cli("new", "--root", str(site), "--topic", "science", "NASA: Europa Clipper launches")
    assert result.returncode == 0, result.stderr
    assert created(site, "nasa-europa-clipper-launches").is_file()
    result = run_cli("new", "--root", str(site), "--topic", "sciense", "NASA: Europa Clipper launches")
    assert result.returncode == 2
    assert "did you mean 'science'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_reads_topics_yml_as_check_does_with_the_same_line(site: Path, capsys):
    (site / "content/topics.yml").unlink()
    assert main(["check", "--root", str(site)]) == 1
    line = "content/topics.yml: error: content/topics.yml is missing [NSH201]"
    assert line in capsys.readouterr().out
    assert new(site, "--topic", "politics", "--slug", "x", "عنوان") == 1
    err = capsys.readouterr().err
    assert "content/topics.yml: content/topics.yml is missing (list the site's topics there)" in err
    assert not list((site / "content/articles").glob("*/*/x.md"))


def test_new_refuses_a_topics_yml_that_leads_outside_the_project(site: Path, tmp_path: Path, capsys):
    outside = tmp_path / "elsewhere.yml"
    outside.write_bytes((site / "content/topics.yml").read_bytes())
    (site / "content/topics.yml").unlink()
    (site / "content/topics.yml").symlink_to(outside)
    assert new(site, "--topic", "politics", "--slug", "x", "عنوان") == 1
    err = capsys.readouterr().err
    assert "content/topics.yml: 'content/topics.yml' is a link to " in err
    assert "Traceback" not in err
