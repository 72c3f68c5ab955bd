"""`build.py preview`: screenshots of the articles a change adds or edits, at phone and desktop width, and a
summary a reviewer reads in the pull request's job summary; and the workflow that runs it.

The browser tests run the command as a user does (Chromium through Playwright) and skip with the reason when
either is missing, unless NASHRA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import html5lib
import pytest
import yaml
from conftest import ROOT, make_site, run_cli
from PIL import Image
from test_browser import need
from test_pr_checks import git, render_gfm

from nashra.cli import main
from nashra.commands import preview, preview_summary
from nashra.commands.preview import MARKER, Missing, entries_for
from nashra.commands.preview_summary import ARTIFACT, WIDTHS, Card, Shot, summary_markdown

assert WIDTHS == {"phone": 375, "desktop": 1280}  # the widths the issue asks for
VISIT = "content/articles/2024/06/visit.md"  # with a lead image (its og:image until cards exist)
DRAFT = "content/articles/2024/06/secret.md"  # draft: true, left out of an ordinary build
VOTE = "content/articles/2024/05/vote.md"
NOW = "2024-06-18T10:00"
# What site.py prints for each (the fixture site's timezone is Cairo's), and the reader's topic names.
EXPECTED = {
    VISIT: ("نيويورك تايمز: زيارة مرتقبة تعمّق التعاون", "الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة", "سياسة"),
    DRAFT: ("مسودة لم تنشر", "الاثنين 10 يونيو 2024، 12:00 ص بتوقيت القاهرة", "اقتصاد"),
    VOTE: ("تصويت في البرلمان", "الاثنين 20 مايو 2024، 12:00 م بتوقيت القاهرة", "سياسة"),
}
WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"


@pytest.fixture
def tools():
    """Skip (or fail, with NASHRA_REQUIRE_BROWSER=1) when Playwright or Chromium is missing, as the command says."""
    try:
        preview.find_tools()
    except Missing as exc:
        need(False, str(exc))


def run_preview(root: Path, *args: str) -> int:
    """`python build.py preview ARGS` from the site's folder, in-process."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return main(["preview", "--now", NOW, *args])
    finally:
        os.chdir(cwd)


def summary_rows(folder: Path) -> dict[str, list]:
    """The summary's table as GitHub renders it: each row's cells (elements), by the article's file."""
    doc = render_gfm((folder / "summary.md").read_text(encoding="utf-8"))
    headers = [th.text for th in doc.findall(".//thead/tr/th")]
    assert headers == ["Article", "Date", "Topics", "Source", "Card", "Screenshots"]
    return {tr.find("td/code").text: tr.findall("td") for tr in doc.findall(".//tbody/tr")}


def text(element) -> str:
    return "".join(element.itertext()).strip()


def og_image(page: Path) -> str | None:
    doc = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    meta = doc.find(".//meta[@property='og:image']")
    return None if meta is None else meta.get("content")


# ---- the command, in Chromium ----


def test_preview_writes_both_widths_and_a_summary_for_two_articles(tmp_path: Path, tools):
    root = make_site(tmp_path / "site")
    assert run_preview(root, VISIT, DRAFT) == 0
    folder = root / "preview"
    assert (folder / MARKER).is_file()
    for slug in ("visit", "secret"):
        for name, width in WIDTHS.items():
            with Image.open(folder / "screenshots" / f"{slug}-{name}.png") as shot:
                assert shot.format == "PNG"
                assert shot.width == width  # CSS pixels at a device scale of 1
                assert shot.height > 600
    rows = summary_rows(folder)
    assert set(rows) == {VISIT, DRAFT}
    for path, (title, date, topic) in ((p, EXPECTED[p]) for p in (VISIT, DRAFT)):
        article, when, topics, _, card, screenshots = rows[path]
        assert text(article).startswith(title)
        assert text(when) == date
        assert text(topics) == topic
        # The card is the built page's og:image, shown from the built site beside the summary.
        page = folder / "site" / "articles" / Path(path).stem / "index.html"
        url = og_image(page)
        if url is None:
            assert text(card) == "none (no og:image)"
        else:
            (img,) = card.findall(".//img")
            assert img.get("src") == "site/" + url.removeprefix("https://example.github.io/nashra/")
            assert (folder / img.get("src")).is_file()
        links = [a.get("href") for a in screenshots.findall(".//a")]
        assert links == [f"screenshots/{Path(path).stem}-{name}.png" for name in WIDTHS]
    assert text(rows[VISIT][3]) == "نيويورك تايمز (https://www.nytimes.com/)"
    assert text(rows[DRAFT][3]) == "مصدر"
    assert "(draft)" in text(rows[DRAFT][0])  # shown though an ordinary build leaves it out
    assert (folder / "site/articles/secret/index.html").is_file()


def test_changed_from_previews_exactly_the_changed_article(tmp_path: Path, tools):
    root = make_site(tmp_path / "site")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "contribution")
    vote = root / VOTE
    vote.write_text(vote.read_text(encoding="utf-8") + "\nفقرة جديدة.\n", encoding="utf-8")
    (root / "content/articles/2024/05/talks.md").unlink()  # deleted: nothing to look at
    git(root, "commit", "-q", "-am", "edit one article, delete another")
    assert run_preview(root, "--changed-from", "main", "--out", str(tmp_path / "look")) == 0
    folder = tmp_path / "look"
    assert sorted(p.name for p in (folder / "screenshots").iterdir()) == ["vote-desktop.png", "vote-phone.png"]
    rows = summary_rows(folder)
    assert list(rows) == [VOTE]
    title, date, topic = EXPECTED[VOTE]
    assert text(rows[VOTE][0]) == title + VOTE  # published: no status after the file
    assert [text(td) for td in rows[VOTE][1:3]] == [date, topic]
    # A second preview replaces the first whole.
    assert run_preview(root, VISIT, "--out", str(tmp_path / "look")) == 0
    assert list(summary_rows(folder)) == [VISIT]
    assert not (folder / "screenshots/vote-phone.png").exists()


def test_limit_previews_the_first_articles_and_the_summary_counts_the_rest(tmp_path: Path, tools, capsys):
    root = make_site(tmp_path / "site")
    assert run_preview(root, VISIT, DRAFT, VOTE, "--limit", "1") == 0
    assert list(summary_rows(root / "preview")) == [VOTE]  # the first by path: 2024/05 before 2024/06
    assert sorted(p.name for p in (root / "preview/screenshots").iterdir()) == ["vote-desktop.png", "vote-phone.png"]
    summary = (root / "preview/summary.md").read_text(encoding="utf-8")
    assert "**2 more articles changed, not previewed here** (at most 1 a run)" in summary
    out = capsys.readouterr().out
    assert f"{DRAFT}: not previewed (--limit 1)" in out and f"{VISIT}: not previewed (--limit 1)" in out


def test_a_content_error_keeps_the_last_preview(tmp_path: Path, tools, capsys):
    root = make_site(tmp_path / "site")
    assert run_preview(root, VOTE) == 0
    before = (root / "preview/summary.md").read_bytes()
    vote = root / VOTE
    vote.write_text(vote.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    capsys.readouterr()
    assert run_preview(root, VOTE) == 1
    assert f"{VOTE}:2: unknown key 'titel'" in capsys.readouterr().err
    assert (root / "preview/summary.md").read_bytes() == before
    assert (root / "preview/screenshots/vote-phone.png").is_file()


def test_a_page_that_does_not_answer_is_named_and_fails_the_preview(tmp_path: Path, tools, monkeypatch, capsys):
    root = make_site(tmp_path / "site")
    real = preview.entries_for

    def lost(*args):  # the article's address, as if the page had not been built there
        entries, status = real(*args)
        return [dataclasses.replace(e, url=e.url + "lost/") for e in entries], status

    monkeypatch.setattr(preview, "entries_for", lost)
    assert run_preview(root, VOTE) == 1
    assert "(/nashra/articles/vote/lost/ answered 404)" in capsys.readouterr().out
    (article, *_) = summary_rows(root / "preview")[VOTE]
    assert "⚠️ /nashra/articles/vote/lost/ answered 404" in text(article)
    assert (root / "preview/screenshots/vote-phone.png").is_file()  # the 404 page, as the reader would see it


# ---- refusals, before anything is built ----


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_limit_is_a_number_of_articles(tmp_path: Path, limit: str):
    result = run_cli("preview", VISIT, f"--limit={limit}", cwd=make_site(tmp_path / "site"))
    assert result.returncode == 2
    assert f"'{limit}' is not a number of articles (1 or more)" in result.stderr


def test_a_path_that_is_not_an_article_is_refused(tmp_path: Path):
    root = make_site(tmp_path / "site")
    result = run_cli("preview", "site.yml", VISIT, cwd=root)
    assert result.returncode == 1
    assert "site.yml: 'site.yml' is not an article (articles are .md files in content/articles/)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "preview").exists() and not (root / "output").exists()


def test_without_articles_or_a_ref_it_says_what_to_give(tmp_path: Path):
    result = run_cli("preview", "--root", str(make_site(tmp_path / "site")))
    assert result.returncode == 2
    assert "give the articles to preview (content/articles/...), or --changed-from REF" in result.stderr


def test_a_folder_that_is_not_a_preview_is_left_alone(tmp_path: Path):
    root = make_site(tmp_path / "site")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("keep me", encoding="utf-8")
    result = run_cli("preview", VISIT, "--out", str(notes), cwd=root)
    assert result.returncode == 2
    assert "is not an earlier preview (it has no .nashra-preview file); it was left alone" in result.stderr
    assert [p.name for p in notes.iterdir()] == ["todo.txt"]
    inside = run_cli("preview", VISIT, "--out", "content/look", cwd=root)
    assert inside.returncode == 2 and "the preview folder is inside content/" in inside.stderr


def test_without_chromium_it_says_how_to_install_it(tmp_path: Path, monkeypatch, capsys):
    root = make_site(tmp_path / "site")
    monkeypatch.setenv(preview.CHROMIUM_ENV, str(tmp_path / "no-such-browser"))
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is missing here, so the command stops at it first")
    assert run_preview(root, VISIT) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"build.py preview: the preview needs Chromium, which is not at ${preview.CHROMIUM_ENV}")
    assert "apt-get install chromium" in err
    assert not (root / "preview").exists()


def test_without_playwright_it_says_how_to_install_it(tmp_path: Path, monkeypatch, capsys):
    root = make_site(tmp_path / "site")
    monkeypatch.setitem(sys.modules, "playwright", None)  # `import playwright...` now raises ImportError
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    assert run_preview(root, VISIT) == 1
    assert capsys.readouterr().err == (
        "build.py preview: the preview needs Playwright for Python, which is not installed: "
        "pip install -e '.[preview]'\n"
    )


def test_the_build_never_imports_playwright():
    code = "import sys, nashra.cli, nashra.commands.preview; sys.exit('playwright' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0


# ---- the summary, as GitHub renders it ----


def shots_for(root: Path, paths: list[str], now=None) -> list[Shot]:
    entries, status = entries_for(root, paths, now)
    card = Card("https://example.github.io/nashra/cards/visit.png", "بطاقة <الخبر>", "cards/visit.png")
    screenshots = tuple((name, f"screenshots/{entry.slug}-{name}.png") for entry in entries for name in WIDTHS)
    return [Shot(e, status[e.path], card if e.slug == "visit" else None, screenshots) for e in entries]


def test_the_summary_on_github_links_every_file_to_the_run_that_holds_the_artifact(tmp_path: Path):
    root = make_site(tmp_path / "site")
    run = "https://github.com/example/nashra/actions/runs/42"
    doc = render_gfm(summary_markdown(shots_for(root, [VISIT, DRAFT]), run))
    assert f"in the artifact {ARTIFACT} of this run." in text(doc.find(".//p"))
    rows = doc.findall(".//tbody/tr")
    assert [tr.find("td/code").text for tr in rows] == [VISIT, DRAFT]
    visit, draft = (tr.findall("td") for tr in rows)
    assert [text(td) for td in visit[:4]] == [
        f"{EXPECTED[VISIT][0]}{VISIT}",
        EXPECTED[VISIT][1],
        EXPECTED[VISIT][2],
        "نيويورك تايمز (https://www.nytimes.com/)",
    ]
    (card,) = visit[4].findall("a")  # a summary cannot show a file of an artifact: it names it and links the run
    assert (card.text, card.get("href")) == ("site/cards/visit.png", run)
    assert text(draft[4]) == "none (no og:image)"
    assert {a.get("href") for td in (visit[5], draft[5]) for a in td.findall("a")} == {run}
    assert doc.find(".//img") is None


def test_the_local_summary_shows_the_card_and_marks_drafts_and_scheduled_articles(tmp_path: Path):
    root = make_site(tmp_path / "site")
    shots = shots_for(root, [VISIT, DRAFT, VOTE], now=datetime(2024, 6, 1, 12))
    doc = render_gfm(summary_markdown(shots))
    (img,) = doc.findall(".//img")
    assert (img.get("src"), img.get("alt")) == ("site/cards/visit.png", "بطاقة <الخبر>")
    cells = {tr.find("td/code").text: tr.findall("td") for tr in doc.findall(".//tbody/tr")}
    assert text(cells[VISIT][0]).endswith("(scheduled)")  # dated after the clock: a reviewer should know
    assert text(cells[DRAFT][0]).endswith("(draft)")
    assert "(" not in text(cells[VOTE][0])


def test_a_summary_with_nothing_to_preview_says_so():
    assert "No article to preview" in summary_markdown([])


# ---- the workflow ----


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_preview_workflow_runs_on_pull_requests_with_read_only_permission():
    flow = workflow()
    assert "pull_request" in flow[True]  # YAML 1.1 reads the key `on` as True
    assert flow["permissions"] == {"contents": "read"}
    (job,) = flow["jobs"].values()
    steps = job["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0  # the base branch, for --changed-from
    assert "actions/setup-python" in uses
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "python -m pip install -e '.[preview]'" in runs
    assert 'python build.py preview --changed-from "origin/$BASE_REF" --out preview' in runs
    assert "/usr/bin/google-chrome" in runs and preview.CHROMIUM_ENV in runs
    upload = uses["actions/upload-artifact"]
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["with"]["name"] == ARTIFACT and upload["with"]["path"] == "preview/"
    (summary,) = [step for step in steps if "GITHUB_STEP_SUMMARY" in step.get("run", "")]
    assert summary["env"]["ARTIFACT_URL"] == f"${{{{ steps.{upload['id']}.outputs.artifact-url }}}}"
    assert steps.index(summary) > steps.index(upload)


def test_the_summary_step_adds_the_artifact_link_to_the_summary(tmp_path: Path):
    """The workflow's own summary step, run by bash on a preview folder: the summary GitHub shows."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    (step,) = [s for s in next(iter(workflow()["jobs"].values()))["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    (tmp_path / "preview").mkdir()
    (tmp_path / "preview/summary.md").write_text(summary_markdown(shots_for(make_site(tmp_path / "site"), [VISIT])))
    url = "https://github.com/example/nashra/actions/runs/42/artifacts/7"
    env = {"PATH": os.environ["PATH"], "GITHUB_STEP_SUMMARY": str(tmp_path / "step.md"), "ARTIFACT_URL": url}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True, timeout=30)
    doc = render_gfm((tmp_path / "step.md").read_text(encoding="utf-8"))
    assert doc.find(".//tbody/tr/td/code").text == VISIT
    (download,) = [a for a in doc.findall(".//a") if a.get("href") == url]
    assert ARTIFACT in text(download)


def test_a_card_elsewhere_on_the_web_is_named_never_shown(tmp_path: Path):
    (shot,) = shots_for(make_site(tmp_path / "site"), [VISIT])
    elsewhere = Card("https://cdn.example.org/visit.png", "", None)
    doc = render_gfm(summary_markdown([Shot(shot.entry, shot.status, elsewhere, shot.screenshots)]))
    assert doc.find(".//img") is None  # a summary never makes its reader's browser fetch from another host
    assert doc.find(".//tbody/tr/td[5]/code").text == "https://cdn.example.org/visit.png"


def test_the_run_link_is_given_only_in_github_actions(monkeypatch):
    for name, value in {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "9",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert preview_summary.run_url() is None
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert preview_summary.run_url() == "https://github.com/o/r/actions/runs/9"
