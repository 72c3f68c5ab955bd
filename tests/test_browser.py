"""The sample site in a real browser: Debian's Chromium through Playwright, served on 127.0.0.1 under /nashra/.

One browser for the module. The site is the repository's own (content/, templates/, site.yml) plus one
test article (PROBE) that carries what the sample does not: a Latin name followed by a number in an
Arabic headline, a correction, a sub-heading, an external link in the body.

Needs: chromium (apt-get install chromium), Java for the Nu HTML checker (default-jre-headless), and the
pinned npm packages in tests/browser/ (cd tests/browser && npm ci). Each test skips with the reason when
its part is missing, and fails instead when NASHRA_REQUIRE_BROWSER=1 (as .ci/run sets).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, build
from pages_server import PagesServer

from nashra.commands import preview

REQUIRE = os.environ.get("NASHRA_REQUIRE_BROWSER") == "1"
CHROMIUM = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
CHROMIUM_ARGS = list(preview.CHROMIUM_ARGS)  # as the preview command launches it
NODE_MODULES = Path(__file__).resolve().parent / "browser" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (320, 390, 1280)
BUDGET = 60 * 1024  # article HTML + CSS + fonts (and a photo article's 480 px image), uncompressed

PROBE = "bidi-probe"
PROBE_TEXT = """---
title: "نشرت The New York Times 3 تقارير عن الزيارة"
date: 2024-06-18T09:30:00
updated: 2024-06-18T12:05:00
topics: [politics]
summary: "ملخص تجريبي تذكر فيه وكالة Reuters أن 12 دولة شاركت، للتحقق من عزل الأسماء اللاتينية."
source:
  name: The New York Times
  url: https://www.nytimes.com/
correction: "ذكرت نسخة سابقة أن عدد التقارير 4، والصحيح 3."
---

نشرت The New York Times 3 تقارير، وقالت وكالة *Associated Press* إن الخبر [منشور هنا](https://apnews.com/).

## خلفية الخبر

فقرة تحت عنوان فرعي، فيها رمز `GPT-4` داخل وسم code.
"""

PROBE_SOURCE = "nytimes-en"

# Page kinds checked everywhere: (name, address under /nashra/).
PAGES = {
    "home": "",
    "page 2": "page/2/",
    "article with image": "articles/putin-north-korea-visit/",
    "article with photo": "articles/uae-record-rainfall-floods/",
    "article in English": "articles/nobel-chemistry-2024-proteins/",
    "probe article": f"articles/{PROBE}/",
    "topic": "topics/politics/",
    "topics index": "topics/",
    "edition": "editions/2024-06-18/",
    "editions index": "editions/",
    "archive index": "archive/",
    "archive year": "archive/2024/",
    "archive month": "archive/2024/06/",
    "sources index": "sources/",
    "source": "sources/nyt/",
    "source with a Latin name": f"sources/{PROBE_SOURCE}/",
    "search with results": "search/?q=بوتين",
    "search without a result": "search/?q=زقزقطوط",
    "404": "no-such-page/",
}


def need(ok: bool, reason: str) -> None:
    """Skip a test whose tool is missing, or fail when the environment asks for every browser test."""
    if not ok:
        if REQUIRE:
            pytest.fail(f"{reason} (NASHRA_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


# ---- fixtures: the built site, a server, one browser ----


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(output folder, server) for the sample site built for its address on the local server."""
    root = tmp_path_factory.mktemp("browser") / "site"
    root.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copyfile(ROOT / "site.yml", root / "site.yml")
    (root / "content/articles/2024/06").mkdir(parents=True, exist_ok=True)
    (root / f"content/articles/2024/06/{PROBE}.md").write_text(PROBE_TEXT, encoding="utf-8")
    with (root / "content/sources.yml").open("a", encoding="utf-8") as registry:  # the probe's, a Latin name
        registry.write(f"- slug: {PROBE_SOURCE}\n  name: The New York Times\n  url: https://www.nytimes.com/\n")
    output = root / "output"
    with PagesServer(output, "/nashra/") as server:
        assert build(root, "--base-url", server.url) == 0
        yield output, server


@pytest.fixture(scope="module")
def browser():
    need(CHROMIUM is not None, "chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def url(site, path: str) -> str:
    return site[1].url + path


def open_page(context, site, path: str, **kwargs):
    page = context.new_page()
    page.goto(url(site, path), wait_until="load", **kwargs)
    page.evaluate("document.fonts.ready.then(() => true)")
    if path.startswith("search/"):  # its results (or its message) shown
        page.wait_for_function("document.getElementById('search').dataset.state === 'done'")
    return page


# ---- direction and mixed scripts ----


def test_latin_name_is_isolated_so_the_number_after_it_stays_in_place(context, site):
    page = open_page(context, site, PAGES["probe article"])
    h1 = page.locator("h1")
    assert h1.inner_html().startswith("نشرت <bdi>The New York Times</bdi> 3 تقارير")
    where = """(h1) => {
        const bdi = h1.querySelector('bdi');
        const text = bdi ? bdi.nextSibling : h1.firstChild;
        const at = text.data.indexOf('3');
        const range = document.createRange();
        range.setStart(text, at); range.setEnd(text, at + 1);
        const three = range.getBoundingClientRect();
        const latin = document.createRange();
        const node = bdi ? bdi.firstChild : h1.firstChild;
        const start = node.data.indexOf('Times');
        latin.setStart(node, start); latin.setEnd(node, start + 5);
        const times = latin.getBoundingClientRect();
        return {three: [three.left, three.right], times: [times.left, times.right], top: [three.top, times.top]};
    }"""
    isolated = h1.evaluate(where)
    # Right to left: the 3 that follows the name in the sentence sits to its left on the same line.
    assert isolated["three"][1] <= isolated["times"][0] + 1, isolated
    # Without <bdi> the bidi algorithm glues the 3 to the Latin run, to the right of "Times": the bug.
    h1.evaluate("(h1) => { h1.textContent = h1.textContent; }")
    glued = h1.evaluate(where)
    assert glued["three"][0] >= glued["times"][1] - 1, glued


def test_english_article_is_left_to_right_without_isolation(context, site):
    page = open_page(context, site, PAGES["article in English"])
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    assert page.locator("article h1 bdi, article .body bdi, article .lede bdi").count() == 0
    assert page.evaluate("getComputedStyle(document.querySelector('.body p')).direction") == "ltr"
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).direction") == "rtl"


# ---- typography, from computed styles ----

# Rules for every element: no letter-spacing, capitals or justified lines, no italics in Arabic.
RULES_AUDIT = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('body *')) {
        const cs = getComputedStyle(el);
        const lang = (el.closest('[lang]') || document.documentElement).lang;
        const what = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
        if (!['normal', '0px'].includes(cs.letterSpacing)) bad.push(what + ' letter-spacing ' + cs.letterSpacing);
        if (cs.textTransform !== 'none') bad.push(what + ' text-transform ' + cs.textTransform);
        if (cs.textAlign === 'justify') bad.push(what + ' justified');
        if (lang.startsWith('ar') && cs.fontStyle !== 'normal' && el.textContent.trim())
            bad.push(what + ' italic Arabic');
    }
    return bad;
}"""

# Measurements on an article page.
STYLE_AUDIT = """() => {
    const px = (v) => parseFloat(v);
    const p = getComputedStyle(document.querySelector('.body p'));
    const h1 = getComputedStyle(document.querySelector('h1'));
    const article = document.querySelector('.article').getBoundingClientRect();
    const link = getComputedStyle(document.querySelector('.body a'));
    return {
        bodySize: px(p.fontSize), bodyLeading: px(p.lineHeight) / px(p.fontSize),
        h1Leading: px(h1.lineHeight) / px(h1.fontSize),
        h2Leading: [...document.querySelectorAll('h2')].map((h) =>
            px(getComputedStyle(h).lineHeight) / px(getComputedStyle(h).fontSize)),
        measure: article.width / px(p.fontSize),
        underlineOffset: px(link.textUnderlineOffset) / px(link.fontSize),
        emWeight: getComputedStyle(document.querySelector('.body em')).fontWeight,
        family: p.fontFamily,
        fonts: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family + ' ' + f.weight),
    };
}"""


def test_arabic_typography_in_computed_styles(context, site):
    page = open_page(context, site, PAGES["probe article"])
    assert page.evaluate(RULES_AUDIT) == []
    audit = page.evaluate(STYLE_AUDIT)
    assert 18 <= audit["bodySize"] <= 20, audit
    assert 1.7 <= audit["bodyLeading"] <= 1.9, audit
    assert 1.3 <= audit["h1Leading"] <= 1.45, audit
    assert all(1.3 <= x <= 1.45 for x in audit["h2Leading"]), audit
    assert audit["measure"] <= 34.5, audit
    assert audit["underlineOffset"] >= 0.3, audit  # the underline passes below the dots of ب and ي
    assert int(audit["emWeight"]) >= 700  # Arabic emphasis is weight, never italics
    assert audit["family"].startswith('"Nashra Naskh"')
    assert sorted(audit["fonts"]) == ["Nashra Naskh 400", "Nashra Naskh 700"]


def test_every_page_kind_keeps_typography_rules(context, site):
    for name, path in PAGES.items():
        page = open_page(context, site, path)
        assert page.evaluate(RULES_AUDIT) == [], name
        page.close()


def test_typography_audit_catches_what_arabic_must_not_get(context, site):
    page = open_page(context, site, PAGES["probe article"])
    page.add_style_tag(content=".lede { letter-spacing: 0.05em; font-style: italic; text-align: justify; }")
    found = page.evaluate(RULES_AUDIT)
    assert {f.split(" ", 1)[1] for f in found if f.startswith("p.lede")} >= {"justified", "italic Arabic"}
    assert any(f.startswith("p.lede letter-spacing") for f in found)


def test_heading_anchor_appears_on_hover_and_focus(context, site):
    page = open_page(context, site, PAGES["probe article"])
    heading = page.locator(".body h2")
    assert heading.get_attribute("id") == "خلفية-الخبر"
    anchor = page.locator(".body .heading-anchor")
    assert anchor.get_attribute("href") == "#خلفية-الخبر"
    opacity = "(el) => getComputedStyle(el).opacity"
    assert anchor.evaluate(opacity) == "0"
    heading.hover()
    assert anchor.evaluate(opacity) == "1"
    page.mouse.move(0, 0)
    anchor.focus()
    assert anchor.evaluate(opacity) == "1"
    anchor.click()
    assert page.evaluate("document.querySelector(':target').id") == "خلفية-الخبر"
    assert page.evaluate("decodeURIComponent(location.hash)") == "#خلفية-الخبر"


def test_correction_note_is_dated(context, site):
    page = open_page(context, site, PAGES["probe article"])
    note = page.locator(".correction")
    assert note.is_visible()
    assert note.locator("time").get_attribute("datetime") == "2024-06-18T12:05:00+03:00"
    assert "والصحيح 3" in note.inner_text()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["dateModified"] == "2024-06-18T12:05:00+03:00"


# ---- accessibility ----


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then((r) => r.violations.map("
        "(v) => ({id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)})))",
        WCAG_TAGS,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_a_or_aa_violation(browser, site, scheme):
    need(AXE.is_file(), "axe-core is not installed (cd tests/browser && npm ci)")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        found = {}
        for name, path in PAGES.items():
            page = open_page(ctx, site, path)
            violations = axe_violations(page)
            if violations:
                found[name] = violations
            page.close()
        assert found == {}
    finally:
        ctx.close()


# Every element with its own text: its colour over the backgrounds behind it, and the WCAG ratio.
# axe-core skips Arabic text here (it takes joined Arabic words for icon ligatures), so this does not.
CONTRAST = """() => {
    const rgba = (c) => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return null;
        const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
    const lum = (c) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const backdrop = (el) => {
        const layers = [];
        for (let e = el; e; e = e.parentElement) {
            const c = rgba(getComputedStyle(e).backgroundColor);
            if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
        }
        let bg = [255, 255, 255, 1];
        for (const layer of layers.reverse()) bg = over(layer, bg);
        return bg;
    };
    const results = [];
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!walker.currentNode.data.trim() || seen.has(el)) continue;
        seen.add(el);
        const cs = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        if (cs.visibility !== 'visible' || box.width <= 1 || box.height <= 1 || !el.getClientRects().length) continue;
        let opacity = 1;
        for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
        if (opacity === 0) continue;
        const bg = backdrop(el);
        const fg = rgba(cs.color);
        const ink = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
        const [a, b] = [lum(ink), lum(bg)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const size = parseFloat(cs.fontSize);
        const large = size >= 24 || (size >= 18.66 && parseInt(cs.fontWeight) >= 700);
        results.push({text: walker.currentNode.data.trim().slice(0, 30), tag: el.tagName, color: cs.color,
                      background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')',
                      ratio: Math.round(ratio * 100) / 100, needed: large ? 3 : 4.5});
    }
    return results;
}"""


def low_contrast(page) -> list[dict]:
    return [r for r in page.evaluate(CONTRAST) if r["ratio"] < r["needed"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_meets_wcag_contrast(browser, site, scheme):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        found = {}
        for name, path in PAGES.items():
            page = open_page(ctx, site, path)
            checked = page.evaluate(CONTRAST)
            assert len(checked) > 10, name  # the checker saw the page's text, Arabic included
            bad = [r for r in checked if r["ratio"] < r["needed"]]
            if bad:
                found[name] = bad
            page.close()
        assert found == {}
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contrast_check_catches_a_pale_arabic_paragraph(browser, site, scheme):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = open_page(ctx, site, PAGES["article with image"])
        pale = "#b5b5b5" if scheme == "light" else "#4a4a4a"
        page.add_style_tag(content=f".body p {{ color: {pale} !important; }}")
        bad = low_contrast(page)
        # (axe-core 4.14 reports no violation for this page: it takes the Arabic words for icon ligatures.)
        assert bad and {r["tag"] for r in bad} <= {"P", "STRONG", "A", "BDI"}, bad  # the body and nothing else
        assert any("بوتين" in r["text"] or "الكرملين" in r["text"] for r in bad), bad
    finally:
        ctx.close()


# ---- valid HTML ----


def test_nu_html_checker_finds_no_error_on_any_page_or_stylesheet(site):
    java = shutil.which("java")
    need(java is not None, "Java is not installed (apt-get install default-jre-headless)")
    need(VNU.is_file(), "vnu.jar is not installed (cd tests/browser && npm ci)")
    output = site[0]
    # email.html is HTML for mail clients (width and cellpadding attributes for Outlook): see test_edition_email_*
    pages = sorted(str(p) for p in output.rglob("*.html") if p.name != "email.html")
    assert len(pages) > 25
    sheets = sorted(str(p) for p in output.rglob("*.css"))  # the stylesheet too, with the Nu checker's CSS rules
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--also-check-css", "--format", "json", *pages, *sheets],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert errors == []


# ---- layout, screenshots, requests, console, JavaScript off ----


def test_no_page_scrolls_sideways_and_screenshots_are_written(browser, site, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    wide = {}
    for width in WIDTHS:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        try:
            for name, path in PAGES.items():
                page = open_page(ctx, site, path)
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    wide[f"{name} at {width}px"] = overflow
                if width in (390, 1280) and name in ("home", "article with image", "probe article"):
                    page.screenshot(path=shots / f"{name.replace(' ', '-')}-{width}.png", full_page=True)
                page.close()
        finally:
            ctx.close()
    assert wide == {}
    written = sorted(p.name for p in shots.iterdir())
    assert "home-390.png" in written and "article-with-image-1280.png" in written
    print(f"screenshots in {shots}")


def test_no_request_leaves_localhost_and_no_console_error(context, site):
    requests, errors = [], []
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    for name, path in PAGES.items():
        response = page.goto(url(site, path), wait_until="networkidle")
        assert response.status == (404 if name == "404" else 200), name
        if name == "404":
            # The browser reports the 404 page's own status; that is the point of the page, not a fault.
            errors[:] = [e for e in errors if "status of 404" not in e]
    outside = [u for u in requests if urlsplit(u).hostname != "127.0.0.1"]
    assert outside == []
    assert errors == []
    assert any(u.endswith(".woff2") for u in requests) and any(u.endswith("style.css") for u in requests)


def test_content_is_readable_with_javascript_disabled(browser, site):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    try:
        for path in (PAGES["article with image"], PAGES["home"]):
            page = ctx.new_page()
            page.goto(url(site, path))
            assert page.locator("h1").is_visible()
            assert page.locator("main p").first.is_visible()
            assert len(page.locator("main").inner_text()) > 300
            page.close()
    finally:
        ctx.close()


# ---- print ----


def test_print_hides_navigation_and_shows_link_addresses(context, site):
    page = open_page(context, site, PAGES["probe article"])
    page.emulate_media(media="print")
    hidden = ".topic-nav, .related, .site-footer, .print-link, .heading-anchor, .topic-labels, .skip-link"
    assert page.evaluate(
        f"[...document.querySelectorAll('{hidden}')].every((el) => getComputedStyle(el).display === 'none')"
    )
    assert page.locator(".site-name").is_visible()  # the publication's name stays, for attribution
    assert page.locator(".print-url").is_visible()
    assert page.locator(".print-url bdi").inner_text() == "https://www.nytimes.com/"
    after = page.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.body a[href^=\"http\"]'), '::after');"
        " return [s.content, s.unicodeBidi, s.direction]; })()"
    )
    assert after == ['"https://apnews.com/"', "isolate", "ltr"]


def test_printed_article_pdf_has_headline_and_source(context, site, tmp_path):
    pypdf = pytest.importorskip("pypdf") if not REQUIRE else __import__("pypdf")
    page = open_page(context, site, PAGES["article with image"])
    page.emulate_media(media="print")
    pdf = tmp_path / "article.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", "بوتين يزور كوريا الشمالية في مؤشر على تعمّق التعاون العسكري") in squeezed
    assert "المصدر" in text and "نيويورك تايمز" in text
    assert "https://www.nytimes.com/" in squeezed  # the source's address, printed after its name
    assert "كل الأقسام" not in text and "المزيد في" not in text  # navigation and related list left out
    assert "نشرة" in text.split("بوتين")[0]  # the site's name above the headline


# ---- budget ----


def test_article_page_weight_is_within_budget(context, site):
    sizes: dict[str, int] = {}
    page = context.new_page()

    def record(response):
        if response.request.resource_type in {"document", "stylesheet", "font", "script"}:
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(url(site, PAGES["article with image"]), wait_until="networkidle")
    assert not [u for u in sizes if u.endswith(".js")]  # nothing to run: the page needs no JavaScript
    total = sum(sizes.values())
    assert total <= BUDGET, sizes
    # And on disk, for every article of the sample site.
    output = site[0]
    shared = sum(p.stat().st_size for p in (output / "static").rglob("*") if p.suffix in {".css", ".woff2"})
    heaviest = max((p.stat().st_size, p) for p in (output / "articles").rglob("index.html"))
    assert heaviest[0] + shared <= BUDGET, heaviest


PHONE = {"width": 375, "height": 812}
PHOTO_480 = "photos/uae-storm-clouds-480.webp"


def test_photo_article_on_a_phone_loads_the_480_webp_within_budget(browser, site, tmp_path):
    """Issue 15: on a phone (375 px wide) the photo article fetches HTML, CSS, fonts and the 480 px WebP
    only, within the budget; the lead photo's box has its height before the picture arrives."""
    ctx = browser.new_context(viewport=PHONE)
    try:
        sizes: dict[str, int] = {}
        page = ctx.new_page()

        def record(response):
            if response.request.resource_type in {"document", "stylesheet", "font", "script", "image"}:
                sizes[urlsplit(response.url).path] = len(response.body())

        page.on("response", record)
        page.goto(url(site, PAGES["article with photo"]), wait_until="networkidle")
        images = sorted(path for path in sizes if "/photos/" in path or "/images/" in path)
        assert images == ["/nashra/" + PHOTO_480], sizes
        assert sum(sizes.values()) <= BUDGET, sizes
        box = page.evaluate(
            """() => { const img = document.querySelector('.lead-image img');
                       return [img.currentSrc, img.getBoundingClientRect().width,
                               img.getBoundingClientRect().height]; }"""
        )
        assert box[0].endswith(PHOTO_480), box
        assert abs(box[2] - box[1] * 1067 / 1600) < 1.5, box  # the page keeps the photo's proportions
        page.route("**/photos/**", lambda route: route.abort())  # no picture at all: the box is there
        page.reload(wait_until="load")
        height = page.evaluate("document.querySelector('.lead-image img').getBoundingClientRect().height")
        assert abs(height - box[2]) < 1.5, (height, box)
        page.screenshot(path=tmp_path / "photo-article-375.png")
    finally:
        ctx.close()


# ---- the edition by e-mail ----

EMAIL_AUDIT = """() => {
    const root = document.documentElement;
    const tables = [...document.querySelectorAll('table')];
    const cells = [...document.querySelectorAll('td')];
    return {
        html: [root.lang, root.dir],
        overflow: root.scrollWidth - root.clientWidth,
        tables: tables.length,
        undirected: [...tables, ...cells].filter((el) => el.getAttribute('dir') !== 'rtl').length,
        ltr: [...tables, ...cells].filter((el) => getComputedStyle(el).direction !== 'rtl').length,
        left: cells.filter((el) => getComputedStyle(el).textAlign !== 'right').length,
        inner: document.querySelector('table.inner').getBoundingClientRect().width,
        scripts: document.scripts.length,
    };
}"""


@pytest.mark.parametrize("width", [600, 375])
def test_edition_email_is_right_to_left_and_fits_the_screen(browser, site, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = open_page(ctx, site, PAGES["edition"] + "email.html")
        audit = page.evaluate(EMAIL_AUDIT)
        assert audit["html"] == ["ar", "rtl"]
        assert audit["overflow"] <= 0, audit  # no sideways scroll
        assert audit["tables"] >= 2 and audit["undirected"] == 0 and audit["ltr"] == 0 and audit["left"] == 0, audit
        assert audit["inner"] <= min(width, 600), audit
        assert audit["scripts"] == 0
    finally:
        ctx.close()
