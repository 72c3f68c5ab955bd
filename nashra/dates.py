"""Dates as readers see them: the article's date and time in the site's timezone, in CLDR's words for
the text's language, with the zone named, and the Hijri date (Umm al-Qura)."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_location
from hijridate import Gregorian

from .body.typography import to_digits
from .model import SiteConfig

# Per language: the article's date and the shorter one in lists. Other languages use CLDR's own
# full date and short time, joined as the locale joins them.
# (full date, short date, joiner, time): the date and time parts are formatted apart, each once
# per day or minute of the day, since a large archive repeats them many times.
DATE_PATTERNS = {"ar": ("EEEE d MMMM y", "d MMMM y", "، ", "h:mm a")}
# How the site's timezone is named after a time; {city} is CLDR's exemplar city (القاهرة).
TZ_PHRASES = {"ar": ("بتوقيت {city}", "بتوقيت غرينتش")}
UTC_ZONES = {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"}


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


@functools.lru_cache(maxsize=8192)  # an archive's articles fall on far fewer days than there are articles
def hijri_text(day: date, digits: str = "latn") -> str | None:
    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    return to_digits(f"{h.day} {h.month_name('ar')} {h.year} {h.notation('ar')}", digits)


def day_text(config: SiteConfig, day: date) -> str:
    """`الاثنين 17 يونيو 2024`: the article date's pattern without the time, in the site's digits (an edition's)."""
    fmt = date_format(config, ZoneInfo(config.timezone), config.language)
    patterns = DATE_PATTERNS.get(fmt.locale.language)
    return to_digits(_format_date(day, patterns[0] if patterns else "full", fmt.locale), config.digits)


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


def month_text(config: SiteConfig, year: int, month: int) -> str:
    """`يونيو 2024` (ar_LB: `حزيران 2024`): an archive month's name, in date_locale's words and the site's digits."""
    fmt = date_format(config, ZoneInfo(config.timezone), config.language)
    return to_digits(_format_date(date(year, month, 1), "MMMM y", fmt.locale), config.digits)


def hijri_span(first: date, last: date, digits: str = "latn") -> str | None:
    """The Hijri months (Umm al-Qura) from `first` to `last`, as an archive names them:
    `ذو القعدة – ذو الحجة 1445 هـ`, `ذو الحجة 1445 – محرم 1446 هـ`; None outside the calendar's range (1924-2077)."""
    try:
        a = Gregorian(first.year, first.month, first.day).to_hijri()
        b = Gregorian(last.year, last.month, last.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    if (a.year, a.month) == (b.year, b.month):
        text = f"{a.month_name('ar')} {a.year}"
    elif a.year == b.year:
        text = f"{a.month_name('ar')} – {b.month_name('ar')} {a.year}"
    else:
        text = f"{a.month_name('ar')} {a.year} – {b.month_name('ar')} {b.year}"
    return to_digits(f"{text} {b.notation('ar')}", digits)


def hijri_years(first: date, last: date, digits: str = "latn") -> str | None:
    """`1445 – 1446 هـ`: the Hijri years a Gregorian span falls in; None outside the calendar's range."""
    try:
        a = Gregorian(first.year, first.month, first.day).to_hijri()
        b = Gregorian(last.year, last.month, last.day).to_hijri()
    except (OverflowError, ValueError):
        return None
    years = f"{a.year}" if a.year == b.year else f"{a.year} – {b.year}"
    return to_digits(f"{years} {b.notation('ar')}", digits)
