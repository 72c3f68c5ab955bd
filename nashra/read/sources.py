"""content/sources.yml -> the registry of news outlets, and every article's source checked against it.

The file is optional. With it, an article's `source.name` must be a registered name, or `source: <slug>`
names a registered outlet by its slug (NSH131-NSH133). Without it, every distinct source name is an
outlet whose slug is derived from the name (derive_slug): stable, and the same in `check` and the build,
which both read through finish_reading. Pure but for read_sources, which reads the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from yaml.nodes import SequenceNode

from ..layout import SOURCES_FILE
from ..model import Article, Outlet, Source
from ..problems import ContentError, Problem, has_errors
from .config import read_text
from .frontmatter import SLUG, SLUG_HINT, web_url
from .inputs import Inputs
from .yamlnodes import Reader, is_null, nearest

KEYS = ("slug", "name", "url", "country", "language")
REQUIRED = ("slug", "name")
COUNTRIES = frozenset(code for code in Locale("en").territories if code.isalpha() and len(code) == 2)


# ---- the registry: content/sources.yml ----


def parse_sources(text: str, path: str = SOURCES_FILE) -> tuple[tuple[Outlet, ...], list[Problem]]:
    """The registry's outlets (those without a problem) and every problem, each at its line."""
    r = Reader(path)
    node = r.compose(text)
    outlets: list[Outlet] = []
    if node is not None and not isinstance(node, SequenceNode):
        r.error(node, "NSH134", "sources.yml must be a list of sources, each starting with '- slug: ...'")
        return (), r.problems
    slugs: dict[str, int] = {}
    names: dict[str, int] = {}
    for item in node.value if node is not None else ():
        fields = r.mapping(item, KEYS, "a source", required=REQUIRED)
        if fields is None:
            continue
        slug, name = (r.text(fields[k], k) if k in fields and not is_null(fields[k]) else None for k in REQUIRED)
        url = web_url(r, fields["url"], "url") if "url" in fields else None
        country = _country(r, fields["country"]) if "country" in fields else None
        language = _language(r, fields["language"]) if "language" in fields else None
        if slug is None or name is None:
            continue
        name = " ".join(name.split())
        if not SLUG.match(slug):
            r.error(fields["slug"], "NSH135", f"source slug '{slug}' is not valid", SLUG_HINT)
        elif slug in slugs:
            r.error(
                fields["slug"], "NSH136", f"source slug '{slug}' is used twice (first on line {slugs[slug]})",
                "give each source its own slug",
            )  # fmt: skip
        elif name in names:
            r.error(
                fields["name"], "NSH136", f"source name '{name}' is used twice (first on line {names[name]})",
                "register each outlet once",
            )  # fmt: skip
        else:
            slugs[slug], names[name] = r.line(fields["slug"]), r.line(fields["name"])
            outlets.append(Outlet(slug, name, url, country, language))
    if not outlets and not has_errors(r.problems):
        r.error(node, "NSH134", "sources.yml lists no sources", "add '- slug: ...' entries, or delete the file")
    return tuple(outlets), r.problems


def _country(r: Reader, node) -> str | None:
    code = r.text(node, "country")
    if code is not None and code.upper() not in COUNTRIES:
        r.error(node, "NSH137", f"unknown country code '{code}'", "use an ISO 3166 two-letter code, e.g. US or EG")
        return None
    return code.upper() if code else None


def _language(r: Reader, node) -> str | None:
    tag = r.text(node, "language")
    if tag is None:
        return None
    try:
        Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        r.error(node, "NSH110", f"unknown language tag '{tag}'", "use a BCP 47 tag such as 'en' or 'fr'")
        return None
    return tag


def read_sources(root: Path, inputs: Inputs | None = None) -> tuple[tuple[Outlet, ...] | None, list[Problem]]:
    """The site's registry (None when it has no content/sources.yml) and every problem with it."""
    if refused := (inputs or Inputs(root)).judge(SOURCES_FILE):  # never read what leads outside
        return None, [refused]
    path = root / SOURCES_FILE
    if not path.is_file():
        return None, []
    try:
        text = read_text(path, SOURCES_FILE)
    except ContentError as exc:
        return None, list(exc.problems)
    return parse_sources(text)


# ---- the articles' sources ----


def check_sources(articles: Iterable[Article], registry: tuple[Outlet, ...] | None) -> list[Problem]:
    """Every article's source checked against the registry: a registered name, or `source: <slug>`."""
    problems = []
    names = [o.name for o in registry or ()]
    slugs = [o.slug for o in registry or ()]
    for a in articles:
        line, source = a.line_of("source"), a.source
        if source.slug is not None and registry is None:
            problems.append(
                Problem(a.path, line, 0, "NSH133", f"'source: {source.slug}' names a source by its slug, but the "
                        f"site has no {SOURCES_FILE}", "write 'source:' with 'name:' and 'url:' lines, or register "
                        f"the site's sources in {SOURCES_FILE}")
            )  # fmt: skip
        elif source.slug is not None and source.slug not in slugs:
            close = nearest(source.slug, slugs)
            problems.append(
                Problem(a.path, line, 0, "NSH132", f"unknown source slug '{source.slug}'", _hint(close, "slugs"))
            )
        elif registry is not None and source.slug is None and " ".join(source.name.split()) not in names:
            close = nearest(" ".join(source.name.split()), names)
            problems.append(
                Problem(a.path, line, 0, "NSH131", f"unknown source '{source.name}'", _hint(close, "names"))
            )
    return problems


def _hint(close: list[str], what: str) -> str:
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + f"? Sources are listed in {SOURCES_FILE}."
    return f"use one of the {what} listed in {SOURCES_FILE}, or register the source there"


def outlets_for(
    articles: Iterable[Article], registry: tuple[Outlet, ...] | None
) -> tuple[tuple[Outlet, ...], Mapping[Source, Outlet]]:
    """The outlets the articles cite, and each article's source's outlet: the registry's (every registered
    outlet, cited or not), or, without one, an outlet per distinct name with a derived slug."""
    articles = list(articles)
    if registry is not None:
        by_name = {o.name: o for o in registry}
        by_slug = {o.slug: o for o in registry}
        found = {}
        for a in articles:
            s = a.source
            found[s] = by_slug[s.slug] if s.slug is not None else by_name[" ".join(s.name.split())]
        return registry, found
    first: dict[str, datetime] = {}
    home: dict[str, tuple[datetime, str]] = {}  # the newest report's site, as the outlet's address
    for a in articles:
        name = " ".join(a.source.name.split())
        first[name] = min(first.get(name, a.date), a.date)
        if a.source.url and (name not in home or a.date > home[name][0]):
            parts = urlsplit(a.source.url)
            home[name] = (a.date, f"{parts.scheme}://{parts.netloc}/")
    slugs = derived_slugs(first)
    outlets = {name: Outlet(slugs[name], name, home[name][1] if name in home else None) for name in first}
    found = {a.source: outlets[" ".join(a.source.name.split())] for a in articles}
    return tuple(outlets[name] for name in sorted(outlets, key=lambda n: slugs[n])), found


# ---- derived slugs ----

# Arabic letters in Latin, one common simple scheme (no vowels are written, so none are guessed).
LATIN = "a b t th j h kh d dh r z s sh s d t z - gh f q k l m n h w y - a a i w y a a p ch zh g v"
LETTERS = dict(zip("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةپچژگڤ", LATIN.split(" "), strict=True))
ARABIC_DIGITS = {chr(0x660 + i): str(i) for i in range(10)} | {chr(0x6F0 + i): str(i) for i in range(10)}


def derive_slug(name: str) -> str:
    """A source name's slug: Latin letters as they are (accents dropped), Arabic letters by LETTERS, the
    article ال as `al`, anything else a hyphen: `رويترز` -> `rwytrz`, `الجزيرة نت` -> `al-jzyra-nt`,
    `Le Monde` -> `le-monde`. A name with no letter left gets `source-` and a digest of the name."""
    words = []
    for word in unicodedata.normalize("NFKC", name).split():
        if word.startswith("ال") and len(word) > 3:
            words.append("al-" + word[2:])
        else:
            words.append(word)
    out = []
    for ch in unicodedata.normalize("NFKD", " ".join(words)).lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in LETTERS:
            out.append("" if LETTERS[ch] == "-" else LETTERS[ch])
        elif ch in ARABIC_DIGITS:
            out.append(ARABIC_DIGITS[ch])
        elif unicodedata.category(ch).startswith("M"):
            continue  # harakat, accents
        elif ch == "ـ":
            continue  # tatweel
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug or "source-" + _short(name)


def derived_slugs(first: Mapping[str, datetime]) -> dict[str, str]:
    """Each name's slug (`first`: name -> its oldest article's date). Names that derive the same slug
    keep it in the order they first appeared: the oldest keeps the slug, later ones add a digest of
    their own name, so an outlet's slug never changes when a newer one comes along."""
    groups: dict[str, list[str]] = {}
    for name in first:
        groups.setdefault(derive_slug(name), []).append(name)
    taken = set(groups)
    slugs = {}
    for base, names in sorted(groups.items()):
        names.sort(key=lambda n: (first[n], n))
        slugs[names[0]] = base
        for name in names[1:]:
            size = 6
            while (slug := f"{base}-{_short(name, size)}") in taken:
                size += 2
            taken.add(slug)
            slugs[name] = slug
    return slugs


def _short(name: str, size: int = 6) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:size]


# ---- Arabic alphabetical order ----

FOLD = str.maketrans({"آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه", "ـ": None})


def sort_key(name: str) -> tuple:
    """Arabic alphabetical order: Arabic names first, by their letters (Unicode's Arabic letters are in
    the alphabet's order, once hamza seats, alif maqsura and ta marbuta are folded to their letters,
    harakat dropped), ignoring a first word's article ال as indexes do; then other names, case-folded."""
    text = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.category(c).startswith("M"))
    text = unicodedata.normalize("NFC", text).translate(FOLD).strip()
    arabic = bool(text) and "\u0620" <= text[0] <= "\u064a"
    bare = text[2:] if arabic and text.startswith("ال") and len(text.split()[0]) > 3 else text
    return (0 if arabic else 1, bare.casefold(), text.casefold(), name)
