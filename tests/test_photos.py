"""Photos (nashra/photos.py): lead and body images published in widths 480, 800 and 1200 (never
upscaled) as WebP with a fallback in the original's format, through <picture> and srcset with
width and height; every published raster image without EXIF, XMP or ICC data, turned upright;
made once per original (the derived-files cache), the same bytes every time."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import html5lib
import htmltools
import pytest
from conftest import build, make_site
from htmltools import find_all, with_class
from phototools import camera_photo, has_private_metadata
from PIL import Image

from nashra import parallel, photos

BASE = "/nashra/"
HOST = "https://example.github.io/nashra/"
IMAGES = "content/images"
VISIT = "content/articles/2024/06/visit.md"
PAGE = "output/articles/visit/index.html"


def lead(site: Path, name: str) -> None:
    """Make `name` (in content/images/) the lead image of the fixture's visit article."""
    path = site / VISIT
    path.write_text(path.read_text(encoding="utf-8").replace("src: route.svg", f"src: {name}"), encoding="utf-8")


def in_body(site: Path, markdown: str) -> None:
    path = site / VISIT
    path.write_text(path.read_text(encoding="utf-8") + f"\n{markdown}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The fixture site with a turned camera photo as the visit's lead image (1600x1000 stored,
    1000x1600 upright) and a wide PNG and a small WebP in its body."""
    site = make_site(tmp_path_factory.mktemp("photos") / "site")
    camera_photo(site / IMAGES / "kremlin.jpg", (1600, 1000), orientation=6)
    camera_photo(site / IMAGES / "wide.png", (2000, 1000))
    Image.new("RGBA", (600, 300), (10, 120, 60, 128)).save(site / IMAGES / "glass.webp")
    lead(site, "kremlin.jpg")
    in_body(site, "![مشهد عريض](/images/wide.png)\n\n![زجاج](../../../images/glass.webp)")
    assert build(site) == 0
    return site


def test_lead_photo_is_a_picture_with_webp_and_jpeg_sizes(built: Path):
    doc = htmltools.parse(built / PAGE)
    figure = with_class(doc, "figure", "lead-image")[0]
    (picture,) = find_all(figure, "picture")
    (source,) = find_all(picture, "source")
    (img,) = find_all(picture, "img")
    assert source.get("type") == "image/webp"
    sizes = [f"{BASE}photos/kremlin-{w}.webp {w}w" for w in (480, 800)]  # 1000 px wide upright: no 1200
    assert source.get("srcset") == ", ".join(sizes)
    assert img.get("srcset") == ", ".join(s.replace(".webp", ".jpg") for s in sizes)
    assert img.get("src") == f"{BASE}photos/kremlin-800.jpg"
    assert source.get("sizes") == img.get("sizes") == photos.SIZES
    assert (img.get("width"), img.get("height")) == ("1000", "1600")  # upright
    assert img.get("loading") is None and img.get("decoding") == "async"  # the lead image loads at once
    assert img.get("alt") == "خريطة رمزية لمسار الزيارة"
    for w in (480, 800):
        with Image.open(built / f"output/photos/kremlin-{w}.webp") as webp:
            assert (webp.format, webp.size) == ("WEBP", (w, round(1600 * w / 1000)))
        with Image.open(built / f"output/photos/kremlin-{w}.jpg") as jpeg:
            assert (jpeg.format, jpeg.size) == ("JPEG", (w, round(1600 * w / 1000)))
    assert not (built / "output/photos/kremlin-1200.webp").exists()  # never upscaled


def test_body_photos_get_three_widths_lazily_and_webp_originals_a_png_fallback(built: Path):
    body = with_class(htmltools.parse(built / PAGE), "div", "body")[0]
    wide, glass = find_all(body, "picture")
    wide_img, glass_img = find_all(wide, "img")[0], find_all(glass, "img")[0]
    webp = find_all(wide, "source")[0].get("srcset")
    assert webp == ", ".join(f"{BASE}photos/wide-{w}.webp {w}w" for w in (480, 800, 1200))
    assert wide_img.get("srcset") == webp.replace(".webp", ".png")
    assert (wide_img.get("width"), wide_img.get("height"), wide_img.get("alt")) == ("2000", "1000", "مشهد عريض")
    assert (glass_img.get("width"), glass_img.get("height")) == ("600", "300")
    assert glass_img.get("srcset") == f"{BASE}photos/glass-480.png 480w"  # transparent: PNG, not JPEG
    for img in (wide_img, glass_img):
        assert (img.get("loading"), img.get("decoding")) == ("lazy", "async")
    with Image.open(built / "output/photos/glass-480.png") as fallback:
        assert fallback.mode == "RGBA"


def test_every_img_of_the_page_has_width_and_height(built: Path):
    for page in ("output/articles/visit/index.html", "output/articles/budget/index.html"):
        for img in find_all(htmltools.parse(built / page), "img"):
            assert img.get("width") and img.get("height"), (page, img.attrib)


def test_an_original_narrower_than_every_width_is_published_at_its_own(site: Path):
    Image.new("RGB", (300, 200), "white").save(site / IMAGES / "small.jpg")
    lead(site, "small.jpg")
    assert build(site) == 0
    img = find_all(htmltools.parse(site / PAGE), "picture")[0].find(htmltools.NS + "img")
    assert img.get("srcset") == f"{BASE}photos/small-300.jpg 300w"
    assert sorted(p.name for p in (site / "output/photos").iterdir()) == ["small-300.jpg", "small-300.webp"]


def test_published_images_carry_no_gps_serial_or_orientation_and_are_upright(built: Path):
    published = [p for p in (built / "output").rglob("*") if p.suffix in {".jpg", ".jpeg", ".png", ".webp"}]
    cards = list((built / "output/cards").iterdir())  # a social card per article, some drawn over these photos
    assert cards
    assert len(published) == 1 + 2 * 2 + 1 + 3 * 2 + 1 + 1 * 2 + len(cards)  # kremlin, wide, glass: originals, sizes
    for path in published:
        assert has_private_metadata(path) == [], path
    with Image.open(built / "output/images/kremlin.jpg") as original:  # the clean original, upright
        assert original.size == (1000, 1600)
        assert original.getpixel((1000 - 1 - 1000 // 4, 1600 // 5))[0] > 150  # the red rectangle, turned
    assert has_private_metadata(built / IMAGES / "kremlin.jpg") == [
        "GPS",
        "serial",
        "orientation",
        "ICC or XMP",
        "EXIF",
    ]


def test_feeds_and_mail_point_at_the_largest_jpeg_with_its_length(built: Path):
    rss = feedparser.parse((built / "output/feed.xml").read_bytes())
    item = next(e for e in rss.entries if e.link.endswith("/articles/visit/"))
    size = (built / "output/photos/kremlin-800.jpg").stat().st_size
    assert [dict(e) for e in item.enclosures] == [
        {"href": HOST + "photos/kremlin-800.jpg", "type": "image/jpeg", "length": str(size)}
    ]
    content = item.content[0].value
    images = {img.get("src"): (img.get("width"), img.get("height")) for img in find_all(html5lib.parse(content), "img")}
    assert images[HOST + "photos/wide-1200.png"] == ("2000", "1000")
    assert images[HOST + "photos/glass-480.png"] == ("600", "300")
    assert "<picture" not in content and ".webp" not in content  # feed readers get plain JPEG and PNG
    mail = (built / "output/editions/2024-06-17/email.html").read_text(encoding="utf-8")
    assert f'src="{HOST}photos/kremlin-800.jpg"' in mail


def test_the_same_photos_give_the_same_bytes(built: Path, tmp_path: Path):
    again = tmp_path / "again"
    shutil.copytree(built, again, ignore=shutil.ignore_patterns("output", ".nashra-cache"))
    assert build(again) == 0
    for path in (built / "output").rglob("*"):
        if path.is_file() and path.parts[-2] in ("photos", "images"):
            assert (again / "output" / path.relative_to(built / "output")).read_bytes() == path.read_bytes(), path


def test_a_rebuild_encodes_only_the_changed_original(site: Path, monkeypatch):
    Image.new("RGB", (900, 600), "navy").save(site / IMAGES / "a.jpg")
    Image.new("RGB", (900, 600), "olive").save(site / IMAGES / "b.png")
    assert build(site) == 0
    monkeypatch.setattr(photos, "encoded", 0)
    Image.new("RGB", (900, 600), "maroon").save(site / IMAGES / "b.png")
    in_body(site, "![ب](/images/b.png)")  # and the page changes, so the build is not skipped as unchanged
    assert build(site) == 0
    assert photos.encoded == 1 + 2 * 2  # b.png's clean copy, and its 480 and 800 as WebP and PNG
    with Image.open(site / "output/photos/b-480.png") as png:
        assert png.getpixel((0, 0)) == (128, 0, 0)
    entries = list((site / ".nashra-cache/derived/photos").iterdir())
    assert len(entries) == 2  # b.png's old entry is gone


def test_a_changed_photo_size_makes_the_page_again(site: Path):
    Image.new("RGB", (900, 600), "navy").save(site / IMAGES / "a.jpg")
    lead(site, "a.jpg")
    assert build(site) == 0
    Image.new("RGB", (1300, 600), "navy").save(site / IMAGES / "a.jpg")
    assert build(site) == 0
    img = find_all(htmltools.parse(site / PAGE), "picture")[0].find(htmltools.NS + "img")
    assert (img.get("width"), img.get("src")) == ("1300", f"{BASE}photos/a-1200.jpg")


def test_an_unreadable_photo_is_refused_and_output_untouched(site: Path, capsys):
    assert build(site) == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / IMAGES / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(40))
    capsys.readouterr()
    assert build(site) == 1
    err = capsys.readouterr().err
    assert f"{IMAGES}/broken.jpg: the file cannot be read as a JPEG image (" in err
    assert "Traceback" not in err
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before


def test_two_photos_whose_sizes_would_share_names_are_refused(site: Path, capsys):
    Image.new("RGB", (600, 400), "white").save(site / IMAGES / "map.jpg")
    Image.new("RGB", (600, 400), "white").save(site / IMAGES / "map.PNG")
    assert build(site) == 1
    err = capsys.readouterr().err
    assert f"{IMAGES}/map.jpg: the photo has the same name as {IMAGES}/map.PNG, but for its extension" in err


def test_gif_and_avif_originals_are_published_clean_at_their_size(site: Path):
    camera_photo(site / IMAGES / "anim.gif", (40, 30), fmt="GIF")
    camera_photo(site / IMAGES / "photo.avif", (64, 48), orientation=6, fmt="AVIF")
    assert build(site) == 0
    for name, size in (("anim.gif", (40, 30)), ("photo.avif", (48, 64))):
        path = site / "output/images" / name
        assert has_private_metadata(path) == [], name
        with Image.open(path) as image:
            assert image.size == size
    assert not (site / "output/photos").exists()  # no sizes of these


def test_svg_size_comes_from_its_attributes_or_view_box():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" {}/>'
    assert photos.svg_size(svg.format('width="120" height="80px"').encode()) == (120, 80)
    assert photos.svg_size(svg.format('viewBox="0 0 640 360"').encode()) == (640, 360)
    assert photos.svg_size(svg.format('width="50%" viewBox="0,0,10,5"').encode()) == (10, 5)
    assert photos.svg_size(svg.format("").encode()) == (0, 0)


def test_many_photos_are_made_in_worker_processes_and_kept(site: Path, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)  # the pool, whatever this machine has
    for n in range(photos_spread()):
        Image.new("RGB", (500 + n, 300), (40 * n, 90, 120)).save(site / IMAGES / f"p{n}.jpg")
    assert build(site) == 0
    for n in range(photos_spread()):
        with Image.open(site / f"output/photos/p{n}-480.webp") as webp:
            assert webp.size == (480, round(300 * 480 / (500 + n)))
    (site / IMAGES / "p0.jpg").unlink()  # a build that is not skipped: the other entries stay
    monkeypatch.setattr(photos, "encoded", 0)
    assert build(site) == 0
    assert photos.encoded == 0
    assert len(list((site / ".nashra-cache/derived/photos").iterdir())) == photos_spread() - 1


def photos_spread() -> int:
    return parallel.SPREAD["photos"].start_from


def test_a_body_image_keeps_only_safe_attributes_of_the_sanitised_tag(site: Path):
    Image.new("RGB", (900, 600), "white").save(site / IMAGES / "x.png")
    in_body(
        site,
        """<img src="/images/x.png" alt='"><script>alert(1)</script>' title="t &amp; u" onerror="alert(2)" style="x" width="5">""",  # noqa: E501
    )
    assert build(site) == 0
    page = (site / PAGE).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "onerror" not in page and 'style="x"' not in page
    body = with_class(htmltools.parse(site / PAGE), "div", "body")[0]
    img = find_all(find_all(body, "picture")[-1], "img")[0]
    assert (img.get("alt"), img.get("title")) == ('"><script>alert(1)</script>', "t & u")
    assert (img.get("width"), img.get("height")) == ("900", "600")  # the file's, not the author's
