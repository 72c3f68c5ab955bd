"""`new`: start an article file with every required key, dated now in the site's timezone.

`article_text` and `article_path` are pure; `run_new` reads site.yml and topics.yml
and creates the one file, refusing to replace anything. (The file is a source file
the author goes on to edit, not build output, so it is written here and not by
nashra/output/.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..layout import ARTICLES_DIR
from ..problems import UsageError
from ..read.config import load_config
from ..read.content import list_files
from ..read.frontmatter import SLUG, SLUG_HINT
from ..read.inputs import Inputs
from ..read.topics import load_topics
from ..read.yamlnodes import suggest
from . import add_root_option

SLUG_MAX = 60
FILL_IN = "اكتب هنا · fill in"


def slugify(title: str) -> str | None:
    """The Latin words and numbers of a title as an address, or None if it has no Latin letter."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    if not any(re.search(r"[a-z]", word) for word in words):
        return None
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > SLUG_MAX:
            break
        slug = f"{slug}-{word}" if slug else word[:SLUG_MAX]
    return slug


def article_path(slug: str, moment: datetime) -> str:
    return f"{ARTICLES_DIR}/{moment:%Y}/{moment:%m}/{slug}.md"


def article_text(title: str, topics: Sequence[str], moment: datetime) -> str:
    """The new file: front matter with every required key; the empty ones fail `check` until filled in."""
    # A JSON string is a valid YAML double-quoted scalar: any title is safe here.
    quoted = json.dumps(title, ensure_ascii=False)
    topic_list = f"[{', '.join(topics)}]" if topics else "[]  # " + FILL_IN + ": content/topics.yml"
    return f"""---
title: {quoted}
date: {moment:%Y-%m-%dT%H:%M}
topics: {topic_list}
# املأ القيم الفارغة "" ثم احذف هذه الملاحظات · Fill in the empty "" values, then delete these notes.
summary: ""  # جملة أو جملتان تلخصان الخبر (40 إلى 300 حرف) · one or two sentences, 40 to 300 characters
source:
  name: ""  # الوسيلة التي نقلت الخبر، مثل: رويترز · the outlet reported on, e.g. Reuters
  url: ""  # رابط التقرير الأصلي أو احذف السطر · the report's https:// address, or delete the line
# author: هيئة التحرير
---

<!-- اكتب نص الخبر هنا بصيغة Markdown · Write the article here, in Markdown -->
"""


def add_new_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("title", help="the headline, in quotes")
    p.add_argument("--topic", action="append", default=[], metavar="SLUG", help="a topic slug (repeat for more)")
    p.add_argument("--slug", help="the address, e.g. putin-visit (needed when the title has no Latin letters)")
    add_root_option(p)


def run_new(args: argparse.Namespace) -> int:
    root: Path = args.root
    config = load_config(root)
    slug, topics = arguments(args, [t.slug for t in load_topics(root)])
    moment = datetime.now(ZoneInfo(config.timezone)).replace(second=0, microsecond=0)
    relpath = article_path(slug, moment)
    taken = [f"{ARTICLES_DIR}/{name}" for name in list_files(root / ARTICLES_DIR, root, "*.md")]
    taken = [path for path in taken if Path(path).stem == slug]
    if taken:
        return refuse(f"the slug '{slug}' is already used by {taken[0]}; choose another with --slug")
    target = root / relpath
    if refused := Inputs(root).judge(ARTICLES_DIR):  # the build's rule: never write where it would refuse to read
        return refuse(f"{refused.message}; nothing was written")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as file:  # "x": never replace an existing file
            file.write(article_text(args.title.strip(), topics, moment))
    except FileExistsError:
        return refuse(f"{relpath} already exists; nothing was written")
    print(f"Created {relpath}")
    print('Fill in the empty "" values (summary, source) and write the article below the front matter, then run:')
    print(f"    python build.py check {relpath}")
    return 0


def arguments(args: argparse.Namespace, known: list[str]) -> tuple[str, list[str]]:
    """Check the title, --slug and --topic values: (slug, topics)."""
    if not args.title.strip():
        raise UsageError("the title is empty")
    for topic in args.topic:
        if topic not in known:
            raise UsageError(f"unknown topic '{topic}' ({suggest(topic, known)})")
    if args.slug is not None:
        if not SLUG.match(args.slug):
            raise UsageError(f"--slug '{args.slug}' is not valid: {SLUG_HINT}")
        slug = args.slug
    else:
        slug = slugify(args.title)
        if slug is None:
            raise UsageError(
                "the title has no Latin letters to make the article's address from: "
                "give one with --slug, e.g. --slug putin-visit"
            )
    return slug, list(dict.fromkeys(args.topic))


def refuse(message: str) -> int:
    print(f"build.py new: error: {message}", file=sys.stderr)
    return 1
