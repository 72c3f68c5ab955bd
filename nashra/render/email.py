"""An edition -> the three files a mail tool or a newsletter service takes:

- editions/YYYY-MM-DD/email.html: HTML for mail clients. A 600 px single-column table layout, the
  direction on <html> and on every table and cell (`dir` and inline `direction`/`text-align`: Gmail,
  Outlook and Yahoo ignore logical CSS properties and most <style>), the CSS inlined with css-inline
  (keep_at_rules=True: the phone and dark-mode @media rules stay in <head>), a system Arabic font stack
  (Tahoma, Arial) after ours, only JPEG and PNG images (absolute URLs, width and alt), no script.
- email.txt: the same edition as plain text.
- edition.eml: multipart/alternative (text, then HTML) with Python's email package. Its Date,
  Message-ID and MIME boundary derive from the edition, so two builds of it are byte-identical.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

import css_inline
from jinja2 import Template
from markupsafe import Markup

from .. import urls
from ..body.markdown import rewrite_urls
from ..body.typography import direction, plain_text
from ..editions import Edition, Editions, editions_index
from ..incremental.digests import digest
from ..incremental.keys import PageKeys
from ..model import Entry, Site
from ..output import Planned, shared
from ..urls import Urls
from ..words import WORDS
from .editions import edition_key, note_html
from .pages import render_text

FILES = ("email.html", "email.txt", "edition.eml")
MAX_BYTES = 102 * 1024  # Gmail clips a message whose HTML is larger
IMAGE_TYPES = (".jpg", ".jpeg", ".png")  # what every mail client shows: not SVG, not WebP or AVIF
IMAGE_WIDTH = 552  # the 600 px column less its padding
# Ours first (a reader who has it installed), then what Windows, macOS, iOS and Android have.
FONTS = (
    '"Nashra Naskh", "Noto Naskh Arabic", "Geeza Pro", "Arabic Typesetting", "Traditional Arabic", '
    "Tahoma, Arial, sans-serif"
)
SENDER = "editions"  # the From address's local part when site.yml sets no email_from


@dataclass(frozen=True, slots=True)
class MailItem:
    url: str
    title: str
    summary: str
    source: str
    source_url: str | None
    image: str | None
    image_alt: str
    attrs: Markup  # lang/dir for an article in another language than the site's


def plan_email(site: Site, editions: Editions, templates: dict[str, Template], keys: PageKeys) -> list[Planned]:
    """The three files of every edition, keyed by the edition."""
    plan = []
    for edition in editions.editions:
        key = digest(keys.fingerprint, "email", edition_key(edition, keys))
        files = shared(functools.partial(edition_files, site, edition, templates["email.html"]), len(FILES))
        for name in FILES:
            plan.append(Planned(edition.site_path + name, digest(key, name), lambda name=name, f=files: f()[name]))
    return plan


def edition_files(site: Site, edition: Edition, template: Template) -> dict[str, bytes]:
    page = email_html(site, edition, template)
    text = email_text(site, edition)
    return {
        "email.html": page.encode("utf-8"),
        "email.txt": text.encode("utf-8"),
        "edition.eml": edition_message(site, edition, text, page).as_bytes(policy=policy.SMTP),
    }


def subject(site: Site, edition: Edition) -> str:
    return WORDS["email_subject"].format(site=site.config.title, date=edition.date_text)


def mail_image(entry: Entry) -> str | None:
    url = entry.image_abs_url
    if url and urlsplit(url).path.lower().endswith(IMAGE_TYPES):
        return url
    return None


def mail_items(site: Site, edition: Edition) -> list[tuple[str, list[MailItem]]]:
    lang = site.config.language
    groups = []
    for group in edition.groups:
        items = []
        for e in group.entries:
            attrs = Markup("") if e.lang == lang else Markup(f' lang="{e.lang}" dir="{e.dir}"')
            items.append(
                MailItem(
                    e.abs_url,
                    e.title_html,
                    e.summary_html,
                    e.source.name,
                    e.source.url,
                    mail_image(e),
                    e.image_alt or "",
                    attrs,
                )
            )
        groups.append((group.topic.name, items))
    return groups


def email_html(site: Site, edition: Edition, template: Template) -> str:
    config = site.config
    u = Urls(config.base_url)
    lang = config.language
    rtl = direction(lang)
    note = note_html(site, edition)
    if note is not None:
        note = Markup(rewrite_urls(str(note), lambda url: u.absolutise(url, edition.abs_url)))
    context = {
        "lang": lang,
        "dir": rtl,
        "align": "right" if rtl == "rtl" else "left",
        "fonts": Markup(FONTS),
        "subject": subject(site, edition),
        "site_title": config.title,
        "home_url": u.absolute(urls.home()),
        "editions_url": u.absolute(editions_index()),
        "feed_url": u.absolute("editions/feed.xml"),
        "edition": edition,
        "note": note,
        "note_title": (edition.note.title if edition.note and edition.note.title else WORDS["editor_note"]),
        "groups": [{"name": name, "entries": items} for name, items in mail_items(site, edition)],
    }
    page = render_text(template, context)
    inlined = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False).inline(page)
    return inlined if inlined.endswith("\n") else inlined + "\n"


def email_text(site: Site, edition: Edition) -> str:
    """The edition as plain text: titles, summaries, sources and links."""
    config = site.config
    u = Urls(config.base_url)
    lines = [config.title, edition.date_text]
    if edition.hijri_text:
        lines.append(edition.hijri_text)
    lines += [edition.count_text, edition.abs_url, ""]
    note = note_html(site, edition)
    if note is not None:
        title = edition.note.title if edition.note and edition.note.title else WORDS["editor_note"]
        lines += [title, "", *wrap(plain_text(str(note))), ""]
    for group in edition.groups:
        lines += [f"== {group.topic.name} ==", ""]
        for e in group.entries:
            source = WORDS["source"] + f" {e.source.name}" + (f" <{e.source.url}>" if e.source.url else "")
            lines += [e.title, *wrap(e.summary), source, e.abs_url, ""]
    lines += [WORDS["all_editions"] + f": {u.absolute(editions_index())}"]
    return "\n".join(lines) + "\n"


def wrap(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width=76, break_long_words=False, break_on_hyphens=False) or [""]


def sender(site: Site) -> Address:
    """site.yml's email_from (`name <address>`, or an address), else the site's title at base_url's host."""
    config = site.config
    name, address = parseaddr(config.email_from or "")
    if not address:
        host = urlsplit(config.base_url).hostname or "localhost"
        name, address = config.title, f"{SENDER}@{host}"
    local, _, domain = address.rpartition("@")
    return Address(display_name=name or config.title, username=local, domain=domain)


def edition_message(site: Site, edition: Edition, text: str, page: str) -> EmailMessage:
    """multipart/alternative, text then HTML; headers and boundary fixed by the message's own content
    (never by the build's cache keys, so that only what is sent shapes the file)."""
    from_ = sender(site)
    stamp = digest("edition.eml", edition.slug, str(from_), subject(site, edition), text, page)
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject(site, edition)
    msg["From"] = from_
    msg["Date"] = format_datetime(edition.published)
    msg["Message-ID"] = f"<edition-{edition.slug}.{stamp[:20]}@{from_.domain}>"
    msg["Content-Language"] = site.config.language
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(page, subtype="html", charset="utf-8", cte="base64")
    msg.set_boundary(f"=_nashra_{stamp[:32]}")
    return msg
