"""NASHRA_TIMINGS: a build asked for its stage times writes them as JSON; one not asked writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import build, make_site

STAGES = {
    "start",
    "imports",
    "read",
    "images",
    "site",
    "editions",
    "plan",
    "cards",
    "search index",
    "render and write",
    "save",
}


def test_a_timed_build_writes_seconds_per_stage(tmp_path: Path, monkeypatch):
    site, report = make_site(tmp_path / "site"), tmp_path / "timings.json"
    monkeypatch.setenv("NASHRA_TIMINGS", str(report))
    assert build(site) == 0
    seconds = json.loads(report.read_text(encoding="utf-8"))
    assert set(seconds) == STAGES | {"total"}
    assert all(isinstance(value, float) and value >= 0 for value in seconds.values())
    assert sum(seconds[name] for name in STAGES) <= seconds["total"] + 0.01  # rounding: 4 places each


def test_a_build_with_nothing_to_do_reports_its_start_alone(tmp_path: Path, monkeypatch):
    site, report = make_site(tmp_path / "site"), tmp_path / "timings.json"
    assert build(site) == 0
    monkeypatch.setenv("NASHRA_TIMINGS", str(report))
    assert build(site) == 0
    assert set(json.loads(report.read_text(encoding="utf-8"))) == {"start", "total"}


def test_without_the_variable_no_file_is_written(tmp_path: Path, monkeypatch):
    site = make_site(tmp_path / "site")
    monkeypatch.delenv("NASHRA_TIMINGS", raising=False)
    monkeypatch.chdir(tmp_path)  # a file written to the working folder would show here too
    before = set(tmp_path.rglob("*"))
    assert build(site) == 0
    made = set(tmp_path.rglob("*")) - before
    assert {path.relative_to(site).parts[0] for path in made} == {"output", ".nashra-cache"}


def test_a_failed_build_writes_no_timings(tmp_path: Path, monkeypatch):
    site, report = make_site(tmp_path / "site"), tmp_path / "timings.json"
    (site / "site.yml").write_text("title: [\n", encoding="utf-8")
    monkeypatch.setenv("NASHRA_TIMINGS", str(report))
    assert build(site) == 1
    assert not report.exists()
