"""The build's clock: what of the output depends on `now`, as pure functions of dates.

Two things do: which articles are published (model.is_due, through Scope.includes) and which are
in the news sitemap's window (the last 48 hours). Given the dates of the articles a build may
publish, `clock_state` names both sets at a given `now`: two builds of the same files whose states
are equal make the same output, so the incremental session may skip the second (and must not when
a scheduled article came due, or one left the window, in between).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from .model import Scope, is_due

NEWS_WINDOW = timedelta(hours=48)  # Google News: articles of the last two days
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)
_WINDOW_TICKS = NEWS_WINDOW // _TICK


def build_now(now: datetime | None, tz: tzinfo) -> datetime:
    """The build's clock: `now` as given (a naive one is in the site's timezone `tz`), else the current time."""
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=tz) if now.tzinfo is None or now.utcoffset() is None else now


def parse_now(text: str) -> datetime:
    """`--now`'s value: ISO 8601, with an offset or without (then read in site.yml's timezone); ValueError if not."""
    return datetime.fromisoformat(text.strip())


def in_news_window(date: datetime, now: datetime) -> bool:
    """Published at most 48 hours before `now` (exactly 48 hours counts), and not after it."""
    return is_due(date, now) and now - date <= NEWS_WINDOW


def clock_state(ticks: Sequence[int], scope: Scope) -> str:
    """Which of the articles dated `ticks` (to_ticks, sorted) are published, and which are in the news
    window, at scope.now.

    Both sets are a run of the sorted dates, so their sizes name them: a scheduled article coming due,
    or a recent one leaving the window, changes the state. Found by bisection: a build with nothing to
    do asks this of every article's date.
    """
    due, window = _due_and_window(ticks, scope.now)
    return f"{len(ticks) if scope.future else due}:{due - window}"


def next_change(ticks: Sequence[int], scope: Scope) -> datetime | None:
    """The first moment after scope.now at which clock_state changes: a scheduled date, or a date's
    48 hours running out (None: never); `ticks` as for clock_state."""
    due, window = _due_and_window(ticks, scope.now)
    later = [ticks[due]] if due < len(ticks) and not scope.future else []
    later += [ticks[window] + _WINDOW_TICKS + 1] if window < due else []
    return from_ticks([min(later)])[0] if later else None


def _due_and_window(ticks: Sequence[int], now: datetime) -> tuple[int, int]:
    """How many of the sorted `ticks` are due at `now` (is_due), and how many of those are older than
    the news window (in_news_window: the due ones from there on are in it)."""
    at = to_ticks(now)
    return bisect.bisect_right(ticks, at), bisect.bisect_left(ticks, at - _WINDOW_TICKS)


def to_ticks(date: datetime) -> int:
    """A date as whole microseconds since 1970 (UTC): exact, for JSON."""
    return (date - _EPOCH) // _TICK


def from_ticks(ticks: Sequence[int]) -> list[datetime]:
    return [_EPOCH + t * _TICK for t in ticks]
