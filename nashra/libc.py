"""The C library's functions that Python does not wrap (renameat2, prctl), where the platform has them."""

from __future__ import annotations

import ctypes
import sys


def libc_function(name: str):
    """The C library's function `name` on Linux, else (or when it is missing) None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError, TypeError):
        return None
    return function
