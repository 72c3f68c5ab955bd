"""What the search stage costs (nashra/render/search.py, pipeline._search_index) at archive scale.

    python bench/search.py --articles 1000 10000 [--work DIR]

For each size, the corpus of bench/generate.py is built in this process (nashra.pipeline.run_build), with the
search stage's parts timed where the pipeline calls them:

    records   the text of every published article (title, summary, body without tags) and the index's key
    index     Pagefind's indexer (the bundled binary, fed the records one by one, files taken in memory)
    stage     the whole stage: records, key, index (when made) and the list of files to copy

in three builds: cold (no cache, no output), one article's body changed (the index is made again), and a
template changed (the records are unchanged: the index is taken from the cache). Plus the index's size
in output/pagefind/. One run per size: the 10,000-article cold build takes about a minute.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generate import generate

from nashra import pipeline
from nashra.render.search import pagefind_version

PARTS = {"records": ("search_records", "index_key"), "index": ("write_index",), "stage": ("_search_index",)}


def timed(spent: dict[str, float]) -> None:
    """Wrap the pipeline's calls of the stage's parts so each adds its time to `spent`."""
    for part, names in PARTS.items():
        for name in names:
            real = getattr(pipeline, name)

            @functools.wraps(real)
            def wrapper(*args, real=real, part=part, **kwargs):
                started = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    spent[part] += time.perf_counter() - started

            setattr(pipeline, name, wrapper)


def build(site: Path, spent: dict[str, float]) -> dict[str, float]:
    spent.clear()
    started = time.perf_counter()
    pipeline.run_build(site, site / "output")
    return {"build": time.perf_counter() - started, **spent}


def size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure(site: Path, spent: dict[str, float]) -> dict[str, dict[str, float]]:
    rows = {"cold": build(site, spent)}
    article = min((site / "content/articles").rglob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nفقرة أضيفت للقياس.\n", encoding="utf-8")
    rows["one article changed"] = build(site, spent)
    template = site / "templates/article.html"
    template.write_text(template.read_text(encoding="utf-8") + "{# bench #}\n", encoding="utf-8")
    rows["a template changed (index unchanged)"] = build(site, spent)
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, nargs="+", default=[1000])
    p.add_argument("--work", type=Path, help="where to generate corpora (default: a temporary folder)")
    args = p.parse_args()
    spent: dict[str, float] = defaultdict(float)
    timed(spent)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},")
    print(f"Pagefind {pagefind_version()}; seconds, one run each.\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for count in args.articles:
            site = work / f"corpus-{count}"
            generate(site, count)
            rows = measure(site, spent)
            files, total = size(site / "output/pagefind")
            print(f"### {count:,} articles (index: {files:,} files, {total / 1e6:.1f} MB)\n")
            print("| build | whole build | search stage | records and key | Pagefind |")
            print("|---|---|---|---|---|")
            for name, t in rows.items():
                index = f"{t['index']:.2f}" if t.get("index") else "not run"
                print(f"| {name} | {t['build']:.2f} | {t['stage']:.2f} | {t['records']:.2f} | {index} |")
            print()


if __name__ == "__main__":
    main()
