"""Every URL and output path, from base_url.

A *site path* is relative to the site's root and has no leading slash
(`articles/visit/`, `feed.xml`, `` for the home page). Links in pages are the
base path plus the site path (`/nashra/articles/visit/`), so they work at any
depth, including in 404.html; feeds, sitemap and canonical links use absolute URLs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urljoin, urlsplit

from .layout import CONTENT_DIR, IMAGES_DIR


def split(url: str) -> SplitResult | None:
    """`url` in its parts, or None for an address Python will not split: a host in brackets that do
    not close, or whose inside is no IPv6 address ('https://[example.org/'). Every address that an
    article gives passes here first, so such a one is a problem at its line, not a traceback."""
    parts = plain_split(url)
    if parts is not None:
        return parts
    try:
        return urlsplit(url)
    except ValueError:
        return None


# Addresses of the two shapes nearly every link of an article has, which urlsplit splits without
# changing or refusing anything: no spaces or control characters (which it strips or drops), and
# either `http(s)://` with a host of ASCII without brackets (the only hosts it checks), or no
# scheme (no ':' at all) and no host (no leading '//').
_ELSEWHERE = re.compile(r"(https?)://([^\x00-\x20\x7f-\U0010ffff/?#\[\]]+)((?:[/?#][^\x00-\x20\x7f]*)?)\Z")


def plain_split(url: str) -> SplitResult | None:
    """What urlsplit makes of `url`, when it has one of the two plain shapes above (None otherwise):
    in a third of the time: at 10,000 articles a cold build checks some 56,000 links."""
    if url.startswith(("https://", "http://")):
        if (web := _ELSEWHERE.match(url)) is None:
            return None
        scheme, netloc, rest = web.groups()
    elif ":" not in url and " " not in url and url.isprintable() and not url.startswith("//"):
        scheme, netloc, rest = "", "", url
    else:
        return None
    rest, _, fragment = rest.partition("#")
    path, _, query = rest.partition("?")
    return SplitResult(scheme, netloc, path, query, fragment)


def home(page: int = 1) -> str:
    return "" if page == 1 else f"page/{page}/"


def article(slug: str) -> str:
    return f"articles/{slug}/"


def topics_index() -> str:
    return "topics/"


def topic(slug: str, page: int = 1) -> str:
    return f"topics/{slug}/" if page == 1 else f"topics/{slug}/page/{page}/"


def feed() -> str:
    return "feed.xml"


def topic_feed(slug: str) -> str:
    return f"topics/{slug}/feed.xml"


def archive(year: int | None = None, month: int | None = None, page: int = 1) -> str:
    """`archive/`, `archive/2024/`, `archive/2024/06/`, `archive/2024/06/page/2/` (nashra/archives.py)."""
    path = "archive/" + (f"{year:04d}/" if year else "") + (f"{month:02d}/" if year and month else "")
    return path if page == 1 else f"{path}page/{page}/"


def sources_index() -> str:
    return "sources/"


def source(slug: str, page: int = 1) -> str:
    """An outlet's page (nashra/sources.py); its feed set is in the same folder."""
    return f"sources/{slug}/" if page == 1 else f"sources/{slug}/page/{page}/"


def search() -> str:
    """The search page (render/search.py); the header's form sends `?q=` to it."""
    return "search/"


def static(name: str) -> str:
    return f"static/{name}"


def image(name: str) -> str:
    return f"images/{name}"


CARD_PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".webp")  # lead images a card is drawn over (not SVG)


def card(slug: str, image_file: str | None = None) -> str:
    """An article's social card (render/cards.py), the image its page gives link previews: a JPEG
    when it is drawn over the lead photo (`image_file`, when Pillow can draw it), else a PNG."""
    return f"cards/{slug}.jpg" if card_photo(image_file) else f"cards/{slug}.png"


def card_photo(image_file: str | None) -> bool:
    """Whether an article's card is drawn over its lead image `image_file` (a file of content/images/)."""
    return bool(image_file) and image_file.lower().endswith(CARD_PHOTO_TYPES)


def out_path(site_path: str) -> str:
    """The file that serves a site path: folders get index.html (pretty URLs)."""
    return site_path + "index.html" if site_path == "" or site_path.endswith("/") else site_path


@dataclass(frozen=True, slots=True)
class Urls:
    base_url: str  # absolute, ends with '/'
    base_path: str = field(init=False)  # its path: what every link in a page starts with

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_path", urlsplit(self.base_url).path or "/")

    def link(self, site_path: str) -> str:
        """What pages link to: the base path plus the site path."""
        return self.base_path + site_path

    def absolute(self, site_path: str) -> str:
        return self.base_url + site_path

    @staticmethod
    def absolutise(url: str, page_url: str) -> str:
        """Make a URL from a page at `page_url` absolute, as feeds need: `/nashra/a/`, `../b/`, `#x`."""
        return urljoin(page_url, url)

    def resolve_body_url(self, url: str, article_path: str, slugs: Mapping[str, str]) -> str:
        """Resolve a link or image written in an article's Markdown.

        `/articles/x/` is site-absolute; relative links are taken from the article
        file's folder: `../06/other.md` links to that article's page (`slugs` maps
        article files to slugs), `../../../images/a.jpg` to the image. Anything with
        a scheme, a fragment-only link, or a path that leaves content/ stays as written.
        """
        parts = split(url)
        if parts is None or parts.scheme or parts.netloc or not parts.path:
            return url
        suffix = url[len(parts.path) :]
        if parts.path.startswith("/"):
            return self.link(parts.path.lstrip("/")) + suffix
        target = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), parts.path))
        if not target.startswith(CONTENT_DIR + "/"):
            return url
        if target.endswith(".md") and target in slugs:
            return self.link(article(slugs[target])) + suffix
        if target.startswith(IMAGES_DIR + "/"):
            return self.link(image(target.removeprefix(IMAGES_DIR + "/"))) + suffix
        return url
