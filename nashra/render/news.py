"""Site -> news-sitemap.xml: the Google News sitemap, the articles of the 48 hours before the build's clock.

Google News reads it for recent articles only (at most 1,000, two days back): each `<url>` has a
`<news:news>` with the publication (site.yml's `title` and the site's language), the article's
publication date (W3C datetime) and title. robots.txt names it beside the sitemap (render/pages.py).
Its content depends on `now` (schedule.in_news_window), so its key is made of the articles in the window.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Entry, Site
from ..output import Planned
from ..schedule import in_news_window

NEWS_SITEMAP = "news-sitemap.xml"
NEWS_MAX = 1000  # Google News reads at most this many <url>s a sitemap
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def news_entries(site: Site, now: datetime) -> tuple[Entry, ...]:
    """The published articles of the 48 hours up to `now`, newest first, at most NEWS_MAX."""
    return tuple(e for e in site.entries if in_news_window(e.date, now))[:NEWS_MAX]  # entries: newest first


def news_language(language: str) -> str:
    """The publication's language as Google News wants it: ISO 639 (`ar`), but zh-cn and zh-tw."""
    tag = language.lower().replace("_", "-")
    return tag if tag in {"zh-cn", "zh-tw"} else tag.split("-")[0]


def news_sitemap(site: Site, entries: tuple[Entry, ...]) -> str:
    config = site.config
    name, language = escape(config.title), escape(news_language(config.language))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">',
    ]
    for e in entries:
        lines += [
            f"  <url><loc>{escape(e.abs_url)}</loc>",
            "    <news:news>",
            f"      <news:publication><news:name>{name}</news:name><news:language>{language}</news:language>"
            "</news:publication>",
            f"      <news:publication_date>{e.date_iso}</news:publication_date>",
            f"      <news:title>{escape(e.title)}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def plan_news_sitemap(site: Site, keys: PageKeys, now: datetime) -> list[Planned]:
    entries = news_entries(site, now)
    key = digest(keys.fingerprint, "news-sitemap", *(keys.card[e.path] for e in entries))
    return [Planned(NEWS_SITEMAP, key, lambda: news_sitemap(site, entries).encode("utf-8"))]
