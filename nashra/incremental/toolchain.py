"""What makes the output besides the site's files: Nashra, Python and the libraries that shape it.

pyproject.toml asks for its libraries by lower bound, so a fresh CI runner, or `pip install -U`,
can bring a newer Markdown, sanitiser or YAML reader than the one that made the build cache. Their
versions are part of every key the cache is read by (keys.py, digests.fingerprint_files, photos'
entries), so what one set of versions made is never taken for another's: after an upgrade the
next build does the work of a cold one, and gives the output a cold build would.

    made_by()              one digest of all of it, for the keys
    library_version(name)  one library's installed version ("absent" when it is not installed)
"""

from __future__ import annotations

import functools
import hashlib
import sys

from .. import __version__

# Every runtime dependency in pyproject.toml (a test keeps them in step), and what they bring that shapes
# the output too: MarkupSafe (Jinja's escaping) and pagefind-bin (the indexer that pagefind[bin] installs).
LIBRARIES = (
    "babel",
    "css-inline",
    "feedgen",
    "hijridate",
    "jinja2",
    "lxml",
    "markdown",
    "markupsafe",
    "nh3",
    "pagefind",
    "pagefind-bin",
    "pillow",
    "pyyaml",
)


@functools.cache
def library_version(name: str) -> str:
    """The installed version of the distribution `name`, as its metadata gives it."""
    from importlib import metadata  # imports the email parser: only when a key is made

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def made_by() -> str:
    """A digest of Nashra's version, Python's (its implementation and release) and every library's."""
    python = "{} {}.{}.{}".format(sys.implementation.name, *sys.version_info[:3])
    parts = ["nashra", __version__, python, *(f"{name}={library_version(name)}" for name in LIBRARIES)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
