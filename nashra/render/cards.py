"""Social cards: for every published article a 1200x630 image that link previews show (og:image).

    plan_cards(site, root, digests)   the cards' inputs, one Card per entry (pure but for the paths)
    draw_card(card)                   a card's PNG bytes: the same inputs give the same bytes
    make_cards(cards, files)          the cards to publish: each drawn once, kept by the key of its
                                      inputs in the build's derived files (incremental/derived.py)

A card shows the headline (at most three lines, then an ellipsis), the site's name, the main topic,
the Arabic date and the source, in Noto Naskh Arabic from nashra/fonts/ (inside the package, so a
card looks the same on every machine). Arabic must be shaped (joined letters) and laid out right to
left, with Latin names inside it left to right: Pillow does that only with its RAQM layout, which
loads the system's FriBiDi library. Without it the build stops and says so (NSH308), rather than
draw unjoined letters in reverse order.

Behind the text is the lead photo, when the article has one (JPEG, PNG or WebP; an SVG cannot be
drawn), cropped to fill the card and darkened just enough that white text on its lightest pixel
under any text has a contrast of at least 4.5:1 (WCAG 2.1's relative luminance), with a margin for
the JPEG such a card is saved as; otherwise the site's accent colour, in a PNG of few colours.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError, features

from .. import urls
from ..body.typography import direction
from ..incremental.derived import DerivedFiles
from ..layout import IMAGES_DIR
from ..model import Entry, Site
from ..output import Planned
from ..parallel import make_in_forks
from ..problems import ContentError, Problem
from ..urls import card_photo
from ..words import WORDS
from .contrast import Box, contrast, darkened, lightest, luminance

WIDTH, HEIGHT = 1200, 630
VERSION = "4"  # of the drawing below: change it with anything that changes a card's bytes (4: text drawn once)
FONTS = Path(__file__).resolve().parents[1] / "fonts"
REGULAR, BOLD = FONTS / "card-regular.ttf", FONTS / "card-bold.ttf"
JPEG_QUALITY = 75  # a photo card: about 100 KB for a detailed photo (at 85: 135 KB; a 256-colour PNG: 265 KB)
JPEG_MARGIN = 0.25  # the contrast aimed at over MIN_CONTRAST (and added again while the JPEG misses it)
RINGING = 7  # px around each letter where a JPEG's 8x8 blocks ring (a lighter halo): part of the letter's edge
PNG_LEVEL = 6  # a plain card: 18 KB in 4 ms (level 9: 16 KB in 30 ms)

# The site's light palette (templates/static/style.css: --accent, --accent-soft; a test keeps them in step).
BACKGROUND = (0x0B, 0x5C, 0x4A)
RULE = (0xE3, 0xF1, 0xEC)
TEXT = (0xFF, 0xFF, 0xFF)
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for text

MARGIN = 72
RULE_LINE = [(MARGIN, 500), (WIDTH - MARGIN, 500)]  # above the date and the source, 2 px
PALETTE_STEPS = 32  # of the accent colour blended with white, in a plain card's palette (and the rule's colour)
HEADLINE_SIZE, HEADLINE_LINES, HEADLINE_PITCH = 60, 3, 96  # px; the pitch leaves room for Naskh's tall letters
SMALL_SIZE, NAME_SIZE = 30, 38
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Card:
    """What one card shows, and the photo behind it."""

    path: str  # in the output: cards/<slug>.png
    headline: str
    lang: str  # the article's
    dir: str
    site_name: str
    site_lang: str  # of the site name, topic, date and source
    site_dir: str
    topic: str
    date_text: str
    source: str  # المصدر: نيويورك تايمز
    photo: Path | None = None  # the lead photo's file
    photo_digest: str = ""  # SHA-256 of its bytes

    @property
    def key(self) -> str:
        """A digest of everything the card's bytes are made from: its text, the photo's bytes, the
        fonts, this module's drawing (VERSION) and the libraries that shape, draw and compress."""
        inputs = [getattr(self, name) for name in _INPUTS]
        return hashlib.sha256(json.dumps([_made_by(), inputs], ensure_ascii=False).encode()).hexdigest()

    @property
    def file(self) -> str:
        """Its file's name in its derived entry: card.jpg over a photo, else card.png."""
        return "card" + Path(self.path).suffix


ENGINES = ("raqm", "harfbuzz", "fribidi", "freetype2", "zlib", "libjpeg_turbo")
_INPUTS = tuple(f.name for f in fields(Card) if f.name != "photo")  # the photo by its digest, not its path


@functools.cache
def _made_by() -> tuple:
    return (VERSION, JPEG_QUALITY, PNG_LEVEL, _fonts_digest(), PIL.__version__, *map(features.version, ENGINES))


def plan_cards(site: Site, root: Path, digests: Mapping[str, str]) -> tuple[Card, ...]:
    """A card for every published entry; `digests` holds the digest of every file the build reads."""
    config = site.config
    return tuple(_card(entry, config.title, config.language, root, digests) for entry in site.entries)


def _card(entry: Entry, site_name: str, site_lang: str, root: Path, digests: Mapping[str, str]) -> Card:
    photo = entry.image_file if card_photo(entry.image_file) else None
    relpath = f"{IMAGES_DIR}/{photo}" if photo else ""
    return Card(
        path=urls.card(entry.slug, photo),
        headline=entry.title,
        lang=entry.lang,
        dir=entry.dir,
        site_name=site_name,
        site_lang=site_lang,
        site_dir=direction(site_lang),
        topic=entry.topics[0].name,
        date_text=entry.date_text,
        source=f"{WORDS['source']} {entry.source.name}",
        photo=root / relpath if photo else None,
        photo_digest=digests.get(relpath, "") if photo else "",
    )


def make_cards(cards: Sequence[Card], files: DerivedFiles) -> list[Planned]:
    """The cards as planned files: each taken from `files` when a build drew it before, else drawn
    (in forked workers when there are many) and kept there. NSH308 when cards must be drawn and
    Pillow cannot shape Arabic."""
    keys = [card.key for card in cards]
    folders = {key: files.find(key) for key in keys}
    missing = [card for card, key in zip(cards, keys, strict=True) if folders[key] is None]
    if missing:
        require_raqm()
    for card, _size in make_in_forks(missing, functools.partial(_make, files), kind="cards"):
        # A forked worker's make() counted the entry in the worker: find() counts it here (and finds it).
        folders[card.key] = files.find(card.key)
    paths = [os.path.join(folders[key], card.file) for card, key in zip(cards, keys, strict=True)]  # to link
    return [Planned(c.path, k, functools.partial(_read, p), p) for c, k, p in zip(cards, keys, paths, strict=True)]


def _make(files: DerivedFiles, card: Card) -> int:
    data = draw_card(card)
    files.make(card.key, lambda into: (into / card.file).write_bytes(data))
    return len(data)


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


RAQM_MISSING = (
    "social cards need Pillow's RAQM text layout to join Arabic letters and set them right to left, and it is "
    "unavailable: it loads the system's FriBiDi library (libfribidi0), which is missing"
)
RAQM_FIX = "install it: apt install libfribidi0 (Debian, Ubuntu), then build again"


def require_raqm() -> None:
    """ContentError (NSH308) when Pillow cannot shape text: drawing would reverse and unjoin the letters."""
    if not features.check("raqm"):
        raise ContentError([Problem(".", 0, 0, "NSH308", RAQM_MISSING, RAQM_FIX)])


# ---- drawing ----


@functools.cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


@functools.cache
def _fonts_digest() -> str:
    return hashlib.sha256(REGULAR.read_bytes() + BOLD.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text on the card, at its baseline; `start` is where reading starts (the right
    edge for right-to-left text)."""

    text: str
    font: ImageFont.FreeTypeFont
    dir: str
    lang: str
    start: int
    baseline: int

    def draw(self, draw: ImageDraw.ImageDraw) -> None:
        """The line on a coverage mask (mode L): 255 where its letters cover a whole pixel."""
        draw.text((self.start, self.baseline), self.text, **self.options(), fill=255)

    def box(self, draw: ImageDraw.ImageDraw) -> tuple[int, int, int, int]:
        return draw.textbbox((self.start, self.baseline), self.text, **self.options())

    def options(self) -> dict:
        anchor = "rs" if self.dir == "rtl" else "ls"
        return {"font": self.font, "direction": self.dir, "language": self.lang, "anchor": anchor}


def measure(text: str, font: ImageFont.FreeTypeFont, dir: str, lang: str) -> float:
    """The width of `text` as drawn: shaped, with the same layout engine."""
    return font.getlength(text, direction=dir, language=lang)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float, dir: str, lang: str, lines: int) -> list[str]:
    """`text` in at most `lines` lines no wider than `width`, broken between words, never inside a
    Latin name that fits on a line (`Europa Clipper`, `iOS 18`); when it needs more, the last line
    ends with an ellipsis after the last word that fits with it."""
    fits = lambda line: measure(line, font, dir, lang) <= width  # noqa: E731
    made: list[str] = []
    units = _units(text) if dir == "rtl" else text.split()
    words = [word for unit in units for word in ([unit] if fits(unit) else unit.split())]
    while words and len(made) < lines:
        count = 1
        while count < len(words) and fits(" ".join(words[: count + 1])):
            count += 1
        made.append(" ".join(words[:count]))
        words = words[count:]
    if words or (made and not fits(made[-1])):  # more than fits, or one word wider than a line
        made[-1] = _shortened(made[-1], fits)
    return made


_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def _units(text: str) -> list[str]:
    """The words of `text`, with the words of one Latin name kept together: a run of words with Latin
    letters and no Arabic ones, and a number right after one."""
    units: list[str] = []
    latin = False  # whether the last unit is a Latin name
    for word in text.split():
        is_latin = bool(_LATIN.search(word)) and not _ARABIC.search(word)
        if latin and (is_latin or word.isdigit()):
            units[-1] += " " + word
        else:
            units.append(word)
            latin = is_latin
    return units


def _shortened(line: str, fits) -> str:
    """The longest start of `line`, in whole words where one fits, that fits with an ellipsis after it."""
    words = line.split()
    while len(words) > 1 and not fits(_ended(" ".join(words))):
        words.pop()
    kept = " ".join(words)
    while len(kept) > 1 and not fits(_ended(kept)):
        kept = kept[:-1]
    return _ended(kept)


def _ended(text: str) -> str:
    return text.rstrip(" ،,:;؛.-–—") + ELLIPSIS


def layout(card: Card) -> list[Line]:
    """Every line of the card: the site's name and the topic at the top, the headline in the middle,
    the date and the source at the bottom."""
    rtl_site = card.site_dir == "rtl"
    right, left = WIDTH - MARGIN, MARGIN
    first, last = (right, left) if rtl_site else (left, right)
    name, small, headline = _font(BOLD, NAME_SIZE), _font(REGULAR, SMALL_SIZE), _font(BOLD, HEADLINE_SIZE)
    site = lambda text, font, start, baseline: Line(text, font, card.site_dir, card.site_lang, start, baseline)  # noqa: E731
    lines = [site(card.site_name, name, first, 112), _flush(site(card.topic, small, last, 110))]
    wrapped = wrap(card.headline, headline, WIDTH - 2 * MARGIN, card.dir, card.lang, HEADLINE_LINES)
    top = 170 + (HEADLINE_LINES - len(wrapped)) * HEADLINE_PITCH // 2  # the block centred between the rows
    start = right if card.dir == "rtl" else left
    for i, text in enumerate(wrapped):
        lines.append(Line(text, headline, card.dir, card.lang, start, top + 64 + i * HEADLINE_PITCH))
    lines += [site(card.date_text, small, first, 566), _flush(site(card.source, small, last, 566))]
    return lines


def _flush(line: Line) -> Line:
    """The line moved to end at its start: for the texts on the other side of the card (the topic,
    the source), whose start is where they end."""
    width = round(measure(line.text, line.font, line.dir, line.lang))
    moved = line.start + width if line.dir == "rtl" else line.start - width
    return Line(line.text, line.font, line.dir, line.lang, moved, line.baseline)


def draw_card(card: Card) -> bytes:
    """The card's image: a JPEG over its photo, else a PNG. Raises ContentError when its photo cannot
    be read."""
    lines = layout(card)
    ink = coverage(lines)
    if card.photo is None:
        return _saved(_plain(ink), "PNG", compress_level=PNG_LEVEL)
    boxes = [line.box(ImageDraw.Draw(Image.new("L", (1, 1)))) for line in lines]
    photo, halo, behind, target = _photo(card.photo), text_mask(ink, boxes, RINGING), luminance(TEXT), MIN_CONTRAST
    while True:  # checked on the JPEG's own pixels: where its rounding lightens the photo, darken a little more
        target += JPEG_MARGIN
        level = darkened(photo, boxes, target, TEXT)
        data = _saved(_with_text(_blended(photo, level), ink, boxes), "JPEG", quality=JPEG_QUALITY)
        if level == 255 or contrast(behind, lightest(image_of(data), boxes, halo)) >= MIN_CONTRAST:
            return data  # (at 255 the photo is black under the text: there is nothing darker to try)


def coverage(lines: Sequence[Line]) -> Image.Image:
    """How much of each pixel the lines' letters cover (0 to 255): the text drawn once, then laid on the
    card in its colour, and the mask of where the text is."""
    mask = Image.new("L", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(mask)
    for line in lines:
        line.draw(draw)
    return mask


def _plain(ink: Image.Image) -> Image.Image:
    """A card without a photo, in a palette: the accent colour blended with white in PALETTE_STEPS steps,
    by how much of each pixel the text covers, and the rule's colour. Drawn in it directly, so nothing is
    quantised: its PNG is about 20 KB (in 255 steps 27 KB, to the eye the same). No randomness: the same
    card gives the same bytes."""
    steps = PALETTE_STEPS - 1
    card = ink.point([round(value * steps / 255) for value in range(256)]).convert("P")
    ImageDraw.Draw(card).line(RULE_LINE, fill=PALETTE_STEPS, width=2)
    blend = lambda step: [round(b + (t - b) * step / steps) for b, t in zip(BACKGROUND, TEXT, strict=True)]  # noqa: E731
    card.putpalette([c for step in range(PALETTE_STEPS) for c in blend(step)] + list(RULE))
    return card


def _with_text(photo: Image.Image, ink: Image.Image, boxes: Sequence[Box]) -> Image.Image:
    """The darkened photo (a fresh image: drawn on) with the text (inside `boxes`, the lines' boxes), and
    the rule above the date, in white on it: for a JPEG (a detailed photo's is 100-150 KB; a dithered PNG
    of 256 colours was 265 KB, and slower)."""
    ImageDraw.Draw(photo).line(RULE_LINE, fill=TEXT, width=2)
    for box in boxes:
        photo.paste(TEXT, box, mask=ink.crop(box))
    return photo


def _saved(image: Image.Image, form: str, **options) -> bytes:
    out = io.BytesIO()
    image.info.clear()  # a photo's ICC profile, XMP or EXIF would otherwise be carried into the card
    image.save(out, form, **options)  # no time, no metadata: the bytes depend on the pixels only
    return out.getvalue()


def text_mask(ink: Image.Image, boxes: Sequence[Box], reach: int = 2) -> Image.Image:
    """Where the text is (`ink`: its coverage), its soft edges included, and every pixel within `reach`
    pixels of it (across or down): white on black, inside `boxes` (the rest is black)."""
    mask = Image.new("L", ink.size)
    for box in boxes:
        left, top, right, bottom = box
        around = ink.crop((left - reach, top - reach, right + reach, bottom + reach))
        # A box blur spreads every lit pixel over the square around it, as a max filter of that size would, but
        # in a time that does not grow with the square (MaxFilter(13) takes 30 times as long).
        spread = around.point(_LIT).filter(ImageFilter.BoxBlur(reach)).point(_LIT)
        mask.paste(spread.crop((reach, reach, reach + right - left, reach + bottom - top)), box)
    return mask


_LIT = [0] + [255] * 255


def _photo(path: Path) -> Image.Image:
    """The photo, turned upright and cropped to fill the card."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (WIDTH, WIDTH))  # a large JPEG decoded at a smaller scale, still at least this
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            upright = image if image.mode == "RGB" else image.convert("RGB")
            return ImageOps.fit(upright, (WIDTH, HEIGHT), Image.Resampling.BILINEAR)  # bicubic: 1.5 times as long
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        relpath = f"{IMAGES_DIR}/{path.name}"
        raise ContentError([Problem(relpath, 0, 0, "NSH309", f"cannot read this photo for a social card: {exc}",
                                    "save it again as JPEG, PNG or WebP")]) from None  # fmt: skip


# ---- contrast ----


def darken_for_text(photo: Image.Image, boxes: Sequence[Box], target: float = MIN_CONTRAST) -> Image.Image:
    """`photo` blended with black, as little as makes white text in `boxes` reach `target` contrast
    against the lightest pixel there (contrast.darkened: only the pixels under the boxes count)."""
    return _blended(photo, darkened(photo, boxes, target, TEXT))


def _blended(photo: Image.Image, level: int) -> Image.Image:
    return Image.blend(photo, Image.new("RGB", photo.size), level / 255)


def image_of(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")
