"""What the search stage costs (nashra/render/search.py, stages._search_index) at archive scale.

    python bench/search.py --articles 1000 10000 [--work DIR] [--corpus DIR]

For each size, the corpus of bench/generate.py (or a copy of the one given with --corpus, its content,
settings and templates only) is built in this process (nashra.pipeline.run_build, at the corpus's clock,
generate.CLOCK), with the search stage's parts timed where they are called:

    keys      every shard's key (shard_key: from the articles' file digests, without making a record)
    records   the text of every article of the shards to index (title, summary, body without tags)
    index     Pagefind, the shards to index at once (one service per shard, as many as cores at a time)
    stage     the whole stage: keys, records, index (when made) and the list of files to copy

in five builds: cold (no cache, no output), the newest article's body changed (its month's shard is
indexed again), a new newest article, an article of the oldest year changed (that year's shard), and a
template changed (nothing indexed). Plus the index's size in output/pagefind/ and the shards indexed.
One run per size.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generate import CLOCK, generate

from nashra import pipeline
from nashra.render import search
from nashra.render.search import pagefind_version

# part -> (module, name): where the stage's parts are looked up when they are called
PARTS = {
    "keys": ((pipeline, "shard_key"),),
    "records": ((search, "search_records"),),
    "index": ((search, "index_shards"),),
    "stage": ((pipeline, "_search_index"),),
}


def timed(spent: dict[str, float]) -> None:
    """Wrap the calls of the stage's parts so each adds its time to `spent` (and the shards indexed)."""
    for part, names in PARTS.items():
        for module, name in names:
            real = getattr(module, name)

            @functools.wraps(real)
            def wrapper(*args, real=real, part=part, **kwargs):
                started = time.perf_counter()
                if part == "index":
                    spent["shards"] += len(args[0])
                try:
                    return real(*args, **kwargs)
                finally:
                    spent[part] += time.perf_counter() - started

            setattr(module, name, wrapper)


def build(site: Path, spent: dict[str, float]) -> dict[str, float]:
    spent.clear()
    started = time.perf_counter()
    pipeline.run_build(site, site / "output", now=CLOCK)
    return {"build": time.perf_counter() - started, **spent}


def edit(article: Path, text: str = "\nفقرة أضيفت للقياس.\n") -> None:
    article.write_text(article.read_text(encoding="utf-8") + text, encoding="utf-8")


def size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure(site: Path, spent: dict[str, float]) -> dict[str, dict[str, float]]:
    rows = {"cold": build(site, spent)}
    articles = sorted((site / "content/articles").rglob("*.md"))
    newest = max(articles, key=lambda p: p.read_text(encoding="utf-8").split("\ndate: ")[1][:16])
    edit(newest)
    rows["the newest article's body changed"] = build(site, spent)
    added = newest.parent / f"{newest.stem}-bench.md"
    added.write_text(newest.read_text(encoding="utf-8").replace("\ndate: ", "\ndate: 2026-06-30T20:30 #", 1))
    rows["a new newest article"] = build(site, spent)
    edit(min(articles))
    rows["an article of the oldest year changed"] = build(site, spent)
    template = site / "templates/article.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# bench #}\n", encoding="utf-8")
    rows["a template changed (index unchanged)"] = build(site, spent)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, nargs="+", default=[1000])
    p.add_argument("--work", type=Path, help="where to generate corpora (default: a temporary folder)")
    p.add_argument("--corpus", type=Path, help="copy this corpus of generate.py instead (one size: its own)")
    p.add_argument("--warm", action="store_true", help="copy its cache and output too (reused where still valid)")
    args = p.parse_args()
    spent: dict[str, float] = defaultdict(float)
    timed(spent)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},")
    print(f"Pagefind {pagefind_version()}; seconds, one run each.\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for count in [None] if args.corpus else args.articles:
            site = work / f"corpus-{count or 'copy'}"
            if args.corpus:
                shutil.rmtree(site, ignore_errors=True)
                for name in ("content", "templates", "site.yml", *((".nashra-cache", "output") if args.warm else ())):
                    copy = shutil.copytree if (args.corpus / name).is_dir() else shutil.copy2
                    copy(args.corpus / name, site / name, symlinks=True) if copy is shutil.copytree else copy(
                        args.corpus / name, site / name
                    )
            else:
                generate(site, count)
            count = len(list((site / "content/articles").rglob("*.md")))  # before one is added
            rows = measure(site, spent)
            files, total = size(site / "output/pagefind")
            shards = len(list((site / "output/pagefind").iterdir()))
            print(f"### {count:,} articles (index: {shards} shards, {files:,} files, {total / 1e6:.1f} MB)\n")
            print("| build | whole build | search stage | keys | records | Pagefind | shards indexed |")
            print("|---|---|---|---|---|---|---|")
            for name, t in rows.items():
                pagefind = t.get("index", 0) - t.get("records", 0)  # index_shards makes the records too
                index = f"{pagefind:.2f}" if t.get("index") else "not run"
                print(
                    f"| {name} | {t['build']:.2f} | {t['stage']:.2f} | {t['keys']:.3f} | {t.get('records', 0):.2f}"
                    f" | {index} | {int(t.get('shards', 0))} |"
                )
            print()


if __name__ == "__main__":
    main()
