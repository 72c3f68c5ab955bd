"""What the build may read and publish: paths that lead astray (NSH502, NSH503) and files in
content/images/ that are no image or an active SVG (NSH125, NSH126), refused alike by `build`
and `check`, with output/ left byte for byte as it was."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, build, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from nashra.cli import main
from nashra.problems import Problem
from nashra.read.inputs import check_raster, check_svg, sniff

IMAGES = "content/images"
ARTICLES = "content/articles/2024/06"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and link under `folder`, never following a link."""
    found: dict[str, bytes | str] = {}
    for here, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(here) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = f"link to {os.readlink(path)}"
            elif path.is_file():
                found[rel] = path.read_bytes()
    return found


@pytest.fixture
def built(site: Path) -> dict[str, bytes | str]:
    """The fixture site built once: the output's snapshot."""
    assert build(site) == 0
    return snapshot(site / "output")


def refused(site: Path, capsys, before: dict) -> tuple[list[str], list[tuple[str, int, str]]]:
    """Build and check again: both fail, and the output is unchanged. (The build's lines, check's errors.)"""
    capsys.readouterr()
    assert build(site) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert snapshot(site / "output") == before
    assert main(["check", "--root", str(site), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    errors = [(p["path"], p["line"], p["code"]) for p in problems if p["severity"] == "error"]
    return err.splitlines()[:-1], errors


def outside_copy(tmp_path: Path, folder: str) -> Path:
    """A copy of one of the site's folders outside the project."""
    target = tmp_path / "elsewhere" / folder.replace("/", "-")
    shutil.copytree(tmp_path / "site" / folder, target)
    return target


def replace_by_link(site: Path, folder: str, target: Path) -> None:
    shutil.rmtree(site / folder)
    (site / folder).symlink_to(target, target_is_directory=True)


# ---- item 5: content/images/ holds images, and SVGs without script ----

ACTIVE_SVGS = {
    "script": (f"{SVG}\n<script>alert(document.domain)</script>\n</svg>", 2),
    "onload": (f'{SVG}\n<rect width="1" height="1"/>\n<g onload="alert(1)"/>\n</svg>', 3),
    "javascript-href": (f'{SVG}\n<a href=" JaVa&#x09;ScRipt:alert(1)"><rect/></a></svg>', 2),
    "javascript-xlink": (f'{SVG}\n\n<a xlink:href="java\nscript:alert(1)"><rect/></a></svg>', 3),
    "foreign-object": (
        f'{SVG}\n<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
        2,
    ),
    "external-href": (f'{SVG}\n<image href="https://example.org/x.png"/></svg>', 2),
    "external-use": (f'{SVG}\n<use xlink:href="other.svg#a"/></svg>', 2),
    "external-data": (f'{SVG}\n<use href="data:image/svg+xml,&lt;svg/&gt;#a"/></svg>', 2),
    "style-url": (f'{SVG}\n<rect style="fill: u\\72l(https://example.org/x)"/></svg>', 2),
    "style-import": (f'{SVG}\n<style>\n@import "https://example.org/x.css";\n</style></svg>', 2),
    "style-cdata-url": (f"{SVG}\n<style><![CDATA[ rect {{ fill: url(//example.org/x) }} ]]></style></svg>", 2),
    "stylesheet-instruction": (f'<?xml-stylesheet href="x.css"?>\n{SVG}</svg>', 1),
    "set-href": (f'{SVG}\n<a href="#a">\n<set attributeName="href" to="https://example.org/"/></a></svg>', 3),
    "animate-handler": (f'{SVG}\n<animate attributeName="onclick" to="alert(1)"/></svg>', 2),
    "doctype": (f'<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "https://example.org/x.dtd">\n{SVG}</svg>', 2),
    "entity-bomb": (
        '<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        f"{SVG}<text>&b;</text></svg>",
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(ACTIVE_SVGS))
def test_active_svg_is_refused_at_its_line(case: str):
    text, line = ACTIVE_SVGS[case]
    problems = check_svg(f"{IMAGES}/x.svg", text.encode())
    assert [(p.path, p.line, p.code) for p in problems][:1] == [(f"{IMAGES}/x.svg", line, "NSH126")]


def test_utf16_svg_with_an_entity_is_refused_too():
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s [<!ENTITY a "b">]><svg>&a;</svg>'.encode("utf-16")
    assert [p.code for p in check_svg("x.svg", data)] == ["NSH126"]


@pytest.mark.parametrize(
    "path", ["content/images/putin-pyongyang.svg", "templates/static/favicon.svg", "tests/fixtures/site/" + IMAGES]
)
def test_the_projects_own_svgs_pass(path: str):
    for file in [ROOT / path] if path.endswith(".svg") else sorted((ROOT / path).glob("*.svg")):
        assert check_svg(path, file.read_bytes()) == []


def test_svg_referring_to_its_own_parts_passes():
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- drawn by hand -->\n{SVG}'
        '<defs><linearGradient id="g"/><path id="p" d="M0 0H9"/></defs>'
        '<style>rect { fill: url( "#g") }</style><rect fill="url(#g)" transform="rotate(4)"/>'
        '<use xlink:href="#p"/><a href="#p"><text>javascript: url(https://example.org/) is only text</text></a></svg>'
    )
    assert check_svg("x.svg", text.encode()) == []


SVG_PIECES = st.sampled_from(
    [
        SVG,
        "</svg>",
        "<svg>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE x [",
        '<!ENTITY a "&a;">',
        "]>",
        "&a;",
        "&#0;",
        "&#x110000;",
        '<a href="',
        '"',
        "javascript:",
        "url(",
        "\\",
        "@import",
        "<?xml-stylesheet?>",
        '<?xml version="1.0" encoding="utf-16"?>',
        "<set attributeName='on",
        "'/>",
        "\x00",
        "\ud7ff",
    ]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(SVG_PIECES | st.text(max_size=8), max_size=12).map("".join), st.binary(max_size=64))
def test_any_bytes_give_problems_never_a_traceback(text: str, data: bytes):
    for blob in (text.encode("utf-8", "surrogatepass"), data, text.encode("utf-16")):
        assert all(isinstance(p, Problem) for p in check_svg("x.svg", blob))
        assert all(isinstance(p, Problem) for p in check_raster("x.png", "PNG", blob))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("script", "the SVG image has the element <script>"),
        ("onload", "the SVG image has an event handler ('onload')"),
    ],
)
def test_svg_with_script_in_images_fails_build_and_check(site, built, capsys, case, message):
    """Issue 15's acceptance: an SVG with script is refused with `path: message`, exit 1, output untouched."""
    text, line = ACTIVE_SVGS[case]
    (site / IMAGES / "map.svg").write_text(text, encoding="utf-8")
    lines, errors = refused(site, capsys, built)  # exit 1, output/ byte for byte as the last build left it
    assert errors == [(f"{IMAGES}/map.svg", line, "NSH126")]
    assert lines == [
        f"{IMAGES}/map.svg:{line}: {message} "
        "(remove it, or save the image as PNG: an image on the site may not run code)"
    ]


def test_html_file_in_images_fails_build_and_check(site, built, capsys):
    (site / IMAGES / "page.html").write_text("<script>alert(document.cookie)</script>", encoding="utf-8")
    lines, errors = refused(site, capsys, built)
    assert errors == [(f"{IMAGES}/page.html", 0, "NSH125")]
    assert lines[0].startswith(f"{IMAGES}/page.html: the file is not an image (")


@pytest.mark.parametrize(
    ("name", "data", "hint"),
    [
        ("photo.png", b"<html><script>1</script></html>", "save it again as PNG"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n" + bytes(32), "it is a PNG image: rename it to 'photo.png'"),
        ("photo.svg", b"<html><body>x</body></html>", "save it again as SVG"),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", "save it again as WebP"),
    ],
)
def test_image_whose_bytes_are_not_its_type_is_refused(site, built, capsys, name, data, hint):
    (site / IMAGES / name).write_bytes(data)
    lines, errors = refused(site, capsys, built)
    assert [code for path, _, code in errors if path == f"{IMAGES}/{name}"][:1] == ["NSH125"]
    assert hint in lines[0]


def test_images_of_every_allowed_type_are_published(site):
    """Raster images are published saved again without their metadata (test_photos.py), SVG as it is."""
    rasters = {"a.jpg": "JPEG", "b.JPEG": "JPEG", "c.png": "PNG", "d.gif": "GIF", "e.webp": "WEBP", "f.avif": "AVIF"}
    for name, kind in rasters.items():
        Image.new("RGB", (8, 6), "teal").save(site / IMAGES / name, kind)
    svg = f"{SVG}<rect/></svg>".encode()
    (site / IMAGES / "h.svg").write_bytes(svg)
    assert build(site) == 0
    for name, kind in rasters.items():
        with Image.open(site / "output/images" / name) as image:
            assert (image.format, image.size) == (kind, (8, 6)), name
    assert (site / "output/images/h.svg").read_bytes() == svg


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"RIFF\x1a\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "AVIF"),
        (b"\x00\x00\x00\x20ftypmif1\x00\x00\x00\x00mif1avifmiafMA1B", "AVIF"),  # AVIF as a compatible brand
    ],
)
def test_image_types_are_told_by_their_first_bytes(head: bytes, kind: str):
    assert sniff(head) == kind


def test_the_static_folder_is_not_held_to_the_image_rules(site):
    (site / "templates/static/app.js").write_text("console.log(1)\n", encoding="utf-8")
    assert build(site) == 0
    assert (site / "output/static/app.js").is_file()


# ---- item 6: links that would publish what is not content ----


@pytest.mark.parametrize("folder", [IMAGES, "content/articles", "templates/static", "templates", "content"])
def test_input_folder_linked_outside_the_project_is_refused(site, built, capsys, tmp_path, folder):
    target = outside_copy(tmp_path, folder)
    (target / "secret.txt").write_text("not content\n", encoding="utf-8")
    replace_by_link(site, folder, target)
    lines, errors = refused(site, capsys, built)
    assert errors == [(folder, 0, "NSH502")]
    assert lines == [
        f"{folder}: '{folder}' is a link to something outside the project "
        "(copy the file into the project instead of linking to it)"
    ]


def test_site_yml_linked_outside_the_project_is_refused_unread(site, built, capsys, tmp_path):
    target = tmp_path / "elsewhere.yml"
    target.write_text("titel: read me\n", encoding="utf-8")  # an error, were it read
    (site / "site.yml").unlink()
    (site / "site.yml").symlink_to(target)
    assert main(["check", "--root", str(site), "--format", "json"]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(p["path"], p["code"]) for p in problems] == [("site.yml", "NSH502")]
    assert build(site) == 1
    err = capsys.readouterr().err
    assert err.startswith("site.yml: 'site.yml' is a link to something outside the project")
    assert "titel" not in err
    assert snapshot(site / "output") == built


@pytest.mark.parametrize(
    ("link", "target", "message"),
    [
        ("config", "../../.git/config", "is a link into the hidden folder '.git'"),
        ("repo", "../../.git", "is a link into the hidden folder '.git'"),
        ("cache.json", "../../.nashra-cache/x.json", "is a link into the hidden folder '.nashra-cache'"),
        ("story.md", "../articles/2024/06/visit.md", "is a link to 'content/articles/2024/06/visit.md', outside"),
        ("output", "../../output", "is a link to 'output', outside content/images/"),
    ],
)
def test_link_in_images_to_a_hidden_or_other_folder_is_refused(site, built, capsys, link, target, message):
    (site / ".git").mkdir()
    (site / ".git/config").write_text("[remote]\n\turl = secret\n", encoding="utf-8")
    (site / ".nashra-cache").mkdir(exist_ok=True)
    (site / ".nashra-cache/x.json").write_text("{}", encoding="utf-8")
    (site / IMAGES / link).symlink_to(target)
    lines, errors = refused(site, capsys, built)
    assert errors == [(f"{IMAGES}/{link}", 0, "NSH503")]
    assert len(lines) == 1 and lines[0].startswith(f"{IMAGES}/{link}: '{IMAGES}/{link}' {message}")


def test_images_folder_linked_into_a_hidden_folder_is_refused(site, built, capsys):
    shutil.move(site / IMAGES, site / ".media")
    (site / IMAGES).symlink_to("../.media", target_is_directory=True)
    _, errors = refused(site, capsys, built)
    assert errors == [(IMAGES, 0, "NSH503")]


def test_links_that_stay_inside_their_folder_work_as_before(site):
    (site / IMAGES / "alias.svg").symlink_to("route.svg")
    (site / IMAGES / "maps").mkdir()
    (site / IMAGES / "maps/route.svg").symlink_to("../route.svg")
    shutil.move(site / "content/articles", site / "archive")  # a folder linked inside the project
    (site / "content/articles").symlink_to("../archive", target_is_directory=True)
    assert main(["check", "--root", str(site), "--format", "json"]) == 0
    assert build(site) == 0
    route = (site / IMAGES / "route.svg").read_bytes()
    assert (site / "output/images/alias.svg").read_bytes() == route
    assert (site / "output/images/maps/route.svg").read_bytes() == route
    assert (site / "output/articles/visit/index.html").is_file()


# ---- item 19: an article linked from outside the project ----


def test_article_linked_outside_the_project_fails_build_and_check_alike(site, tmp_path):
    assert run_cli("--root", str(site)).returncode == 0
    before = snapshot(site / "output")
    outside = tmp_path / "secret.md"
    shutil.copy(FIXTURES / "site" / ARTICLES / "visit.md", outside)
    (site / ARTICLES / "leak.md").symlink_to(outside)
    line = (
        f"{ARTICLES}/leak.md: '{ARTICLES}/leak.md' is a link to something outside the project "
        "(copy the file into the project instead of linking to it)"
    )
    built = run_cli("--root", str(site))
    assert (built.returncode, built.stderr.splitlines()[0]) == (1, line)
    assert "Traceback" not in built.stderr
    assert snapshot(site / "output") == before
    checked = run_cli("check", "--root", str(site))
    assert checked.returncode == 1
    assert f"{ARTICLES}/leak.md: error: '{ARTICLES}/leak.md' is a link to something outside" in checked.stdout
    named = run_cli("check", "--root", str(site), f"{ARTICLES}/leak.md", cwd=site)
    assert named.returncode == 1 and "[NSH502]" in named.stdout


def test_check_of_one_article_still_reports_a_linked_input_folder(site, capsys, tmp_path):
    replace_by_link(site, IMAGES, outside_copy(tmp_path, IMAGES))
    given = f"{ARTICLES}/visit.md"
    assert main(["check", "--root", str(site), "--format", "json", str(site / given)]) == 1
    assert [(p["path"], p["code"]) for p in json.loads(capsys.readouterr().out)] == [(IMAGES, "NSH502")]
