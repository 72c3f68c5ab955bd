"""Shared fixtures: build a fixture site into tmp_path and read it back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nashra.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The front matter of a test article in the fixture site: its body starts on line 9.
TEST_FRONT = """---
title: عنوان
date: 2024-06-10T10:00:00
topics: [politics]
summary: ملخص قصير للخبر يكفي لقائمة الأخبار وللخلاصة في الموقع.
source:
  name: مصدر
---
"""


def make_site(dest: Path, fixture: str = "site") -> Path:
    """Copy a fixture site (and the project's templates, unless it has its own) to `dest`."""
    shutil.copytree(FIXTURES / fixture, dest)
    if not (dest / "templates").exists():
        shutil.copytree(ROOT / "templates", dest / "templates")
    return dest


def build(root: Path, *args: str) -> int:
    """Build in-process, as `python build.py --root ROOT ARGS` would."""
    return main(["build", "--root", str(root), *args])


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run build.py in a subprocess, exactly as a user would."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The fixture site, built once for the session; returns its site folder (output/ inside)."""
    root = make_site(tmp_path_factory.mktemp("built") / "site")
    assert build(root) == 0
    return root


@pytest.fixture(scope="session")
def out(fixture_site: Path) -> Path:
    return fixture_site / "output"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh, unbuilt copy of the fixture site, free to modify."""
    return make_site(tmp_path / "site")
