"""The preview's summary (summary.md, for a GitHub job summary): the articles previewed, as Markdown.

Pure: `summary_markdown` returns text; commands/preview.py writes it. Cells are escaped as the check's
summary escapes them (report.cell), so a title shows exactly as written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from ..model import Entry
from .report import cell, code_cell, plural

WIDTHS = {"phone": 375, "desktop": 1280}  # CSS pixels; screenshots are taken at a device scale of 1
SITE_DIR, SHOTS_DIR, SUMMARY = "site", "screenshots", "summary.md"  # in the preview folder
ARTIFACT = "nashra-preview"  # the artifact's name in .github/workflows/preview.yml
CARD_WIDTH = 240  # px, the card's picture in a local summary


@dataclass(frozen=True, slots=True)
class Card:
    """The page's og:image: `file` is its path in the built site, when it is one of the site's files."""

    url: str
    alt: str
    file: str | None


@dataclass(frozen=True, slots=True)
class Shot:
    """One article as previewed: its entry, its status, its card and its screenshots (relative to the folder)."""

    entry: Entry
    status: str  # "published", "draft" or "scheduled"
    card: Card | None
    screenshots: tuple[tuple[str, str], ...]  # (width's name, path)
    problem: str | None = None  # the page did not answer 200, say


def summary_markdown(shots: Sequence[Shot], run_url: str | None = None, left_out: int = 0) -> str:
    """The job summary: a table of the articles with title, file, status, Arabic date, topics, source,
    card and screenshots. On GitHub (`run_url`: the run's page, where the artifact is listed) files are
    named by their path in the artifact and linked to it, as a summary cannot show a file of an
    artifact; locally the card is shown as a picture and the screenshots are links, relative to the folder.
    `left_out`: how many more articles changed than were previewed (--limit).
    """
    head = ["### Nashra preview · معاينة نشرة", ""]
    if not shots:
        return "\n".join([*head, "No article to preview: none was given, or none changed.", ""])
    widths = " and ".join(f"{name} ({width} px)" for name, width in WIDTHS.items())
    where = (
        f"The screenshots and the built site are in the artifact **{ARTIFACT}** of [this run]({run_url})."
        if run_url
        else "The screenshots and the built site are beside this file."
    )
    head += [f"{plural(len(shots), 'article')}, each at {widths} width. {where}", ""]
    table = ["| Article | Date | Topics | Source | Card | Screenshots |", "|---|---|---|---|---|---|"]
    rows = [row(shot, run_url) for shot in shots]
    tail = [""]
    if left_out:
        tail += [
            f"**{plural(left_out, 'more article')} changed, not previewed here** (at most {len(shots)} a run): "
            "the step's log names them; `python build.py preview PATH...` previews any of them.",
            "",
        ]
    return "\n".join([*head, *table, *rows, *tail])


def row(shot: Shot, run_url: str | None) -> str:
    e = shot.entry
    article = f"{cell(e.title)}<br>{code_cell(e.path)}"
    if shot.status != "published":
        article += f" ({shot.status})"
    if shot.problem:
        article += f"<br>⚠️ {cell(shot.problem)}"
    topics = "، ".join(cell(t.name) for t in e.topics)
    source = cell(e.source.name) + (f" ({cell(e.source.url)})" if e.source.url else "")
    screenshots = " · ".join(
        f"[{name}: {path}]({run_url})" if run_url else f"[{name}]({path})" for name, path in shot.screenshots
    )
    return (
        f"| {article} | {cell(e.date_text)} | {topics} | {source} | {card_cell(shot.card, run_url)} | {screenshots} |"
    )


def card_cell(card: Card | None, run_url: str | None) -> str:
    if card is None:
        return "none (no og:image)"
    if card.file is None:  # a picture elsewhere on the web: named, never fetched by the summary
        return code_cell(card.url)
    path = f"{SITE_DIR}/{card.file}"
    if run_url:
        return f"[{path}]({run_url})"
    return f'<img src="{escape(path)}" alt="{escape(card.alt)}" width="{CARD_WIDTH}">'


def run_url() -> str | None:
    """The run's page on GitHub, when running in GitHub Actions: its artifacts are listed there."""
    parts = [os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if os.environ.get("GITHUB_ACTIONS") != "true" or not all(parts):
        return None
    server, repo, run = parts
    return f"{server}/{repo}/actions/runs/{run}"
