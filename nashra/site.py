"""Articles + topics -> Site: order, listings, pages, and every derived value."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_location
from hijridate import Gregorian
from markupsafe import escape

from . import urls
from .body.markdown import rewrite_urls
from .body.prepare import prepare_body
from .body.typography import (
    ARTICLE_FORMS,
    MINUTE_FORMS,
    add_heading_anchors,
    direction,
    isolate_text,
    plural,
    reading_minutes,
    to_digits,
)
from .model import Article, Content, Entry, ListPage, Site, SiteConfig, TopicListing, TopicRef
from .read.content import is_web_url
from .urls import Urls

# Per language: the article's date and the shorter one in lists. Other languages use CLDR's own
# full date and short time, joined as the locale joins them.
# (full date, short date, joiner, time): the date and time parts are formatted apart, each once
# per day or minute of the day, since a large archive repeats them many times.
DATE_PATTERNS = {"ar": ("EEEE d MMMM y", "d MMMM y", "، ", "h:mm a")}
# How the site's timezone is named after a time; {city} is CLDR's exemplar city (القاهرة).
TZ_PHRASES = {"ar": ("بتوقيت {city}", "بتوقيت غرينتش")}
UTC_ZONES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"}
HEADING_LINK = "رابط هذا القسم"
RELATED = 5


def build_site(
    config: SiteConfig,
    content: Content,
    drafts: bool = False,
    words: Mapping[str, int] | None = None,
) -> Site:
    """Order the articles and prepare everything pages print, except body HTML (see with_body).

    `words` maps article files to their prepared body's word count (see body.prepare.prepare_bodies);
    a body missing there is converted here.
    """
    u = Urls(config.base_url)
    tz = ZoneInfo(config.timezone)
    articles = [a for a in content.articles if drafts or not a.draft]
    articles.sort(key=lambda a: (-a.date.timestamp(), a.slug))
    slugs = {a.path: a.slug for a in articles}
    topic_refs = {t.slug: TopicRef(t.slug, t.name, u.link(urls.topic(t.slug))) for t in content.topics}
    words = words or {}
    entries = tuple(
        build_entry(
            a,
            config,
            u,
            tz,
            topic_refs,
            words.get(a.path),
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
    )


def with_body(site: Site, entry: Entry, prepared: str) -> Entry:
    """The entry with its body: `prepared` (body.prepare.prepare_body) with links resolved, and a
    link beside each heading for the article page."""
    u = Urls(site.config.base_url)
    html = rewrite_urls(prepared, lambda url: u.resolve_body_url(url, entry.path, site.slugs))
    ui_lang = site.config.language
    label_attrs = "" if entry.lang == ui_lang else f' lang="{ui_lang}" dir="{direction(ui_lang)}"'
    return replace(entry, html=html, body_html=add_heading_anchors(html, HEADING_LINK, label_attrs))


def build_entry(
    a: Article,
    config: SiteConfig,
    u: Urls,
    tz: ZoneInfo,
    topic_refs: dict[str, TopicRef],
    words: int | None,
) -> Entry:
    lang = a.lang or config.language
    rtl = direction(lang) == "rtl"
    count = words if words is not None else prepare_body(a.body, rtl)[1]
    image_url = image_abs_url = None
    if a.image:
        local = not is_web_url(a.image.src)
        image_url = u.link(urls.image(a.image.src)) if local else a.image.src
        image_abs_url = u.absolute(urls.image(a.image.src)) if local else a.image.src
    dates = date_format(config, tz, lang)
    as_html = isolate_text if rtl else escape
    minutes = reading_minutes(count, lang)
    return Entry(
        slug=a.slug,
        title=a.title,
        summary=a.summary,
        url=u.link(urls.article(a.slug)),
        abs_url=u.absolute(urls.article(a.slug)),
        date=a.date,
        date_iso=iso(a.date),
        date_text=dates.full(a.date),
        updated=a.updated,
        updated_iso=iso(a.updated) if a.updated else None,
        updated_text=dates.full(a.updated) if a.updated else None,
        topics=tuple(topic_refs[t] for t in a.topics),
        source=a.source,
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
        reading_time=plural(minutes, MINUTE_FORMS, "ar", config.digits) + " للقراءة",  # the Arabic UI's words
        image_abs_url=image_abs_url,
        path=a.path,
    )


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class DateFormat:
    """Dates as a reader of one language sees them, in the site's timezone.

    Month names come from `date_locale` when it is a variant of the text's language (ar_LB:
    حزيران), digits from `digits` when the text is in the site's language; the machine-readable
    `datetime` attributes are ISO 8601 and never change.
    """

    def __init__(self, locale: Locale, tz: ZoneInfo, digits: str):
        self.locale, self.tz, self.digits = locale, tz, digits

    @classmethod
    def for_lang(cls, config: SiteConfig, tz: ZoneInfo, lang: str) -> DateFormat:
        locale = Locale.parse(lang, sep="-")
        if config.date_locale:
            preferred = Locale.parse(config.date_locale.replace("-", "_"))
            if preferred.language == locale.language:
                locale = preferred
        same_language = locale.language == Locale.parse(config.language, sep="-").language
        return cls(locale, tz, config.digits if same_language else "latn")

    def full(self, moment: datetime) -> str:
        """`الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة`."""
        return to_digits(f"{self._format(moment, 0, 'full')} {self.zone_name}", self.digits)

    def short(self, moment: datetime) -> str:
        """`17 يونيو 2024، 7:01 م`: for lists, where the zone is named on the article."""
        return to_digits(self._format(moment, 1, "medium"), self.digits)

    def _format(self, moment: datetime, which: int, cldr_width: str) -> str:
        local = moment.astimezone(self.tz)
        patterns = DATE_PATTERNS.get(self.locale.language)
        if patterns:
            day = _format_date(local.date(), patterns[which], self.locale)
            return day + patterns[2] + _format_time(local.time(), patterns[3], self.locale)
        return self.locale.datetime_formats["medium"].format(
            _format_time(local.time(), "short", self.locale), _format_date(local.date(), cldr_width, self.locale)
        )

    @functools.cached_property
    def zone_name(self) -> str:
        phrases = TZ_PHRASES.get(self.locale.language)
        utc = self.tz.key in UTC_ZONES
        if phrases:
            if utc:
                return phrases[1]
            return phrases[0].format(city=get_timezone_location(self.tz, locale=self.locale, return_city=True))
        return "UTC" if utc else get_timezone_location(self.tz, locale=self.locale)

    def hijri(self, moment: datetime) -> str | None:
        """`11 ذو الحجة 1445 هـ` (Umm al-Qura) for Arabic text; None outside its range (1924-2077)."""
        if self.locale.language != "ar":
            return None
        return hijri_text(moment.astimezone(self.tz).date(), self.digits)


def hijri_text(day: date, digits: str = "latn") -> str | None:
    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    return to_digits(f"{h.day} {h.month_name('ar')} {h.year} {h.notation('ar')}", digits)


def date_text(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """`الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة`, in the site's timezone, with CLDR names."""
    return DateFormat(Locale.parse(lang, sep="-"), tz, "latn").full(moment)


@functools.cache
def date_format(config: SiteConfig, tz: ZoneInfo, lang: str) -> DateFormat:
    return DateFormat.for_lang(config, tz, lang)


@functools.lru_cache(maxsize=8192)
def _format_date(day: date, pattern: str, locale: Locale) -> str:
    return format_date(day, pattern, locale=locale)


@functools.lru_cache(maxsize=8192)
def _format_time(moment: time, pattern: str, locale: Locale) -> str:
    return format_time(moment, pattern, locale=locale)


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
            label=to_digits(f"صفحة {n} من {total}", digits),
        )
        for n, chunk in enumerate(chunks, start=1)
    )


def related_by_slug(entries: tuple[Entry, ...], by_topic: dict[str, tuple[Entry, ...]]) -> dict[str, tuple[Entry, ...]]:
    """For each entry, the newest other articles in its first (main) topic (`by_topic` is newest first)."""
    return {
        e.slug: tuple(o for o in by_topic[e.topics[0].slug][: RELATED + 1] if o.slug != e.slug)[:RELATED]
        for e in entries
    }


def count_articles(n: int, digits: str = "latn") -> str:
    """`خبر واحد`, `خبران`, `3 أخبار`, `11 خبرًا`, `100 خبر`: CLDR's Arabic plural forms."""
    return plural(n, ARTICLE_FORMS, "ar", digits)
