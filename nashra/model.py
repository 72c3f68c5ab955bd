"""The frozen data model. Relations are by slug; derived values live in site.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .photos import Photo


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """site.yml's settings: read.config.SETTINGS holds each one's reader, default and meaning."""

    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    per_page: int
    feed_items: int
    cname: str | None
    author: str | None
    date_locale: str | None  # CLDR locale for month names, e.g. ar_EG (يونيو), ar_LB (حزيران); None: language
    digits: str  # "latn" (0-9) or "arab" (٠-٩) for the numbers Nashra writes
    show_hijri: bool
    email_from: str | None  # the editions' sender, "name <address>" (render/email.py)


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str | None
    slug: str | None = None  # given as `source: <slug>`: the registered source's (content/sources.yml)


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet: registered in content/sources.yml, or derived from the articles' source names."""

    slug: str
    name: str
    url: str | None = None  # its home page
    country: str | None = None  # ISO 3166 code, e.g. US
    language: str | None = None  # BCP 47 tag, e.g. en


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str
    caption: str | None


@dataclass(frozen=True, slots=True)
class Article:
    """An article as read from its file: front matter checked, body still Markdown."""

    path: str  # relative to the site root, e.g. content/articles/2024/06/visit.md
    slug: str
    title: str
    date: datetime  # timezone-aware
    topics: tuple[str, ...]
    summary: str
    source: Source
    body: str  # Markdown
    body_line: int  # file line where the body starts
    updated: datetime | None = None
    author: str | None = None
    image: Image | None = None
    draft: bool = False
    lang: str | None = None
    correction: str | None = None  # what was corrected; the note is dated by `updated`
    lines: tuple[tuple[str, int], ...] = ()  # front matter key -> file line
    digest: str = ""  # SHA-256 of the file's bytes, set when it is loaded
    front_digest: str = ""  # SHA-256 of the front matter alone: what lists show of the article

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 0)

    def included(self, drafts: bool, now: datetime | None = None) -> bool:
        """The drafts and scheduling rule, its one definition: an article is in a build that includes
        drafts (`--drafts`, the preview) and, when it is not a draft, in every build; given the build's
        clock `now`, only once its date has come (None: whatever its date, as `--future` builds)."""
        return (drafts or not self.draft) and (now is None or not self.scheduled(now))

    def scheduled(self, now: datetime) -> bool:
        """Dated after `now`: not published until its time comes (is_due)."""
        return not is_due(self.date, now)


def is_due(date: datetime, now: datetime) -> bool:
    """The scheduling rule: what is dated `date` is published once the clock reaches it, not before."""
    return date <= now


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a build publishes: Article.included with the build's options and clock. Every
    stage that chooses articles asks `includes`, so pages, lists, feeds, sitemaps and editions agree."""

    now: datetime  # the build's clock, timezone-aware (`--now`, else the time the build starts)
    drafts: bool = False  # --drafts
    future: bool = False  # --future: articles dated after `now` too

    def includes(self, article: Article) -> bool:
        return article.included(self.drafts, None if self.future else self.now)

    def ignoring_clock(self) -> Scope:
        """The same options whatever the articles' dates: what will be published, sooner or later."""
        return Scope(self.now, self.drafts, future=True)


@dataclass(frozen=True, slots=True)
class Content:
    topics: tuple[Topic, ...]
    articles: tuple[Article, ...]
    images: tuple[str, ...]  # files under content/images/, relative to it
    static: tuple[str, ...]  # files under templates/static/, relative to it
    # article file -> the article files its body links to (../05/budget.md), for those that link to any:
    # its page prints their slugs
    linked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: tuple[Outlet, ...] | None = None  # content/sources.yml's, None without the file


# ---- the built site: every derived value computed once, in site.py ----


@dataclass(frozen=True, slots=True)
class TopicRef:
    slug: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Entry:
    """An article ready to print: URLs, dates and HTML prepared."""

    slug: str
    title: str
    summary: str
    url: str  # site path with base path, e.g. /nashra/articles/visit/
    abs_url: str
    date: datetime
    date_iso: str
    date_text: str  # الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة
    updated: datetime | None
    updated_iso: str | None
    updated_text: str | None
    topics: tuple[TopicRef, ...]
    source: Source
    author: str | None
    image_url: str | None
    image_alt: str | None
    image_caption: str | None
    html: str  # sanitised body, internal links resolved, Latin runs isolated (feeds); "" until site.with_body
    lang: str
    dir: str
    guid: str
    # Text ready to print as HTML (Markup): Latin runs isolated with <bdi> in right-to-left text.
    title_html: str = ""
    summary_html: str = ""
    caption_html: str | None = None
    date_short: str = ""  # 17 يونيو 2024، 7:01 م: lists
    hijri_text: str | None = None  # 11 ذو الحجة 1445 هـ, when show_hijri
    modified_iso: str = ""  # updated, else date: dateModified
    correction_html: str | None = None
    reading_time: str = ""  # 3 دقائق للقراءة
    body_html: str = ""  # `html` with a link beside each heading: the article page
    image_abs_url: str | None = None
    path: str = ""  # the article's file
    month_url: str = ""  # its month's archive page (/archive/YYYY/MM/), in the site's timezone
    source_slug: str = ""  # its outlet's (nashra/read/sources.py)
    source_page: str = ""  # its outlet's page (/sources/<slug>/)
    image_html: str = ""  # the lead image's <picture> (photos.picture_html), ready to print
    image_file: str | None = None  # the lead image's file under content/images/, when it is one of the site's
    card_abs_url: str = ""  # its social card (render/cards.py), for og:image
    card_alt: str = ""  # what the card shows, in words


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a paginated list (home or a topic)."""

    number: int
    total: int
    url: str
    out_path: str
    entries: tuple[Entry, ...]
    prev_url: str | None
    next_url: str | None
    number_text: str = ""  # the number in the site's digits
    label: str = ""  # صفحة 2 من 3
    name: str = ""  # صفحة 2: page 2 and later, in the title and heading


@dataclass(frozen=True, slots=True)
class TopicListing:
    topic: Topic
    url: str
    feed_url: str
    feed_path: str
    entries: tuple[Entry, ...]
    pages: tuple[ListPage, ...]
    count_text: str  # e.g. "3 أخبار"


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    entries: tuple[Entry, ...]  # newest first
    home: tuple[ListPage, ...]
    topics: tuple[TopicListing, ...]  # in topics.yml order
    related: Mapping[str, tuple[Entry, ...]]  # slug -> more in its topics (read-only)
    images: tuple[str, ...]
    static: tuple[str, ...]
    slugs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # article file -> slug
    outlets: tuple[Outlet, ...] = ()  # sources.yml's outlets, or without it one per source name the articles cite
    photos: Mapping[str, Photo] = field(default_factory=lambda: MappingProxyType({}))  # images by name, as published
