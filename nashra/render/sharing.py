"""What a page tells link previews and search engines: Open Graph, Twitter cards, JSON-LD.

Everything is built here as data (pairs of names and values, a dict for JSON-LD) and
serialised safely; templates only print it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from babel import Locale
from babel.core import get_global
from markupsafe import Markup

from ..model import Entry, SiteConfig
from ..photos import mime_type
from .cards import HEIGHT as CARD_HEIGHT
from .cards import WIDTH as CARD_WIDTH

# Facebook's own code for Arabic, which has no single territory.
OG_LOCALES = {"ar": "ar_AR"}


@dataclass(frozen=True, slots=True)
class MetaTag:
    attr: str  # "property" (Open Graph) or "name" (Twitter, article:)
    key: str
    content: str


def og_locale(lang: str) -> str:
    """`ar` -> `ar_AR`, `en` -> `en_US`, `fr-CA` -> `fr_CA`: Open Graph wants language_TERRITORY."""
    locale = Locale.parse(lang, sep="-")
    if locale.territory:
        return f"{locale.language}_{locale.territory}"
    if locale.language in OG_LOCALES:
        return OG_LOCALES[locale.language]
    likely = Locale.parse(get_global("likely_subtags").get(locale.language, locale.language))
    return f"{likely.language}_{likely.territory}" if likely.territory else locale.language


def page_meta(
    config: SiteConfig, *, title: str, description: str, url: str, lang: str, entry: Entry | None = None
) -> tuple[MetaTag, ...]:
    """Open Graph and Twitter card tags; an article adds its social card (render/cards.py), dates and sections."""
    tags = [
        MetaTag("property", "og:site_name", config.title),
        MetaTag("property", "og:locale", og_locale(lang)),
        MetaTag("property", "og:type", "article" if entry else "website"),
        MetaTag("property", "og:title", title),
        MetaTag("property", "og:description", description),
        MetaTag("property", "og:url", url),
    ]
    if entry:
        tags += [
            MetaTag("property", "og:image", entry.card_abs_url),
            MetaTag("property", "og:image:type", mime_type(entry.card_abs_url)),  # .jpg or .png
            MetaTag("property", "og:image:width", str(CARD_WIDTH)),
            MetaTag("property", "og:image:height", str(CARD_HEIGHT)),
            MetaTag("property", "og:image:alt", entry.card_alt),
        ]
        tags.append(MetaTag("property", "article:published_time", entry.date_iso))
        tags.append(MetaTag("property", "article:modified_time", entry.modified_iso))
        tags += [MetaTag("property", "article:section", t.name) for t in entry.topics]
    tags += [
        MetaTag("name", "twitter:card", "summary_large_image" if entry else "summary"),
        MetaTag("name", "twitter:title", title),
        MetaTag("name", "twitter:description", description),
    ]
    if entry:
        card, alt = entry.card_abs_url, entry.card_alt
        tags += [MetaTag("name", "twitter:image", card), MetaTag("name", "twitter:image:alt", alt)]
    return tuple(tags)


def news_article(config: SiteConfig, entry: Entry, home_url: str) -> dict:
    """schema.org NewsArticle for one entry; every URL absolute, dates with their offset."""
    publisher = {"@type": "Organization", "name": config.title, "url": home_url}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": entry.abs_url},
        "url": entry.abs_url,
        "headline": entry.title,
        "description": entry.summary,
        "datePublished": entry.date_iso,
        "dateModified": entry.modified_iso,
        "inLanguage": entry.lang,
        "articleSection": [t.name for t in entry.topics],
        "author": author(config, entry, publisher),
        "publisher": publisher,
    }
    data["image"] = ([entry.image_abs_url] if entry.image_abs_url else []) + [entry.card_abs_url]
    # The report this summary is based on: its address, or the outlet's name when it has none.
    data["isBasedOn"] = entry.source.url or {
        "@type": "CreativeWork",
        "publisher": {"@type": "Organization", "name": entry.source.name},
    }
    return data


def author(config: SiteConfig, entry: Entry, publisher: dict) -> dict:
    """The curator: the publisher itself when no one or the site's own desk (site.yml `author`) is named."""
    if not entry.author or entry.author == config.author:
        return {"@type": "Organization", "name": entry.author or config.title, "url": publisher["url"]}
    return {"@type": "Person", "name": entry.author}


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> element that no text in it can close or break.

    `<`, `>` and `&` are written as JSON escapes, so `</script>` or `<!--` in a title stays data.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
