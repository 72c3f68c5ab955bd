"""Editions -> planned files: /editions/ (paginated), /editions/YYYY-MM-DD/, and the editions' feed set
(editions/feed.xml, atom.xml, feed.json: one item per edition, the whole edition as its content)."""

from __future__ import annotations

import functools
import html

from jinja2 import Template
from markupsafe import Markup

from ..body.markdown import rewrite_urls
from ..body.prepare import prepare_body
from ..body.typography import direction
from ..editions import Edition, Editions, EditionsPage, editions_index
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Site
from ..output import Planned
from ..urls import Urls
from ..words import WORDS
from .feedsets import FeedItem, FeedSet, attribution_html, plan_feed_set
from .pages import Frame, chrome, nav_html, render

FOLDER = "editions/"


def edition_key(edition: Edition, keys: PageKeys) -> str:
    """What an edition's pages are made from: its day, note, neighbours and its articles' cards."""
    return digest(
        "edition",
        edition.slug,
        edition.note.digest if edition.note else "",
        edition.older.slug if edition.older else "",
        edition.newer.slug if edition.newer else "",
        *(keys.card[e.path] for e in edition.entries),
    )


def note_html(site: Site, edition: Edition) -> Markup | None:
    """The editor's note as sanitised HTML, its links resolved as an article's are."""
    note = edition.note
    if note is None:
        return None
    u = Urls(site.config.base_url)
    prepared = prepare_body(note.body, direction(site.config.language) == "rtl")[0]
    return Markup(rewrite_urls(prepared, lambda url: u.resolve_body_url(url, note.path, site.slugs)))


def plan_editions(site: Site, editions: Editions, templates: dict[str, Template], keys: PageKeys) -> list[Planned]:
    u = Urls(site.config.base_url)
    frame = Frame(site, u, functools.cache(lambda current: nav_html(site, u, templates["_nav.html"], current)))
    fp = keys.fingerprint
    plan: list[Planned] = []
    for page in editions.pages:
        key = digest(fp, "editions", page.url, str(page.total), *(edition_key(e, keys) for e in page.editions))
        plan.append(
            Planned(
                page.site_path + "index.html",
                key,
                lambda page=page: render(templates["editions.html"], context_for_editions(frame, page)),
            )
        )
    for edition in editions.editions:
        plan.append(
            Planned(
                edition.site_path + "index.html",
                digest(fp, "edition", edition_key(edition, keys)),
                lambda edition=edition: render(templates["edition.html"], context_for_edition(frame, edition)),
            )
        )
    return plan


def plan_editions_feeds(site: Site, editions: Editions, keys: PageKeys) -> list[Planned]:
    return plan_feed_set(site, editions_feed_set(site, editions, keys), keys.fingerprint)


def feed_title(site: Site) -> str:
    return WORDS["editions_feed_title"].format(site=site.config.title)


def context_for_editions(frame: Frame, page: EditionsPage) -> dict:
    site = frame.site
    heading = WORDS["editions"]
    title = heading if page.number == 1 else f"{heading} — {page.name}"
    return {
        "chrome": chrome(
            frame,
            title=title,
            description=WORDS["editions_description"].format(site=site.config.title),
            site_path=page.site_path,
            extra_feed=(feed_title(site), FOLDER),
        ),
        "heading": heading,
        "page": page,
        "feed_url": frame.u.link(FOLDER + "feed.xml"),
    }


def context_for_edition(frame: Frame, edition: Edition) -> dict:
    site = frame.site
    title = WORDS["edition_title"].format(date=edition.date_text)
    return {
        "chrome": chrome(
            frame,
            title=title,
            description=WORDS["edition_description"].format(
                date=edition.date_text, site=site.config.title, count=edition.count_text
            ),
            site_path=edition.site_path,
            extra_feed=(feed_title(site), FOLDER),
        ),
        "edition": edition,
        "note": note_html(site, edition),
        "note_label": WORDS["editor_note"],
        "editions_url": frame.u.link(editions_index()),
        "editions_label": WORDS["editions"],
    }


# ---- the editions' feed set ----


def editions_feed_set(site: Site, editions: Editions, keys: PageKeys) -> FeedSet:
    config = site.config
    u = Urls(config.base_url)
    items = editions.editions[: config.feed_items]
    return FeedSet(
        FOLDER,
        feed_title(site),
        WORDS["editions_description"].format(site=config.title),
        editions_index(),
        tuple(edition_key(e, keys) for e in items),
        lambda: tuple(edition_item(site, u, e) for e in items),
    )


def edition_item(site: Site, u: Urls, edition: Edition) -> FeedItem:
    lang = site.config.language
    rtl = direction(lang)
    return FeedItem(
        id=f"tag:nashra,{edition.slug}:edition",
        title=site.config.title + ": " + WORDS["edition_title"].format(date=edition.date_text),
        url=edition.abs_url,
        published=edition.published,
        updated=edition.updated,
        summary=f"{edition.count_text}: " + "، ".join(e.title for e in edition.entries),
        summary_html=html.escape(f"{edition.count_text}: " + "، ".join(e.title for e in edition.entries), quote=False),
        content_html=f'<div dir="{rtl}" lang="{lang}">\n{edition_html(site, u, edition)}</div>',
        dir=rtl,
        tags=tuple(g.topic.name for g in edition.groups),
        language=lang,
    )


def edition_html(site: Site, u: Urls, edition: Edition) -> str:
    """The whole edition as an HTML fragment with absolute URLs: for feed readers and RSS-to-email services."""
    config = site.config
    rtl = direction(config.language)
    parts = []
    note = note_html(site, edition)
    if note:
        note = rewrite_urls(str(note), lambda url: u.absolutise(url, edition.abs_url))
        title = html.escape(edition.note.title) if edition.note and edition.note.title else WORDS["editor_note"]
        parts.append(f"<h2>{title}</h2>\n{note}\n")
    for group in edition.groups:
        topic_url = u.absolute(group.topic.url.removeprefix(u.base_path))
        parts.append(f'<h2><a href="{html.escape(topic_url)}">{html.escape(group.topic.name)}</a></h2>\n')
        for e in group.entries:
            attrs = "" if e.lang == config.language else f' lang="{e.lang}" dir="{e.dir}"'
            parts.append(
                f'<h3{attrs}><a href="{html.escape(e.abs_url)}">{e.title_html}</a></h3>\n'
                f"<p{attrs}>{e.summary_html}</p>\n"
                + attribution_html(e.source.name, e.source.url, config.language, rtl, config.language)
                + "\n"
            )
    return "".join(parts)
