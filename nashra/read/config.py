"""site.yml -> SiteConfig."""

from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from ..model import SiteConfig
from ..problems import ContentError, Problem, raise_if
from .yamlnodes import NOT_XML, Reader, describe

CONFIG_FILE = "site.yml"
KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "per_page",
    "feed_items",
    "cname",
    "author",
    "date_locale",
    "digits",
    "show_hijri",
    "email_from",
)
DIGITS = ("latn", "arab")
DEFAULT_BASE_URL = "http://localhost:8000/"
MAX_LINES = 10  # NSH009 problems in one file
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")


def load_config(root: Path, base_url: str | None = None, warnings: list[Problem] | None = None) -> SiteConfig:
    from .inputs import Inputs  # it uses CONFIG_FILE

    if refused := Inputs(root).judge(CONFIG_FILE):  # a link out of the project is never read
        raise ContentError([refused])
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ContentError(
            [Problem(CONFIG_FILE, 0, 0, "NSH201", "site.yml is missing", "create it with at least 'title: ...'")]
        )
    text = read_text(path, CONFIG_FILE)
    return parse_config(text, base_url, warnings)


def read_text(path: Path, relpath: str) -> str:
    """Read and decode a UTF-8 file (see decode_text)."""
    return decode_text(path.read_bytes(), relpath)


def decode_text(data: bytes, relpath: str) -> str:
    """Decode UTF-8 (a BOM is dropped, CRLF becomes LF) or raise a located problem.

    A form feed or vertical tab (what a paste from a word processor leaves) becomes a
    space; any other character that web pages and feeds cannot carry is refused (NSH009).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            [Problem(relpath, line, 0, "NSH001", "the file is not UTF-8 text", "save it again as UTF-8")]
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text or "\v" in text:
        text = text.replace("\f", " ").replace("\v", " ")
    if NOT_XML.search(text):
        raise ContentError(character_problems(text, relpath))
    return text


def character_problems(text: str, relpath: str) -> list[Problem]:
    """NSH009 at the first such character of each line, for the first MAX_LINES lines that hold one."""
    problems: list[Problem] = []
    found = NOT_XML.search(text)
    while found and len(problems) < MAX_LINES:
        start = found.start()
        problems.append(
            Problem(
                relpath,
                text.count("\n", 0, start) + 1,
                start - text.rfind("\n", 0, start),
                "NSH009",
                f"the text holds {describe(found.group())}, which web pages and feeds cannot carry",
                "delete it: it is invisible, so retype the text around it",
            )
        )
        end = text.find("\n", start)
        found = NOT_XML.search(text, end) if end >= 0 else None
    return problems


def parse_config(text: str, base_url: str | None = None, warnings: list[Problem] | None = None) -> SiteConfig:
    """Read site.yml's text. `base_url` overrides the file's for one build; `warnings` (for
    `check`) receives the warnings about it."""
    r = Reader(CONFIG_FILE)
    node = r.compose(text)
    fields = {} if node is None else r.mapping(node, KEYS, "site.yml", required=("title",))
    raise_if(r.problems)
    if fields is None:
        raise ContentError(r.problems)

    def text_of(name: str, default: str | None) -> str | None:
        return r.text(fields[name], name, required=False) or default if name in fields else default

    title = text_of("title", None)
    language = text_of("language", "ar")
    if language:
        try:
            Locale.parse(language, sep="-")
        except (ValueError, UnknownLocaleError):
            r.error(fields["language"], "NSH110", f"unknown language tag '{language}'", "e.g. 'language: ar'")
    date_locale = text_of("date_locale", None)
    if date_locale:
        try:
            Locale.parse(date_locale.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            r.error(fields["date_locale"], "NSH110", f"unknown locale '{date_locale}'", "e.g. 'date_locale: ar_EG'")
    digits = text_of("digits", "latn")
    if digits not in DIGITS:
        r.error(fields["digits"], "NSH103", f"'digits' must be 'latn' or 'arab', not '{digits}'", "e.g. 'digits: arab'")
    show_hijri = r.boolean(fields["show_hijri"], "show_hijri") if "show_hijri" in fields else False
    timezone = text_of("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        r.error(
            fields["timezone"], "NSH202", f"unknown timezone '{timezone}'", "use an IANA name such as 'Africa/Cairo'"
        )
    per_page = r.integer(fields["per_page"], "per_page") if "per_page" in fields else 20
    feed_items = r.integer(fields["feed_items"], "feed_items") if "feed_items" in fields else 50
    cname = text_of("cname", None)
    if cname is not None:
        cname = cname.lower()
        if not HOST.match(cname):
            r.error(fields["cname"], "NSH203", f"'{cname}' is not a domain name", "e.g. 'cname: news.example.org'")
    # A custom domain serves the site at its root, so cname decides base_url.
    url = base_url or (f"https://{cname}/" if cname else text_of("base_url", DEFAULT_BASE_URL))
    problem = base_url_problem(url)
    if problem:
        if base_url:
            raise ContentError(
                [Problem("--base-url", 0, 0, "NSH204", problem, "e.g. https://example.github.io/nashra/")]
            )
        r.error(fields["base_url"], "NSH204", problem, "e.g. 'base_url: https://example.github.io/nashra/'")
    email_from = text_of("email_from", None)
    if email_from and "@" not in parseaddr(email_from)[1]:
        r.error(
            fields["email_from"],
            "NSH143",
            f"'email_from' must be an e-mail address, not '{email_from}'",
            "e.g. 'email_from: نشرة <editions@example.org>'",
        )
    raise_if(r.problems)
    if warnings is not None:
        warnings += r.problems
    return SiteConfig(
        title=title or "",
        description=text_of("description", "") or "",
        base_url=normalise_base_url(url),
        language=language or "ar",
        timezone=timezone or "UTC",
        per_page=per_page or 20,
        feed_items=feed_items or 50,
        cname=cname,
        author=text_of("author", None),
        date_locale=date_locale,
        digits=digits or "latn",
        show_hijri=bool(show_hijri),
        email_from=email_from,
    )


def base_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return f"base_url '{url}' must be an absolute http:// or https:// URL"
    if parts.query or parts.fragment:
        return f"base_url '{url}' must not have a query or fragment"
    return None


def normalise_base_url(url: str) -> str:
    """Always end in a slash: the path part is where the site lives."""
    return url if url.endswith("/") else url + "/"
