"""Links and images in article bodies must lead somewhere: a cross-file rule of the build and of `check`.

Nothing here touches the disk: a link is resolved against the lists of files that
were read and against every address of the URL map (urls.py), the same way
`Urls.resolve_body_url` resolves it for the built page.
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from .. import urls
from ..body.markdown import off_site
from ..layout import ARTICLES_DIR, CONTENT_DIR, IMAGES_DIR
from ..model import Article, Content, Topic
from ..problems import Problem
from .scan import Link, find_links
from .yamlnodes import nearest

ARTICLES = ARTICLES_DIR + "/"
IMAGES = IMAGES_DIR + "/"
# Files the renderer writes that have no function in urls.py.
OTHER_PAGES = ("index.html", "sitemap.xml", "robots.txt", "404.html")
ADDRESS_HINT = "site addresses look like /articles/<slug>/, /topics/<slug>/, /images/<file>"
FILE_HINT = "link to an article by its file (e.g. ../05/budget.md) or its address (e.g. /articles/budget/)"


@dataclass(frozen=True, slots=True)
class SiteMap:
    """What a link from one article may lead to."""

    articles: Mapping[str, str]  # article file -> slug, for the articles published with this one
    drafts: Mapping[str, str]  # article file -> slug, for drafts that are not
    unreadable: frozenset[str]  # article files with errors of their own: they exist, slug unknown
    images: frozenset[str]  # files under content/images/, relative to it
    paths: frozenset[str]  # every site path (urls.py), e.g. articles/visit/, topics/, feed.xml


def site_map(
    articles: Sequence[Article],
    article_files: Iterable[str],
    topics: Sequence[Topic],
    images: Iterable[str],
    static: Iterable[str],
    per_page: int,
    drafts: bool,
) -> SiteMap:
    """The site as built without drafts (`drafts=False`) or with them."""
    shown = [a for a in articles if a.included(drafts)]
    hidden = {a.path: a.slug for a in articles if not a.included(drafts)}
    readable = {a.path for a in articles}
    paths = {*OTHER_PAGES, urls.home(), urls.topics_index(), urls.feed()}
    paths |= {urls.home(n) for n in range(2, pages(len(shown), per_page) + 1)}
    paths |= {urls.article(a.slug) for a in shown}
    counts = Counter(slug for a in shown for slug in a.topics)
    for topic in topics:
        count = counts[topic.slug]
        paths |= {urls.topic(topic.slug, n) for n in range(1, pages(count, per_page) + 1)}
        paths.add(urls.topic_feed(topic.slug))
    paths |= {urls.image(name) for name in images}
    paths |= {urls.static(name) for name in static}
    return SiteMap(
        articles={a.path: a.slug for a in shown},
        drafts=hidden,
        unreadable=frozenset(f for f in article_files if f not in readable),
        images=frozenset(images),
        paths=frozenset(paths),
    )


def published_site(content: Content, per_page: int) -> SiteMap:
    """The site as published (no drafts), for links written outside the articles: the editor's notes'."""
    files = [a.path for a in content.articles]
    return site_map(content.articles, files, content.topics, content.images, content.static, per_page, drafts=False)


def pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / max(per_page, 1)))


@dataclass(frozen=True, slots=True)
class LinkSites:
    """The sites links are checked against: a published article's, and a draft's (drafts included)."""

    published: SiteMap
    everything: SiteMap

    def members(self) -> list[list[list[str]]]:
        """What a link may lead to and pass the check, in each of the two sites: the article files, the
        unreadable ones, the images and the site paths (check_link passes a link only when it leads to
        one of them; drafts and slugs only shape the messages of links that fail). Sorted: JSON."""
        return [[sorted(m.articles), sorted(m.unreadable), sorted(m.images), sorted(m.paths)] for m in self._maps()]

    def covers(self, members: object, digest: str) -> bool:
        """Whether every link that passed against sites of these `members` (as the cache kept them, with
        their `digest`) passes against these sites too: each of their sets holds the members' (an
        article or page added, a draft published, an image added take nothing away)."""
        if not _members_layout(members) or members_digest(members) != digest:
            return False
        mine = [(frozenset(m.articles), m.unreadable, m.images, m.paths) for m in self._maps()]
        pairs = (pair for site, kept in zip(mine, members, strict=True) for pair in zip(site, kept, strict=True))
        return all(new.issuperset(old) for new, old in pairs)

    def _maps(self) -> tuple[SiteMap, SiteMap]:
        return self.published, self.everything


def members_digest(members: list) -> str:
    """Of LinkSites.members: the same digest, the same answer for every link (the last build's, kept)."""
    return hashlib.sha256(json.dumps(members).encode()).hexdigest()  # ASCII: a file name may not be UTF-8


def _members_layout(members: object) -> bool:
    return (
        isinstance(members, list)
        and len(members) == 2
        and all(isinstance(site, list) and len(site) == 4 for site in members)
        and all(isinstance(names, list) and all(type(n) is str for n in names) for site in members for names in site)
    )


def link_sites(
    articles: Sequence[Article],
    article_files: Iterable[str],
    topics: Sequence[Topic],
    images: Iterable[str],
    static: Iterable[str],
    per_page: int,
) -> LinkSites:
    args = (articles, tuple(article_files), topics, tuple(images), tuple(static), per_page)
    return LinkSites(site_map(*args, drafts=False), site_map(*args, drafts=True))


def check_links(
    sites: LinkSites,
    articles: Sequence[Article],
    found: Mapping[str, Sequence[Link]] | None = None,
    passed: Container[str] = (),
) -> list[Problem]:
    """Every internal link and image in every body must exist in the published site (`sites`).

    A published article may link only to published articles; a draft also to drafts.
    `found` maps article files to the links in their bodies, where already known; the articles in
    `passed` are left out: their links, as they are, passed against sites that these cover.
    """
    published, everything = sites.published, sites.everything
    problems = []
    for article in articles:
        if article.path in passed:
            continue
        where = everything if article.draft else published
        links = found[article.path] if found and article.path in found else find_links(article.body, article.body_line)
        for link in links:
            problem = check_link(link, article.path, where)
            if problem:
                problems.append(problem)
    return problems


def check_link(link: Link, article_path: str, site: SiteMap) -> Problem | None:
    parts = urls.split(link.url)
    if parts is None:
        return Problem(
            article_path,
            link.line,
            link.col,
            "NSH128",
            f"{'image' if link.image else 'link'} '{link.url}' is not an address: its host's [brackets] do not close "
            "or hold no IPv6 address",
            "copy the address again, whole, from the browser's address bar",
        )
    if link.image and off_site(link.url):
        return Problem(
            article_path,
            link.line,
            link.col,
            "NSH123",
            f"image '{link.url}' is not a file of the site: readers' browsers would fetch it from elsewhere",
            f"download the picture, with permission, into {IMAGES} and link it there, e.g. '/images/name.jpg'",
        )
    if parts.scheme or parts.netloc or not parts.path:
        return None  # another site, mailto:, or a #fragment of this page
    what = "image" if link.image else "link"

    def problem(code: str, message: str, hint: str) -> Problem:
        return Problem(article_path, link.line, link.col, code, f"{what} '{link.url}' {message}", hint)

    path = unquote(parts.path)
    if path.startswith("/"):
        return check_address(path, site, problem)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), path))
    if target in site.articles or target in site.unreadable:
        return None
    if target.startswith(IMAGES) and target.removeprefix(IMAGES) in site.images:
        return None
    if target in site.drafts:
        return problem(
            "NSH121",
            f"goes to {target}, a draft that is not published",
            "link to it once it is published (without 'draft: true')",
        )
    if target.startswith(IMAGES):
        return problem("NSH111", f"is not in {IMAGES}", image_hint(target.removeprefix(IMAGES), site))
    if not target.startswith(CONTENT_DIR + "/"):
        return problem("NSH121", "leads outside the site's content folder", FILE_HINT)
    return problem(
        "NSH121",
        f"goes to {target}, which is not an article or image of the site",
        file_hint(path, target, article_path, site),
    )


def check_address(path: str, site: SiteMap, problem) -> Problem | None:
    """A site-absolute link, `/articles/x/`: one of the addresses the build writes."""
    site_path = path.lstrip("/")
    if site_path.endswith("index.html"):
        site_path = site_path.removesuffix("index.html")
    if site_path in site.paths or site_path + "/" in site.paths:
        return None
    if site_path.startswith("images/"):
        return problem("NSH111", f"is not in {IMAGES}", image_hint(site_path.removeprefix("images/"), site))
    drafts = {urls.article(slug) for slug in site.drafts.values()}
    if site_path in drafts or site_path + "/" in drafts:
        return problem("NSH122", "goes to a draft that is not published", "link to it once it is published")
    return problem("NSH122", "goes to no page of the site", address_hint(site_path, site))


def address_hint(site_path: str, site: SiteMap) -> str:
    """The nearest address of the same kind (`articles/budjet/` -> `articles/budget/`)."""
    first, _, rest = site_path.partition("/")
    if rest and (rest in site.paths or rest + "/" in site.paths):
        return f"write '/{rest}': Nashra adds the site's own address ('/{first}/') itself"
    same_kind = {p.partition("/")[2]: p for p in site.paths if p.partition("/")[0] == first and "/" in p}
    close = nearest(rest, same_kind)
    if close:
        return f"did you mean '/{same_kind[close[0]]}'?"
    if first == "topics":
        topics = sorted(p for p in site.paths if p.count("/") == 2 and p.startswith("topics/") and p.endswith("/"))
        return "topics are at " + ", ".join(f"'/{p}'" for p in topics[:8]) + " (content/topics.yml lists them)"
    return ADDRESS_HINT


def image_hint(name: str, site: SiteMap) -> str:
    if name in site.images:
        return f"the file is there: link it as '/images/{name}'"
    base = posixpath.basename(name)
    close = [n for n in site.images if posixpath.basename(n) == base] or nearest(name, site.images)
    if close:
        return f"did you mean '/images/{close[0]}'?"
    return f"add the file to {IMAGES}, or correct the address"


def file_hint(path: str, target: str, article_path: str, site: SiteMap) -> str:
    """Suggest the article, image or web address the author probably meant."""
    base = posixpath.basename(target)
    if base in site.images:
        return f"images are in {IMAGES}: link it as '/images/{base}'"
    if target.endswith(".md"):
        by_name: dict[str, str] = {}
        for f in sorted(site.articles):
            by_name.setdefault(posixpath.basename(f), f)
        close = nearest(base, by_name)
        if close:
            return f"did you mean '{posixpath.relpath(by_name[close[0]], posixpath.dirname(article_path))}'?"
    first = path.split("/", 1)[0]
    if "." in first and not first.startswith(".") and not first.endswith(".md"):
        return f"for another website write the whole address, e.g. 'https://{path}'"
    return FILE_HINT


def local_image(url: str, article_path: str) -> str | None:
    """The file under content/images/ that a body link or image points to, if it points to one."""
    parts = urls.split(url)
    if parts is None or parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        name = path.lstrip("/")
        return name.removeprefix("images/") if name.startswith("images/") else None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), path))
    return target.removeprefix(IMAGES) if target.startswith(IMAGES) else None
