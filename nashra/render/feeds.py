"""Site -> {path: bytes}: the RSS 2.0 feeds, site-wide and per topic, with feedgen.

feedgen escapes every value once, for XML. Readers take the channel's and the items'
<description> as HTML (feedparser does), so those get the text escaped for HTML too;
titles, categories and dc:creator are plain text (the RSS profile's reading).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from feedgen.feed import FeedGenerator

from .. import urls
from ..body.markdown import rewrite_urls
from ..body.typography import mark_rtl
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Entry, Site
from ..output import Planned
from ..urls import Urls

GENERATOR = "Nashra"


def plan_feeds(site: Site, with_body: Callable[[Entry], Entry], keys: PageKeys) -> list[Planned]:
    """The site's feed and every topic's, each keyed by its items (`keys`); bodies are fetched only to make one."""
    u = Urls(site.config.base_url)
    config = site.config
    plan = []
    sources = [(urls.feed(), site.entries, config.title, config.description, urls.home())]
    for listing in site.topics:
        topic = listing.topic
        title = f"{config.title}: {topic.name}"
        sources.append(
            (listing.feed_path, listing.entries, title, topic.description or config.description, urls.topic(topic.slug))
        )
    for path, entries, title, description, page in sources:
        items = entries[: config.feed_items]
        key = digest(keys.fingerprint, "feed", path, *(keys.entry[e.path] for e in items))

        def make(items=items, title=title, description=description, path=path, page=page) -> bytes:
            return rss(site, u, tuple(with_body(e) for e in items), title, description, path, page)

        plan.append(Planned(path, key, make))
    return plan


def rss(
    site: Site, u: Urls, entries: tuple[Entry, ...], title: str, description: str, feed_path: str, page_path: str
) -> bytes:
    config = site.config
    names = {t.topic.slug: t.topic.name for t in site.topics}
    items = entries[: config.feed_items]
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(title)
    fg.description(html.escape(description or title, quote=False))  # HTML to readers: the text, escaped
    # feedgen takes the channel's RSS <link> from the last link set: the page, not the feed.
    fg.link(href=u.absolute(feed_path), rel="self")
    fg.link(href=u.absolute(page_path), rel="alternate")
    fg.language(config.language)
    fg.generator(GENERATOR)
    fg.docs("https://www.rssboard.org/rss-specification")
    # feedgen stamps the clock by default; the newest item's time keeps builds deterministic.
    if items:
        fg.lastBuildDate(max(e.updated or e.date for e in items))
    for entry in items:
        fe = fg.add_entry(order="append")
        fe.title(mark_rtl(entry.title, entry.dir))
        fe.link(href=entry.abs_url)
        fe.guid(entry.guid, permalink=False)
        fe.pubDate(entry.date)
        fe.description(entry.summary_html or html.escape(entry.summary, quote=False))  # escaped HTML
        body = rewrite_urls(entry.html, lambda url, page=entry.abs_url: u.absolutise(url, page))
        fe.content(f'<div dir="{entry.dir}" lang="{entry.lang}">\n{body}\n</div>', type="CDATA")
        for topic in entry.topics:
            fe.category(term=names[topic.slug])
        if entry.author:
            fe.dc.dc_creator(entry.author)
    return fg.rss_str(pretty=True)
