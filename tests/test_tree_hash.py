"""The sample site's output, pinned: a restructuring must not change one byte of what is published.

The pinned hash changes only with a deliberate change of the output (a template, a page, a feed) or
of what shapes it from outside (Babel's CLDR data, the system's time zone database). After such a
change, run `python tools/tree_hash.py --sample` and paste its last line here, and say why in the commit.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import ROOT, build

sys.path.insert(0, str(ROOT / "tools"))
from tree_hash import SAMPLE_BASE_URL, tree_hash

SAMPLE_TREE = "39a80d24fbb23cee5903631942b2cb39e84ff6f8f9effa57f0b3c8d507e63665"


def sample_copy(dest: Path) -> Path:
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "site.yml", dest / "site.yml")
    return dest


def test_the_sample_site_builds_the_pinned_tree_cold_and_cached(tmp_path: Path):
    site = sample_copy(tmp_path / "sample")
    assert build(site, "--no-cache", "--base-url", SAMPLE_BASE_URL) == 0
    assert tree_hash(site / "output") == SAMPLE_TREE
    shutil.rmtree(site / "output")
    assert build(site, "--base-url", SAMPLE_BASE_URL) == 0  # cold, filling the cache
    assert build(site, "--base-url", SAMPLE_BASE_URL, "--output", str(tmp_path / "second")) == 0  # from the cache
    assert tree_hash(site / "output") == SAMPLE_TREE
    assert tree_hash(tmp_path / "second") == SAMPLE_TREE
