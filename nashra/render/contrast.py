"""WCAG 2.1's contrast of colours and of images: relative luminance, contrast ratios, the lightest pixel
of parts of an image (the social cards' text over a photo: cards.py)."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageMath

_LINEAR = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in range(256)]


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    r, g, b = (_LINEAR[c] for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: float, b: float) -> float:
    """The contrast ratio of two relative luminances, (L1 + 0.05) / (L2 + 0.05), the lighter above."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


Box = tuple[int, int, int, int]


def lightest(image: Image.Image, boxes: Sequence[Box], text: Image.Image | None = None) -> float:
    """The relative luminance of the lightest pixel of the RGB `image` inside any of `boxes`,
    leaving out the pixels where `text` (a mask, text_mask) is white."""
    found = 0.0
    for box in boxes:
        r, g, b = (channel.point(_LINEAR, "F") for channel in image.crop(box).split())
        each = ImageMath.lambda_eval(lambda c: c["r"] * 0.2126 + c["g"] * 0.7152 + c["b"] * 0.0722, r=r, g=g, b=b)
        if text is not None:  # 0 where the text is
            each = ImageMath.lambda_eval(lambda c: c["l"] * (1 - c["m"] / 255), l=each, m=text.crop(box))
        found = max(found, each.getextrema()[1])
    return found
