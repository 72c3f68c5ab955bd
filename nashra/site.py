"""Articles + topics -> Site: order, listings, pages, and every derived value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from zoneinfo import ZoneInfo

from markupsafe import escape

from . import urls
from .body.markdown import rewrite_urls
from .body.typography import (
    add_heading_anchors,
    direction,
    isolate_text,
    plural,
    reading_minutes,
    to_digits,
)
from .dates import date_format, iso
from .model import Article, Content, Entry, ListPage, Outlet, Scope, Site, SiteConfig, Source, TopicListing, TopicRef
from .photos import Photo, body_pictures, picture_html
from .read.frontmatter import is_web_url
from .read.sources import outlets_for
from .urls import Urls
from .words import ARTICLE_FORMS, MINUTE_FORMS, WORDS

RELATED, RELATED_NEWER = 5, 2  # articles in an article's 'more in <topic>', and of them at most this many newer


def build_site(
    config: SiteConfig,
    content: Content,
    scope: Scope,
    words: Mapping[str, int],
    photos: Mapping[str, Photo] | None = None,
) -> Site:
    """Order the articles and prepare everything pages print, except body HTML (see with_body).

    `scope` says which articles are published (drafts, the clock). `words` maps every included
    article's file to its prepared body's word count (see body.prepare): Markdown is never converted here.
    `photos` are the images as published (photos.make_photos), for their markup and sizes.
    """
    photos = MappingProxyType(dict(photos or {}))
    u = Urls(config.base_url)
    tz = ZoneInfo(config.timezone)
    articles = [a for a in content.articles if scope.includes(a)]
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug))
    slugs = {a.path: a.slug for a in articles}
    topic_refs = {t.slug: TopicRef(t.slug, t.name, u.link(urls.topic(t.slug))) for t in content.topics}
    outlets, outlet_of = outlets_for(articles, content.sources)
    entries = tuple(
        build_entry(
            a,
            config,
            u,
            tz,
            topic_refs,
            words[a.path],
            outlet_of[a.source],
            photos,
        )
        for a in articles
    )

    home = paginate(entries, config.per_page, urls.home, u, config.digits)
    listings = []
    by_topic: dict[str, list[Entry]] = {t.slug: [] for t in content.topics}
    for entry in entries:
        for ref in entry.topics:
            by_topic[ref.slug].append(entry)
    for topic in content.topics:
        mine = tuple(by_topic[topic.slug])
        listings.append(
            TopicListing(
                topic=topic,
                url=u.link(urls.topic(topic.slug)),
                feed_url=u.link(urls.topic_feed(topic.slug)),
                feed_path=urls.topic_feed(topic.slug),
                entries=mine,
                pages=paginate(mine, config.per_page, lambda n, s=topic.slug: urls.topic(s, n), u, config.digits),
                count_text=count_articles(len(mine), config.digits),
            )
        )
    return Site(
        config=config,
        entries=entries,
        home=home,
        topics=tuple(listings),
        related=MappingProxyType(related_by_slug(entries, {t.topic.slug: t.entries for t in listings})),
        images=content.images,
        static=content.static,
        slugs=MappingProxyType(slugs),
        outlets=outlets,
        photos=photos,
    )


def with_body(site: Site, entry: Entry, prepared: str) -> Entry:
    """The entry with its body: `prepared` (body.prepare.prepare_body) with links resolved, and a
    link beside each heading for the article page."""
    u = Urls(site.config.base_url)
    html = rewrite_urls(prepared, lambda url: u.resolve_body_url(url, entry.path, site.slugs))
    ui_lang = site.config.language
    label_attrs = "" if entry.lang == ui_lang else f' lang="{ui_lang}" dir="{direction(ui_lang)}"'
    page = add_heading_anchors(body_pictures(html, site.photos, u.link, page=True), WORDS["heading_link"], label_attrs)
    return replace(entry, html=body_pictures(html, site.photos, u.link, page=False), body_html=page)


def build_entry(
    a: Article,
    config: SiteConfig,
    u: Urls,
    tz: ZoneInfo,
    topic_refs: dict[str, TopicRef],
    words: int,
    outlet: Outlet | None = None,
    photos: Mapping[str, Photo] | None = None,
) -> Entry:
    lang = a.lang or config.language
    source = Source(outlet.name, a.source.url, outlet.slug) if outlet else a.source
    here = a.date.astimezone(tz)  # the month of its archive
    rtl = direction(lang) == "rtl"
    count = words
    image_url = image_abs_url = image_file = None
    image_html = ""
    if a.image:
        local = not is_web_url(a.image.src)
        image_url = u.link(urls.image(a.image.src)) if local else a.image.src
        image_abs_url = u.absolute(urls.image(a.image.src)) if local else a.image.src
        image_file = a.image.src if local else None
        if (photo := (photos or {}).get(a.image.src)) is not None:
            image_abs_url = u.absolute(photo.mail_path)  # JPEG or PNG, as feeds and mail clients need
            image_html = picture_html(photo, u.link, f' alt="{escape(a.image.alt)}"', lead=True)
        else:
            image_html = f'<img src="{escape(image_url)}" alt="{escape(a.image.alt)}">'
    dates = date_format(config, tz, lang)
    as_html = isolate_text if rtl else escape
    minutes = reading_minutes(count, lang)
    date_text = dates.full(a.date)
    return Entry(
        slug=a.slug,
        title=a.title,
        summary=a.summary,
        url=u.link(urls.article(a.slug)),
        abs_url=u.absolute(urls.article(a.slug)),
        date=a.date,
        date_iso=iso(a.date),
        date_text=date_text,
        updated=a.updated,
        updated_iso=iso(a.updated) if a.updated else None,
        updated_text=dates.full(a.updated) if a.updated else None,
        topics=tuple(topic_refs[t] for t in a.topics),
        source=source,
        author=a.author,
        image_url=image_url,
        image_alt=a.image.alt if a.image else None,
        image_caption=a.image.caption if a.image else None,
        html="",
        lang=lang,
        dir=direction(lang),
        guid=f"tag:nashra,{a.date:%Y-%m-%d}:{a.slug}",
        title_html=as_html(a.title),
        summary_html=as_html(a.summary),
        caption_html=as_html(a.image.caption) if a.image and a.image.caption else None,
        date_short=dates.short(a.date),
        hijri_text=dates.hijri(a.date) if config.show_hijri else None,
        modified_iso=iso(a.updated or a.date),
        correction_html=as_html(a.correction) if a.correction else None,
        reading_time=WORDS["reading_time"].format(minutes=plural(minutes, MINUTE_FORMS, "ar", config.digits)),
        image_abs_url=image_abs_url,
        path=a.path,
        month_url=u.link(urls.archive(here.year, here.month)),
        source_slug=outlet.slug if outlet else "",
        source_page=u.link(urls.source(outlet.slug)) if outlet else "",
        image_html=image_html,
        image_file=image_file,
        card_abs_url=u.absolute(urls.card(a.slug, image_file)),
        card_alt=WORDS["card_alt"].format(
            title=a.title,
            site=config.title,
            topic=topic_refs[a.topics[0]].name,
            date=date_text,
            source=f"{WORDS['source']} {source.name}",
        ),
    )


def paginate(
    entries: tuple[Entry, ...], per_page: int, path_for: Callable[[int], str], u: Urls, digits: str = "latn"
) -> tuple[ListPage, ...]:
    chunks = [entries[i : i + per_page] for i in range(0, len(entries), per_page)] or [()]
    total = len(chunks)
    return tuple(
        ListPage(
            number=n,
            total=total,
            url=u.link(path_for(n)),
            out_path=urls.out_path(path_for(n)),
            entries=chunk,
            prev_url=u.link(path_for(n - 1)) if n > 1 else None,
            next_url=u.link(path_for(n + 1)) if n < total else None,
            number_text=to_digits(str(n), digits),
            label=to_digits(WORDS["page_of"].format(n=n, total=total), digits),
            name=to_digits(WORDS["page_number"].format(n=n), digits),
        )
        for n, chunk in enumerate(chunks, start=1)
    )


def related_by_slug(entries: tuple[Entry, ...], by_topic: dict[str, tuple[Entry, ...]]) -> dict[str, tuple[Entry, ...]]:
    """For each entry, the RELATED articles nearest it in time in its first (main) topic (`by_topic` is
    newest first), newest first: up to RELATED_NEWER that came after it (what followed the story), the
    rest from before it, and more from one side where the other has too few.

    Nearest, not newest: an article added at the top of its topic enters the lists of the
    RELATED_NEWER articles before it only, so a new article makes a handful of article pages again,
    not every page of its topic (bench/README.md)."""
    position = {slug: {e.slug: i for i, e in enumerate(listing)} for slug, listing in by_topic.items()}
    return {e.slug: _nearest(by_topic[e.topics[0].slug], position[e.topics[0].slug][e.slug]) for e in entries}


def _nearest(listing: tuple[Entry, ...], i: int) -> tuple[Entry, ...]:
    """The RELATED entries around listing[i] (newest first), up to RELATED_NEWER of them before it."""
    older = min(RELATED - min(RELATED_NEWER, i), len(listing) - 1 - i)
    newer = min(RELATED - older, i)
    return listing[i - newer : i] + listing[i + 1 : i + 1 + older]


def count_articles(n: int, digits: str = "latn") -> str:
    """`خبر واحد`, `خبران`, `3 أخبار`, `11 خبرًا`, `100 خبر`: CLDR's Arabic plural forms."""
    return plural(n, ARTICLE_FORMS, "ar", digits)
