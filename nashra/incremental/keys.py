"""Every input key of the build, in one place: what each result is made from, as one digest.

A result whose key is unchanged is taken from the last build; any change to what it is made of
changes its key. Page and feed keys are made beside the contexts they cover (render/), from the
entry and card keys given here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..layout import CONFIG_FILE, SOURCES_FILE, TEMPLATES_DIR, TOPICS_FILE
from ..model import Article
from .digests import digest, digest_bytes, fingerprint_files
from .toolchain import made_by


def inputs_key(root: Path, digests: Mapping[str, str], base_url: str, drafts: bool, future: bool = False) -> str:
    """Every file the build reads and every option: when it is unchanged, so is the output (at the
    same clock state: schedule.clock_state)."""
    options = (str(drafts), "future") if future else (str(drafts),)
    return digest(base_url, *options, fingerprint_files(root, sorted(digests), digests))


def parse_fingerprint(root: Path, digests: Mapping[str, str]) -> str:
    """What parsing an article depends on besides its file: site.yml, topics.yml and sources.yml."""
    return fingerprint_files(root, [CONFIG_FILE, TOPICS_FILE, SOURCES_FILE], digests)


def site_fingerprint(
    root: Path, digests: Mapping[str, str], parse_fp: str, base_url: str, drafts: bool, photos: str = ""
) -> str:
    """Every input but the articles: settings, topics, templates and static files, the options, and
    `photos`, what pages print of the images (their sizes: photos.PhotoSet.key)."""
    templates = [name for name in digests if name.startswith(TEMPLATES_DIR + "/")]
    return digest(parse_fp, fingerprint_files(root, templates, digests), base_url, str(drafts), photos)


def body_key(article: Article, rtl: bool) -> str:
    """The prepared body's name: from the article file's digest (or, unread from a file, its body), and what
    prepares it (toolchain.made_by: Nashra, Markdown, the sanitiser)."""
    return digest(made_by(), "rtl" if rtl else "ltr", article.digest or digest_bytes(article.body.encode()))


def body_key_and_rtl(article: Article, language: str) -> tuple[str, bool]:
    """The body's key and whether it runs right to left (by its own language, else the site's `language`),
    the same wherever the body is prepared."""
    from ..body.typography import direction  # compiles its patterns: not when nothing changed

    rtl = direction(article.lang or language) == "rtl"
    return body_key(article, rtl), rtl


@dataclass(frozen=True, slots=True)
class PageKeys:
    """What pages are keyed on, by article file: `entry` for everything an entry is made from (pages
    showing its body change with it), `card` for what lists show (front matter and settings)."""

    fingerprint: str  # site_fingerprint
    entry: Mapping[str, str]
    card: Mapping[str, str]


def page_keys(articles: Iterable[Article], fingerprint: str, linked: Mapping[str, tuple[str, ...]]) -> PageKeys:
    """The keys of the articles a build includes; `linked` maps an article to the article files its
    body links to (../05/budget.md): its entry changes with their slugs (and with a file's being there
    or not), not with any other article's, so adding an article leaves the others' pages alone."""
    articles = list(articles)
    slugs = {a.path: a.slug for a in articles}
    entry, card = {}, {}
    for a in articles:
        targets = (f"{path}={slugs.get(path, '')}" for path in linked.get(a.path, ()))
        entry[a.path] = digest(fingerprint, a.digest or repr(a), *targets)
        card[a.path] = digest(fingerprint, a.front_digest) if a.front_digest else entry[a.path]
    return PageKeys(fingerprint, entry, card)
