"""WCAG 2.1's contrast of colours and of images: relative luminance, contrast ratios, the lightest pixel
of parts of an image, and how much black to blend into an image for white text on it (the social cards'
text over a photo: cards.py)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

from PIL import Image, ImageMath

_LINEAR = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in range(256)]
_WEIGHTS = (0.2126, 0.7152, 0.0722)  # of red, green and blue in the relative luminance
WHITE = (255, 255, 255)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""
    return sum(weight * _LINEAR[c] for weight, c in zip(_WEIGHTS, rgb, strict=True))


def contrast(a: float, b: float) -> float:
    """The contrast ratio of two relative luminances, (L1 + 0.05) / (L2 + 0.05), the lighter above."""
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


Box = tuple[int, int, int, int]


def lightest(image: Image.Image, boxes: Sequence[Box], text: Image.Image | None = None) -> float:
    """The relative luminance of the lightest pixel of the RGB `image` inside any of `boxes`,
    leaving out the pixels where `text` (a mask) is white."""
    part = strip(image, boxes)
    if text is not None:
        part.paste((0, 0, 0), mask=strip(text, boxes))  # black: the darkest, so never the lightest found
    return _brightest(part, _UNCHANGED)


def darkened(image: Image.Image, boxes: Sequence[Box], target: float, text: tuple[int, int, int] = WHITE) -> int:
    """The least level of black (0 to 255) that Image.blend(image, black, level / 255) needs for
    `text` in `boxes` to reach `target` contrast against the lightest pixel there.

    Each level is tried on the boxes' pixels, through a table of what blending does to each channel's
    value (taken from Image.blend itself, so the same rounding), then of that value's share of the
    luminance: no image is blended until the level is known. The search starts where a pure power law
    of 2.4 puts the answer (sRGB is close to one) and widens from there, so it tries two or three levels
    where a binary search over all 256 tries eight."""
    part, behind = strip(image, boxes), luminance(text)
    reaches = lambda level: contrast(behind, _brightest(part, _blend_table(level))) >= target  # noqa: E731
    wanted, lightest_now = (behind + 0.05) / target - 0.05, _brightest(part, _UNCHANGED)
    if lightest_now <= wanted:
        return 0
    guess = min(255, max(0, math.ceil(255 * (1 - (max(wanted, 0) / lightest_now) ** (1 / 2.4)))))
    return _least(reaches, guess)


def _least(reaches, guess: int) -> int:
    """The least level in 0..255 that reaches (true from some level on, and at 255), tried first at
    `guess`, then at steps doubling away from it, then halving between the last two tried."""
    low, high = 0, 255  # the answer is in low..high
    step, level = 1, guess
    if reaches(level):
        high = level
        while level > low:
            level = max(low, high - step)
            if not reaches(level):
                low = level + 1
                break
            high, step = level, step * 2
    else:
        low = level + 1
        while level < high:
            level = min(high, low + step - 1)
            if reaches(level):
                high = level
                break
            low, step = level + 1, step * 2
    while low < high:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    return low


def strip(image: Image.Image, boxes: Sequence[Box]) -> Image.Image:
    """The parts of `image` in `boxes`, side by side in one image, black (0) where they leave room."""
    parts = [image.crop(box) for box in boxes]
    joined = Image.new(image.mode, (sum(part.width for part in parts) or 1, max((p.height for p in parts), default=1)))
    left = 0
    for part in parts:
        joined.paste(part, (left, 0))
        left += part.width
    return joined


def _brightest(image: Image.Image, values: Sequence[int]) -> float:
    """The relative luminance of the lightest pixel of the RGB `image`, each channel's value c read
    as values[c]."""
    r, g, b = (
        channel.point([weight * _LINEAR[v] for v in values], "F")
        for channel, weight in zip(image.split(), _WEIGHTS, strict=True)
    )
    return ImageMath.lambda_eval(lambda c: c["r"] + c["g"] + c["b"], r=r, g=g, b=b).getextrema()[1]


_UNCHANGED = range(256)


@functools.cache
def _blend_table(level: int) -> tuple[int, ...]:
    """What Image.blend(image, black, level / 255) makes of each of the 256 values of a channel."""
    ramp = Image.frombytes("L", (256, 1), bytes(range(256)))
    return tuple(Image.blend(ramp, Image.new("L", ramp.size), level / 255).tobytes())
