"""Site -> editions: the articles published on one day in site.yml's timezone, as one bulletin.

Pure: a function of the site's entries (newest first), its topics and the editor's notes. An article
belongs to the edition of its `date` (not `updated`) in the site's timezone, and is listed under its
first (main) topic, in topics.yml's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .body.typography import to_digits
from .dates import day_text, hijri_text
from .model import Entry, Site, TopicRef
from .read.notes import Note
from .site import count_articles
from .urls import Urls
from .words import WORDS


def editions_index(page: int = 1) -> str:
    return "editions/" if page == 1 else f"editions/page/{page}/"


def edition_path(day: date) -> str:
    return f"editions/{day.isoformat()}/"


@dataclass(frozen=True, slots=True)
class EditionLink:
    slug: str
    url: str
    date_text: str


@dataclass(frozen=True, slots=True)
class EditionGroup:
    topic: TopicRef
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Edition:
    day: date
    slug: str  # 2024-06-17
    site_path: str  # editions/2024-06-17/
    url: str  # with the base path
    abs_url: str
    date_text: str  # الاثنين 17 يونيو 2024
    hijri_text: str | None  # 11 ذو الحجة 1445 هـ, when show_hijri
    count_text: str  # 3 أخبار
    entries: tuple[Entry, ...]  # newest first
    groups: tuple[EditionGroup, ...]  # topics.yml's order
    published: datetime  # its newest article's date: the edition's date in feeds and mail
    updated: datetime | None  # the latest `updated` of its articles, if later
    older: EditionLink | None
    newer: EditionLink | None
    note: Note | None


@dataclass(frozen=True, slots=True)
class EditionsPage:
    """One page of /editions/: the same fields as a ListPage, for the pagination macro."""

    number: int
    total: int
    url: str
    site_path: str
    editions: tuple[Edition, ...]
    prev_url: str | None
    next_url: str | None
    number_text: str
    label: str
    name: str  # صفحة 2: page 2 and later, in the title and heading


@dataclass(frozen=True, slots=True)
class Editions:
    editions: tuple[Edition, ...]  # newest first
    pages: tuple[EditionsPage, ...]

    @property
    def latest(self) -> Edition | None:
        return self.editions[0] if self.editions else None


def build_editions(site: Site, notes: Mapping[date, Note] | None = None) -> Editions:
    config = site.config
    notes = notes or {}
    u = Urls(config.base_url)
    tz = ZoneInfo(config.timezone)
    by_day: dict[date, list[Entry]] = {}
    for entry in site.entries:  # newest first, so the days come newest first too
        by_day.setdefault(entry.date.astimezone(tz).date(), []).append(entry)
    days = list(by_day)
    order = {listing.topic.slug: i for i, listing in enumerate(site.topics)}
    links = {day: EditionLink(day.isoformat(), u.link(edition_path(day)), day_text(config, day)) for day in days}
    editions = []
    for i, day in enumerate(days):
        entries = tuple(by_day[day])
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(entries, key=lambda e: order[e.topics[0].slug]):
            groups.setdefault(entry.topics[0].slug, []).append(entry)
        refs = {e.topics[0].slug: e.topics[0] for e in entries}
        newer = links[days[i - 1]] if i > 0 else None
        older = links[days[i + 1]] if i + 1 < len(days) else None
        note = notes.get(day)
        updated = max((e.updated for e in entries if e.updated), default=None)
        editions.append(
            Edition(
                day=day,
                slug=day.isoformat(),
                site_path=edition_path(day),
                url=u.link(edition_path(day)),
                abs_url=u.absolute(edition_path(day)),
                date_text=links[day].date_text,
                hijri_text=hijri_text(day, config.digits) if config.show_hijri else None,
                count_text=count_articles(len(entries), config.digits),
                entries=entries,
                groups=tuple(EditionGroup(refs[slug], tuple(group)) for slug, group in groups.items()),
                published=max(e.date for e in entries),
                updated=updated if updated and updated > max(e.date for e in entries) else None,
                older=older,
                newer=newer,
                note=note,
            )
        )
    return Editions(tuple(editions), paginate_editions(tuple(editions), config.per_page, u, config.digits))


def paginate_editions(editions: tuple[Edition, ...], per_page: int, u: Urls, digits: str) -> tuple[EditionsPage, ...]:
    chunks = [editions[i : i + per_page] for i in range(0, len(editions), per_page)] or [()]
    total = len(chunks)
    return tuple(
        EditionsPage(
            number=n,
            total=total,
            url=u.link(editions_index(n)),
            site_path=editions_index(n),
            editions=chunk,
            prev_url=u.link(editions_index(n - 1)) if n > 1 else None,
            next_url=u.link(editions_index(n + 1)) if n < total else None,
            number_text=to_digits(str(n), digits),
            label=to_digits(WORDS["page_of"].format(n=n, total=total), digits),
            name=to_digits(WORDS["page_number"].format(n=n), digits),
        )
        for n, chunk in enumerate(chunks, start=1)
    )
