"""`python build.py preview PATH... [--changed-from REF]`: a look at articles before they are merged.

The site is built as it would be published, with drafts and scheduled articles included (a pull
request may add either), into a temporary folder. It is served on 127.0.0.1 under base_url's path,
as GitHub Pages serves it, and each article is opened in Chromium (through Playwright) at phone and
desktop width for a full-page screenshot. The preview folder (--out, default preview/) then holds:

    site/            the built site, exactly as published (base_url from site.yml)
    screenshots/     <slug>-phone.png and <slug>-desktop.png for each article
    summary.md       the articles with title, Arabic date, topics, source and card, for a job summary
    .nashra-preview  the marker that lets the next preview replace the folder

The build cache is left alone (the preview builds from scratch). Playwright is imported only when
a preview runs, so the build never needs it; without Playwright or Chromium the command says which
is missing and how to install it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..layout import ARTICLES_DIR, CONTENT_DIR, TEMPLATES_DIR
from ..model import Entry, Scope
from ..pipeline import run_build
from ..problems import UsageError, raise_if
from ..read.config import load_config
from ..read.content import read_content
from ..read.inputs import Inputs
from ..schedule import build_now
from ..site import build_site
from . import add_root_option
from .check import changed_files, select_paths
from .clock import add_clock_options, given_now
from .preview_summary import SHOTS_DIR, SITE_DIR, SUMMARY, WIDTHS, Card, Shot, run_url, summary_markdown
from .report import plural
from .serve import Server, handler_for

HEIGHT = 800  # the window's height; a full-page screenshot is as tall as the page
MARKER = ".nashra-preview"
CHROMIUM_ENV = "NASHRA_CHROMIUM"
CHROMIUM = "/usr/bin/chromium"  # Debian's
# As the browser tests launch it too: no sandbox (containers), no GPU, nothing fetched on the side.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
TIMEOUT_MS = 60_000
# Articles previewed in one run: a pull request that touches hundreds (a topic renamed) still finishes
# in minutes, and its summary stays far below the 1 MiB GitHub accepts.
LIMIT = 50


class Missing(Exception):
    """Playwright or Chromium is not there: the message says which, and how to install it."""


# ---- options ----


def add_preview_options(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Build the site with drafts and scheduled articles included (a pull request may add either), serve it "
        "on 127.0.0.1, and write full-page screenshots of each article at phone (375 px) and desktop "
        "(1280 px) width with Chromium, plus summary.md listing each one with its title, date, topics, source "
        "and social card. Needs Playwright (pip install -e '.[preview]') and Chromium "
        f"(apt-get install chromium, or ${CHROMIUM_ENV}=/path/to/chrome)."
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help=f"articles to preview ({ARTICLES_DIR}/...)")
    add_root_option(p)
    p.add_argument(
        "--changed-from",
        metavar="REF",
        help="also preview every article added or changed since the git REF (a branch, tag or commit), "
        "e.g. origin/main; deleted ones are left out",
    )
    p.add_argument("--out", type=Path, help="the preview folder, replaced whole (default: preview/ in the site's)")
    p.add_argument(
        "--limit",
        type=positive,
        default=LIMIT,
        metavar="N",
        help=f"preview at most N articles, the first by path (default {LIMIT}); the summary says how many more changed",
    )
    add_clock_options(p, future=False)


def positive(text: str) -> int:
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of articles (1 or more)")
    return int(text)


# ---- which articles ----


def articles_to_preview(root: Path, paths: Sequence[str], ref: str | None, cwd: Path) -> list[str]:
    """The article files (relative to the site) named or changed since `ref`, sorted; ContentError (NSH501)
    for a path that is not an article of the site."""
    inputs = Inputs(root)
    names = {f"{ARTICLES_DIR}/{name}" for name in inputs.scan(ARTICLES_DIR, "*.md")[0]}
    wanted, refused = select_paths(root, paths, cwd, names, inputs)
    raise_if(refused)
    if ref is not None:
        wanted |= changed_files(root, ref) & names  # names: files there now, so a deleted one is left out
    return sorted(wanted)


def entries_for(root: Path, paths: Sequence[str], now: datetime | None) -> tuple[list[Entry], dict[str, str]]:
    """The site's entries for `paths` (as site.py prepares them for pages), and each one's status."""
    config = load_config(root)
    content, problems = read_content(root, config)
    raise_if(problems)
    clock = build_now(now, ZoneInfo(config.timezone))
    # Words count only for reading times, which the summary does not show: no body is converted here.
    site = build_site(config, content, Scope(clock, drafts=True, future=True), {a.path: 0 for a in content.articles})
    by_path = {entry.path: entry for entry in site.entries}
    status = {
        a.path: "draft" if a.draft else "scheduled" if a.scheduled(clock) else "published"
        for a in content.articles
        if a.path in paths
    }
    return [by_path[path] for path in paths], status


# ---- the preview folder ----


def check_preview_folder(folder: Path, root: Path) -> None:
    """Refuse a folder whose replacement would destroy something else: the project, its content or
    templates, or a folder that is not an earlier preview."""
    out, top = folder.resolve(), root.resolve()
    if out == top or top.is_relative_to(out):
        raise UsageError(f"--out {folder}: the preview folder would contain the project itself; choose e.g. preview/")
    for inside in (CONTENT_DIR, TEMPLATES_DIR):
        if out.is_relative_to(top / inside):
            raise UsageError(f"--out {folder}: the preview folder is inside {inside}/; choose e.g. preview/")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"--out {folder}: not a folder; it was left alone")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARKER).is_file():
        raise UsageError(
            f"--out {folder}: the folder exists and is not an earlier preview (it has no {MARKER} file); "
            "it was left alone: remove it or choose another --out"
        )


def replace_folder(made: Path, folder: Path) -> None:
    """Put the preview made in `made` where `folder` is, in place of the earlier preview."""
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(made, folder)


# ---- serving and the browser ----


@dataclass(frozen=True, slots=True)
class Built:
    output: Path
    base_path: str


@contextlib.contextmanager
def serving(output: Path, base_path: str) -> Iterator[str]:
    """The built site on 127.0.0.1 (a free port) under `base_path`, as Pages serves it: its address.
    The server stops when the block ends, however it ends."""
    server = Server(("127.0.0.1", 0), handler_for(Built(output, base_path), live=False))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def chromium_path() -> str:
    return os.environ.get(CHROMIUM_ENV) or CHROMIUM


def find_tools():
    """Playwright's sync API and the browser's path, before anything is built; Missing when either is absent."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise Missing(
            "the preview needs Playwright for Python, which is not installed: pip install -e '.[preview]'"
        ) from None
    browser = chromium_path()
    if not (os.path.isfile(browser) and os.access(browser, os.X_OK)):
        where = f"${CHROMIUM_ENV} ({browser})" if os.environ.get(CHROMIUM_ENV) else browser
        raise Missing(
            f"the preview needs Chromium, which is not at {where}: install it (apt-get install chromium), "
            f"or set {CHROMIUM_ENV} to a Chromium or Google Chrome program"
        )
    return sync_playwright, browser


OG_IMAGE = """() => ["og:image", "og:image:alt"].map(
    (name) => document.querySelector(`meta[property="${name}"]`)?.getAttribute("content") ?? null)"""


def card_of(page, base_url: str, output: Path) -> Card | None:
    """The page's og:image as the browser read it; `file` when it is one of the built site's files."""
    url, alt = page.evaluate(OG_IMAGE)
    if url is None:
        return None
    relative = url[len(base_url) :] if url.startswith(base_url) else None
    inside = relative is not None and (output / relative).resolve().is_relative_to(output.resolve())
    return Card(url, alt or "", relative if inside and (output / relative).is_file() else None)


def take_screenshots(
    sync_playwright, browser_path: str, site: str, output: Path, base_url: str, entries: Sequence[Entry],
    status: dict[str, str], shots_dir: Path,
) -> list[Shot]:  # fmt: skip
    """Open each entry's page at every width, save full-page PNGs into `shots_dir`, and read its card."""
    shots_dir.mkdir(parents=True, exist_ok=True)
    found: list[Shot] = []
    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=browser_path, headless=True, args=list(CHROMIUM_ARGS))
        except Exception as exc:  # Playwright's own Error: the program is there but does not start
            first = (str(exc).strip().splitlines() or ["no message"])[0]
            raise Missing(f"Chromium at {browser_path} did not start: {first}") from None
        try:
            contexts = {
                name: browser.new_context(viewport={"width": width, "height": HEIGHT}, device_scale_factor=1)
                for name, width in WIDTHS.items()
            }
            for entry in entries:
                card, problem, files = None, None, []
                for name, context in contexts.items():
                    page = context.new_page()
                    response = page.goto(site + entry.url, wait_until="load", timeout=TIMEOUT_MS)
                    if response is None or response.status != 200:
                        problem = f"{entry.url} answered {response.status if response else 'nothing'}"
                    page.evaluate("document.fonts.ready.then(() => true)")
                    target = shots_dir / f"{entry.slug}-{name}.png"
                    page.screenshot(path=str(target), full_page=True, animations="disabled")
                    files.append((name, f"{shots_dir.name}/{target.name}"))
                    if card is None:
                        card = card_of(page, base_url, output)
                    page.close()
                found.append(Shot(entry, status[entry.path], card, tuple(files), problem))
        finally:
            browser.close()
    return found


# ---- the command ----


def run_preview(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not args.paths and args.changed_from is None:
        raise UsageError(f"give the articles to preview ({ARTICLES_DIR}/...), or --changed-from REF")
    folder: Path = args.out or root / "preview"
    check_preview_folder(folder, root)
    found = articles_to_preview(root, args.paths, args.changed_from, Path.cwd())
    paths, left_out = found[: args.limit], found[args.limit :]
    try:
        tools = find_tools() if paths else None
    except Missing as exc:
        print(f"build.py preview: {exc}", file=sys.stderr)
        return 1
    made = Path(tempfile.mkdtemp(prefix="nashra-preview-"))
    made.chmod(0o755)  # mkdtemp's folder is private; the preview folder it becomes need not be
    try:
        (made / MARKER).write_text("Made by `python build.py preview`; the next preview replaces this folder whole.\n")
        shots = preview(root, paths, given_now(args), made, tools) if tools else []
        (made / SUMMARY).write_text(summary_markdown(shots, run_url(), len(left_out)), encoding="utf-8")
        replace_folder(made, folder)
    except Missing as exc:
        print(f"build.py preview: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(made, ignore_errors=True)
    if not paths:
        print(f"No article to preview; {folder / SUMMARY} says so.")
        return 0
    for shot in shots:
        print(f"{shot.entry.path}: {', '.join(path for _, path in shot.screenshots)}" + (
            f" ({shot.problem})" if shot.problem else ""
        ))  # fmt: skip
    for path in left_out:
        print(f"{path}: not previewed (--limit {args.limit})")
    print(f"Previewed {plural(len(shots), 'article')} into {folder}; the summary is {folder / SUMMARY}")
    return 1 if any(shot.problem for shot in shots) else 0


def preview(root: Path, paths: list[str], now: datetime | None, made: Path, tools) -> list[Shot]:
    """Build into `made`/site/, serve it, and take the screenshots into `made`/screenshots/."""
    sync_playwright, browser_path = tools
    output = made / SITE_DIR
    run_build(root, output, drafts=True, use_cache=False, now=now, future=True)
    entries, status = entries_for(root, paths, now)
    base_url = load_config(root).base_url
    base_path = urlsplit(base_url).path or "/"
    with serving(output, base_path) as site:
        return take_screenshots(
            sync_playwright, browser_path, site, output, base_url, entries, status, made / SHOTS_DIR
        )
