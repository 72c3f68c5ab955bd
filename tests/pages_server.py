"""A local stand-in for GitHub Pages, and a crawler that checks a published site through it.

`PagesServer` serves a built output folder the way GitHub Pages serves a project site: under a prefix
(`/nashra/`), a folder answers with its index.html, a folder asked for without its trailing slash is
redirected (301) to the slash form, a missing address gets the site's 404.html with status 404, paths
are case-sensitive, nothing outside the prefix belongs to the site, and no request can reach a file
outside the folder. Without a `.nojekyll` file it hides what Jekyll would drop (names starting with
`_`, `.` or `#`), as a branch deploy does.

`Crawler` starts from given addresses, follows every same-site link, asset and feed through the
server, and reports what is broken. Absolute URLs on the site's configured host (base_url's
`https://example.github.io`) are mapped onto the local server; other hosts are recorded, never fetched.
"""

from __future__ import annotations

import mimetypes
import os
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import feedparser
import html5lib

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
PLAIN_404 = b"404: not part of this site\n"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PagesServer:
    """Serve `folder` under `prefix` on 127.0.0.1 (an ephemeral port) from a daemon thread.

    Use as a context manager, or call `close()`; `url` is the site's address on the server.
    """

    def __init__(self, folder: Path, prefix: str = "/"):
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(f"prefix must start and end with '/': {prefix!r}")
        self.folder = Path(folder).resolve()
        self.prefix = prefix
        self.httpd = _Httpd(("127.0.0.1", 0), _Handler)
        self.httpd.pages = self
        # A short poll interval: shutdown() waits for the loop to notice, and tests start many servers.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="pages-server", daemon=True
        )
        self.thread.start()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    @property
    def origin(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self.origin + self.prefix

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> PagesServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # What GitHub Pages would answer; no network involved, so it can be tested directly.
    def answer(self, target: str) -> Answer:
        parts = urlsplit(target)
        path, query = parts.path, parts.query
        if not path.startswith("/"):
            return self.plain_404()
        if path + "/" == self.prefix:
            return self.redirect(self.prefix, query)
        if not path.startswith(self.prefix):
            return self.plain_404()
        try:
            rel = unquote(path[len(self.prefix) :], errors="strict")
        except UnicodeDecodeError:
            return self.not_found()
        if "\x00" in rel or "\\" in rel:
            return self.not_found()
        segments = rel.split("/")
        if any(s in {".", ".."} for s in segments) or "" in segments[:-1]:
            return self.not_found()
        names = [s for s in segments if s]
        jekyll = not (self.folder / ".nojekyll").is_file()
        node = self.folder
        for i, name in enumerate(names):
            last = i == len(names) - 1
            if not node.is_dir():
                return self.not_found()
            entries = set(os.listdir(node))  # exact names: case-sensitive even on a case-insensitive disk
            if name not in entries:
                # GitHub Pages serves /about from about.html.
                if last and "." not in name and f"{name}.html" in entries and not path.endswith("/"):
                    name = f"{name}.html"
                else:
                    return self.not_found()
            if jekyll and hidden_by_jekyll(name):
                return self.not_found()
            node = node / name
        if not node.resolve().is_relative_to(self.folder):
            return self.not_found()
        if node.is_dir():
            if not path.endswith("/"):
                return self.redirect(path + "/", query)  # `path` is as requested: still percent-encoded
            node = node / "index.html"
        if not node.is_file():
            return self.not_found()
        return Answer(200, (("Content-Type", content_type(node)),), node.read_bytes())

    def not_found(self) -> Answer:
        page = self.folder / "404.html"
        if page.is_file():
            return Answer(404, (("Content-Type", CONTENT_TYPES[".html"]),), page.read_bytes())
        return self.plain_404()

    @staticmethod
    def plain_404() -> Answer:
        return Answer(404, (("Content-Type", CONTENT_TYPES[".txt"]),), PLAIN_404)

    @staticmethod
    def redirect(location: str, query: str) -> Answer:
        location += f"?{query}" if query else ""
        return Answer(301, (("Location", location), ("Content-Type", CONTENT_TYPES[".txt"])), b"")


def hidden_by_jekyll(name: str) -> bool:
    return name.startswith(("_", ".", "#")) or name.endswith("~")


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    pages: PagesServer


class _Handler(BaseHTTPRequestHandler):
    server_version = "PagesStandIn/1"
    protocol_version = "HTTP/1.0"
    server: _Httpd

    def do_GET(self) -> None:
        self.reply(head=False)

    def do_HEAD(self) -> None:
        self.reply(head=True)

    def reply(self, head: bool) -> None:
        answer = self.server.pages.answer(self.path)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


# --- fetching ---------------------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


@dataclass(frozen=True)
class Fetched:
    url: str  # the address asked for
    final_url: str  # after redirects
    status: int  # of the final answer; 0 if there was no answer
    content_type: str
    body: bytes
    redirects: int = 0


def fetch(url: str) -> Fetched:
    """GET `url`, following redirects as a browser does."""
    try:
        with _OPENER.open(url, timeout=10) as response:
            final = response.geturl()
            return Fetched(
                url,
                final,
                response.status,
                response.headers.get("Content-Type", ""),
                response.read(),
                int(final != url),
            )
    except urllib.error.HTTPError as error:
        with error:
            return Fetched(url, error.geturl() or url, error.code, error.headers.get("Content-Type", ""), error.read())
    except urllib.error.URLError:
        return Fetched(url, url, 0, "", b"")


def fetch_no_redirect(url: str) -> Fetched:
    """GET `url` without following a redirect (to see the 301 itself)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return Fetched(url, url, response.status, response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as error:
        with error:
            location = error.headers.get("Location", "")
            return Fetched(
                url,
                urljoin(url, location) if location else url,
                error.code,
                error.headers.get("Content-Type", ""),
                error.read(),
            )


# --- parsing ----------------------------------------------------------------------------------------

# Elements whose URL the browser loads by itself (so another host would mean a request to it).
SUBRESOURCE_ATTRS = {
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}
SUBRESOURCE_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"


@dataclass(frozen=True)
class Ref:
    """One URL found somewhere: where, in what, and the URL (absolute, as resolved)."""

    source: str
    kind: str
    url: str
    subresource: bool = False

    def __str__(self) -> str:
        return f"{self.source}: {self.kind} -> {self.url}"


def parse_html(body: bytes):
    return html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False, transport_encoding="utf-8")


def srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def html_refs(doc, page_url: str) -> list[Ref]:
    """Every URL in an HTML document, resolved against the page (and its <base href>, if any)."""
    base = page_url
    for element in doc.iter("base"):
        if element.get("href"):
            base = urljoin(page_url, element.get("href"))
            break
    refs: list[Ref] = []
    for element in doc.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in {"a", "area"} and element.get("href") is not None:
            refs.append(Ref(page_url, f"{tag}[href]", urljoin(base, element.get("href").strip())))
        elif tag == "form" and element.get("action") is not None:  # the header's search form: a way in too
            refs.append(Ref(page_url, "form[action]", urljoin(base, element.get("action").strip())))
        elif tag == "link" and element.get("href") is not None:
            rels = set((element.get("rel") or "").lower().split())
            kind = f"link[rel={' '.join(sorted(rels))}]"
            refs.append(Ref(page_url, kind, urljoin(base, element.get("href").strip()), bool(rels & SUBRESOURCE_RELS)))
        elif tag in SUBRESOURCE_ATTRS:
            for attr in SUBRESOURCE_ATTRS[tag]:
                value = element.get(attr)
                if value is None or (tag == "input" and (element.get("type") or "").lower() != "image"):
                    continue
                for url in srcset_urls(value) if attr == "srcset" else [value.strip()]:
                    refs.append(Ref(page_url, f"{tag}[{attr}]", urljoin(base, url), True))
    return refs


def html_ids(doc) -> set[str]:
    ids = {e.get("id") for e in doc.iter() if e.get("id")}
    ids |= {e.get("name") for e in doc.iter("a") if e.get("name")}
    return ids


def xml_root_tag(body: bytes) -> str | None:
    try:
        return ET.fromstring(body).tag
    except ET.ParseError:
        return None


def sitemap_locs(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    return [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")]


def feed_refs(body: bytes, feed_url: str) -> tuple[list[Ref], list[str]]:
    """The URLs a feed reader follows (channel link, atom:link, item links, URLs in item content),
    and the feed's problems (not well-formed, relative URLs)."""
    parsed = feedparser.parse(body)
    problems = [f"{feed_url}: not a well-formed feed: {parsed.bozo_exception}"] if parsed.bozo else []
    refs: list[Ref] = []
    if parsed.feed.get("link"):
        refs.append(Ref(feed_url, "feed channel <link>", parsed.feed.link))
    for link in parsed.feed.get("links", []):
        refs.append(Ref(feed_url, f"feed atom:link[rel={link.get('rel', '')}]", link.get("href", "")))
    for entry in parsed.entries:
        title = entry.get("title", "?")
        if entry.get("link"):
            refs.append(Ref(feed_url, f"item {title!r} <link>", entry.link))
        for block in [*entry.get("content", []), *([entry.summary_detail] if "summary_detail" in entry else [])]:
            if "html" in block.get("type", ""):
                for ref in html_refs(parse_html(block.value.encode()), "about:blank"):
                    refs.append(Ref(feed_url, f"item {title!r} content {ref.kind}", ref.url, ref.subresource))
    for ref in refs:
        if ref.url.startswith("#"):
            continue  # a fragment in the item's own text (footnotes): readers keep those
        if not urlsplit(ref.url).scheme or ref.url.startswith("about:"):
            problems.append(f"{ref}: a feed must use absolute URLs")
    return refs, problems


# --- crawling ---------------------------------------------------------------------------------------


@dataclass
class Report:
    pages: set[str] = field(default_factory=set)  # HTML pages visited (local, final URLs)
    feeds: set[str] = field(default_factory=set)
    sitemaps: set[str] = field(default_factory=set)
    fetched: dict[str, Fetched] = field(default_factory=dict)
    refs: list[Ref] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # a same-site URL that does not answer 200
    external: list[Ref] = field(default_factory=list)  # other hosts: recorded, never fetched
    external_subresources: list[Ref] = field(default_factory=list)
    bad_fragments: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # feeds, sitemap: malformed or off-site URLs

    @property
    def failures(self) -> list[str]:
        return [
            *self.broken,
            *(f"{r}: loads from another host" for r in self.external_subresources),
            *self.bad_fragments,
            *self.problems,
        ]


class Crawler:
    """Crawl a site published at `local_base` (the server) that was built for `site_base` (base_url)."""

    def __init__(self, local_base: str, site_base: str):
        self.local_base = local_base
        self.site_base = site_base
        self.local_origin = origin(local_base)
        self.site_origin = origin(site_base)
        self.ids: dict[str, set[str]] = {}

    def to_local(self, url: str) -> str | None:
        """The server's address for a URL of this site, or None for another host (or mailto: etc.)."""
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            return None
        here = origin(url)
        if here == self.local_origin:
            return url
        if here == self.site_origin:
            return self.local_origin + url[len(self.site_origin) :]
        return None

    def fetch(self, report: Report, url: str) -> Fetched:
        url = urldefrag(url)[0]
        if url not in report.fetched:
            report.fetched[url] = fetch(url)
        return report.fetched[url]

    def crawl(self, starts: list[str]) -> Report:
        report = Report()
        queue: deque[Ref] = deque(Ref("(start)", "start", url) for url in starts)
        seen: set[str] = set()
        while queue:
            ref = queue.popleft()
            report.refs.append(ref)
            local = self.to_local(ref.url)
            if local is None:
                if urlsplit(ref.url).scheme in {"http", "https"}:
                    report.external.append(ref)
                    if ref.subresource:
                        report.external_subresources.append(ref)
                continue
            got = self.fetch(report, local)
            if got.status != 200:
                report.broken.append(f"{ref}: {got.status or 'no answer'}")
                continue
            key = urldefrag(got.final_url)[0]
            if key in seen:
                continue
            seen.add(key)
            if not key.startswith(self.local_base):
                continue  # answers, but is not this site's: do not follow its links
            queue.extend(self.examine(report, got, key))
        self.check_fragments(report)
        return report

    def examine(self, report: Report, got: Fetched, url: str) -> list[Ref]:
        kind = got.content_type.split(";")[0].strip().lower()
        if kind == "text/html":
            doc = parse_html(got.body)
            report.pages.add(url)
            self.ids[url] = html_ids(doc)
            return html_refs(doc, url)
        if kind == "text/css":
            text = got.body.decode("utf-8", "replace")
            found = [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]
            return [Ref(url, "css url()", urljoin(url, u), True) for u in found if not u.startswith("data:")]
        if "xml" in kind:
            tag = xml_root_tag(got.body)
            if tag in {"rss", ATOM_FEED}:
                report.feeds.add(url)
                refs, problems = feed_refs(got.body, url)
                report.problems += problems
                report.problems += [
                    f"{r}: not an address on this site"
                    for r in refs
                    if " content " not in r.kind and not r.url.startswith(self.site_base)
                ]
                return refs
            if tag == f"{SITEMAP_NS}urlset":
                report.sitemaps.add(url)
                locs = sitemap_locs(got.body)
                report.problems += [
                    f"{url}: <loc> {loc} is not under {self.site_base}"
                    for loc in locs
                    if not loc.startswith(self.site_base)
                ]
                return [Ref(url, "sitemap <loc>", loc) for loc in locs]
            if tag is None:
                report.problems.append(f"{url}: not well-formed XML")
        return []

    def check_fragments(self, report: Report) -> None:
        for ref in report.refs:
            target, fragment = urldefrag(ref.url)
            local = self.to_local(target)
            if not fragment or fragment == "top" or local is None or ref.kind.startswith(("item", "feed")):
                continue
            got = report.fetched.get(local)
            if got is None or got.status != 200:
                continue
            ids = self.ids.get(urldefrag(got.final_url)[0])
            if ids is not None and unquote(fragment) not in ids:
                report.bad_fragments.append(f"{ref}: no element with id {unquote(fragment)!r}")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
