"""Site -> date archives: the years, each year's months, each month's articles (newest first, paginated).

Pure: a function of the site's entries (newest first). An article belongs to the month of its `date`
(not `updated`) in site.yml's timezone, as its edition does; month names follow `date_locale`, numbers
`digits`, and with `show_hijri` each month and year also names the Hijri months or years it spans.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from . import urls
from .body.typography import to_digits
from .dates import hijri_span, hijri_years, month_text
from .model import Entry, ListPage, Site
from .site import count_articles, paginate
from .urls import Urls


@dataclass(frozen=True, slots=True)
class ArchiveMonth:
    year: int
    month: int
    name: str  # يونيو 2024
    hijri_text: str | None  # ذو القعدة – ذو الحجة 1445 هـ, when show_hijri
    site_path: str  # archive/2024/06/
    url: str
    count: int
    count_text: str  # 3 أخبار
    entries: tuple[Entry, ...]  # newest first
    pages: tuple[ListPage, ...]


@dataclass(frozen=True, slots=True)
class ArchiveYear:
    year: int
    name: str  # 2024, in the site's digits
    hijri_text: str | None  # 1445 – 1446 هـ, when show_hijri
    site_path: str  # archive/2024/
    url: str
    count: int
    count_text: str
    months: tuple[ArchiveMonth, ...]  # newest first


@dataclass(frozen=True, slots=True)
class Archives:
    years: tuple[ArchiveYear, ...]  # newest first
    site_path: str  # archive/
    url: str

    @property
    def months(self) -> tuple[ArchiveMonth, ...]:
        return tuple(m for y in self.years for m in y.months)


def build_archives(site: Site) -> Archives:
    config = site.config
    u = Urls(config.base_url)
    tz = ZoneInfo(config.timezone)
    by_month: dict[tuple[int, int], list[Entry]] = {}
    for entry in site.entries:  # newest first, so the months come newest first too
        local = entry.date.astimezone(tz)
        by_month.setdefault((local.year, local.month), []).append(entry)
    years: dict[int, list[ArchiveMonth]] = {}
    for (year, month), mine in by_month.items():
        entries = tuple(mine)
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        years.setdefault(year, []).append(
            ArchiveMonth(
                year=year,
                month=month,
                name=month_text(config, year, month),
                hijri_text=hijri_span(first, last, config.digits) if config.show_hijri else None,
                site_path=urls.archive(year, month),
                url=u.link(urls.archive(year, month)),
                count=len(entries),
                count_text=count_articles(len(entries), config.digits),
                entries=entries,
                pages=paginate(
                    entries, config.per_page, lambda n, y=year, m=month: urls.archive(y, m, n), u, config.digits
                ),
            )
        )
    return Archives(
        tuple(
            ArchiveYear(
                year=year,
                name=to_digits(f"{year:04d}", config.digits),
                hijri_text=hijri_years(date(year, 1, 1), date(year, 12, 31), config.digits)
                if config.show_hijri
                else None,
                site_path=urls.archive(year),
                url=u.link(urls.archive(year)),
                count=sum(m.count for m in months),
                count_text=count_articles(sum(m.count for m in months), config.digits),
                months=tuple(months),
            )
            for year, months in years.items()
        ),
        urls.archive(),
        u.link(urls.archive()),
    )
