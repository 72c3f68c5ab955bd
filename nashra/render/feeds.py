"""Site -> {path: bytes}: the feeds, site-wide and per topic, each as a feed set (render/feedsets.py):
RSS 2.0 (feed.xml), Atom 1.0 (atom.xml) and JSON Feed 1.1 (feed.json) side by side.

Every item carries what the article page carries: the lead image first (alt text, caption; an
enclosure with its type and length), the body, and the attribution line last, linked to the report.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from .. import urls
from ..body.markdown import rewrite_urls
from ..body.typography import direction
from ..incremental.keys import PageKeys
from ..model import Entry, Site
from ..output import Planned
from ..read.frontmatter import is_web_url
from ..urls import Urls
from .feedsets import FeedItem, FeedSet, attribution_html, figure_html, image_enclosure, plan_feed_set


def plan_feeds(
    site: Site, with_body: Callable[[Entry], Entry], keys: PageKeys, image_sizes: Mapping[str, int] | None = None
) -> list[Planned]:
    """The site's feed set and every topic's, each keyed by its items (`keys`); bodies are fetched only to
    make one.

    `image_sizes` maps files of content/images/ to their sizes, for the enclosures' lengths.
    """
    sets = feed_sets(site, with_body, keys, image_sizes or {})
    return [p for feed_set in sets for p in plan_feed_set(site, feed_set, keys.fingerprint)]


def feed_sets(
    site: Site, with_body: Callable[[Entry], Entry], keys: PageKeys, sizes: Mapping[str, int]
) -> list[FeedSet]:
    config = site.config
    u = Urls(config.base_url)
    names = {t.topic.slug: t.topic.name for t in site.topics}
    sets = [("", site.entries, config.title, config.description, urls.home())]
    for listing in site.topics:
        topic = listing.topic
        folder = listing.feed_path.removesuffix("feed.xml")
        title = f"{config.title}: {topic.name}"
        sets.append((folder, listing.entries, title, topic.description, urls.topic(topic.slug)))
    out = []
    for folder, entries, title, description, page in sets:
        items = entries[: config.feed_items]
        item_keys = tuple(keys.entry[e.path] for e in items) + tuple(
            f"{name}={size}" for e in items if (name := local_image(e, u)) and (size := sizes.get(name)) is not None
        )

        def make(items=items) -> tuple[FeedItem, ...]:
            return tuple(entry_item(site, u, with_body(e), names, sizes) for e in items)

        out.append(FeedSet(folder, title, description or config.description, page, item_keys, make))
    return out


def local_image(entry: Entry, u: Urls) -> str | None:
    """The file in content/images/ that is the entry's lead image, if it is one."""
    prefix = u.link(urls.image(""))
    if not entry.image_url or is_web_url(entry.image_url) or not entry.image_url.startswith(prefix):
        return None
    return entry.image_url.removeprefix(prefix)


def entry_item(site: Site, u: Urls, entry: Entry, names: Mapping[str, str], sizes: Mapping[str, int]) -> FeedItem:
    config = site.config
    body = rewrite_urls(entry.html, lambda url, page=entry.abs_url: u.absolutise(url, page))
    figure = figure_html(entry.image_abs_url, entry.image_alt, entry.caption_html)
    source = attribution_html(
        entry.source.name, entry.source.url, config.language, direction(config.language), entry.lang
    )
    content = f'<div dir="{entry.dir}" lang="{entry.lang}">\n{figure}{body}\n{source}\n</div>'
    return FeedItem(
        id=entry.guid,
        title=entry.title,
        url=entry.abs_url,
        published=entry.date,
        updated=entry.updated,
        summary=entry.summary,
        summary_html=entry.summary_html or html.escape(entry.summary, quote=False),
        content_html=content,
        dir=entry.dir,
        tags=tuple(names[t.slug] for t in entry.topics),
        author=entry.author,
        external_url=entry.source.url,
        image=image_enclosure(entry.image_abs_url, sizes, local_image(entry, u)),
        language=entry.lang,
    )
