"""Where things live in a site folder: the one owner of every file and folder name Nashra reads or writes.

Paths are relative to the site's folder, with forward slashes. Messages may still name a
folder in their own words (e.g. "content/topics.yml is missing").
"""

from __future__ import annotations

CONFIG_FILE = "site.yml"
CONTENT_DIR = "content"
TOPICS_FILE = f"{CONTENT_DIR}/topics.yml"
SOURCES_FILE = f"{CONTENT_DIR}/sources.yml"  # the optional registry of news outlets (read/sources.py)
ARTICLES_DIR = f"{CONTENT_DIR}/articles"  # the articles, *.md in any sub-folder
IMAGES_DIR = f"{CONTENT_DIR}/images"  # published as images/
EDITIONS_DIR = f"{CONTENT_DIR}/editions"  # the editor's notes, YYYY-MM-DD.md (read/notes.py)
TEMPLATES_DIR = "templates"
STATIC_DIR = f"{TEMPLATES_DIR}/static"  # published as static/
CACHE_DIR = ".nashra-cache"  # the build cache
OUTPUT_DIR = "output"  # where a build goes unless told otherwise

# The folders the build reads, outermost first: a folder is judged after the folders that hold it.
INPUT_FOLDERS = (CONTENT_DIR, ARTICLES_DIR, IMAGES_DIR, TEMPLATES_DIR, STATIC_DIR)
