"""Site -> source listings: every outlet, in Arabic alphabetical order, with its articles (newest first,
paginated) and its feed set's folder.

Pure: a function of the site's outlets (sources.yml's, or derived from the source names: see
read/sources.py) and its entries. Order: read/sources.sort_key (Arabic names first, hamza seats, alif
maqsura and ta marbuta folded, a first word's article ال ignored; then Latin names, case-folded).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale

from . import urls
from .model import Entry, ListPage, Outlet, Site
from .read.sources import sort_key
from .site import count_articles, paginate
from .urls import Urls


@dataclass(frozen=True, slots=True)
class SourceListing:
    outlet: Outlet
    site_path: str  # sources/<slug>/: the page, and the folder of its feed set
    url: str
    feed_url: str  # its RSS feed
    count: int
    count_text: str  # 3 أخبار
    country_text: str | None  # the country's name in the site's language (CLDR), when registered
    entries: tuple[Entry, ...]  # newest first
    pages: tuple[ListPage, ...]


@dataclass(frozen=True, slots=True)
class Sources:
    listings: tuple[SourceListing, ...]  # in Arabic alphabetical order
    site_path: str  # sources/
    url: str


def build_sources(site: Site) -> Sources:
    config = site.config
    u = Urls(config.base_url)
    by_slug: dict[str, list[Entry]] = {o.slug: [] for o in site.outlets}
    for entry in site.entries:  # newest first
        by_slug[entry.source_slug].append(entry)
    territories = Locale.parse(config.language, sep="-").territories
    listings = []
    for outlet in sorted(site.outlets, key=lambda o: sort_key(o.name)):
        entries = tuple(by_slug[outlet.slug])
        listings.append(
            SourceListing(
                outlet=outlet,
                site_path=urls.source(outlet.slug),
                url=u.link(urls.source(outlet.slug)),
                feed_url=u.link(urls.source(outlet.slug) + "feed.xml"),
                count=len(entries),
                count_text=count_articles(len(entries), config.digits),
                country_text=territories.get(outlet.country) if outlet.country else None,
                entries=entries,
                pages=paginate(entries, config.per_page, lambda n, s=outlet.slug: urls.source(s, n), u, config.digits),
            )
        )
    return Sources(tuple(listings), urls.sources_index(), u.link(urls.sources_index()))
