"""The benchmark's corpus (bench/generate.py): articles shaped like real ones, every feature on, valid, repeatable."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, build, run_cli

from nashra.read.config import KEYS
from nashra.render import search

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools"))
from generate import CLOCK, PHOTOS, generate
from tree_hash import tree_hash

ARTICLES = 500
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("bench") / "site"
    generate(site, ARTICLES, seed=7)
    return site


def bodies(site: Path) -> list[tuple[dict, str]]:
    found = []
    for path in sorted((site / "content/articles").rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        found.append((yaml.safe_load(front), body))
    return found


def test_the_corpus_is_checked_clean_with_every_setting_on(corpus: Path):
    result = run_cli("check", "--root", str(corpus), "--now", f"{CLOCK:%Y-%m-%dT%H:%M}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"No problems in {ARTICLES} articles." in result.stdout + result.stderr
    settings = yaml.safe_load((corpus / "site.yml").read_text(encoding="utf-8"))
    assert set(settings) == set(KEYS) - {"cname"}  # a custom domain would move the site to a domain's root
    assert settings["show_hijri"] is True
    assert (corpus / "content/sources.yml").is_file() and any((corpus / "content/editions").iterdir())


def test_articles_are_shaped_like_real_ones(corpus: Path):
    articles = bodies(corpus)
    assert len(articles) == ARTICLES
    for _, body in articles:
        assert 300 <= len(body.split()) <= 1100  # 300 to 900 words of text, plus the Markdown around it
        assert 3 <= len(LINK.findall(body)) <= 8
    share = lambda test: sum(1 for a in articles if test(*a)) / ARTICLES  # noqa: E731
    assert share(lambda front, body: "\n## " in body) > 0.9
    assert share(lambda front, body: "\n- " in body or "\n1. " in body) > 0.8
    assert share(lambda front, body: "\n> " in body) > 0.25
    assert 0.15 < share(lambda front, body: "\n| --- |" in body) < 0.35  # a quarter has a table
    assert 0.25 < share(lambda front, body: "image" in front) < 0.42  # a third a lead image
    assert 0.04 < share(lambda front, body: "![" in body) < 0.18  # one in ten an image in the body
    assert share(lambda front, body: "/articles/" in body or "](../../" in body) > 0.8  # links to other articles
    assert share(lambda front, body: re.search(r"[A-Z][\w-]* \d+|[A-Z]+\d+", body) is not None) > 0.9
    photos = sorted((corpus / "content/images").iterdir())
    assert len(photos) == PHOTOS and all(p.read_bytes()[:3] == b"\xff\xd8\xff" for p in photos)
    assert all(p.stat().st_size > 50_000 for p in photos)  # not trivially compressible


def test_the_same_seed_gives_the_same_files(corpus: Path, tmp_path: Path):
    generate(tmp_path / "again", ARTICLES, seed=7)
    assert tree_hash(tmp_path / "again") == tree_hash(corpus)
    generate(tmp_path / "other", ARTICLES, seed=8)
    assert tree_hash(tmp_path / "other") != tree_hash(corpus)


def test_cold_cached_and_ci_builds_of_the_corpus_are_the_same_bytes(corpus: Path, tmp_path: Path, monkeypatch):
    """At this size the articles are parsed, the pages written and the cards drawn by forked workers
    (parallel.SPREAD), and the search index has shards. The ci build is what pages.yml does: a fresh
    checkout (new files), the last build's cache restored, no output/; the search index, the cards and
    the photos then come from the cache, every page is made again."""
    monkeypatch.setattr(search, "SHARD_LIMIT", 200)  # a shard a month, May and June 2026, and June's last week
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    now = ("--now", f"{CLOCK:%Y-%m-%dT%H:%M}")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "github-output"))
    assert build(site, *now, "--github-output") == 0  # cold, filling the cache, as pages.yml's last run
    cold = tree_hash(site / "output")
    checkout = tmp_path / "checkout"
    shutil.copytree(site, checkout, ignore=shutil.ignore_patterns("output", ".nashra-cache"))
    shutil.copytree(site / ".nashra-cache", checkout / ".nashra-cache")
    assert build(checkout, *now, "--github-output") == 0
    assert (tmp_path / "github-output").read_text(encoding="utf-8").splitlines() == ["changed=true", "changed=false"]
    assert build(site, *now, "--output", str(tmp_path / "cached")) == 0  # every article from the cache
    assert build(site, *now, "--no-cache", "--output", str(tmp_path / "again")) == 0
    assert sorted(p.name for p in (site / "output/pagefind").iterdir()) == ["2026-05", "2026-06", "2026-06-29"]
    assert tree_hash(tmp_path / "cached") == tree_hash(checkout / "output") == tree_hash(tmp_path / "again") == cold
