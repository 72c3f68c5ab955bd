"""site.yml -> SiteConfig."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from yaml.nodes import Node

from ..layout import CONFIG_FILE
from ..model import SiteConfig
from ..problems import ContentError, Problem, raise_if
from ..urls import split
from .inputs import Inputs
from .yamlnodes import NOT_XML, Reader, describe

DIGITS = ("latn", "arab")
DEFAULT_BASE_URL = "http://localhost:8000/"
MAX_LINES = 10  # NSH009 problems in one file
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")


# ---- the schema: one row per key, in the order of the README's table ----
# A reader takes the key's YAML node and returns its value, or None (and records a problem) when it is
# not usable; a value left out, empty or unusable takes the default.


def text_value(r: Reader, node: Node, key: str) -> str | None:
    return r.text(node, key, required=False)


def whole_number(r: Reader, node: Node, key: str) -> int | None:
    return r.integer(node, key)


def yes_no(r: Reader, node: Node, key: str) -> bool | None:
    return r.boolean(node, key)


def known_name(parse, refused: tuple[type[Exception], ...], code: str, what: str, example: str):
    """A reader of a name that `parse` must accept (else it raises one of `refused`): `what` and
    `example` make the problem, e.g. "unknown timezone 'X'" with the hint `example`."""

    def read(r: Reader, node: Node, key: str) -> str | None:
        value = text_value(r, node, key)
        if value:
            try:
                parse(value)
            except refused:
                r.error(node, code, f"unknown {what} '{value}'", example)
        return value

    return read


NOT_A_LOCALE = (ValueError, UnknownLocaleError)
language_tag = known_name(
    lambda v: Locale.parse(v, sep="-"), NOT_A_LOCALE, "NSH110", "language tag", "e.g. 'language: ar'"
)
locale_name = known_name(
    lambda v: Locale.parse(v.replace("-", "_")), NOT_A_LOCALE, "NSH110", "locale", "e.g. 'date_locale: ar_EG'"
)
timezone_name = known_name(
    ZoneInfo, (ZoneInfoNotFoundError, ValueError), "NSH202", "timezone", "use an IANA name such as 'Africa/Cairo'"
)


def digit_system(r: Reader, node: Node, key: str) -> str | None:
    value = text_value(r, node, key)
    if value and value not in DIGITS:
        r.error(node, "NSH103", f"'digits' must be 'latn' or 'arab', not '{value}'", "e.g. 'digits: arab'")
    return value


def domain_name(r: Reader, node: Node, key: str) -> str | None:
    value = text_value(r, node, key)
    if value:
        value = value.lower()
        if not HOST.match(value):
            r.error(node, "NSH203", f"'{value}' is not a domain name", "e.g. 'cname: news.example.org'")
    return value


def email_address(r: Reader, node: Node, key: str) -> str | None:
    value = text_value(r, node, key)
    if value and "@" not in parseaddr(value)[1]:
        r.error(
            node,
            "NSH143",
            f"'email_from' must be an e-mail address, not '{value}'",
            "e.g. 'email_from: نشرة <editions@example.org>'",
        )
    return value


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    read: Callable[[Reader, Node, str], object]  # reads and checks the key's value (see above)
    default: object
    doc: str  # the README's "meaning" column
    shown: str = ""  # the README's "default" column, when the default is not the value itself

    def shown_default(self) -> str:
        """The default as the README's table writes it."""
        if self.shown:
            return self.shown
        if self.default is None:
            return "none"
        if self.default == "":
            return "empty"
        value = str(self.default).lower() if isinstance(self.default, bool) else self.default
        return f"`{value}`"


SETTINGS = (
    Setting("title", text_value, "", "the site's name", shown="(required)"),
    Setting("description", text_value, "", "one sentence, used on the home page and as the default description"),
    Setting(
        "base_url",
        text_value,  # checked once cname and --base-url are known (parse_config)
        DEFAULT_BASE_URL,
        "where the site lives, e.g. `https://example.github.io/nashra/`; its path part prefixes every link",
    ),
    Setting("language", language_tag, "ar", "the site's language (BCP 47)"),
    Setting(
        "timezone",
        timezone_name,
        "UTC",
        "IANA name, e.g. `Africa/Cairo`: dates without an offset are in it, and pages show times in it",
    ),
    Setting("per_page", whole_number, 20, "articles per page on the home and topic pages"),
    Setting("feed_items", whole_number, 50, "articles in each feed"),
    Setting("cname", domain_name, None, "a custom domain: writes `CNAME` and makes `base_url` `https://<cname>/`"),
    Setting("author", text_value, None, "the publisher's name"),
    Setting(
        "date_locale",
        locale_name,
        None,  # the language's own month names
        "the CLDR locale for month names: `ar_EG` يونيو, `ar_LB` حزيران, `ar_DZ` جوان",
        shown="`language`",
    ),
    Setting(
        "digits",
        digit_system,
        "latn",
        "`arab` writes the numbers Nashra generates (dates, counts, page numbers) in Arabic-Indic digits (٠١٢٣); "
        "the `datetime` attributes stay ISO 8601. Digits in articles are kept as written",
    ),
    Setting(
        "show_hijri",
        yes_no,
        False,
        "`true` adds the Hijri date (Umm al-Qura, e.g. `11 ذو الحجة 1445 هـ`) under an Arabic article's date "
        "and an edition's",
    ),
    Setting(
        "email_from",
        email_address,
        None,  # render/email.py: the title at editions@<base_url's host>
        "the editions' sender in `edition.eml`, e.g. `نشرة <editions@example.org>`",
        shown="the title at `editions@<base_url's host>`",
    ),
)
KEYS = tuple(s.key for s in SETTINGS)


def load_config(root: Path, base_url: str | None = None, warnings: list[Problem] | None = None) -> SiteConfig:
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
    """Read site.yml's text, every key by its row of SETTINGS. `base_url` overrides the file's for one
    build; `warnings` (for `check`) receives the warnings about it."""
    r = Reader(CONFIG_FILE)
    node = r.compose(text)
    fields = {} if node is None else r.mapping(node, KEYS, CONFIG_FILE, required=("title",))
    raise_if(r.problems)
    if fields is None:
        raise ContentError(r.problems)
    # A key left out, empty or unreadable takes its default.
    values = {s.key: (s.read(r, fields[s.key], s.key) if s.key in fields else None) or s.default for s in SETTINGS}
    # A custom domain serves the site at its root, so cname decides base_url.
    cname = values["cname"]
    url = base_url or (f"https://{cname}/" if cname else values["base_url"])
    problem = base_url_problem(url)
    if problem:
        if base_url:
            raise ContentError(
                [Problem("--base-url", 0, 0, "NSH204", problem, "e.g. https://example.github.io/nashra/")]
            )
        r.error(fields["base_url"], "NSH204", problem, "e.g. 'base_url: https://example.github.io/nashra/'")
    raise_if(r.problems)
    if warnings is not None:
        warnings += r.problems
    return SiteConfig(**(values | {"base_url": normalise_base_url(url)}))


def base_url_problem(url: str) -> str | None:
    parts = split(url)
    if parts is None or parts.scheme not in {"http", "https"} or not parts.netloc:
        return f"base_url '{url}' must be an absolute http:// or https:// URL"
    if parts.query or parts.fragment:
        return f"base_url '{url}' must not have a query or fragment"
    return None


def normalise_base_url(url: str) -> str:
    """Always end in a slash: the path part is where the site lives."""
    return url if url.endswith("/") else url + "/"
