"""The output's size against what GitHub Pages publishes: a build warns when it nears the limit."""

from __future__ import annotations

from collections.abc import Mapping

PAGES_LIMIT = 10**9  # bytes: GitHub Pages publishes a site of at most 1 GB
WARN_FROM = 0.8  # of PAGES_LIMIT


def size_warnings(manifest: Mapping[str, tuple[str, int]], folder: str) -> tuple[str, ...]:
    """The warning, once the files of `manifest` (Written.manifest: path -> key, size) pass WARN_FROM
    of PAGES_LIMIT, naming their size and what to do; none below it."""
    total, limit = sum(size for _, size in manifest.values()), PAGES_LIMIT
    if total <= WARN_FROM * limit:
        return ()
    return (
        f"{folder}/ holds {total / 10**9:.2f} GB, {total / limit:.0%} of the {limit / 10**9:g} GB GitHub Pages "
        "publishes: trim what every page repeats (navigation, topic lists) or publish part of the archive "
        "on a second host (see README.md, 'Publish on GitHub Pages')",
    )
