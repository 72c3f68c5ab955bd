"""The build's clock: what of the output depends on `now`, as pure functions of dates.

Two things do: which articles are published (model.is_due, through Scope.includes) and which are
in the news sitemap's window (the last 48 hours). Given the dates of the articles a build may
publish, `clock_state` names both sets at a given `now`: two builds of the same files whose states
are equal make the same output, so the incremental session may skip the second (and must not when
a scheduled article came due, or one left the window, in between).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from .model import Scope, is_due

NEWS_WINDOW = timedelta(hours=48)  # Google News: articles of the last two days
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TICK = timedelta(microseconds=1)


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


def clock_state(dates: Iterable[datetime], scope: Scope) -> str:
    """Which of the articles dated `dates` are published, and which are in the news window, at scope.now.

    Both sets are a run of the sorted dates, so their sizes name them: a scheduled article coming due,
    or a recent one leaving the window, changes the state.
    """
    dates = list(dates)
    published = len(dates) if scope.future else sum(1 for d in dates if is_due(d, scope.now))
    recent = sum(1 for d in dates if in_news_window(d, scope.now))
    return f"{published}:{recent}"


def next_change(dates: Iterable[datetime], scope: Scope) -> datetime | None:
    """The first moment after scope.now at which clock_state changes: a scheduled date, or a date's
    48 hours running out (None: never)."""
    later = [d for d in dates if not scope.future and not is_due(d, scope.now)]
    later += [d + NEWS_WINDOW + _TICK for d in dates if in_news_window(d, scope.now)]
    return min(later, default=None)


def to_ticks(date: datetime) -> int:
    """A date as whole microseconds since 1970 (UTC): exact, for JSON."""
    return (date - _EPOCH) // _TICK


def from_ticks(ticks: Sequence[int]) -> list[datetime]:
    return [_EPOCH + t * _TICK for t in ticks]
