"""One feed set -> three files: RSS 2.0 (feed.xml), Atom 1.0 (atom.xml) and JSON Feed 1.1 (feed.json).

A feed set is a folder of the site (`` for the site's, `topics/politics/`, `editions/`) with a title, the
page it follows and its items. Every format carries the same items: the same ids (tag: URIs that do not
name base_url, so they survive a new address), the same HTML content (absolute URLs, the lead image
first, the attribution line last), and the lead image as an enclosure where the format has one.

RSS and Atom are written with feedgen; JSON Feed is plain JSON, written here.
"""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from ..body.typography import mark_rtl
from ..incremental.digests import digest
from ..model import Site
from ..output import Planned, shared
from ..urls import Urls
from ..words import WORDS

GENERATOR = "Nashra"
ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# (file in the set's folder, MIME type for <link rel="alternate">)
FORMATS = (
    ("feed.xml", "application/rss+xml"),
    ("atom.xml", "application/atom+xml"),
    ("feed.json", "application/feed+json"),
)
# Atom needs an id for the feed itself; like the items' guids it does not name base_url.
FEED_ID = "tag:nashra,2024:feeds/{folder}"
# When a feed has no item, its <updated> (Atom requires one) is this, never the clock.
EMPTY_UPDATED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str  # absolute
    type: str  # MIME type
    length: int  # bytes; 0 when unknown (an image on another site)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item, as every format prints it."""

    id: str
    title: str  # plain text
    url: str  # absolute: the page on this site
    published: datetime
    updated: datetime | None
    summary: str  # plain text
    summary_html: str  # the same, as escaped HTML (Latin runs isolated)
    content_html: str  # absolute URLs; starts with the lead image, ends with the attribution
    dir: str
    tags: tuple[str, ...] = ()
    author: str | None = None
    external_url: str | None = None  # the report it summarises
    image: Enclosure | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class FeedSet:
    folder: str  # site path of the folder: "", "topics/politics/", "editions/"
    title: str
    description: str
    page: str  # site path of the page the feed follows
    keys: tuple[str, ...]  # what the items are made from: the files change with them
    items: Callable[[], tuple[FeedItem, ...]]  # called only when a file is made


def feed_paths(folder: str) -> tuple[str, ...]:
    return tuple(folder + name for name, _ in FORMATS)


def alternates(u: Urls, title: str, folder: str) -> tuple[tuple[str, str, str], ...]:
    """(title, absolute URL, MIME type) of a set's three feeds, for <link rel="alternate">."""
    return tuple((title, u.absolute(folder + name), kind) for name, kind in FORMATS)


def plan_feed_set(site: Site, feed_set: FeedSet, fingerprint: str) -> list[Planned]:
    """The set's three files, keyed by its items; the items are made once for the three."""
    u = Urls(site.config.base_url)
    items = shared(feed_set.items, len(FORMATS))
    writers = (rss, atom, json_feed)
    return [
        Planned(
            feed_set.folder + name,
            digest(fingerprint, "feed-set", feed_set.folder + name, *feed_set.keys),
            lambda write=write: write(site, u, feed_set, items()),
        )
        for (name, _), write in zip(FORMATS, writers, strict=True)
    ]


# ---- the item's HTML: lead image first, attribution last ----


def image_enclosure(url: str | None, sizes: Mapping[str, int], local_name: str | None) -> Enclosure | None:
    """The lead image as an enclosure: its MIME type from the name, its length from the file (0 for one elsewhere)."""
    if not url:
        return None
    kind = mimetypes.guess_type(url.split("?", 1)[0])[0] or "application/octet-stream"
    return Enclosure(url, kind, sizes.get(local_name, 0) if local_name else 0)


def figure_html(url: str | None, alt: str | None, caption_html: str | None) -> str:
    if not url:
        return ""
    caption = f"<figcaption>{caption_html}</figcaption>" if caption_html else ""
    return f'<figure><img src="{html.escape(url)}" alt="{html.escape(alt or "")}">{caption}</figure>\n'


def attribution_html(name: str, url: str | None, ui_lang: str, ui_dir: str, text_lang: str) -> str:
    """`المصدر: <a href="…">نيويورك تايمز</a>`: the line every item ends with."""
    attrs = "" if text_lang == ui_lang else f' lang="{ui_lang}" dir="{ui_dir}"'
    who = html.escape(name, quote=False)
    linked = f'<a href="{html.escape(url)}">{who}</a>' if url else who
    return f'<p class="source"{attrs}>{WORDS["source"]} {linked}</p>'


# ---- the three formats ----


def newest(items: tuple[FeedItem, ...]) -> datetime | None:
    return max((i.updated or i.published for i in items), default=None)


def rss(site: Site, u: Urls, feed_set: FeedSet, items: tuple[FeedItem, ...]) -> bytes:
    """RSS 2.0. feedgen escapes every value once, for XML. Readers take the channel's and the items'
    <description> as HTML (feedparser does), so those get the text escaped for HTML too; titles,
    categories and dc:creator are plain text (the RSS profile's reading)."""
    config = site.config
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(feed_set.title)
    fg.description(html.escape(feed_set.description or feed_set.title, quote=False))
    # feedgen takes the channel's RSS <link> from the last link set: the page, not the feed.
    fg.link(href=u.absolute(feed_set.folder + "feed.xml"), rel="self")
    fg.link(href=u.absolute(feed_set.page), rel="alternate")
    fg.language(config.language)
    fg.generator(GENERATOR)
    fg.docs("https://www.rssboard.org/rss-specification")
    # feedgen stamps the clock by default; the newest item's time keeps builds deterministic.
    if items:
        fg.lastBuildDate(newest(items))
    for item in items:
        fe = fg.add_entry(order="append")
        fe.title(mark_rtl(item.title, item.dir))
        fe.link(href=item.url)
        fe.guid(item.id, permalink=False)
        fe.pubDate(item.published)
        fe.description(item.summary_html)
        fe.content(item.content_html, type="CDATA")
        if item.image:
            fe.enclosure(item.image.url, str(item.image.length), item.image.type)
        for tag in item.tags:
            fe.category(term=tag)
        if item.author:
            fe.dc.dc_creator(item.author)
    return fg.rss_str(pretty=True)


def atom(site: Site, u: Urls, feed_set: FeedSet, items: tuple[FeedItem, ...]) -> bytes:
    """Atom 1.0: the same items; text constructs of type html hold escaped HTML."""
    config = site.config
    fg = FeedGenerator()
    fg.id(FEED_ID.format(folder=feed_set.folder or "site"))
    fg.title(feed_set.title)
    fg.subtitle(feed_set.description or feed_set.title)
    fg.link(href=u.absolute(feed_set.page), rel="alternate", type="text/html")
    fg.link(href=u.absolute(feed_set.folder + "atom.xml"), rel="self", type="application/atom+xml")
    fg.author({"name": config.author or config.title})
    fg.language(config.language)
    fg.generator(GENERATOR)
    fg.updated(newest(items) or EMPTY_UPDATED)
    links = []
    for item in items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(mark_rtl(item.title, item.dir))
        fe.published(item.published)
        fe.updated(item.updated or item.published)
        fe.summary(item.summary_html, type="html")
        fe.content(item.content_html, type="html")
        for tag in item.tags:
            fe.category(term=tag)
        if item.author:
            fe.author({"name": item.author})
        mine = [{"href": item.url, "rel": "alternate", "type": "text/html"}]
        if item.external_url:
            mine.append({"href": item.external_url, "rel": "related", "type": "text/html"})
        if item.image:
            mine.append(
                {"href": item.image.url, "rel": "enclosure", "type": item.image.type, "length": str(item.image.length)}
            )
        links.append(mine)
    # feedgen 1.0 drops the rel, type and length of an entry's links (it reads them from the new
    # element, not the given values), so the entries' links are added here.
    root = etree.fromstring(fg.atom_str())
    for entry, mine in zip(root.iterfind(f"{{{ATOM}}}entry"), links, strict=True):
        at = list(entry).index(entry.find(f"{{{ATOM}}}content")) + 1
        for i, attrs in enumerate(mine):
            link = etree.Element(f"{{{ATOM}}}link", attrs)
            entry.insert(at + i, link)
    etree.indent(root, space="  ")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def json_feed(site: Site, u: Urls, feed_set: FeedSet, items: tuple[FeedItem, ...]) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1), keys in a fixed order."""
    config = site.config
    doc: dict = {
        "version": JSON_FEED_VERSION,
        "title": feed_set.title,
        "home_page_url": u.absolute(feed_set.page),
        "feed_url": u.absolute(feed_set.folder + "feed.json"),
        "description": feed_set.description or feed_set.title,
        "language": config.language,
        "authors": [{"name": config.author or config.title}],
        "items": [json_item(item) for item in items],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def json_item(item: FeedItem) -> dict:
    out: dict = {"id": item.id, "url": item.url}
    if item.external_url:
        out["external_url"] = item.external_url
    out["title"] = item.title
    out["content_html"] = item.content_html
    out["summary"] = item.summary
    if item.image:
        out["image"] = item.image.url
    out["date_published"] = item.published.isoformat(timespec="seconds")
    if item.updated:
        out["date_modified"] = item.updated.isoformat(timespec="seconds")
    if item.author:
        out["authors"] = [{"name": item.author}]
    if item.tags:
        out["tags"] = list(item.tags)
    if item.language:
        out["language"] = item.language
    if item.image:
        attachment: dict = {"url": item.image.url, "mime_type": item.image.type}
        if item.image.length:
            attachment["size_in_bytes"] = item.image.length
        out["attachments"] = [attachment]
    return out
