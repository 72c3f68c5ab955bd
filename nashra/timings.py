"""Seconds per build stage, on request: where a build's time goes (bench/run.py prints them).

    NASHRA_TIMINGS=timings.json python build.py

writes {"start": 0.21, "read": 3.4, ..., "total": 9.8} to timings.json when the build succeeds.
A stage marks itself with one line in the pipeline or its stages, `with stage("read"):`; a stage entered twice
adds up. Without the variable, `stage` only looks up that nothing is being recorded, and no file
is written. Work done in worker processes counts in the stage that waits for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

VARIABLE = "NASHRA_TIMINGS"
_seconds: ContextVar[dict[str, float] | None] = ContextVar("nashra_timings", default=None)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as the stage `name`, when the build is timed (see recording)."""
    seconds = _seconds.get()
    if seconds is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Around a build: when NASHRA_TIMINGS names a file, the seconds of every stage and the total are
    written to it as a JSON object, once the build has succeeded (a diagnostic the user asked for by
    name, the one file a build writes outside output/ and the cache)."""
    path = os.environ.get(VARIABLE)
    if not path:
        yield
        return
    seconds: dict[str, float] = {}
    token, started = _seconds.set(seconds), time.perf_counter()
    try:
        yield
    finally:
        _seconds.reset(token)
    seconds["total"] = time.perf_counter() - started
    rounded = {name: round(value, 4) for name, value in seconds.items()}
    Path(path).write_text(json.dumps(rounded, indent=1) + "\n", encoding="utf-8")
