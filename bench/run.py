"""Benchmark Nashra's builds at archive scale.

    python bench/run.py --articles 1000 10000 [--repeat 3] [--work DIR]

For each size, a deterministic corpus (bench/generate.py) is built in a fresh
process per run, exactly as `python build.py` runs, and these scenarios are timed:

    cold       no cache and no previous output
    warm       nothing changed since the last build
    body       one article's body changed
    new        one article added
    template   a template changed

plus the peak resident memory of the largest process of a cold build. The result
is a Markdown table: median and spread (min-max) of the wall-clock times. When the
`hugo` and `pelican` commands are installed, the same corpus is built by them too
and shown beside Nashra's cold and warm builds, as ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import build_hugo, build_pelican
from generate import generate

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {  # scenario -> seconds, per the project's goals (10,000 articles unless noted)
    "cold": 10.0,
    "warm": 1.0,
    "body": 1.5,
    "new": 2.0,
}
PEAK = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def nashra(site: Path, *extra: str) -> tuple[float, int]:
    """One build in a fresh process: (seconds, peak KiB of the largest process in its tree)."""
    command = [sys.executable, str(ROOT / "build.py"), "--root", str(site), *extra]
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    peak, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"build failed in {site}")
    return elapsed, int(peak)


def clean(site: Path) -> None:
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".nashra-cache", ignore_errors=True)


def first_article(site: Path) -> Path:
    return min((site / "content/articles").rglob("*.md"))


def scenarios(site: Path, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "body", "new", "template")}
    times["peak_mb"] = []
    article = first_article(site)
    original = article.read_text(encoding="utf-8")
    template = site / "templates/article.html"
    original_template = template.read_text(encoding="utf-8")
    extra = site / "content/articles/2030/01/bench-new.md"
    for n in range(repeat):
        clean(site)
        seconds, peak = nashra(site)
        times["cold"].append(seconds)
        times["peak_mb"].append(peak / 1024)
        times["warm"].append(nashra(site)[0])
        article.write_text(original + f"\nفقرة أضيفت في التشغيل {n}.\n", encoding="utf-8")
        times["body"].append(nashra(site)[0])
        article.write_text(original, encoding="utf-8")
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(original.replace("article-00000", "bench-new"), encoding="utf-8")
        times["new"].append(nashra(site)[0])
        extra.unlink()
        template.write_text(original_template + f"{{# bench {n} #}}\n", encoding="utf-8")
        times["template"].append(nashra(site)[0])
        template.write_text(original_template, encoding="utf-8")
        nashra(site)
    return times


def cell(values: list[float], unit: str = "s") -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} {unit}"
    return f"{statistics.median(values):.2f} {unit} ({min(values):.2f}–{max(values):.2f})"


def verdict(name: str, values: list[float], size: int, cold: list[float]) -> str:
    median = statistics.median(values)
    if name == "template":
        return "met" if median <= statistics.median(cold) else "missed"
    if name == "peak_mb":
        return "met" if median <= 300 else "missed"
    if name == "cold" and size == 1000:
        return "met" if median <= 1.5 else "missed"
    if size != 10000:
        return ""
    return "met" if median <= TARGETS[name] else "missed"


LABELS = {
    "cold": ("cold full build, no cache", "≤ 10 s (≤ 1.5 s at 1,000)"),
    "warm": ("rebuild, nothing changed", "≤ 1.0 s"),
    "body": ("rebuild, one article's body changed", "≤ 1.5 s"),
    "new": ("rebuild, one article added", "≤ 2.0 s"),
    "template": ("rebuild, a template changed", "≤ cold build"),
    "peak_mb": ("peak memory, largest process (cold)", "≤ 300 MB"),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, nargs="+", default=[1000])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--work", type=Path, help="where to generate corpora (default: a temporary folder)")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="nashra-bench-"))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n")
    for size in args.articles:
        site = work / f"corpus-{size}"
        generate(site, size)
        times = scenarios(site, args.repeat)
        print(f"### {size:,} articles, {args.repeat} runs\n")
        print("| measure | median (min–max) | target | |")
        print("|---|---|---|---|")
        for name, values in times.items():
            unit = "MB" if name == "peak_mb" else "s"
            label, target = LABELS[name]
            print(f"| {label} | {cell(values, unit)} | {target} | {verdict(name, values, size, times['cold'])} |")
        others = {"Hugo": build_hugo, "Pelican": build_pelican}
        rows = []
        for name, builder in others.items():
            result = builder(site, work / f"{name.lower()}-{size}")
            if result is not None:
                cold, warm = result
                nashra_cold = statistics.median(times["cold"])
                nashra_warm = statistics.median(times["warm"])
                ratios = f"{cold / nashra_cold:.1f}× | {warm:.2f} s | {warm / nashra_warm:.1f}×"
                rows.append(f"| {name} | {cold:.2f} s | {ratios} |")
        if rows:
            print("\n| other generator | cold | its time ÷ Nashra's | rebuild, nothing changed | its time ÷ Nashra's |")
            print("|---|---|---|---|---|")
            print("\n".join(rows))
        print()


if __name__ == "__main__":
    main()
