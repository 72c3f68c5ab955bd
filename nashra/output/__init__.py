"""{path: bytes} -> output/, swapped in atomically. The only module that writes.

`output/` is never written into: each build brings another tree up to date beside it and
exchanges the two in one step, so a reader of `output/`, or a build killed at any moment,
sees either the previous complete site or the new one. Every tree Nashra makes holds a small
MARKER file; it is how a build knows a folder for one of its own (an `index.html` proves
nothing), and the only way a leftover of an interrupted build is recognised and removed.

The package: guard.py (the output folder's checks, the marker, the lock, what the system refused),
plan.py (Planned, Written, shared), make.py (making the files, in worker processes for many), tree.py
(new trees, the spare, exchange, removal, leftovers) and write.py (write_output: imported from there, as it
loads the worker processes' machinery, which a build with nothing to do never needs).
"""

from __future__ import annotations

from .guard import MARKER, MARKER_TEXT, check_output_dir, claim_output, is_build, output_problem
from .plan import Planned, Written, check_relpath, shared
from .tree import SPARE_STATE, tidy

__all__ = [
    "MARKER",
    "MARKER_TEXT",
    "SPARE_STATE",
    "Planned",
    "Written",
    "check_output_dir",
    "check_relpath",
    "claim_output",
    "is_build",
    "output_problem",
    "shared",
    "tidy",
]
