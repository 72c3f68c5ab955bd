"""Regenerate the bundled Arabic font: Noto Naskh Arabic, subset to WOFF2.

    apt-get install fonts-noto-core
    python -m pip install -e '.[fonts]'
    python tools/subset_font.py

writes templates/static/fonts/naskh-regular.woff2 and naskh-bold.woff2 (about 14 KB each) and
OFL.txt beside them. The subset keeps the Arabic letters, harakat, Arabic punctuation and
digits, a few letters used for foreign sounds (پ چ ڤ ڨ گ), the ASCII digits and the basic
punctuation the font draws, and the shaping features (init, medi, fina, rlig, mark, ...).
It drops hinting, which modern browsers do not need. Latin letters are not in the font:
they fall back to the system fonts named in style.css. Keep UNICODES in step with the
`unicode-range` of the @font-face rules in templates/static/style.css.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/noto")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
TARGET = Path(__file__).resolve().parents[1] / "templates" / "static" / "fonts"
WEIGHTS = {"Regular": "naskh-regular.woff2", "Bold": "naskh-bold.woff2"}
UNICODES = (
    "U+0020-002F,U+0030-003A,U+00A0,U+00AB,U+00BB,"  # space, digits, basic punctuation, guillemets
    "U+060C,U+061B,U+061F,U+0621-063A,U+0640-0655,U+0660-066D,U+0670,"  # Arabic letters, harakat, digits
    "U+067E,U+0686,U+06A4,U+06A8,U+06AF,"  # پ چ ڤ ڨ گ
    "U+200C-200F,U+25CC"  # joiners, direction marks, the dotted circle for lone marks
)


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for weight, name in WEIGHTS.items():
        source = SOURCE / f"NotoNaskhArabic-{weight}.ttf"
        if not source.is_file():
            print(f"{source} is missing: apt-get install fonts-noto-core", file=sys.stderr)
            return 1
        subset.main(
            [
                str(source),
                f"--unicodes={UNICODES}",
                "--flavor=woff2",
                "--no-hinting",
                "--desubroutinize",
                "--name-IDs=0,1,2,3,4,5,6,13,14",  # keep the copyright and licence notices
                f"--output-file={TARGET / name}",
            ]
        )
        print(f"{TARGET / name}: {(TARGET / name).stat().st_size} bytes")
    (TARGET / "OFL.txt").write_text(licence(), encoding="utf-8")
    return 0


def licence() -> str:
    """The SIL Open Font License 1.1, as Debian ships it for Noto, with Noto's copyright line."""
    lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    # The stand-alone licence paragraph: its text follows on indented lines.
    start = next(i + 1 for i, line in enumerate(lines[:-1]) if line == "License: OFL-1.1" and lines[i + 1][:1] == " ")
    end = next(i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith(" "))
    body = ["" if line.strip() == "." else line[1:] for line in lines[start:end]]
    head = [
        "Noto Naskh Arabic (subset: naskh-regular.woff2, naskh-bold.woff2)",
        "Copyright 2019-2020 Google LLC. All Rights Reserved.",
        "Noto is a trademark of Google LLC.",
        "",
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        "This license is copied below, and is also available with a FAQ at: https://openfontlicense.org",
        "",
        "-----------------------------------------------------------",
        "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007",
        "-----------------------------------------------------------",
        "",
    ]
    return "\n".join(head + body).rstrip() + "\n"


if __name__ == "__main__":
    sys.exit(main())
