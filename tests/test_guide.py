"""The contributor's side of the repository: CONTRIBUTING.md is current and complete, the workflows are valid."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from nashra.commands.check import check_site
from nashra.commands.topics import END, START, replace_block, topics_markdown
from nashra.read.frontmatter import FIELDS, REQUIRED
from nashra.read.topics import parse_topics

GUIDE = ROOT / "CONTRIBUTING.md"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CODE = re.compile(r"NSH\d{3}")


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def codes_in_the_code_base() -> set[str]:
    return {code for path in (ROOT / "nashra").rglob("*.py") for code in CODE.findall(path.read_text("utf-8"))}


def test_every_code_the_code_base_can_emit_is_documented():
    documented = set(re.findall(r"^### (NSH\d{3})$", guide(), re.M))
    missing = codes_in_the_code_base() - documented
    assert not missing, f"add a '### NSHxxx' entry with an example and the fix to CONTRIBUTING.md for {sorted(missing)}"


def test_every_documented_code_exists():
    documented = set(re.findall(r"^### (NSH\d{3})$", guide(), re.M))
    assert documented <= codes_in_the_code_base()


def test_each_code_entry_has_an_example_and_a_fix_in_both_languages():
    entries = re.split(r"^### (?=NSH\d{3}$)", guide(), flags=re.M)[1:]
    for entry in entries:
        code = entry.split("\n", 1)[0]
        assert f"[{code}]" in entry, f"{code}: no example output"
        assert "- الحل:" in entry and "- Fix:" in entry, f"{code}: the fix in Arabic and English"


def test_topic_list_matches_topics_yml():
    topics, problems = parse_topics((ROOT / "content/topics.yml").read_text(encoding="utf-8"))
    assert problems == []
    text = guide()
    assert replace_block(text, topics_markdown(topics)) == text, (
        "CONTRIBUTING.md's topic list is out of date: run python build.py topics --update CONTRIBUTING.md"
    )
    for topic in topics:
        assert f"| `{topic.slug}` | {topic.name} |" in text


@pytest.mark.parametrize(("heading", "yes"), [("### بيانات الخبر (front matter)", "نعم"), ("### Front matter", "yes")])
def test_front_matter_tables_list_every_key_of_the_reader(heading: str, yes: str):
    """Both tables of CONTRIBUTING.md follow frontmatter.FIELDS and REQUIRED: every key, and which are required."""
    table = guide().split(heading + "\n", 1)[1].split("\n\n", 1)[0].strip()
    rows = [re.match(r"\| `([a-z_]+)` \| ([^|]+) \|", line) for line in table.splitlines()[2:]]
    assert {row[1]: row[2].strip() == yes for row in rows} == {key: key in REQUIRED for key in FIELDS}


def test_replace_block_needs_both_markers():
    assert replace_block(f"a\n{START}\nold\n{END}\nb", "new").endswith("\n\nnew\n\n<!-- topics:end -->\nb")
    with pytest.raises(ValueError):
        replace_block("no markers", "new")


def test_the_topics_command_updates_only_the_block(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.yml", site)
    doc = site / "GUIDE.md"
    doc.write_text(f"before\n{START}\nstale\n{END}\nafter\n", encoding="utf-8")
    command = [sys.executable, str(ROOT / "build.py"), "topics", "--root", str(site), "--update", str(doc)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith(f"{END}\nafter\n")
    assert "| `arab-world` | عرب وعالم |" in text and "stale" not in text
    outside = subprocess.run([*command[:-1], str(tmp_path / "x.md")], capture_output=True, text=True, timeout=60)
    assert outside.returncode == 2 and "is not a file of the project" in outside.stderr


def test_the_full_example_passes_check(tmp_path):
    """The guide's example, saved as an article of the sample site, gives no error and no warning."""
    (example,) = re.findall(r"```markdown\n(.*?)```", guide(), re.S)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.yml", site)
    (site / "content/articles/2024/06/contributing-example.md").write_text(example, encoding="utf-8")
    checked = check_site(site, ["content/articles/2024/06/contributing-example.md"], cwd=site)
    assert checked.problems == ()
    assert checked.articles == 1


# ---- GitHub ----


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"check.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_for_github(workflow: Path):
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(workflow)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_workflow_checks_pull_requests_with_annotations_and_tests():
    workflow = yaml.safe_load((ROOT / ".github/workflows/check.yml").read_text(encoding="utf-8"))
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert uses["actions/checkout"]["uses"] == "actions/checkout@v4"
    assert uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert uses["actions/setup-python"]["uses"] == "actions/setup-python@v5"
    assert uses["actions/setup-python"]["with"]["cache"] == "pip"
    runs = [step["run"] for step in steps if "run" in step]
    assert "python -m pip install -e '.[test]'" in runs
    (check,) = [run for run in runs if "build.py check" in run]
    assert "--format github" in check and '--changed-from "origin/$BASE_REF"' in check
    (tests,) = [step for step in steps if step.get("run") == "python -m pytest"]
    assert tests["if"] == "${{ !cancelled() }}"  # the tests run even when the check found problems


def test_pull_request_template_is_a_bilingual_checklist():
    text = (ROOT / ".github/pull_request_template.md").read_text(encoding="utf-8")
    items = [line for line in text.splitlines() if line.startswith("- [ ] ")]
    assert len(items) >= 4
    for item in items:
        assert re.search(r"[\u0600-\u06ff]", item) and re.search(r"[A-Za-z]{4}", item), item


def test_readme_links_the_guide_and_documents_the_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CONTRIBUTING.md" in readme
    for command in ("python build.py check", "python build.py new"):
        assert command in readme
