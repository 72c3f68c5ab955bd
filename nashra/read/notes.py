"""content/editions/YYYY-MM-DD.md -> the editor's notes, one per edition, or every problem.

A note is optional: a short Markdown body shown above the edition's articles, with an optional
front matter holding only `title`. It is checked as articles are (unknown keys, YAML syntax, the
body's size, its links and images), and more: its file name must be a date (NSH140), a date with
articles in the site's timezone (NSH141), and the folder holds only such .md files (NSH142). `check`
and the build call the same function, read_notes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from ..body.markdown import body_problems
from ..incremental.digests import digest
from ..layout import CONTENT_DIR, EDITIONS_DIR
from ..model import Article, Content, SiteConfig
from ..problems import ContentError, Problem
from .config import decode_text
from .frontmatter import split_front_matter
from .inputs import Inputs
from .links import check_link, published_site
from .scan import find_links
from .yamlnodes import Reader

NOTES_DIR = EDITIONS_DIR
KEYS = ("title",)
NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.md$")


@dataclass(frozen=True, slots=True)
class Note:
    path: str  # content/editions/2024-06-17.md
    day: date
    title: str | None
    body: str  # Markdown
    body_line: int
    digest: str  # of the text: the edition's pages change with it


def parse_note(relpath: str, text: str) -> tuple[Note | None, list[Problem]]:
    """One note file's text (pure): the note, or None and the problems."""
    name = relpath.rsplit("/", 1)[-1]
    found = NAME.match(name)
    day = None
    if found:
        try:
            day = date(*map(int, found.groups()))
        except ValueError:
            day = None
    if day is None or "/" in relpath.removeprefix(NOTES_DIR + "/"):
        return None, [
            Problem(
                relpath,
                1,
                0,
                "NSH140",
                f"'{relpath.removeprefix(NOTES_DIR + '/')}' is not named after a date",
                f"name an editor's note after its edition's day, e.g. {NOTES_DIR}/2024-06-17.md",
            )
        ]
    title = None
    body, body_line = text, 1
    r = Reader(relpath, first_line=2, max_values=100)
    if text.startswith("---"):
        parts = split_front_matter(text)
        if parts is None:
            return None, [
                Problem(relpath, 1, 1, "NSH003", "the front matter is not closed", "end it with a line '---'")
            ]
        front, body, body_line = parts
        node = r.compose(front)
        fields = r.mapping(node, KEYS, "an editor's note") if node is not None else {}
        if fields and "title" in fields:
            title = r.text(fields["title"], "title", required=False)
    problems = r.problems + body_problems(relpath, body, body_line)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Note(relpath, day, title, body, body_line, digest(text)), problems


def read_notes(
    root: Path, config: SiteConfig, articles: Iterable[Article], content: Content
) -> tuple[dict[date, Note], list[Problem]]:
    """Every note of the site, by day, and every problem; `articles` are those the build publishes.
    A note's links and images are checked as a published article's are, against `content`: a
    note may link to no draft, no missing article or page, no image of another site."""
    inputs = Inputs(root)
    names, problems = inputs.scan(CONTENT_DIR)
    tz = ZoneInfo(config.timezone)
    days = {a.date.astimezone(tz).date() for a in articles}
    site = functools.cache(lambda: published_site(content, config.per_page))  # made for the first note
    notes: dict[date, Note] = {}
    for name in names:
        relpath = f"{CONTENT_DIR}/{name}"
        if not relpath.startswith(NOTES_DIR + "/"):
            continue
        if not name.endswith(".md"):
            problems.append(
                Problem(
                    relpath,
                    0,
                    0,
                    "NSH142",
                    f"'{relpath.removeprefix(NOTES_DIR + '/')}' is not an editor's note",
                    f"{NOTES_DIR}/ holds only notes named after their day, e.g. 2024-06-17.md",
                )
            )
            continue
        try:
            text = decode_text((root / relpath).read_bytes(), relpath)
        except ContentError as exc:
            problems += exc.problems
            continue
        except OSError as exc:
            problems.append(Problem(relpath, 0, 0, "NSH142", f"cannot read the note: {exc.strerror}", ""))
            continue
        note, found = parse_note(relpath, text)
        problems += found
        if note is None:
            continue
        links = [check_link(link, relpath, site()) for link in find_links(note.body, note.body_line)]
        problems += [problem for problem in links if problem is not None]
        if note.day not in days:
            problems.append(
                Problem(
                    relpath,
                    1,
                    0,
                    "NSH141",
                    f"no article is published on {note.day.isoformat()} ({config.timezone}), so there is no edition"
                    " for this note",
                    "check the file's date, or the articles' dates; a draft's day has no edition",
                )
            )
            continue
        notes[note.day] = note
    return notes, [p for p in problems if p.path.startswith(NOTES_DIR + "/")]
