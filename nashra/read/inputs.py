"""Which input files the build may read and publish: one rule for `build` and `check`.

Paths (NSH502, NSH503): the input folders (content/, content/articles/, content/images/,
templates/, templates/static/) and site.yml must resolve inside the real project folder and
never into a hidden (dot) folder; every file in a folder must resolve inside the real location
of that folder, its own input folder. A symbolic link that stays inside works as any file;
one that leads elsewhere is refused, never skipped, so the build and `check` agree.

Images (NSH125, NSH126): content/images/ holds contributors' images only, checked by extension
and by content. An SVG is a document that can run script when opened on its own, so it is
published only without script, event handlers, javascript: addresses, embedded HTML or
references to other files, and without a DOCTYPE (no entities, no entity bombs).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from pathlib import Path
from xml.parsers import expat

from ..layout import CONFIG_FILE, IMAGES_DIR, INPUT_FOLDERS
from ..problems import Problem

# ---- paths ----


class Inputs:
    """Where a site's input folders really are, and the problem with each one that leads astray."""

    def __init__(self, root: Path | str):
        self.root = str(root)
        self.top = os.path.realpath(self.root)
        self.real: dict[str, str] = {}  # input folder -> its real location (when it is there)
        self.refused: dict[str, Problem] = {}  # input folder (or site.yml) -> why it is refused
        for rel in (CONFIG_FILE, *INPUT_FOLDERS):
            outer = owner(rel)
            if outer in self.refused:
                self.refused[rel] = self.refused[outer]
                continue
            path = os.path.join(self.root, rel)
            if not os.path.lexists(path):
                continue
            problem, real = self._judge(rel, path, self.top, "")
            if problem:
                self.refused[rel] = problem
            else:
                self.real[rel] = real

    def judge(self, relpath: str) -> Problem | None:
        """The problem with one file of an input folder (or site.yml), if it leads astray (a file
        that is not there leads nowhere: its reader says it is missing)."""
        folder = relpath if relpath == CONFIG_FILE or relpath in INPUT_FOLDERS else owner(relpath)
        if folder in self.refused:
            return self.refused[folder]
        path = os.path.join(self.root, relpath)
        if relpath == folder or folder not in self.real or not os.path.lexists(path):
            return None
        return self._judge(relpath, path, self.real[folder], folder)[0]

    def scan(self, folder: str, pattern: str = "*") -> tuple[list[str], list[Problem]]:
        """The files below input `folder` matching `pattern`, relative to it and sorted (no hidden
        file, nothing in a nested input folder, which is scanned on its own), and a problem for
        every entry that leads astray, whatever its name."""
        if folder in self.refused:
            return [], [self.refused[folder]]
        home = self.real.get(folder)
        if home is None or not os.path.isdir(home):
            return [], []
        found: list[str] = []
        problems: list[Problem] = []
        seen = {home}  # a link back to a folder already walked would loop

        def walk(path: str, rel: str) -> None:
            try:
                entries = list(os.scandir(path))
            except OSError:
                return
            for entry in entries:  # what a folder lists says which entries are links: no stat for the rest
                if entry.name.startswith("."):
                    continue
                relpath = f"{folder}/{rel}{entry.name}"
                if relpath in INPUT_FOLDERS:
                    continue
                real = None
                if entry.is_symlink():
                    problem, real = self._judge(relpath, entry.path, home, folder)
                    if problem:
                        problems.append(problem)
                        continue
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir:
                    if real is not None:
                        here = os.path.realpath(path)
                        if real in seen or here == real or here.startswith(real + os.sep):
                            continue
                        seen.add(real)
                    walk(entry.path, f"{rel}{entry.name}/")
                elif fnmatch.fnmatchcase(entry.name, pattern) and entry.is_file():
                    found.append(rel + entry.name)

        walk(os.path.join(self.root, folder), "")
        return sorted(found), problems

    def _judge(self, relpath: str, path: str, home: str, folder: str) -> tuple[Problem | None, str]:
        """Follow `path`'s links: the problem when it ends outside the project, in a hidden folder
        or outside `home` (the real location of its input `folder`; "" for the project), and where
        it ends."""
        try:
            real = os.path.realpath(path, strict=True)
        except OSError:  # missing, a loop, or unreadable
            nowhere = f"'{relpath}' is a link that leads nowhere (a missing file, or a loop)"
            return refusal(relpath, "NSH502", nowhere, "correct the link or delete it"), ""
        if not inside(real, self.top):
            return refusal(
                relpath,
                "NSH502",
                f"'{relpath}' is a link to something outside the project",
                "copy the file into the project instead of linking to it",
            ), real
        where = "" if real == self.top else os.path.relpath(real, self.top).replace(os.sep, "/")
        parts = where.split("/") if where else []
        hidden = next((i for i, part in enumerate(parts) if part.startswith(".")), None)
        place = f"{folder}/" if folder else "the project"
        if hidden is not None:
            return refusal(
                relpath,
                "NSH503",
                f"'{relpath}' is a link into the hidden folder '{'/'.join(parts[: hidden + 1])}'",
                f"copy the file into {place} instead of linking to it",
            ), real
        if not inside(real, home):
            return refusal(
                relpath,
                "NSH503",
                f"'{relpath}' is a link to '{where}', outside {place}",
                f"copy the file into {place} instead of linking to it",
            ), real
        return None, real


def owner(relpath: str) -> str:
    """The input folder a path belongs to: the innermost one that holds it ("" for none)."""
    holders = [f for f in INPUT_FOLDERS if relpath.startswith(f + "/")]
    return max(holders, key=len) if holders else ""


def inside(real: str, top: str) -> bool:
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def refusal(relpath: str, code: str, message: str, hint: str) -> Problem:
    return Problem(relpath, 0, 0, code, message, hint)


def scan_folder(root: Path, folder: str, pattern: str = "*") -> tuple[list[str], list[Problem]]:
    """Input `folder`'s files (relative to it) and the problem with every path in it that leads astray."""
    return Inputs(root).scan(folder, pattern)


def input_files(root: Path) -> tuple[list[str], list[Problem]]:
    """Every file the build reads (site.yml, content/**, templates/**), relative to the site's
    folder, and every path refused on the way, each once."""
    inputs = Inputs(root)
    names = [CONFIG_FILE]  # a missing site.yml counts too (its digest is "absent")
    problems = [inputs.refused[CONFIG_FILE]] if CONFIG_FILE in inputs.refused else []
    for folder in INPUT_FOLDERS:
        found, refused = inputs.scan(folder)
        names += [f"{folder}/{name}" for name in found]
        problems += refused
    return names, list(dict.fromkeys(problems))


# ---- images: the type by extension and by content ----

IMAGE_TYPES = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WebP", "avif": "AVIF", "svg": "SVG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WebP": "webp", "AVIF": "avif"}
HEAD = 512  # bytes read from a raster image: enough for any signature, and AVIF's brands
IMAGE_HINT = "content/images/ holds only images: .jpg, .jpeg, .png, .gif, .webp, .avif or .svg files"


def check_images(root: Path, names: list[str]) -> list[Problem]:
    """NSH125 and NSH126 for the files of content/images/ (names relative to it)."""
    problems: list[Problem] = []
    top = str(root)
    for name in names:
        relpath = f"{IMAGES_DIR}/{name}"
        kind = IMAGE_TYPES.get(posixpath.splitext(name)[1][1:].lower())
        if kind is None:
            problems.append(refusal(relpath, "NSH125", "the file is not an image", IMAGE_HINT))
            continue
        try:
            with open(os.path.join(top, relpath), "rb") as f:
                data = f.read() if kind == "SVG" else f.read(HEAD)
        except OSError as exc:
            problems.append(refusal(relpath, "NSH125", f"the file cannot be read ({exc.strerror})", "check the file"))
            continue
        problems += check_svg(relpath, data) if kind == "SVG" else check_raster(relpath, kind, data)
    return problems


def check_raster(relpath: str, kind: str, head: bytes) -> list[Problem]:
    actual = sniff(head)
    if actual == kind:
        return []
    if actual:
        stem = posixpath.splitext(posixpath.basename(relpath))[0]
        hint = f"it is a {actual} image: rename it to '{stem}.{EXTENSIONS[actual]}'"
    else:
        hint = f"save it again as {kind}; its bytes are not an image of that type"
    return [refusal(relpath, "NSH125", f"the file is not a {kind} image", hint)]


def sniff(head: bytes) -> str | None:
    """The raster type a file's first bytes announce."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp":  # ISO media: the major brand, a version, then compatible brands
        end = min(int.from_bytes(head[:4], "big"), len(head))
        brands = [head[8:12]] + [head[i : i + 4] for i in range(16, end - 3, 4)]
        if b"avif" in brands or b"avis" in brands:
            return "AVIF"
    return None


# ---- SVG: no script, no references to other files, no entities ----

SVG_HINT = "remove it, or save the image as PNG: an image on the site may not run code"
REFERENCE_HINT = "embed what it needs, or refer only to the image's own parts ('#id')"
DECLARATION = (
    "the SVG image has a DOCTYPE or entity declaration",
    "remove the <!DOCTYPE ...> (and any <!ENTITY ...>): an image on the site may not declare any",
)
XHTML = "http://www.w3.org/1999/xhtml"
ACTIVE_ELEMENTS = {"script", "foreignobject", "handler", "listener", "iframe", "embed", "object"}
REFERENCES = {"href", "src"}
ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "animatecolor"}
SCRIPT_URL = re.compile(r"(?:java|vb)script:")
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))", re.S)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
CSS_URL = re.compile(r"url\(\s*['\"]?\s*(.?)")
CSS_FETCHES = re.compile(r"(?<![\w-])(?:-webkit-image-set|image-set|image|cross-fade|src)\(")
CONTROL = re.compile(r"[\x00-\x20]+")


class _Stop(Exception):
    """A DOCTYPE or entity: parsing goes no further."""


def check_svg(relpath: str, data: bytes) -> list[Problem]:
    """NSH126 for what an SVG may not hold, at the line of the element; NSH125 if it is no SVG."""
    found: list[Problem] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    styles: list[list] = []  # open <style> elements: [line, col, text parts]
    elements = 0

    def problem(code: str, message: str, hint: str, line: int = 0, col: int = 0) -> None:
        line, col = line or parser.CurrentLineNumber, col or parser.CurrentColumnNumber + 1
        found.append(Problem(relpath, line, col, code, message, hint))

    def declaration(*_) -> None:
        problem("NSH126", *DECLARATION)
        raise _Stop

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal elements
        elements += 1
        tag = local(name)
        if elements == 1 and tag != "svg":
            problem("NSH125", f"the file is not an SVG image (it starts with <{tag}>)", "save it again as SVG")
        if tag in ACTIVE_ELEMENTS or name.startswith(XHTML + " "):
            problem("NSH126", f"the SVG image has the element <{name.rpartition(' ')[2]}>", SVG_HINT)
        for key, value in attrs.items():  # the common case, a plain value, costs three searches
            attribute = key.rpartition(" ")[2].lower()
            if attribute[:2] == "on":
                problem("NSH126", f"the SVG image has an event handler ('{attribute}')", SVG_HINT)
            elif ":" in value and SCRIPT_URL.search(CONTROL.sub("", value).lower()):
                problem("NSH126", f"the SVG image has a script address in '{attribute}'", SVG_HINT)
            elif attribute in REFERENCES and value.strip() and value.strip()[0] != "#":
                problem("NSH126", f"the SVG image refers to another file ('{value.strip()[:80]}')", REFERENCE_HINT)
            elif ("(" in value or "@" in value or "\\" in value) and (reason := css_reason(value)):
                problem("NSH126", f"the SVG image's '{attribute}' {reason}", REFERENCE_HINT)
        if tag in ANIMATIONS:
            target = attrs.get("attributeName", "").strip().rpartition(":")[2].lower()
            if target in REFERENCES or target[:2] == "on":
                problem("NSH126", f"the SVG image animates '{target}'", SVG_HINT)
        if tag == "style":
            styles.append([parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, []])
            parser.CharacterDataHandler = text  # only a style's text is read

    def end(name: str) -> None:
        if styles and local(name) == "style":
            line, col, parts = styles.pop()
            if not styles:
                parser.CharacterDataHandler = None
            text = "".join(parts)
            if SCRIPT_URL.search(CONTROL.sub("", text).lower()):
                problem("NSH126", "the SVG image's style has a script address", SVG_HINT, line, col)
            elif reason := css_reason(text):
                problem("NSH126", f"the SVG image's style {reason}", REFERENCE_HINT, line, col)

    def text(data: str) -> None:
        if styles:
            styles[-1][2].append(data)

    def instruction(target: str, _data: str) -> None:
        if target.lower() == "xml-stylesheet":
            problem("NSH126", "the SVG image has a style sheet instruction (<?xml-stylesheet?>)", REFERENCE_HINT)

    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.UnparsedEntityDeclHandler = declaration
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.ProcessingInstructionHandler = instruction
    if declared := re.search(rb"<!(?:doctype|entity)", data, re.I):  # refused before parsing anything
        return [Problem(relpath, data.count(b"\n", 0, declared.start()) + 1, 1, "NSH126", *DECLARATION)]
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as exc:
        found.append(
            Problem(
                relpath,
                exc.lineno,
                exc.offset + 1,
                "NSH125",
                f"the file is not a well-formed SVG image ({expat.ErrorString(exc.code)})",
                "save it again as SVG from a drawing program",
            )
        )
    except (ValueError, LookupError) as exc:  # an encoding Python cannot decode
        found.append(refusal(relpath, "NSH125", f"the file is not a readable SVG image ({exc})", "save it as UTF-8"))
    if not found and elements == 0:
        found.append(refusal(relpath, "NSH125", "the file is not an SVG image", "save it again as SVG"))
    return found


def local(name: str) -> str:
    """An expat name ("namespace local", the prefix resolved) as its lower-case local name."""
    return name.rpartition(" ")[2].lower()


def css_reason(css: str) -> str | None:
    """What a piece of CSS fetches from elsewhere, if anything (escapes and comments undone first)."""
    css = CSS_COMMENT.sub("", CSS_ESCAPE.sub(_unescape, css)).lower()
    if "@import" in css:
        return "imports a style sheet (@import)"
    for match in CSS_URL.finditer(css):
        if match.group(1) != "#":
            return "refers to another file (url(...))"
    if CSS_FETCHES.search(css):
        return "refers to another file"
    if "expression(" in css or "-moz-binding" in css or "behavior:" in CONTROL.sub("", css):
        return "runs code"
    return None


def _unescape(match: re.Match) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return match.group(2)
