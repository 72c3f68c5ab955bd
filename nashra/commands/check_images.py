"""check's reading of the images: what the build's photo stage refuses (NSH125, NSH127: errors), too
large where an article uses them (NSH408), originals larger than any page needs (NSH151), images no
article uses (NSH152): warnings, as the build publishes them anyway."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..layout import IMAGES_DIR
from ..model import Article, Content
from ..photos import CLEANED, RESIZED, extension, failure, same_stems, unreadable
from ..problems import Problem
from ..read.links import local_image
from ..read.scan import find_links

IMAGE_MAX = 500 * 1024  # bytes
ORIGINAL_MAX_BYTES = 5 * 1024 * 1024  # an original larger than this is more than any page needs (NSH151)
ORIGINAL_MAX_SIDE = 4000  # pixels, either side


def large_images(article: Article, image_sizes: Mapping[str, int]) -> list[Problem]:
    """NSH408: image files over IMAGE_MAX, where the article uses them."""
    used = []
    if article.image:
        used.append((article.line_of("image"), 1, article.image.src))
    used += [
        (link.line, link.col, name)
        for link in find_links(article.body, article.body_line)
        if link.image and (name := local_image(link.url, article.path))
    ]
    return [
        Problem(
            article.path,
            line,
            col,
            "NSH408",
            f"the image '{name}' is {image_sizes[name] // 1024} KB",
            f"make it smaller than {IMAGE_MAX // 1024} KB: about 1600 pixels wide, JPEG or WebP",
            "warning",
        )
        for line, col, name in used
        if image_sizes.get(name, 0) > IMAGE_MAX
    ]


def unused_images(content: Content) -> list[Problem]:
    """NSH152: files of content/images/ that no article (nor draft) shows or links to."""
    used = {a.image.src for a in content.articles if a.image}
    for article in content.articles:
        used |= {
            name
            for link in find_links(article.body, article.body_line)
            if (name := local_image(link.url, article.path))
        }
    return [
        Problem(
            f"{IMAGES_DIR}/{name}",
            0,
            0,
            "NSH152",
            "no article uses the image",
            "use it in an article (image: or ![...](/images/...)), or delete it: it is published all the same",
            "warning",
        )
        for name in content.images
        if name not in used
    ]


def large_originals(root: Path, names: Iterable[str], sizes: Mapping[str, int]) -> list[Problem]:
    """NSH151: originals over ORIGINAL_MAX_BYTES or ORIGINAL_MAX_SIDE pixels (read from their headers)."""
    found = []
    for name in names:
        too_big = []
        if sizes[name] > ORIGINAL_MAX_BYTES:
            too_big.append(f"{sizes[name] / 1024 / 1024:.1f} MB")
        pixels = None if name.lower().endswith(".svg") else pixel_size(root / IMAGES_DIR / name)
        if pixels and max(pixels) > ORIGINAL_MAX_SIDE:
            too_big.append(f"{pixels[0]}x{pixels[1]} pixels")
        if too_big:
            found.append(
                Problem(
                    f"{IMAGES_DIR}/{name}",
                    0,
                    0,
                    "NSH151",
                    f"the original is {' and '.join(too_big)}",
                    f"keep originals under {ORIGINAL_MAX_BYTES // 1024 // 1024} MB and {ORIGINAL_MAX_SIDE} pixels: "
                    "about 2400 pixels wide is plenty, as the site publishes 1200 at most",
                    "warning",
                )
            )
    return found


def pixel_size(path: Path) -> tuple[int, int] | None:
    """An image's width and height from its header, if Pillow can read it (the build says when it cannot)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.size
    except Image.DecompressionBombError:
        return (Image.MAX_IMAGE_PIXELS, 1)  # more pixels than Pillow will decode
    except Exception:
        return None


def image_sizes(root: Path, names: Iterable[str]) -> dict[str, int]:
    """Sizes of files under content/images/ (names as listed by the build: inside the project)."""
    return {name: (root / IMAGES_DIR / name).stat().st_size for name in names}


def refused_photos(root: Path, names: Iterable[str]) -> list[Problem]:
    """What the build's photo stage refuses (photos.make_photos), found without making anything: NSH127
    for photos whose sizes would have the same names, NSH125 for an original Pillow cannot decode as
    the image its extension names (its first bytes may say so and the rest be cut short or damaged)."""
    raster = [name for name in names if extension(name) != "svg"]
    problems = same_stems(name for name in raster if extension(name) in RESIZED)
    for name in raster:
        if reason := decode_failure(root / IMAGES_DIR / name, CLEANED[extension(name)]):
            problems.append(unreadable(name, reason))
    return problems


def decode_failure(path: Path, kind: str) -> str | None:
    """Why the image at `path` cannot be decoded as a `kind` image (Pillow's format name), if it cannot:
    every frame of a GIF, as the build keeps them all; a JPEG at an eighth of its size, which still reads
    every byte (a 1600-pixel photo in 9 ms instead of 11)."""
    from PIL import Image, ImageSequence

    try:
        with Image.open(path) as image:
            if image.format != kind:
                return f"it is {image.format or 'not an image'}"
            if kind == "GIF":
                for frame in ImageSequence.Iterator(image):
                    frame.load()
            else:
                image.draft(image.mode, (1, 1))
                image.load()
    except Exception as exc:  # Pillow's decoders raise many kinds on damaged data, as in the build
        return failure(exc)
    return None
