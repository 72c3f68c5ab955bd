"""Sources -> planned files: /sources/ (every outlet with its count), /sources/<slug>/ (its articles,
paginated) and its feed set (feed.xml, atom.xml, feed.json in the same folder), and their sitemap rows."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from jinja2 import Template

from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Entry, ListPage, Site
from ..output import Planned
from ..sources import SourceListing, Sources
from ..urls import Urls
from ..words import WORDS
from .feeds import entry_item, local_image
from .feedsets import FeedSet, plan_feed_set
from .pages import Frame, chrome, list_key, nav_html, render


def outlet_key(listing: SourceListing) -> str:
    """What an outlet's pages show of it besides its articles."""
    o = listing.outlet
    return digest("outlet", o.slug, o.name, o.url or "", o.country or "", o.language or "", str(listing.count))


def plan_sources(site: Site, sources: Sources, templates: dict[str, Template], keys: PageKeys) -> list[Planned]:
    u = Urls(site.config.base_url)
    frame = Frame(site, u, functools.cache(lambda current: nav_html(site, u, templates["_nav.html"], current)))
    plan = [
        Planned(
            sources.site_path + "index.html",
            digest(keys.fingerprint, "sources", *(outlet_key(s) for s in sources.listings)),
            lambda: render(templates["sources.html"], context_for_sources(frame, sources)),
        )
    ]
    for listing in sources.listings:
        for page in listing.pages:
            plan.append(
                Planned(
                    page.out_path,
                    digest(list_key(keys, page), outlet_key(listing)),
                    lambda s=listing, p=page: render(templates["list.html"], context_for_source(frame, sources, s, p)),
                )
            )
    return plan


def plan_sources_feeds(
    site: Site, sources: Sources, with_body: Callable[[Entry], Entry], keys: PageKeys, sizes: Mapping[str, int]
) -> list[Planned]:
    """Every outlet's feed set, keyed by its items as the topics' are (render/feeds.py)."""
    config = site.config
    u = Urls(config.base_url)
    names = {t.topic.slug: t.topic.name for t in site.topics}
    plan = []
    for listing in sources.listings:
        items = listing.entries[: config.feed_items]
        item_keys = tuple(keys.entry[e.path] for e in items) + tuple(
            f"{name}={size}" for e in items if (name := local_image(e, u)) and (size := sizes.get(name)) is not None
        )

        def make(items=items):
            return tuple(entry_item(site, u, with_body(e), names, sizes) for e in items)

        feed_set = FeedSet(
            listing.site_path,
            feed_title(site, listing),
            description(site, listing),
            listing.site_path,
            (outlet_key(listing), *item_keys),
            make,
        )
        plan += plan_feed_set(site, feed_set, keys.fingerprint)
    return plan


def sources_sitemap(u: Urls, sources: Sources) -> list[tuple[str, str | None]]:
    """(address, last modified) of every source page, for the sitemap."""
    newest = max((e.updated_iso or e.date_iso for s in sources.listings for e in s.entries), default=None)
    rows = [(u.absolute(sources.site_path), newest)]
    for listing in sources.listings:
        last = max((e.updated_iso or e.date_iso for e in listing.entries), default=None)
        rows += [(u.absolute(p.out_path.removesuffix("index.html")), last) for p in listing.pages]
    return rows


def feed_title(site: Site, listing: SourceListing) -> str:
    return WORDS["source_feed_title"].format(site=site.config.title, source=listing.outlet.name)


def description(site: Site, listing: SourceListing) -> str:
    return WORDS["source_description"].format(
        site=site.config.title, source=listing.outlet.name, count=listing.count_text
    )


def context_for_sources(frame: Frame, sources: Sources) -> dict:
    return {
        "chrome": chrome(
            frame,
            title=WORDS["sources"],
            description=WORDS["sources_description"].format(site=frame.site.config.title),
            site_path=sources.site_path,
        ),
        "sources": sources.listings,
    }


def context_for_source(frame: Frame, sources: Sources, listing: SourceListing, page: ListPage) -> dict:
    site = frame.site
    name = listing.outlet.name
    links = ((WORDS["source_site"], listing.outlet.url, True),) if listing.outlet.url else ()
    return {
        "chrome": chrome(
            frame,
            title=name if page.number == 1 else f"{name} — {page.name}",
            description=description(site, listing),
            site_path=page.out_path.removesuffix("index.html"),
            extra_feed=(feed_title(site, listing), listing.site_path),
        ),
        "heading": name,
        "intro": listing.country_text,
        "page": page,
        "feed_url": listing.feed_url,
        "feed_label": WORDS["follow_source_feed"],
        "links": (*links, (WORDS["all_sources"], sources.url, False)),
        "links_label": WORDS["sources"],
    }
