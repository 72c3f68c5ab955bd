"""`check`: the build's reading and rules, plus contributor warnings, reported without writing the site.

`check` runs exactly what the build reads (load_config, read_content: front matter,
cross-file rules, links) and stops before rendering, as `zola check` does. On top
it adds what only a reviewer would say (warnings, NSH4xx), and checks the paths
it is given (NSH5xx). Warnings never fail the build, nor `check` unless --strict.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..layout import ARTICLES_DIR, CONFIG_FILE, IMAGES_DIR, INPUT_FOLDERS, SOURCES_FILE, TOPICS_FILE
from ..model import Article, Content
from ..problems import ContentError, Problem, UsageError
from ..read.config import load_config
from ..read.content import read_content
from ..read.inputs import Inputs, input_files
from ..read.notes import read_notes
from ..read.scan import blank, find_headings, find_links
from ..schedule import build_now
from ..urls import split as split_url
from . import add_root_option
from .check_images import image_sizes, large_images, large_originals, refused_photos, unused_images
from .clock import add_clock_options, given_now
from .report import (
    FORMATS,
    SUMMARY_BYTES,
    count,
    format_github,
    format_json,
    format_text,
    plural,
    shown,
    summary_markdown,
    totals,
)

SUMMARY_MIN, SUMMARY_MAX = 40, 300
TITLE_MAX = 110
FAR_AHEAD = timedelta(days=366)  # a scheduled date further away is more likely a wrong year (NSH404)
SITE_FILES = (CONFIG_FILE, TOPICS_FILE, SOURCES_FILE)  # their problems concern every article


@dataclass(frozen=True, slots=True)
class Checked:
    problems: tuple[Problem, ...]
    articles: int  # article files read


# ---- contributor warnings: pure ----


def review_article(article: Article, now: datetime, image_sizes: Mapping[str, int]) -> list[Problem]:
    """What a careful editor would point out, though the site builds: every warning for one article."""
    found: list[Problem] = []

    def warn(line: int, col: int, code: str, message: str, hint: str) -> None:
        found.append(Problem(article.path, line, col, code, message, hint, "warning"))

    summary = len(article.summary)
    if summary < SUMMARY_MIN:
        warn(
            article.line_of("summary"),
            1,
            "NSH401",
            f"the summary is short ({plural(summary, 'character')})",
            f"write at least {SUMMARY_MIN} characters: one or two full sentences",
        )
    elif summary > SUMMARY_MAX:
        warn(
            article.line_of("summary"),
            1,
            "NSH402",
            f"the summary is long ({plural(summary, 'character')})",
            f"keep it under {SUMMARY_MAX} characters: lists and feeds show all of it",
        )
    if len(article.title) > TITLE_MAX:
        warn(
            article.line_of("title"),
            1,
            "NSH403",
            f"the title is long ({len(article.title)} characters)",
            f"keep it under {TITLE_MAX} characters; details belong in the summary",
        )
    if article.scheduled(now):
        found.append(scheduled(article, now))
    if not blank(article.body).strip():
        warn(
            article.body_line - 1,
            1,
            "NSH405",
            "the article has no body",
            "write the article's text below the closing '---'",
        )
    found += insecure_links(article)
    found += skipped_headings(article)
    found += large_images(article, image_sizes)
    return found


def scheduled(article: Article, now: datetime) -> Problem:
    """NSH144, a note: dated after `now`, the article waits (model.Article.included); NSH404, a warning,
    when the date is more than a year away: more likely a wrong year than a plan."""
    when = article.date.isoformat(timespec="minutes")
    if article.date - now > FAR_AHEAD:
        return Problem(
            article.path,
            article.line_of("date"),
            1,
            "NSH404",
            f"the date {when} is more than a year away: the article is scheduled until then",
            "check the year and month; `build --future` previews it",
            "warning",
        )
    return Problem(
        article.path,
        article.line_of("date"),
        1,
        "NSH144",
        f"scheduled: published at {when}, left out of the site until then",
        "nothing to fix; `build --future` previews it, an earlier date publishes it now",
        "note",
    )


def insecure_links(article: Article) -> list[Problem]:
    """NSH406: addresses of other sites that use http:// rather than https://."""
    urls = [(link.line, link.col, link.url) for link in find_links(article.body, article.body_line)]
    if article.source.url:
        urls.append((article.line_of("source"), 1, article.source.url))
    if article.image:
        urls.append((article.line_of("image"), 1, article.image.src))
    return [
        Problem(
            article.path,
            line,
            col,
            "NSH406",
            f"the address '{url}' is not secure (http://)",
            "use https:// if the site offers it (open the address and check)",
            "warning",
        )
        for line, col, url in urls
        if (parts := split_url(url)) is not None and parts.scheme == "http"  # no address: NSH128
    ]


def skipped_headings(article: Article) -> list[Problem]:
    """NSH407: the article's title is the page's level 1; body headings go down one level at a time."""
    found = []
    level = 1
    for heading in find_headings(article.body, article.body_line):
        if heading.level > level + 1:
            found.append(
                Problem(
                    article.path,
                    heading.line,
                    1,
                    "NSH407",
                    f"heading level {heading.level} follows level {level}: level {level + 1} is skipped",
                    f"start the heading with {'#' * (level + 1)} (level {level + 1})",
                    "warning",
                )
            )
        level = heading.level
    return found


def review(content: Content, now: datetime, image_sizes: Mapping[str, int]) -> list[Problem]:
    return [p for article in content.articles for p in review_article(article, now, image_sizes)]


# ---- paths and links out of the project: these read the disk, never beyond the project ----


def select_paths(
    root: Path, paths: Iterable[str], cwd: Path, articles: set[str], inputs: Inputs | None = None
) -> tuple[set[str], list[Problem]]:
    """The article files named on the command line (relative to the site root), and problems with the others.

    A path is located by its text first, so `../x.md` or an absolute path outside the
    project is refused before anything is read; a symlink is then followed only to
    check it by the build's rule (read.inputs.Inputs): inside the project and its folder.
    """
    top = Path(os.path.normpath(root.absolute()))
    inputs = inputs or Inputs(root)
    wanted: set[str] = set()
    problems: list[Problem] = []

    def refuse(given: str, code: str, message: str, hint: str) -> None:
        problems.append(Problem(given, 0, 0, code, message, hint))

    for given in paths:
        lexical = Path(os.path.normpath(cwd / given))
        if not lexical.is_relative_to(top):
            refuse(given, "NSH501", f"'{given}' is outside the project", f"give a file in {ARTICLES_DIR}/")
            continue
        rel = lexical.relative_to(top).as_posix()
        if not rel.startswith(ARTICLES_DIR + "/") or not rel.endswith(".md"):
            refuse(given, "NSH501", f"'{given}' is not an article", f"articles are .md files in {ARTICLES_DIR}/")
        elif (lexical.is_symlink() or lexical.exists()) and (refused := inputs.judge(rel)):
            refuse(given, refused.code, refused.message, refused.hint)
        elif not lexical.is_file():
            refuse(given, "NSH501", f"'{given}' does not exist", "check the file's name and folder")
        elif rel not in articles:
            refuse(given, "NSH501", f"'{given}' is not read by the build", "file names must not start with '.'")
        else:
            wanted.add(rel)
    return wanted, problems


def links_out_of_project(root: Path) -> list[Problem]:
    """NSH502, NSH503: every path of the site's input that leads out of the project, into a
    hidden folder or out of its own folder; the build refuses them too (incremental.session.input_digests)."""
    return input_files(root)[1]


def changed_files(root: Path, ref: str) -> set[str]:
    """Files changed since `ref` (committed, uncommitted and new), relative to the site root.

    git lists them NUL-terminated (-z: no name is C-quoted, whatever core.quotePath says) and they are
    decoded as the file system's names are (os.fsdecode), so each is the path the check reports, even
    one that is not UTF-8. `ref` is always read as a revision, never as an option.
    """
    if not ref or ref.startswith("-"):
        raise UsageError(f"--changed-from {ref!r}: give a git branch, tag or commit, e.g. origin/main")
    diff = ["git", "diff", "-z", "--name-only", "--relative", "--no-renames"]
    commands = [
        [*diff, "--end-of-options", f"{ref}...HEAD", "--"],
        [*diff, "HEAD", "--"],
        ["git", "ls-files", "-z", "--others", "--exclude-standard"],
    ]
    changed: set[str] = set()
    for command in commands:
        try:
            result = subprocess.run(command, cwd=root, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"--changed-from needs git: {exc}") from None
        if result.returncode != 0:
            reason = (result.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"])[0]
            raise UsageError(f"--changed-from {ref}: {reason}")
        changed.update(os.fsdecode(name) for name in result.stdout.split(b"\0") if name)
    return changed


# ---- the whole check ----


def check_site(root: Path, paths: Sequence[str] = (), now: datetime | None = None, cwd: Path | None = None) -> Checked:
    """Read and check the site; with `paths`, report only those articles (and site-wide files). `now`
    is the clock (naive: in site.yml's timezone; None: the current time), as the build's."""
    warnings: list[Problem] = []  # about site.yml
    try:
        config = load_config(root, warnings=warnings)  # refuses a site.yml that leads outside, unread
    except ContentError as exc:
        return Checked(exc.problems, 0)
    now = build_now(now, ZoneInfo(config.timezone))
    inputs = Inputs(root)
    content, problems = read_content(root, config)
    problems += warnings
    published = [a for a in content.articles if a.included(drafts=False)]  # sooner or later
    problems += read_notes(root, config, published, content)[1]  # as the build does
    names = {f"{ARTICLES_DIR}/{name}" for name in inputs.scan(ARTICLES_DIR, "*.md")[0]}
    sizes = image_sizes(root, content.images)
    refused = {p.path for p in problems}  # an image refused already (its type) is not decoded too
    problems += refused_photos(root, [name for name in content.images if f"{IMAGES_DIR}/{name}" not in refused])
    problems += review(content, now, sizes) + unused_images(content) + large_originals(root, content.images, sizes)
    found = set(problems)  # read_content reports the paths it refuses too
    problems += [p for p in links_out_of_project(root) if p not in found]
    if not paths:
        return Checked(tuple(sorted(problems)), len(names))
    wanted, refused = select_paths(root, paths, cwd or Path.cwd(), names, inputs)
    site_wide = {*SITE_FILES, *INPUT_FOLDERS}  # their problems concern every article
    problems = [p for p in problems if p.path in wanted or p.path in site_wide] + refused
    return Checked(tuple(sorted(problems)), len(wanted))


def changed_first(problems: Iterable[Problem], changed: set[str]) -> list[Problem]:
    """Problems in changed files first: GitHub shows only the first 10 errors of a step."""
    return sorted(problems, key=lambda p: (p.path not in changed, p))


# ---- the command ----


def add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="articles to check (default: the whole site)")
    add_root_option(p)
    p.add_argument("--format", choices=FORMATS, default="text", help="text (default), github or json")
    p.add_argument(
        "--changed-from",
        metavar="REF",
        help="list problems in files changed since the git REF (a branch, tag or commit) first, e.g. origin/main",
    )
    p.add_argument("--strict", action="store_true", help="fail on warnings too (never on notes)")
    add_clock_options(p, future=False)


def run_check(args: argparse.Namespace) -> int:
    root: Path = args.root
    changed = changed_files(root, args.changed_from) if args.changed_from is not None else set()
    checked = check_site(root, args.paths, now=given_now(args))
    problems = changed_first(checked.problems, changed)
    if args.format == "json":
        print(format_json(problems))
    elif args.format == "github":
        if problems:
            print(shown(format_github(problems, lambda path: github_file(path, root))))
            print(totals(problems, checked.articles))
    else:
        if problems:
            print(shown(format_text(problems, colour=sys.stdout.isatty() and "NO_COLOR" not in os.environ)))
        print(totals(problems, checked.articles))
    write_summary(problems, checked.articles)
    errors, warnings = count(problems)
    return 1 if errors or (args.strict and warnings) else 0


def github_file(path: str, root: Path) -> str | None:
    """The path GitHub annotates: relative to the working directory (the repository's top)."""
    if path.startswith("-"):
        return None  # a command-line option, not a file
    full = Path(os.path.normpath((root / path).absolute()))
    cwd = Path.cwd()
    return full.relative_to(cwd).as_posix() if full.is_relative_to(cwd) else None


def write_summary(problems: Sequence[Problem], articles: int) -> None:
    """Append the table to the job summary when running on GitHub Actions, within the runner's limit."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    guide = None
    server, repo, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repo and sha:
        guide = f"{server}/{repo}/blob/{sha}/CONTRIBUTING.md"
    try:
        before = os.path.getsize(target)  # what the step wrote already counts towards the limit
    except OSError:
        before = 0
    text = summary_markdown(problems, articles, guide, max(SUMMARY_BYTES - before, 0) - 1)
    with open(target, "a", encoding="utf-8", errors="backslashreplace") as summary:
        summary.write(text + "\n")
