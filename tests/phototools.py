"""Photographs made with Pillow at test time (no binary photos in tests/fixtures), with the metadata
a camera writes: GPS position, serial number, orientation."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageCms, ImageDraw

ORIENTATION, BODY_SERIAL, GPS_IFD = 0x0112, 0xA431, 0x8825
SERIAL = "CAM-SERIAL-4242"
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" aux:SerialNumber="' + SERIAL.encode() + b'"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def camera_photo(
    path: Path, size: tuple[int, int] = (1600, 1000), orientation: int = 1, fmt: str | None = None
) -> Path:
    """A photo with a gradient and a few shapes (so encoders have something to do), carrying EXIF with a
    GPS position, a camera serial and `orientation` (6: the camera was turned, shown rotated 90°), and
    (JPEG, PNG, WebP) an ICC profile and XMP naming the serial."""
    w, h = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((w // 8, h // 8, w // 3, h // 2), fill=(200, 40, 40))
    draw.ellipse((w // 2, h // 4, w - w // 8, h - h // 8), fill=(30, 90, 200))
    exif = image.getexif()
    exif[ORIENTATION] = orientation
    exif[BODY_SERIAL] = SERIAL
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 2.0, 44.0), 3: "E", 4: (31.0, 14.0, 9.0)})
    extra = (
        {"icc_profile": SRGB, "xmp": XMP} if (fmt or path.suffix[1:].upper()) in ("JPG", "JPEG", "PNG", "WEBP") else {}
    )
    image.save(path, fmt, exif=exif.tobytes(), quality=90, **extra)
    return path


def has_private_metadata(path: Path) -> list[str]:
    """What of a camera's metadata a published image still carries."""
    found = []
    data = path.read_bytes()
    with Image.open(path) as image:
        exif = image.getexif()
        if exif.get_ifd(GPS_IFD) or GPS_IFD in exif:
            found.append("GPS")
        if BODY_SERIAL in exif or SERIAL.encode() in data:
            found.append("serial")
        if ORIENTATION in exif:
            found.append("orientation")
        if "icc_profile" in image.info or "xmp" in image.info or b"http://ns.adobe.com/xap" in data:
            found.append("ICC or XMP")
        if b"Exif\x00\x00" in data or b"EXIF" in data:
            found.append("EXIF")
    return found
