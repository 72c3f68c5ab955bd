"""Articles + topics -> Site: order, listings, pages, and every derived value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from . import urls
from .content import is_web_url
from .markup import render_markdown, rewrite_urls
from .model import Article, Content, Entry, ListPage, Site, SiteConfig, TopicListing, TopicRef
from .urls import Urls

DATE_PATTERN = "EEEE d MMMM y · HH:mm"
RELATED = 5


def build_site(config: SiteConfig, content: Content, drafts: bool = False) -> Site:
    u = Urls(config.base_url)
    tz = ZoneInfo(config.timezone)
    articles = [a for a in content.articles if drafts or not a.draft]
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug))
    slugs = {a.path: a.slug for a in articles}
    topic_refs = {t.slug: TopicRef(t.slug, t.name, u.link(urls.topic(t.slug))) for t in content.topics}
    entries = tuple(build_entry(a, config, u, tz, slugs, topic_refs) for a in articles)

    home = paginate(entries, config.per_page, urls.home, u)
    listings = []
    for topic in content.topics:
        mine = tuple(e for e in entries if any(t.slug == topic.slug for t in e.topics))
        listings.append(
            TopicListing(
                topic=topic,
                url=u.link(urls.topic(topic.slug)),
                feed_url=u.link(urls.topic_feed(topic.slug)),
                feed_path=urls.topic_feed(topic.slug),
                entries=mine,
                pages=paginate(mine, config.per_page, lambda n, s=topic.slug: urls.topic(s, n), u),
                count_text=count_articles(len(mine)),
            )
        )
    return Site(
        config=config,
        entries=entries,
        home=home,
        topics=tuple(listings),
        related=MappingProxyType({e.slug: related(e, entries) for e in entries}),
        images=content.images,
        static=content.static,
    )


def build_entry(
    a: Article, config: SiteConfig, u: Urls, tz: ZoneInfo, slugs: dict[str, str], topic_refs: dict[str, TopicRef]
) -> Entry:
    lang = a.lang or config.language
    html = rewrite_urls(render_markdown(a.body), lambda url: u.resolve_body_url(url, a.path, slugs))
    image_url = None
    if a.image:
        image_url = a.image.src if is_web_url(a.image.src) else u.link(urls.image(a.image.src))
    return Entry(
        slug=a.slug,
        title=a.title,
        summary=a.summary,
        url=u.link(urls.article(a.slug)),
        abs_url=u.absolute(urls.article(a.slug)),
        date=a.date,
        date_iso=iso(a.date),
        date_text=date_text(a.date, tz, lang),
        updated=a.updated,
        updated_iso=iso(a.updated) if a.updated else None,
        updated_text=date_text(a.updated, tz, lang) if a.updated else None,
        topics=tuple(topic_refs[t] for t in a.topics),
        source=a.source,
        author=a.author,
        image_url=image_url,
        image_alt=a.image.alt if a.image else None,
        image_caption=a.image.caption if a.image else None,
        html=html,
        lang=lang,
        dir=direction(lang),
        guid=f"tag:nashra,{a.date:%Y-%m-%d}:{a.slug}",
    )


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def date_text(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """`الاثنين 17 يونيو 2024 · 19:01`, in the site's timezone, with CLDR names."""
    return format_datetime(moment.astimezone(tz), DATE_PATTERN, locale=Locale.parse(lang, sep="-"))


def direction(lang: str) -> str:
    return Locale.parse(lang, sep="-").text_direction


def paginate(
    entries: tuple[Entry, ...], per_page: int, path_for: Callable[[int], str], u: Urls
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
        )
        for n, chunk in enumerate(chunks, start=1)
    )


def related(entry: Entry, entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    """The newest other articles in `entry`'s first (main) topic."""
    main = entry.topics[0].slug
    return tuple(e for e in entries if e.slug != entry.slug and any(t.slug == main for t in e.topics))[:RELATED]


# Arabic counts take the noun form CLDR's plural category asks for.
ARTICLE_FORMS = {
    "zero": "لا أخبار",
    "one": "خبر واحد",
    "two": "خبران",
    "few": "{n} أخبار",
    "many": "{n} خبرًا",
    "other": "{n} خبر",
}


def count_articles(n: int) -> str:
    """`خبر واحد`, `خبران`, `3 أخبار`, `11 خبرًا`, `100 خبر`."""
    return ARTICLE_FORMS[Locale.parse("ar").plural_form(n)].format(n=n)
