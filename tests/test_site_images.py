"""A page never makes the reader's browser fetch a picture from another host: body images (Markdown or
raw HTML) must be files of the site (NSH123), so must the front matter's image (NSH109), and the
sanitiser drops any <img> that points elsewhere, should one ever get past the checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEST_FRONT, build, run_cli

from nashra.body.markdown import render_markdown

ARTICLE = "content/articles/2024/06/pictures.md"
FRONT = TEST_FRONT
# body -> (line, column) of the address. The body starts on line 9.
OFF_SITE = {
    "![خريطة](https://cdn.example.org/map.png)": (9, 10),
    "text\n\n![x](//cdn.example.org/map.png)": (11, 6),
    'نص <img src="https://cdn.example.org/a.gif" alt="">': (9, 14),
    "<IMG ALT=x SRC='//cdn.example.org/a.gif'>": (9, 17),
    "<img src=//cdn.example.org/a.gif>": (9, 10),
    '<img src="/\\cdn.example.org/a.gif">': (9, 11),
    '<img src="&#47;/cdn.example.org/a.gif">': (9, 11),
    '<img alt="" src=" HTTPS://cdn.example.org/a.gif">': (9, 18),
    "![x](data:image/gif;base64,R0lGODlhAQABAAAAACw=)": (9, 6),
    "[![x](https://cdn.example.org/a.gif)](/articles/visit/)": (9, 7),
}


def write_article(site: Path, body: str, front: str = FRONT) -> None:
    (site / ARTICLE).write_text(front + body + "\n", encoding="utf-8")


@pytest.mark.parametrize("body", sorted(OFF_SITE))
def test_an_image_from_another_site_is_refused_at_its_line_and_column(site: Path, body: str, capsys):
    write_article(site, body)
    (site / "output").mkdir()
    (site / "output" / "index.html").write_text("published", encoding="utf-8")
    (site / "output" / ".nashra-build").write_bytes(b"")  # it stands for a previous build
    assert build(site) == 1
    err = capsys.readouterr().err
    line, col = OFF_SITE[body]
    assert f"{ARTICLE}:{line}: image '" in err and "is not a file of the site" in err, err
    assert "download the picture, with permission, into content/images/" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in (site / "output").iterdir()) == [".nashra-build", "index.html"]
    result = run_cli("check", "--root", str(site))
    assert result.returncode == 1
    assert f"{ARTICLE}:{line}:{col}: error: image '" in result.stdout and "[NSH123]" in result.stdout, result.stdout


def test_a_front_matter_image_must_be_a_file_of_the_site(site: Path, capsys):
    front = FRONT.replace("---\n", "---\nimage:\n  src: https://cdn.example.org/a.jpg\n  alt: صورة\n", 1)
    write_article(site, "نص", front)
    assert build(site) == 1
    err = capsys.readouterr().err
    assert (
        f"{ARTICLE}:3: image src 'https://cdn.example.org/a.jpg' must be the name of a file in content/images/" in err
    )


def test_images_of_the_site_still_build(site: Path):
    write_article(site, '![a](/images/route.svg) ![b](../../../images/route.svg) <img src="/images/route.svg" alt="c">')
    assert build(site) == 0
    page = (site / "output" / "articles" / "pictures" / "index.html").read_text(encoding="utf-8")
    assert page.count('src="/nashra/images/route.svg"') == 3


def test_a_raw_html_image_that_is_missing_is_reported(site: Path, capsys):
    write_article(site, '<img src="/images/nothing.png" alt="">')
    assert build(site) == 1
    assert f"{ARTICLE}:9: image '/images/nothing.png' is not in content/images/" in capsys.readouterr().err


@pytest.mark.parametrize(
    "source",
    [
        '<img src="https://cdn.example.org/a.gif">',
        '<img src="//cdn.example.org/a.gif">',
        '<img src="/\\cdn.example.org/a.gif">',
        "![x](https://cdn.example.org/a.gif)",
        '<p><img alt="x" src="&#x2F;/cdn.example.org/a.gif"></p>',
        '<img src="\thttps://cdn.example.org/a.gif">',
    ],
)
def test_the_sanitiser_never_emits_an_image_from_another_host(source: str):
    out = render_markdown(source)
    assert "<img" not in out and "cdn.example.org" not in out, out


def test_the_sanitiser_keeps_site_images():
    out = render_markdown('![a](/images/a.png) <img src="../../../images/b.png" alt="b"> ![c](c.svg "t")')
    assert out.count("<img") == 3, out
