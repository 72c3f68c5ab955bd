"""Photos: the images of content/images/ as they are published, and the markup that shows them.

Every raster original is published clean: turned upright (its EXIF orientation applied), converted
to sRGB, and saved again without EXIF, XMP, ICC profile or comments, so a reporter's GPS position
and camera serial never reach the site. JPEG, PNG and WebP originals are also published in the
widths of WIDTHS that are not wider than they are (never upscaled), each as WebP and as a fallback
in the original's format (a WebP original's fallback is JPEG, or PNG when it has transparency):

    images/<name>                     the clean original (same name, same format, same size)
    photos/<stem>-<width>.webp        photos/<stem>-<width>.<jpg|jpeg|png>

Making them is the build's costliest step per file: each original's files are one derived entry
(incremental/derived.py) keyed by the original's digest, RECIPE and Pillow's version, so a rebuild
makes only those of new or changed originals, spread over the cores when there are many
(parallel.run_chunks).
Encoder options are all given, so the same original gives the same bytes.

`picture_html` writes the markup for a lead or body image: `<picture>` with a WebP `<source>` and a
fallback `<img>` with `srcset`, `sizes`, `width` and `height` (no layout shift), `decoding="async"`
and `loading="lazy"` except for the lead image.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from . import urls
from .incremental.derived import DerivedFiles
from .incremental.digests import digest, digest_bytes
from .incremental.toolchain import library_version
from .layout import IMAGES_DIR
from .parallel import run_chunks
from .problems import Problem

WIDTHS = (480, 800, 1200)
# The article column is 34em of 16px at most (style.css --measure); below that the image fills the screen.
SIZES = "(min-width: 36em) 34em, 100vw"
RESIZED = {"jpg": "jpg", "jpeg": "jpeg", "png": "png", "webp": "webp"}  # originals that get sizes, by extension
CLEANED = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "avif": "AVIF"}
QUALITY = {"JPEG": 82, "WEBP": 80, "AVIF": 70}  # the sizes; clean originals keep more (ORIGINAL_QUALITY)
ORIGINAL_QUALITY = {"JPEG": 90, "WEBP": 90, "AVIF": 80}
RECIPE = "photos-1"  # change it when what an entry holds or how it is made changes: every entry is made again
INFO = "info.json"
MIME = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

encoded = 0  # files encoded by this process (the tests read it: a rebuild encodes only what changed)


@dataclass(frozen=True, slots=True)
class Photo:
    """An image of content/images/ as published: its size upright, and the sizes made of it."""

    name: str  # relative to content/images/
    width: int  # pixels, upright; 0 when unknown (an SVG without a size)
    height: int
    widths: tuple[int, ...] = ()  # the sizes published (none for SVG, GIF and AVIF)
    fallback: str = ""  # the sizes' fallback format, by extension: jpg, jpeg or png
    fallback_bytes: int = 0  # the largest fallback's length (feeds' enclosures)

    def size_path(self, width: int, ext: str) -> str:
        """The site path of one size: photos/<stem>-<width>.<ext>."""
        return f"photos/{posixpath.splitext(self.name)[0]}-{width}.{ext}"

    @property
    def mail_path(self) -> str:
        """What feeds and e-mail point at, which need JPEG or PNG: the largest fallback, else the original."""
        return self.size_path(self.widths[-1], self.fallback) if self.widths else urls.image(self.name)

    @property
    def key(self) -> str:
        """What pages print of it (not its bytes): pages are made again when it changes."""
        return f"{self.name}:{self.width}x{self.height}:{','.join(map(str, self.widths))}:{self.fallback}"


def widths_for(width: int) -> tuple[int, ...]:
    """The sizes of WIDTHS an original `width` pixels wide gets: none wider than itself; its own
    width alone when it is narrower than all of them."""
    return tuple(w for w in WIDTHS if w <= width) or (width,)


def entry_key(file_digest: str, ext: str) -> str:
    """An original's entry: what it holds depends on its bytes, on its extension (the files' names) and on
    the Pillow that encodes it (its wheel carries the codecs)."""
    return digest(RECIPE, library_version("pillow"), ext, file_digest)


# ---- making the files ----


@dataclass(frozen=True, slots=True)
class Made:
    """What processing one original gave: the entry's key, and why it failed, if it did."""

    key: str
    problem: str | None = None


def make_photos(root: Path, names: list[str], digests: Mapping[str, str], files: DerivedFiles) -> PhotoSet:
    """Every image's Photo and the output files behind it (site path -> file), making the derived
    entries this build lacks; a problem (NSH125) for each original that cannot be read as an image."""
    photos: dict[str, Photo] = {}
    copies: dict[str, Path] = {}
    problems: list[Problem] = []
    keys: dict[str, str] = {}  # raster originals' names -> their entries' keys
    for name in names:
        path = root / IMAGES_DIR / name
        if extension(name) == "svg":
            photos[name] = Photo(name, *svg_size(path.read_bytes()))
            copies[urls.image(name)] = path
        else:
            file_digest = digests.get(f"{IMAGES_DIR}/{name}") or digest_bytes(path.read_bytes())
            keys[name] = entry_key(file_digest, extension(name))
    problems += same_stems(name for name in keys if extension(name) in RESIZED)
    if problems:
        return PhotoSet(photos, copies, problems)
    todo = [(key, str(root / IMAGES_DIR / name), name) for name, key in keys.items() if files.get(key) is None]
    failed = {m.key: m.problem for m in run_chunks(make_entries, todo, files, kind="photos") if m.problem}
    for name, key in keys.items():
        if key in failed:
            problems.append(unreadable(name, failed[key]))
            continue
        files.use(key)  # made or found here, or made by a worker
        photos[name], found = published(name, files.folder / key)
        copies |= found
    return PhotoSet(photos, copies, problems)


def unreadable(name: str, reason: str) -> Problem:
    """NSH125 for an original Pillow cannot read as the image its extension names (`reason`: its words)."""
    kind = CLEANED[extension(name)].replace("WEBP", "WebP")
    message = f"the file cannot be read as a {kind} image ({reason})"
    hint = f"open it in an image editor and save it again as {kind}"
    return Problem(f"{IMAGES_DIR}/{name}", 0, 0, "NSH125", message, hint)


def failure(exc: Exception) -> str:
    """What Pillow said of a file it could not read, in one line (its decoders raise many kinds)."""
    return str(exc).split("\n")[0][:120] or type(exc).__name__


def same_stems(names) -> list[Problem]:
    """NSH127 for photos whose sizes would have the same names (a.jpg and a.png: photos/a-480.webp)."""
    first: dict[str, str] = {}
    problems = []
    for name in sorted(names):
        stem = posixpath.splitext(name)[0].lower()
        if stem in first:
            problems.append(
                Problem(
                    f"{IMAGES_DIR}/{name}",
                    0,
                    0,
                    "NSH127",
                    f"the photo has the same name as {IMAGES_DIR}/{first[stem]}, but for its extension",
                    "rename one of them: their sizes (photos/<name>-<width>.webp) would be the same files",
                )
            )
        else:
            first[stem] = name
    return problems


def published(name: str, entry: Path) -> tuple[Photo, dict[str, Path]]:
    """An original's Photo and its files (output path -> file in its entry)."""
    info = json.loads((entry / INFO).read_text(encoding="utf-8"))
    widths, fallback = tuple(info["widths"]), info["fallback"]
    photo = Photo(name, info["width"], info["height"], widths, fallback)
    copies = {urls.image(name): entry / f"original.{extension(name)}"}
    for w in widths:
        copies[photo.size_path(w, "webp")] = entry / f"{w}.webp"
        copies[photo.size_path(w, fallback)] = entry / f"{w}.{fallback}"
    if widths:
        largest = (entry / f"{widths[-1]}.{fallback}").stat().st_size
        photo = Photo(name, photo.width, photo.height, widths, fallback, largest)
    return photo, copies


def extension(name: str) -> str:
    return posixpath.splitext(name)[1][1:].lower()


@dataclass(frozen=True, slots=True)
class PhotoSet:
    photos: dict[str, Photo]  # by name under content/images/
    copies: dict[str, Path]  # output path -> the file to publish there
    problems: list[Problem]

    @property
    def key(self) -> str:
        """What pages print of every image: its size and sizes."""
        return digest(*(photo.key for _, photo in sorted(self.photos.items())))

    def feed_sizes(self) -> dict[str, int]:
        """The length of the file feeds point at for each image (Photo.mail_path), by name."""
        copies = self.copies
        return {name: p.fallback_bytes or copies[urls.image(name)].stat().st_size for name, p in self.photos.items()}


def make_entries(files: DerivedFiles, jobs: list[tuple[str, str, str]]) -> list[Made]:
    """Make the entry of each (key, file, name) original (in a worker when there are many)."""
    results = []
    for key, path, name in jobs:
        try:
            files.make(key, lambda into, path=path, name=name: write_entry(Path(path), name, into))
        except Exception as exc:  # Pillow's decoders raise many kinds on damaged data
            results.append(Made(key, failure(exc)))
            continue
        results.append(Made(key))
    return results


def write_entry(path: Path, name: str, into: Path) -> None:
    """Write an original's clean copy, its sizes and its info (INFO) into the folder `into`."""
    from PIL import Image, ImageOps, ImageSequence  # only builds with raster images load Pillow

    ext = extension(name)
    kind = CLEANED[ext]
    with Image.open(path) as opened:
        if opened.format != kind:
            raise ValueError(f"it is {opened.format or 'not an image'}")
        if kind == "GIF":  # palette frames kept as they are, with only what animates them
            frames = [gif_frame(frame) for frame in ImageSequence.Iterator(opened)]
            image = frames[0]
            extra = {"save_all": True, "append_images": frames[1:]} if len(frames) > 1 else {}
        else:
            opened.load()
            image, extra = upright(ImageOps.exif_transpose(opened)), {}
    save(for_format(image, kind), into / f"original.{ext}", kind, ORIGINAL_QUALITY.get(kind), **extra)
    info = {"width": image.width, "height": image.height, "widths": [], "fallback": ""}
    if ext in RESIZED:
        fallback = ext if ext != "webp" else ("png" if has_alpha(image) else "jpg")
        fallback_kind = CLEANED[fallback]
        for w in widths_for(image.width):
            h = max(1, round(image.height * w / image.width))
            small = image if w == image.width else image.resize((w, h), Image.Resampling.LANCZOS)
            save(for_format(small, "WEBP"), into / f"{w}.webp", "WEBP", QUALITY["WEBP"])
            save(for_format(small, fallback_kind), into / f"{w}.{fallback}", fallback_kind, QUALITY.get(fallback_kind))
        info.update(widths=list(widths_for(image.width)), fallback=fallback)
    (into / INFO).write_text(json.dumps(info, sort_keys=True), encoding="utf-8")


GIF_KEPT = ("transparency", "duration", "loop", "background", "disposal")


def gif_frame(frame):
    """A GIF frame with what draws and times it, and nothing else (no comment, no XMP)."""
    kept = {k: v for k, v in frame.info.items() if k in GIF_KEPT}
    frame = frame.copy()
    frame.info = kept
    return frame


def upright(image):
    """Pixels only, in sRGB: an ICC profile applied then dropped, every other piece of metadata dropped."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "L", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGB" if image.mode == "CMYK" else image.mode
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile that cannot be read: the pixels as they are
    if image.mode == "P" or image.mode == "PA" or (image.mode in ("RGB", "L") and "transparency" in image.info):
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    image = image.copy()
    image.info = {}
    return image


def has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def for_format(image, kind: str):
    """JPEG holds no transparency (gray and colour only); WebP and AVIF (as Pillow writes them) only colour."""
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    if kind in ("WEBP", "AVIF") and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if has_alpha(image) else "RGB")
    return image


def save(image, path: Path, kind: str, quality: int | None, **extra) -> None:
    """Save with every option given (the same pixels give the same bytes) and no metadata: the image's
    own (info) is empty (upright, gif_frame), and no EXIF is given."""
    global encoded
    options: dict = {} if kind == "GIF" else {"exif": b""}
    if kind == "JPEG":
        options |= {"quality": quality, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
    elif kind == "WEBP":
        options |= {"quality": quality, "method": 4, "lossless": False, "exact": False}
    elif kind == "PNG":
        options |= {"optimize": True}
    elif kind == "AVIF":
        options |= {"quality": quality, "speed": 6}
    elif kind == "GIF":
        options |= {"optimize": False}
    image.save(path, kind, **options, **extra)
    encoded += 1


# ---- SVG sizes ----

_NUMBER = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*")


def svg_size(data: bytes) -> tuple[int, int]:
    """An SVG's width and height in CSS pixels, from its root's width and height or its viewBox
    ((0, 0) when it has neither). The SVG has passed read.inputs.check_svg: no DOCTYPE."""
    found: dict[str, str] = {}

    def start(_name: str, attrs: dict[str, str]) -> None:
        found.update(attrs)
        raise StopIteration

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    with contextlib.suppress(StopIteration, expat.ExpatError, ValueError, LookupError):
        parser.Parse(data, True)
    w, h = _NUMBER.fullmatch(found.get("width", "")), _NUMBER.fullmatch(found.get("height", ""))
    if w and h:
        return round(float(w.group(1))), round(float(h.group(1)))
    box = found.get("viewBox", "").replace(",", " ").split()
    try:
        bw, bh = float(box[2]), float(box[3])
    except (IndexError, ValueError):
        return 0, 0
    return (round(bw), round(bh)) if bw > 0 and bh > 0 else (0, 0)


# ---- markup ----


def picture_html(photo: Photo, link, attrs: str, lead: bool = False) -> str:
    """The markup for one image: `link(site_path)` makes a page's address; `attrs` are the <img>'s other
    attributes, ready to print (alt, title, lang, dir). A raster photo with sizes is a <picture>."""
    size = f' width="{photo.width}" height="{photo.height}"' if photo.width and photo.height else ""
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    if not photo.widths:
        return f'<img src="{html.escape(link(urls.image(photo.name)))}"{attrs}{size}{loading} decoding="async">'

    def srcset(ext: str) -> str:
        return html.escape(", ".join(f"{link(photo.size_path(w, ext))} {w}w" for w in photo.widths))

    fallback = html.escape(link(photo.size_path(photo.widths[-1], photo.fallback)))
    return (
        f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{SIZES}">'
        f'<img src="{fallback}" srcset="{srcset(photo.fallback)}" sizes="{SIZES}"{attrs}{size}{loading}'
        ' decoding="async"></picture>'
    )


# On nh3's serialisation (body.markdown) an <img> is exactly '<img' and ' name="value"' pairs, each
# value escaped: what is kept of one is copied as it is, and only src, width and height are replaced.
_IMG = re.compile(r"<img(?:\s[^<>]*)?>")
_ATTR = re.compile(r'\s([a-z-]+)="([^"]*)"')
KEPT = ("alt", "title", "lang", "dir")


def body_pictures(body: str, photos: Mapping[str, Photo], link, page: bool) -> str:
    """Body HTML (links resolved) with each image of the site made responsive: for the page
    (`page`), each <img> of a photo becomes picture_html's markup; for feeds, its src becomes the
    largest JPEG/PNG size, with its width and height. Other images keep what they have."""
    if "<img" not in body:
        return body
    prefix = link(urls.image(""))

    def replace(match: re.Match) -> str:
        attrs = dict(_ATTR.findall(match.group(0)))
        src = html.unescape(attrs.get("src", ""))
        photo = photos.get(src.removeprefix(prefix)) if src.startswith(prefix) else None
        if photo is None:
            return match.group(0)
        kept = "".join(f' {name}="{attrs[name]}"' for name in KEPT if name in attrs)
        if page:
            return picture_html(photo, link, kept)
        size = f' width="{photo.width}" height="{photo.height}"' if photo.width and photo.height else ""
        return f'<img src="{html.escape(link(photo.mail_path))}"{kept}{size}>'

    return _IMG.sub(replace, body)


def mime_type(site_path: str) -> str | None:
    return MIME.get(posixpath.splitext(site_path)[1][1:].lower())
