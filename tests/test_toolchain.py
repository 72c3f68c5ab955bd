"""The build cache is keyed on the versions of what makes the output, not on Nashra's alone: after a
library upgrade (pip install -U, or a CI runner installing the newest release pyproject.toml allows),
a build with the old cache gives what a cold build gives with the new library."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import markdown
import pytest
from conftest import ROOT, build, make_site
from PIL import Image
from test_incremental import tree

from nashra import photos
from nashra.incremental import toolchain


@pytest.fixture
def versions(monkeypatch):
    """Installed versions as the test tells them: `versions["markdown"] = "99.0"` before the build that
    should see it (the toolchain's caches are cleared on each, and again after the test)."""
    told: dict[str, str] = {}
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: told.get(name) or real(name))

    class Told(dict):
        def __setitem__(self, name: str, version: str) -> None:
            told[name] = version
            clear()

    clear()
    yield Told()
    monkeypatch.undo()
    clear()


def clear() -> None:
    toolchain.made_by.cache_clear()
    toolchain.library_version.cache_clear()


def test_every_runtime_dependency_is_in_the_toolchain():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.match(r"[A-Za-z0-9._-]+", spec).group(0).lower().replace("_", "-") for spec in project["dependencies"]}
    assert names <= set(toolchain.LIBRARIES)


@pytest.mark.parametrize("name", toolchain.LIBRARIES)
def test_each_library_version_changes_the_digest(versions, name: str):
    before = toolchain.made_by()
    versions[name] = "99.0"
    assert toolchain.library_version(name) == "99.0"
    assert toolchain.made_by() != before


def test_a_library_not_installed_is_named_absent(versions):
    assert toolchain.library_version("no-such-distribution-of-nashra") == "absent"


def upgraded_markdown(monkeypatch, versions) -> None:
    """A Markdown release that converts bodies differently: every body ends with a paragraph more."""
    convert = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert", lambda md, text: convert(md, text) + "\n<p>ترقية</p>")
    versions["markdown"] = "99.0"


def test_a_cache_made_by_another_markdown_gives_a_cold_builds_output(tmp_path: Path, monkeypatch, versions):
    warm = make_site(tmp_path / "warm")
    assert build(warm) == 0
    assert "<p>ترقية</p>" not in (warm / "output/articles/budget/index.html").read_text(encoding="utf-8")
    upgraded_markdown(monkeypatch, versions)
    assert build(warm) == 0
    cold = make_site(tmp_path / "cold")
    assert build(cold, "--no-cache") == 0
    articles = sorted((warm / "output/articles").glob("*/index.html"))
    assert articles and all("<p>ترقية</p>" in page.read_text(encoding="utf-8") for page in articles)
    assert tree(warm / "output") == tree(cold / "output")


def test_a_cache_made_by_another_pillow_makes_the_photos_again(site: Path, monkeypatch, versions):
    Image.new("RGB", (900, 600), "navy").save(site / "content/images/a.jpg")
    assert build(site) == 0
    monkeypatch.setattr(photos, "encoded", 0)
    assert build(site) == 0
    assert photos.encoded == 0  # nothing changed
    versions["pillow"] = "99.0"
    assert build(site) == 0
    assert photos.encoded == 1 + 2 * 2  # a.jpg's clean copy, and its 480 and 800 as WebP and JPEG
