"""The stamp of the last build (last-build.json): when every input is the same, there is nothing to do."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .packs import atomic_write
from .store import folder_id

STAMP = "last-build.json"
STAMP_COUNTS = ("pages", "files", "topics", "feeds", "articles")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def read_stamp(folder: Path, warnings: list[str] | None = None) -> dict:
    """What the last build recorded; {} if there is no stamp, or (with a warning) a damaged one."""
    path = folder / STAMP
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return {}
    except (OSError, ValueError) as exc:
        wrong = str(exc)
    else:
        if _is_stamp(data):
            return data
        wrong = "unexpected layout"
    if warnings is not None:
        warnings.append(f"ignoring the build cache {path}: {wrong}")
    return {}


def _is_stamp(data) -> bool:
    if not (isinstance(data, dict) and isinstance(data.get("inputs"), str) and isinstance(data.get("output"), str)):
        return False
    result, files = data.get("result"), data.get("files")
    return (
        isinstance(result, dict)
        and all(type(result.get(name)) is int and result[name] >= 0 for name in STAMP_COUNTS)
        and isinstance(files, dict)
        and all(isinstance(name, str) and _is_file_state(state) for name, state in files.items())
    )


def _is_file_state(state) -> bool:
    """[mtime_ns, size, inode, digest, recorded_at], as digests.file_digests records them."""
    return (
        isinstance(state, list)
        and len(state) == 5
        and all(type(state[i]) is int for i in (0, 1, 2, 4))
        and isinstance(state[3], str)
        and _DIGEST.fullmatch(state[3]) is not None
    )


def write_stamp(
    folder: Path, inputs: str, output: Path, result: dict, files: dict[str, list], extra: dict | None = None
) -> None:
    """`extra`: what else the next build compares (the clock's dates and state, the output's digest)."""
    data = (extra or {}) | {"inputs": inputs, "output": folder_id(output), "result": result, "files": files}
    atomic_write(folder / STAMP, json.dumps(data, sort_keys=True))


def stamp_matches(stamp: dict, inputs: str, output: Path) -> bool:
    return bool(stamp) and stamp.get("inputs") == inputs and stamp.get("output") == folder_id(output)
