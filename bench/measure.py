"""One timed command, as the bench runs every build: wall-clock seconds and peak memory.

The command runs under a small Python parent of its own, which times it and then asks the kernel
for the largest resident size among the processes it waited for (getrusage(RUSAGE_CHILDREN):
the build and every worker it started), so each measurement covers that one run alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PARENT = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


@dataclass(frozen=True, slots=True)
class Measured:
    seconds: float
    peak_mb: float  # the largest process's peak resident size


def measure(command: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Measured:
    """Run `command` (its output discarded); raise SystemExit when it fails. Python's bytecode cache is
    written and used, as on a user's machine, even where the environment turns it off
    (PYTHONDONTWRITEBYTECODE): there every build of Nashra compiled its 72 modules again, 0.1 to 0.15 s."""
    environ = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", PARENT, *command],
        cwd=cwd,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak_kib, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"failed (exit status {code}): {' '.join(command)}" + (f" in {cwd}" if cwd else ""))
    return Measured(float(seconds), int(peak_kib) / 1024)


def folder_bytes(folder: Path) -> int:
    """The size of the files under `folder`, as a host publishing it counts them."""
    return sum(entry.stat().st_size for entry in folder.rglob("*") if entry.is_file())
