"""Regenerate the bundled Arabic fonts: Noto Naskh Arabic, subset to WOFF2 for the web, and to
TrueType with Latin letters for the social cards.

    apt-get install fonts-noto-core
    python -m pip install -e '.[fonts]'
    python tools/subset_font.py            # the web font
    python tools/subset_font.py --cards    # the social cards' fonts

writes templates/static/fonts/naskh-regular.woff2 and naskh-bold.woff2 (about 14 KB each) and
OFL.txt beside them; with --cards, nashra/fonts/card-regular.ttf and card-bold.ttf and OFL.txt
beside them (the fonts nashra/render/cards.py draws with, inside the package so that a card
looks the same on every machine). The subset keeps the Arabic letters, harakat, Arabic punctuation and
digits, a few letters used for foreign sounds (پ چ ڤ ڨ گ), the ASCII digits and the basic
punctuation the font draws, and the shaping features (init, medi, fina, rlig, mark, ...).
It drops hinting, which modern browsers do not need. Latin letters are not in the font:
they fall back to the system fonts named in style.css. Keep UNICODES in step with the
`unicode-range` of the @font-face rules in templates/static/style.css.

A card has no fallback font: Pillow draws every letter from one file. So each card font is the
same Naskh subset (as TrueType, hinting dropped too) merged with Noto Sans's Latin letters
(LATIN: ASCII, Latin-1, dashes, quotes, the ellipsis a long headline ends with), the same
weight; Naskh comes first, so its digits and punctuation win where both fonts have a glyph.
Both fonts have 1000 units per em, which fontTools' merger needs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from fontTools import merge, subset

SOURCE = Path("/usr/share/fonts/truetype/noto")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
TARGET = Path(__file__).resolve().parents[1] / "templates" / "static" / "fonts"
CARD_TARGET = Path(__file__).resolve().parents[1] / "nashra" / "fonts"
WEIGHTS = {"Regular": "naskh-regular.woff2", "Bold": "naskh-bold.woff2"}
CARD_WEIGHTS = {"Regular": "card-regular.ttf", "Bold": "card-bold.ttf"}
UNICODES = (
    "U+0020-002F,U+0030-003A,U+00A0,U+00AB,U+00BB,"  # space, digits, basic punctuation, guillemets
    "U+060C,U+061B,U+061F,U+0621-063A,U+0640-0655,U+0660-066D,U+0670,"  # Arabic letters, harakat, digits
    "U+067E,U+0686,U+06A4,U+06A8,U+06AF,"  # پ چ ڤ ڨ گ
    "U+200C-200F,U+25CC"  # joiners, direction marks, the dotted circle for lone marks
)
LATIN = "U+0020-007E,U+00A0-00FF,U+2013-2014,U+2018-201D,U+2022,U+2026"
KEEP_NAMES = "--name-IDs=0,1,2,3,4,5,6,13,14"  # keep the copyright and licence notices


def main(argv: list[str]) -> int:
    if not (SOURCE / "NotoNaskhArabic-Regular.ttf").is_file():
        print(f"{SOURCE} has no Noto Naskh Arabic: apt-get install fonts-noto-core", file=sys.stderr)
        return 1
    if argv == ["--cards"]:
        return card_fonts()
    TARGET.mkdir(parents=True, exist_ok=True)
    for weight, name in WEIGHTS.items():
        source = SOURCE / f"NotoNaskhArabic-{weight}.ttf"
        subset.main(
            [
                str(source),
                f"--unicodes={UNICODES}",
                "--flavor=woff2",
                "--no-hinting",
                "--desubroutinize",
                KEEP_NAMES,
                f"--output-file={TARGET / name}",
            ]
        )
        print(f"{TARGET / name}: {(TARGET / name).stat().st_size} bytes")
    (TARGET / "OFL.txt").write_text(licence(), encoding="utf-8")
    return 0


def card_fonts() -> int:
    """nashra/fonts/card-*.ttf: Naskh's Arabic subset merged with Noto Sans's Latin letters."""
    CARD_TARGET.mkdir(parents=True, exist_ok=True)
    # fontTools dates the fonts it writes from SOURCE_DATE_EPOCH: the files are the same at every run.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1608940800")  # 2020-12-26, fonts-noto-core 20201225-1
    with tempfile.TemporaryDirectory() as tmp:
        for weight, name in CARD_WEIGHTS.items():
            parts = []
            for family, unicodes in (("NotoNaskhArabic", UNICODES), ("NotoSans", LATIN)):
                part = Path(tmp) / f"{family}-{weight}.ttf"
                options = ["--no-hinting", "--desubroutinize", "--layout-features=*", KEEP_NAMES]
                subset.main([str(SOURCE / part.name), f"--unicodes={unicodes}", *options, f"--output-file={part}"])
                parts.append(str(part))
            merged = merge.Merger().merge(parts)
            merged.save(CARD_TARGET / name)
            print(f"{CARD_TARGET / name}: {(CARD_TARGET / name).stat().st_size} bytes")
    heading = "Noto Naskh Arabic and Noto Sans (subset and merged: card-regular.ttf, card-bold.ttf)"
    notices = (NASKH_COPYRIGHT, "Noto Sans: Copyright 2015 Google LLC. All Rights Reserved.")
    (CARD_TARGET / "OFL.txt").write_text(licence(heading, notices), encoding="utf-8")
    return 0


NASKH_COPYRIGHT = "Copyright 2019-2020 Google LLC. All Rights Reserved."


def licence(
    heading: str = "Noto Naskh Arabic (subset: naskh-regular.woff2, naskh-bold.woff2)",
    notices: tuple[str, ...] = (NASKH_COPYRIGHT,),
) -> str:
    """The SIL Open Font License 1.1, as Debian ships it for Noto, with Noto's copyright line."""
    lines = DEBIAN_COPYRIGHT.read_text(encoding="utf-8").splitlines()
    # The stand-alone licence paragraph: its text follows on indented lines.
    start = next(i + 1 for i, line in enumerate(lines[:-1]) if line == "License: OFL-1.1" and lines[i + 1][:1] == " ")
    end = next(i for i in range(start, len(lines)) if lines[i] and not lines[i].startswith(" "))
    body = ["" if line.strip() == "." else line[1:] for line in lines[start:end]]
    head = [
        heading,
        *notices,
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
    sys.exit(main(sys.argv[1:]))
