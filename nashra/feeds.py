"""Site -> {path: bytes}: the RSS 2.0 feeds, site-wide and per topic, with feedgen."""

from __future__ import annotations

from feedgen.feed import FeedGenerator

from . import urls
from .markup import rewrite_urls
from .model import Entry, Site
from .typography import mark_rtl
from .urls import Urls

GENERATOR = "Nashra"


def write_feeds(site: Site) -> dict[str, bytes]:
    u = Urls(site.config.base_url)
    config = site.config
    feeds = {urls.feed(): rss(site, u, site.entries, config.title, config.description, urls.feed(), urls.home())}
    for listing in site.topics:
        topic = listing.topic
        feeds[listing.feed_path] = rss(
            site,
            u,
            listing.entries,
            f"{config.title}: {topic.name}",
            topic.description or config.description,
            listing.feed_path,
            urls.topic(topic.slug),
        )
    return feeds


def rss(
    site: Site, u: Urls, entries: tuple[Entry, ...], title: str, description: str, feed_path: str, page_path: str
) -> bytes:
    config = site.config
    names = {t.topic.slug: t.topic.name for t in site.topics}
    items = entries[: config.feed_items]
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(title)
    fg.description(description or title)
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
        fe.description(entry.summary_html or entry.summary)
        body = rewrite_urls(entry.html, lambda url, page=entry.abs_url: u.absolutise(url, page))
        fe.content(f'<div dir="{entry.dir}" lang="{entry.lang}">\n{body}\n</div>', type="CDATA")
        for topic in entry.topics:
            fe.category(term=names[topic.slug])
        if entry.author:
            fe.dc.dc_creator(entry.author)
    return fg.rss_str(pretty=True)
