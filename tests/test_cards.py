"""Social cards (nashra/render/cards.py): every article's og:image is a 1200x630 JPEG (over its photo) or
PNG, its Arabic shaped and right to left, its headline wrapped to three lines, its text at 4.5:1 over a
photo, the same bytes from the same input, drawn once and kept in the build cache.

Shaping needs Pillow's RAQM layout, which loads the system's FriBiDi (Debian's libfribidi0): without it these
tests are skipped with that reason, or fail with NASHRA_REQUIRE_BROWSER=1 (as .ci/run sets).
The fixtures' photos are made here with Pillow.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import random
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, build
from htmltools import find_all, parse
from PIL import Image, ImageDraw, ImageFilter, ImageFont, features
from test_browser import need

import nashra.render.cards as cards
from nashra import parallel
from nashra.render import contrast
from nashra.render.cards import BOLD, Card, darken_for_text, draw_card, layout, wrap
from nashra.render.contrast import darkened

HOST = "https://example.github.io/nashra/"
RAQM_REASON = "Pillow's RAQM layout is unavailable: apt install libfribidi0 (Debian's FriBiDi, which Pillow loads)"


@pytest.fixture(autouse=True)
def raqm():
    need(features.check("raqm"), RAQM_REASON)


# ---- WCAG 2.1, written out here rather than taken from the code under test ----


def relative_luminance(rgb: tuple[int, ...]) -> float:
    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def white_contrast(rgb: tuple[int, ...]) -> float:
    return 1.05 / (relative_luminance(rgb) + 0.05)


def worst_contrast_behind_text(image: Image.Image, card: Card, halo: int = 2) -> float:
    """White text's contrast against the lightest pixel in the text's boxes, the text itself left out,
    and the pixels up to `halo` pixels from it (as a max filter would find them)."""
    lines = layout(card)
    mask = Image.new("L", (1200, 630))
    for line in lines:
        ImageDraw.Draw(mask).text((line.start, line.baseline), line.text, **line.options(), fill=255)
    mask = mask.point(lambda v: 255 if v else 0).filter(ImageFilter.MaxFilter(2 * halo + 1))
    rgb = image.convert("RGB")
    lightest = 0.0
    for line in lines:
        box = line.box(ImageDraw.Draw(rgb))
        pixels, covered = rgb.crop(box).get_flattened_data(), mask.crop(box).get_flattened_data()
        colours = {p for p, m in zip(pixels, covered, strict=True) if not m}
        lightest = max([lightest, *(relative_luminance(c) for c in colours)])
    return 1.05 / (lightest + 0.05)


def a_card(headline: str = "نيويورك تايمز: بوتين يزور كوريا الشمالية", photo: Path | None = None) -> Card:
    return Card(
        "cards/a.png", headline, "ar", "rtl", "نشرة", "ar", "rtl", "سياسة",
        "الاثنين 17 يونيو 2024، 7:01 م بتوقيت القاهرة", "المصدر: نيويورك تايمز", photo, "0" * 64 if photo else "",
    )  # fmt: skip


LONG = (
    "أطلقت Apple نظام iOS 18 رسميًا في مؤتمر المطورين السنوي وسط منافسة محتدمة مع Google وSamsung في مجال "
    "الذكاء الاصطناعي، وهو ما قد يغير شكل سوق الهواتف الذكية في السنوات المقبلة بحسب محللين"
)


# ---- shaping ----


def test_a_cards_key_changes_with_everything_it_is_drawn_from_and_not_with_the_photos_path():
    card = a_card(photo=Path("content/images/a.jpg"))
    for field in dataclasses.fields(Card):
        changed = dataclasses.replace(card, **{field.name: Path("elsewhere.jpg") if field.name == "photo" else "x"})
        assert (changed.key == card.key) == (field.name == "photo"), field.name
    assert dataclasses.replace(card).key == card.key


def test_raqm_is_available():
    assert features.check("raqm"), RAQM_REASON


def test_a_shaped_arabic_word_is_narrower_than_its_isolated_letters_and_basic_layout_is_not():
    raqm = ImageFont.truetype(str(BOLD), 60, layout_engine=ImageFont.Layout.RAQM)
    basic = ImageFont.truetype(str(BOLD), 60, layout_engine=ImageFont.Layout.BASIC)
    word = "بوتين"
    isolated = sum(raqm.getlength(letter, direction="rtl", language="ar") for letter in word)
    shaped = raqm.getlength(word, direction="rtl", language="ar")
    # Joined, the letters take their initial and medial forms, much narrower than each alone.
    assert shaped < 0.7 * isolated, (shaped, isolated)
    # BASIC layout draws every letter in its isolated form: about the sum.
    assert abs(basic.getlength(word) - isolated) < 0.05 * isolated
    assert round(cards.measure(word, cards._font(BOLD, 60), "rtl", "ar")) == round(shaped)


def ink(draw_on, height: int = 120) -> Image.Image:
    """What `draw_on` draws in white on black (on a coverage mask, as the card draws), as black and white pixels."""
    image = Image.new("L", (1200, height))
    draw_on(ImageDraw.Draw(image))
    return image.point(lambda v: 255 if v > 127 else 0)


def differing(a: Image.Image, b: Image.Image) -> float:
    """The share of ink pixels in either image that the other lacks."""
    both = [(x, y) for x, y in zip(a.get_flattened_data(), b.get_flattened_data(), strict=True) if x or y]
    return sum(1 for x, y in both if x != y) / len(both)


def test_a_latin_name_inside_a_headline_reads_left_to_right_in_its_place():
    """`أطلقت Apple` right to left: the Arabic word at the right, `Apple` to its left, its letters in order."""
    font = cards._font(BOLD, 60)
    line, arabic, latin = "أطلقت Apple", "أطلقت", "Apple"
    right = 1180
    whole = ink(cards.Line(line, font, "rtl", "ar", right, 90).draw)  # as the card draws a headline's line
    start = round(right - font.getlength(line, direction="rtl", language="ar"))  # where the line's ink starts

    def pieces(d):
        d.text((right, 90), arabic, font=font, direction="rtl", language="ar", anchor="rs", fill="white")
        d.text((start, 90), latin, font=font, direction="ltr", language="en", anchor="ls", fill="white")

    assert differing(whole, ink(pieces)) < 0.06  # the edges of a letter or two, placed a fraction apart
    basic = ImageFont.truetype(str(BOLD), 60, layout_engine=ImageFont.Layout.BASIC)
    unshaped = ink(lambda d: d.text((right, 90), line, font=basic, anchor="rs", fill="white"))
    assert differing(whole, unshaped) > 0.3  # what the test tells apart: reversed, unjoined letters


# ---- wrapping ----


def test_a_long_headline_is_wrapped_by_its_width_to_three_lines_ending_in_an_ellipsis():
    font, width = cards._font(BOLD, cards.HEADLINE_SIZE), 1200 - 2 * cards.MARGIN
    lines = wrap(LONG, font, width, "rtl", "ar", 3)
    assert len(lines) == 3
    assert all(cards.measure(line, font, "rtl", "ar") <= width for line in lines)
    assert lines[2].endswith("…") and not lines[0].endswith("…") and not lines[1].endswith("…")
    shown = " ".join(lines).removesuffix("…")
    assert LONG.startswith(shown) and len(shown) < len(LONG)
    # Each line is as full as it can be: its next word would not have fitted.
    words = LONG.split()
    for line in lines[:2]:
        n = len(line.split())
        assert cards.measure(" ".join([*line.split(), words[n]]), font, "rtl", "ar") > width
        words = words[n:]
    assert wrap("بوتين يزور كوريا الشمالية", font, width, "rtl", "ar", 3) == ["بوتين يزور كوريا الشمالية"]


def test_the_ellipsis_is_at_the_left_end_of_the_third_line():
    card = a_card(LONG)
    third = layout(card)[4]  # the site name, the topic, then the headline's lines
    assert third.text.endswith("…")
    without = dataclasses.replace(third, text=third.text.removesuffix("…"))
    ended, cut = ink(third.draw, height=630), ink(without.draw, height=630)
    right = cut.getbbox()[2]
    assert abs(ended.getbbox()[2] - right) <= 1 and right > 1200 - cards.MARGIN - 5  # both end at the right margin
    # The line drawn without the ellipsis is the same ink (but for a fraction of a pixel's shift: an
    # ellipsis at the right end would move it all by its width); the ellipsis is added at its left.
    assert differing(ended.crop((cut.getbbox()[0], 0, 1200, 630)), cut.crop((cut.getbbox()[0], 0, 1200, 630))) < 0.15
    extra = ended.crop((0, 0, cut.getbbox()[0], 630)).getbbox()
    assert extra is not None and extra[2] - extra[0] > 20


def test_a_latin_name_is_not_broken_across_lines():
    font, width = cards._font(BOLD, cards.HEADLINE_SIZE), 1200 - 2 * cards.MARGIN
    headline = "بي بي سي عربي: ناسا تطلق مسبار Europa Clipper لاستكشاف قمر المشتري أوروبا"  # the sample's
    lines = wrap(headline, font, width, "rtl", "ar", 3)
    assert lines[:2] == ["بي بي سي عربي: ناسا تطلق مسبار", "Europa Clipper لاستكشاف قمر المشتري"]
    narrow = cards.measure("قال iPhone 15 Pro", font, "rtl", "ar") - 5  # word by word, `Pro` would start line 2
    assert wrap("قال iPhone 15 Pro إن", font, narrow, "rtl", "ar", 3) == ["قال", "iPhone 15 Pro إن"]


def test_one_word_wider_than_a_line_is_cut_with_an_ellipsis():
    font = cards._font(BOLD, cards.HEADLINE_SIZE)
    (line,) = wrap("https://example.com/" + "a" * 200, font, 600, "ltr", "en", 3)
    assert line.endswith("…") and cards.measure(line, font, "ltr", "en") <= 600


# ---- contrast over a photo ----


def test_a_white_photo_is_darkened_just_enough_for_white_text():
    white = Image.new("RGB", (1200, 630), "white")
    boxes = [(100, 100, 1100, 500)]
    darkened = darken_for_text(white, boxes)
    (colour,) = {c for _, c in darkened.getcolors(10)}
    assert 4.5 <= white_contrast(colour) < 4.7  # enough, and no darker than needed
    dark = Image.new("RGB", (1200, 630), (20, 30, 40))
    assert darken_for_text(dark, boxes).tobytes() == dark.tobytes()  # already dark enough: left as it is


def test_only_the_pixels_behind_the_text_decide_how_dark_the_photo_gets():
    photo = Image.new("RGB", (1200, 630), (30, 30, 30))
    ImageDraw.Draw(photo).rectangle((0, 0, 50, 50), fill="white")  # a bright corner, under no text
    assert darken_for_text(photo, [(100, 100, 1100, 500)]).tobytes() == photo.tobytes()
    ImageDraw.Draw(photo).rectangle((500, 300, 520, 320), fill="white")  # a bright spot under the text
    darkened = darken_for_text(photo, [(100, 100, 1100, 500)])
    assert 4.5 <= white_contrast(darkened.getpixel((510, 310))) < 4.7


def test_the_level_of_black_found_is_the_least_that_reaches_the_contrast():
    """contrast.darkened starts near its guess and widens: on photos of random patches, at several
    targets, its level reaches the target (checked here, pixel by pixel) and one level less does not."""
    rng = random.Random(7)
    box = (4, 4, 56, 36)
    for _ in range(12):
        photo = Image.new("RGB", (60, 40), tuple(rng.randrange(256) for _ in range(3)))
        for _ in range(8):
            x, y = rng.randrange(60), rng.randrange(40)
            ImageDraw.Draw(photo).rectangle((x, y, x + 6, y + 4), fill=tuple(rng.randrange(256) for _ in range(3)))
        for target in (3.0, 4.5, 7.0, 15.0):
            level = darkened(photo, [box], target)
            reached = worst_contrast_after(photo, box, level) >= target
            assert reached and (level == 0 or worst_contrast_after(photo, box, level - 1) < target), (target, level)
    # The search itself, for every answer and every first guess, above it or below: found, in few tries.
    for answer, guess in itertools.product(range(256), range(0, 256, 3)):
        tried: list[int] = []
        found = contrast._least(functools.partial(reaches_from, answer, tried), guess)
        assert (found, len(tried) <= 17) == (answer, True), (answer, guess, tried)


def reaches_from(answer: int, tried: list[int], level: int) -> bool:
    tried.append(level)
    return level >= answer


def worst_contrast_after(photo: Image.Image, box: tuple[int, int, int, int], level: int) -> float:
    """White text's contrast against the lightest colour in `box` of `photo` blended with black at `level`."""
    return min(white_contrast(c) for _, c in blend_black(photo, level).crop(box).getcolors(photo.width * photo.height))


def blend_black(photo: Image.Image, level: int) -> Image.Image:
    return Image.blend(photo, Image.new("RGB", photo.size), level / 255)


def test_a_card_whose_contrast_check_never_passes_still_ends(tmp_path: Path, monkeypatch):
    """Over a photo the card is darkened more each time its JPEG misses the contrast: once the photo is
    black under the text there is nothing darker, and the card is what it is (rather than a hang)."""
    Image.new("RGB", (1600, 1000), "white").save(photo := tmp_path / "white.png")
    checks = []

    def never(*args):
        checks.append(1)
        assert len(checks) < 200, "the card's contrast loop does not end"
        return 1.0  # white: no contrast at all

    monkeypatch.setattr(cards, "lightest", never)
    assert image_of(draw_card(a_card(photo=photo))).size == (1200, 630)
    assert 1 < len(checks) < 80  # tried again, darker each time, until black


def test_a_card_over_a_bright_photo_keeps_4_5_to_1_behind_every_line(tmp_path: Path):
    white = tmp_path / "white.png"
    Image.new("RGB", (1600, 1000), "white").save(white)
    sky = tmp_path / "sky.jpg"
    bright = Image.new("RGB", (2000, 1000))
    for y in range(1000):
        ImageDraw.Draw(bright).line([(0, y), (2000, y)], fill=(255 - y // 8, 240 - y // 10, 200 + y // 20))
    ImageDraw.Draw(bright).ellipse((900, 300, 1300, 700), fill="white")
    bright.save(sky, quality=90)
    for photo in (white, sky):
        card = a_card(LONG, photo)
        image = Image.open(io.BytesIO(draw_card(card)))
        assert (image.format, image.size) == ("JPEG", (1200, 630))
        assert worst_contrast_behind_text(image, card, halo=cards.RINGING) >= 4.5
        # Even in the halo, 3:1: WCAG 2.1 AA for large text, which all of a card's text is (22 pt and more).
        assert worst_contrast_behind_text(image, card) >= 3
    # The white photo's card: its commonest colour is the darkened photo.
    commonest = Counter(image_of(draw_card(a_card(LONG, white))).get_flattened_data()).most_common(1)[0][0]
    assert 4.5 <= white_contrast(commonest) < 5.0  # the margin the JPEG is darkened by (JPEG_MARGIN), no more


def image_of(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_a_plain_card_has_the_sites_accent_colour_and_enough_contrast():
    image = image_of(draw_card(a_card()))
    assert image.getpixel((5, 5)) == cards.BACKGROUND
    assert white_contrast(cards.BACKGROUND) >= 4.5


def test_the_cards_palette_is_the_stylesheets():
    css = (ROOT / "templates/static/style.css").read_text(encoding="utf-8")
    root = css[css.index(":root") : css.index("}", css.index(":root"))]
    colour = lambda name: tuple(bytes.fromhex(re.search(rf"--{name}: #([0-9a-f]{{6}});", root)[1]))  # noqa: E731
    assert (colour("accent"), colour("accent-soft")) == (cards.BACKGROUND, cards.RULE)


def test_the_bundled_fonts_stay_small():
    sizes = {p.name: p.stat().st_size for p in (ROOT / "nashra/fonts").iterdir()}
    assert set(sizes) == {"card-regular.ttf", "card-bold.ttf", "OFL.txt"}
    assert sum(sizes.values()) < 200_000


# ---- in the built site ----


def og_image(page: Path) -> dict[str, str]:
    return {
        el.get("property"): el.get("content")
        for el in find_all(parse(page), "meta")
        if (el.get("property") or "").startswith("og:image")
    }


def with_photo(site: Path) -> Path:
    """The fixture site, its article visit.md with a bright photo made here as its lead image."""
    photo = Image.new("RGB", (1600, 900), (250, 245, 230))
    ImageDraw.Draw(photo).rectangle((0, 600, 1600, 900), fill=(40, 120, 60))
    photo.save(site / "content/images/street.jpg", quality=85)
    visit = site / "content/articles/2024/06/visit.md"
    visit.write_text(visit.read_text(encoding="utf-8").replace("src: route.svg", "src: street.jpg"), encoding="utf-8")
    return site


def test_every_article_page_points_at_its_card_a_1200x630_plain_png_in_the_output(out: Path):
    pages = sorted(out.glob("articles/*/index.html"))
    assert len(pages) == 6
    for page in pages:
        tags = og_image(page)
        assert tags["og:image"].startswith(HOST + "cards/")
        assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:type"]) == ("1200", "630", "image/png")
        assert tags["og:image:alt"]
        card = out / urlsplit(tags["og:image"]).path.removeprefix("/nashra/")
        with Image.open(card) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
    assert len(list((out / "cards").iterdir())) == len(pages)


def test_a_lead_photo_is_behind_its_articles_card_a_jpeg_and_an_svg_is_not(site: Path):
    assert build(with_photo(site)) == 0
    tags = og_image(site / "output/articles/visit/index.html")
    assert tags["og:image"].endswith("/cards/visit.jpg") and tags["og:image:type"] == "image/jpeg"
    assert Image.open(site / "output/cards/visit.jpg").format == "JPEG"
    assert og_image(site / "output/articles/budget/index.html")["og:image:type"] == "image/png"
    photo_card = Image.open(site / "output/cards/visit.jpg").convert("RGB")
    plain_card = Image.open(site / "output/cards/budget.png").convert("RGB")
    assert plain_card.getpixel((5, 5)) == cards.BACKGROUND
    corner, grass = photo_card.getpixel((5, 5)), photo_card.getpixel((5, 625))
    assert corner != cards.BACKGROUND and corner[0] > corner[1] > corner[2]  # the photo's warm light, darkened
    assert grass[1] > grass[0]  # its green foot
    assert white_contrast(corner) >= 4.5


def card_bytes(output: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((output / "cards").iterdir())}


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The headlines of the cards drawn in this process."""
    made: list[str] = []
    draw = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda card: made.append(card.headline) or draw(card))
    return made


def test_cards_are_drawn_once_kept_in_the_cache_and_the_same_bytes_warm_or_cold(site: Path, drawn: list[str]):
    with_photo(site)
    assert build(site) == 0
    first = card_bytes(site / "output")
    assert len(drawn) == 6
    entries = site / ".nashra-cache/derived/cards"
    assert len(list(entries.iterdir())) == 6

    (site / "content/articles/2024/05/vote.md").write_text(
        (site / "content/articles/2024/05/vote.md").read_text(encoding="utf-8") + "\nفقرة أخرى.\n", encoding="utf-8"
    )  # a change to a body: every page is looked at again, no card's input changed
    drawn.clear()
    assert build(site) == 0
    assert drawn == [] and card_bytes(site / "output") == first

    assert build(site, "--no-cache", "--output", str(site.parent / "cold")) == 0
    assert card_bytes(site.parent / "cold") == first  # the cached cards are the ones a cold build draws
    assert build(site, "--no-cache", "--output", str(site.parent / "again")) == 0
    assert card_bytes(site.parent / "again") == first

    visit = site / "content/articles/2024/06/visit.md"
    visit.write_text(visit.read_text(encoding="utf-8").replace("زيارة مرتقبة", "زيارة قريبة"), encoding="utf-8")
    drawn.clear()
    assert build(site) == 0
    assert drawn == ["نيويورك تايمز: زيارة قريبة تعمّق التعاون"]
    now = card_bytes(site / "output")
    assert [name for name in now if now[name] != first[name]] == ["visit.jpg"]
    assert len(list(entries.iterdir())) == 6  # the old card's entry is gone


def test_cards_drawn_by_forked_workers_are_the_same_and_kept(site: Path, monkeypatch, drawn: list[str]):
    assert build(site, "--no-cache", "--output", str(site.parent / "serial")) == 0
    monkeypatch.setitem(parallel.SPREAD, "cards", parallel.Spread(start_from=1, chunk=2))
    monkeypatch.setitem(parallel.SPREAD, "search", parallel.Spread(start_from=10**9, chunk=1))  # count cards alone
    forked = parallel.forked_chunks
    drawn.clear()
    assert build(site) == 0
    if parallel.workers() > 1:
        assert parallel.forked_chunks - forked == 3 and drawn == []  # 6 cards, 2 a chunk, none drawn here
    assert card_bytes(site / "output") == card_bytes(site.parent / "serial")
    assert len(list((site / ".nashra-cache/derived/cards").iterdir())) == 6  # counted as used: not pruned
    (site / "content/articles/2024/05/vote.md").write_text(
        (site / "content/articles/2024/05/vote.md").read_text(encoding="utf-8") + "\nفقرة.\n", encoding="utf-8"
    )
    assert build(site) == 0 and drawn == []


def test_without_raqm_the_build_says_what_is_missing_and_how_to_install_it(site: Path, monkeypatch, capsys):
    check = features.check
    monkeypatch.setattr(features, "check", lambda name: False if name == "raqm" else check(name))
    assert build(site) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        ".: social cards need Pillow's RAQM text layout to join Arabic letters and set them right to left, and it "
        "is unavailable: it loads the system's FriBiDi library (libfribidi0), which is missing (install it: "
        "apt install libfribidi0 (Debian, Ubuntu), then build again)"
    )
    assert "Traceback" not in err and not (site / "output").exists()


def test_a_photo_that_cannot_be_read_is_named(site: Path, capsys):
    with_photo(site)
    (site / "content/images/street.jpg").write_bytes(b"\xff\xd8\xff not really a JPEG")
    assert build(site) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/images/street.jpg: ")  # refused by the photos stage, before any card is drawn
    assert "cannot be read" in err
    assert "Traceback" not in err


def test_every_workflow_that_builds_makes_sure_fribidi_is_there_first():
    """GitHub's runners build too (pages.yml, check.yml, preview.yml): each installs libfribidi0 before Nashra."""
    import yaml

    checked = 0
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            runs = [step.get("run", "") for step in job.get("steps", [])]
            installs = [i for i, run in enumerate(runs) if "pip install -e" in run]
            if installs:
                checked += 1
                fribidi = [i for i, run in enumerate(runs) if "libfribidi0" in run]
                assert fribidi and fribidi[0] < installs[0], f"{path.name}: no libfribidi0 before Nashra is installed"
    assert checked >= 3
