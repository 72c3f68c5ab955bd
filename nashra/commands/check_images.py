"""check's reading of the images: too large where an article uses them (NSH408), originals larger than
any page needs (NSH151), images no article uses (NSH152). Warnings all: the build publishes them anyway."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..layout import IMAGES_DIR
from ..model import Article, Content
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
