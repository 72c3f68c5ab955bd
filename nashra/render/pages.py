"""Site -> {path: bytes} with Jinja: the HTML pages, sitemap, robots.txt and friends."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markupsafe import Markup

from .. import urls
from ..body.typography import direction, mark_rtl
from ..dates import iso
from ..editions import Edition, Editions, editions_index
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..layout import TEMPLATES_DIR
from ..model import Entry, ListPage, Site, TopicListing
from ..output import Planned
from ..problems import ContentError, Problem
from ..urls import Urls
from ..words import WORDS
from .feedsets import alternates
from .news import NEWS_SITEMAP
from .sharing import MetaTag, json_ld, news_article, page_meta

TEMPLATES = (
    *("article.html", "list.html", "topics.html", "404.html", "_nav.html"),
    *("edition.html", "editions.html", "email.html"),  # render/editions.py, render/email.py
    *("archive.html", "sources.html", "search.html"),  # render/archives.py, render/sources.py, render/search.py
)
STYLESHEET = "style.css"
ICON = "favicon.svg"
# Fonts every page uses, preloaded so text does not reflow when they arrive (see templates/static/fonts/).
FONTS = ("fonts/naskh-regular.woff2", "fonts/naskh-bold.woff2")


@dataclass(frozen=True, slots=True)
class NavItem:
    name: str
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class Chrome:
    """What every page's frame needs: head, header and footer."""

    lang: str
    dir: str
    site_lang: str
    site_dir: str
    site_title: str
    site_description: str
    page_title: str
    description: str
    canonical: str
    home_url: str
    topics_url: str
    stylesheet: str
    icon: str | None
    feeds: tuple[tuple[str, str, str], ...]  # (title, url, MIME type) for autodiscovery; RSS first
    nav: Markup  # the topic navigation, from _nav.html
    noindex: bool = False
    fonts: tuple[str, ...] = ()  # font URLs to preload
    meta: tuple[MetaTag, ...] = ()  # Open Graph and Twitter cards
    json_ld: str | None = None  # Markup: JSON for <script type="application/ld+json">
    archive_url: str = ""  # the footer's links: the date archives and the sources
    sources_url: str = ""
    search_url: str = ""  # the header's search form sends its query there


def load_templates(folder: Path) -> dict[str, Template]:
    """Compile every template once, at startup; a template error stops the build here."""
    if not folder.is_dir():
        missing = "the templates/ folder is missing"
        raise ContentError([Problem(TEMPLATES_DIR, 0, 0, "NSH201", missing, "copy it from Nashra's repository")])
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # each build loads the templates afresh: no need to check them on every page
    )
    env.globals["words"] = WORDS  # the interface's words (nashra/words.py): {{ words.sections }}
    try:
        return {name: env.get_template(name) for name in TEMPLATES}
    except TemplateSyntaxError as exc:
        path = f"{TEMPLATES_DIR}/{exc.name or exc.filename}"
        raise ContentError([Problem(path, exc.lineno, 0, "NSH205", f"template error: {exc.message}", "")]) from None
    except TemplateNotFound as exc:
        path = f"{TEMPLATES_DIR}/{exc.name}"
        raise ContentError([Problem(path, 0, 0, "NSH201", "template is missing", "")]) from None


def render(template: Template, context: dict) -> bytes:
    """One page; a template error becomes a located content problem, not a traceback."""
    return render_text(template, context).encode("utf-8")


def render_text(template: Template, context: dict) -> str:
    try:
        return template.render(context)
    except TemplateError as exc:
        raise ContentError([Problem(*template_position(exc), "NSH205", f"template error: {exc}", "")]) from None


def template_position(exc: Exception) -> tuple[str, int, int]:
    """The innermost template line in the traceback (Jinja maps its frames to template lines)."""
    where = (TEMPLATES_DIR, 0, 0)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml")):
            where = (f"{TEMPLATES_DIR}/{Path(filename).name}", line, 0)
    return where


def plan_pages(
    site: Site,
    templates: dict[str, Template],
    with_body: Callable[[Entry], Entry],
    keys: PageKeys,
    editions: Editions | None = None,
    more_urls: tuple[tuple[str, str | None], ...] = (),
) -> list[Planned]:
    """Every page and small file of the site, each with the key of what it is made from (from `keys`).

    `with_body` gives an entry its body HTML; it is called only for pages that are made. The home
    page shows the latest of `editions`, and the sitemap lists their pages (render/editions.py makes them)
    and `more_urls`, the (address, last modified) of other pages (render/archives.py, render/sources.py).
    """
    u = Urls(site.config.base_url)
    frame = Frame(site, u, functools.cache(lambda current: nav_html(site, u, templates["_nav.html"], current)))
    fp, card = keys.fingerprint, keys.card
    plan: list[Planned] = []

    def page(path: str, key: str, template: str, context: Callable[[], dict]) -> None:
        plan.append(Planned(path, key, lambda: render(templates[template], context())))

    for entry in site.entries:
        related = site.related[entry.slug]
        page(
            urls.out_path(urls.article(entry.slug)),
            digest(fp, "article", keys.entry[entry.path], entry.source_page, *(card[r.path] for r in related)),
            "article.html",
            lambda entry=entry: context_for_article(frame, with_body(entry)),
        )
    today = editions.latest if editions else None
    for p in site.home:
        key = digest(list_key(keys, p), today.slug if today else "")
        page(p.out_path, key, "list.html", lambda p=p: context_for_home(frame, p, today))
    for listing in site.topics:
        for p in listing.pages:
            key = list_key(keys, p)
            page(p.out_path, key, "list.html", lambda p=p, t=listing: context_for_topic(frame, t, p))
    counts = (str(len(t.entries)) for t in site.topics)
    page(
        urls.out_path(urls.topics_index()),
        digest(fp, "topics", *counts),
        "topics.html",
        lambda: context_for_topics(frame),
    )
    latest = (card[e.path] for e in site.entries[:5])
    page("404.html", digest(fp, "404", *latest), "404.html", lambda: context_for_404(frame))
    plan.append(Planned("sitemap.xml", "", lambda: sitemap(site, u, editions, more_urls).encode("utf-8")))
    sitemaps = "".join(f"Sitemap: {u.absolute(name)}\n" for name in ("sitemap.xml", NEWS_SITEMAP))
    robots = f"User-agent: *\nAllow: /\n\n{sitemaps}".encode()
    plan.append(Planned("robots.txt", "", lambda: robots))
    plan.append(Planned(".nojekyll", "", lambda: b""))
    if site.config.cname:
        cname = f"{site.config.cname}\n".encode()
        plan.append(Planned("CNAME", "", lambda: cname))
    return plan


def list_key(keys: PageKeys, page: ListPage) -> str:
    cards = (keys.card[e.path] for e in page.entries)
    return digest(keys.fingerprint, "list", page.url, str(page.number), str(page.total), *cards)


@dataclass(frozen=True, slots=True)
class Frame:
    """What every page of a build shares: the site, its URLs and its topic navigation."""

    site: Site
    u: Urls
    nav: Callable[[str | None], Markup]  # the navigation's HTML, by the slug of the topic shown


def nav_html(site: Site, u: Urls, template: Template, current: str | None) -> Markup:
    """The topic navigation, rendered once per topic (and once for pages of no topic) rather than per page."""
    items = tuple(NavItem(t.topic.name, t.url, t.topic.slug == current) for t in site.topics)
    return Markup(render_text(template, {"nav": items, "topics_url": u.link(urls.topics_index())}).strip())


def chrome(
    frame: Frame,
    *,
    title: str,
    description: str,
    site_path: str,
    current: str | None = None,
    lang: str | None = None,
    extra_feed: tuple[str, str] | None = None,  # (title, the feed set's folder)
    noindex: bool = False,
    entry: Entry | None = None,
) -> Chrome:
    site, u = frame.site, frame.u
    config = site.config
    feeds = alternates(u, config.title, "") + (alternates(u, *extra_feed) if extra_feed else ())
    language = lang or config.language
    marked = mark_rtl(title, direction(language))  # for text-only places: <title>, og:title
    description = description or config.description
    meta = (
        ()
        if noindex
        else page_meta(
            config, title=marked, description=description, url=u.absolute(site_path), lang=language, entry=entry
        )
    )
    return Chrome(
        lang=language,
        dir=direction(language),
        site_lang=config.language,
        site_dir=direction(config.language),
        site_title=config.title,
        site_description=config.description,
        page_title=f"{marked} — {config.title}" if title != config.title else marked,
        description=description,
        canonical=u.absolute(site_path),
        home_url=u.link(urls.home()),
        topics_url=u.link(urls.topics_index()),
        stylesheet=u.link(urls.static(STYLESHEET)),
        icon=u.link(urls.static(ICON)) if ICON in site.static else None,
        feeds=feeds,
        nav=frame.nav(current),
        noindex=noindex,
        fonts=tuple(u.link(urls.static(name)) for name in FONTS if name in site.static),
        meta=meta,
        json_ld=json_ld(news_article(config, entry, u.absolute(urls.home()))) if entry else None,
        archive_url=u.link(urls.archive()),
        sources_url=u.link(urls.sources_index()),
        search_url=u.link(urls.search()),
    )


def context_for_article(frame: Frame, entry: Entry) -> dict:
    return {
        "chrome": chrome(
            frame,
            title=entry.title,
            description=entry.summary,
            site_path=urls.article(entry.slug),
            lang=entry.lang,
            entry=entry,
        ),
        "entry": entry,
        "related": frame.site.related[entry.slug],
    }


def context_for_home(frame: Frame, page: ListPage, edition: Edition | None = None) -> dict:
    config = frame.site.config
    title = config.title if page.number == 1 else f"{config.title} — {page.name}"
    return {
        "chrome": chrome(frame, title=title, description=config.description, site_path=urls.home(page.number)),
        "heading": WORDS["latest"],
        "intro": config.description,
        "page": page,
        "edition": edition,
        "editions_url": frame.u.link(editions_index()),
    }


def context_for_topic(frame: Frame, listing: TopicListing, page: ListPage) -> dict:
    site = frame.site
    name = listing.topic.name
    title = name if page.number == 1 else f"{name} — {page.name}"
    return {
        "chrome": chrome(
            frame,
            title=title,
            description=listing.topic.description,
            site_path=urls.topic(listing.topic.slug, page.number),
            current=listing.topic.slug,
            extra_feed=(f"{site.config.title}: {name}", listing.feed_path.removesuffix("feed.xml")),
        ),
        "heading": name,
        "intro": listing.topic.description,
        "page": page,
        "feed_url": listing.feed_url,
    }


def context_for_topics(frame: Frame) -> dict:
    return {
        "chrome": chrome(
            frame,
            title=WORDS["sections"],
            description=WORDS["all_sections_of"].format(site=frame.site.config.title),
            site_path=urls.topics_index(),
        ),
        "topics": frame.site.topics,
    }


def context_for_404(frame: Frame) -> dict:
    return {
        "chrome": chrome(frame, title=WORDS["not_found"], description="", site_path="404.html", noindex=True),
        "latest": frame.site.entries[:5],
    }


def sitemap(site: Site, u: Urls, editions: Editions | None = None, more=()) -> str:
    newest = site.entries[0].date_iso if site.entries else None
    rows: list[tuple[str, str | None]] = [
        (u.absolute(p.out_path.removesuffix("index.html")), newest) for p in site.home
    ]
    rows.append((u.absolute(urls.topics_index()), newest))
    for listing in site.topics:
        last = listing.entries[0].date_iso if listing.entries else None
        rows += [(u.absolute(p.out_path.removesuffix("index.html")), last) for p in listing.pages]
    rows += [(e.abs_url, e.updated_iso or e.date_iso) for e in site.entries]
    if editions:
        rows += [(u.absolute(p.site_path), newest) for p in editions.pages]
        rows += [(e.abs_url, iso(e.updated or e.published)) for e in editions.editions]
    rows += more
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in rows:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{mod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
