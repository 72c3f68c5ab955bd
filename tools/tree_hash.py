"""The hash of a built site: one SHA-256 over every file's path and bytes.

    python tools/tree_hash.py FOLDER...      print each folder's tree hash
    python tools/tree_hash.py --sample       build the sample site (cold, fixed base_url) and print its hash

A restructuring that must not change one byte of output is checked by comparing tree hashes
before and after; tests/test_tree_hash.py pins the sample site's, and is updated only by a
deliberate change of the output (run this script with --sample and paste the new value there).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_BASE_URL = "https://example.github.io/nashra/"


def tree_hash(folder: Path) -> str:
    """SHA-256 over the sorted (relative path, SHA-256 of bytes) of every file below `folder`: the digest
    a build compares to say whether it changed what is published (nashra.output.changes)."""
    sys.path.insert(0, str(ROOT))
    from nashra.output.changes import tree_digest

    return tree_digest(folder)


def sample_hash() -> str:
    """Build the repository's sample site without the cache into a temporary folder; its tree hash."""
    sys.path.insert(0, str(ROOT))
    from nashra.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        code = main(["build", "--root", str(ROOT), "--output", str(out), "--no-cache", "--base-url", SAMPLE_BASE_URL])
        if code != 0:
            raise SystemExit(code)
        return tree_hash(out)


if __name__ == "__main__":
    if sys.argv[1:] == ["--sample"]:
        print(sample_hash())
    else:
        for arg in sys.argv[1:]:
            print(f"{tree_hash(Path(arg))}  {arg}")
