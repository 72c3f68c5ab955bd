"""A Latin name and the number after it, drawn by Chromium: where the number's glyphs land.

For every sentence of the rule's table (tests/test_typography.py) and every number written after a Latin
name in it, the page is measured with Range.getBoundingClientRect, not read as markup:

- a number that belongs to the name (iOS 18) is drawn immediately to the right of the name's last word,
  inside one left-to-right unit;
- a number the Arabic sentence counts with (Nvidia 3 تريليونات) is drawn to the left of the name, between
  it and the next Arabic word, next to that word.

Once on a minimal right-to-left page made of isolate_text's output, once on an article page built by
Nashra (title, summary and body) and served with its stylesheet and fonts. Needs Debian's chromium and
Playwright for Python; skips with the reason when one is missing, fails instead when
NASHRA_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import build, make_site
from pages_server import PagesServer
from test_browser import browser, need  # noqa: F401 (browser: the module's one Chromium)
from test_typography import NUMBER_JOINS_THE_NAME, NUMBER_STAYS_IN_THE_SENTENCE

from nashra.body.typography import isolate_text

SENTENCES = [sentence for sentence, _ in NUMBER_JOINS_THE_NAME + NUMBER_STAYS_IN_THE_SENTENCE]
RUNS = dict(NUMBER_JOINS_THE_NAME + NUMBER_STAYS_IN_THE_SENTENCE)
# A Latin word, one space, a number (ASCII or Arabic-Indic digits), then maybe an Arabic word.
PAIR = re.compile(r"([A-Za-z][A-Za-z0-9&.\-]*)[ \u00a0\u200e\u200f]+([0-9٠-٩]+(?:\.[0-9]+)*)(?:\s+([\u0621-\u064a]+))?")

TITLE = "أطلقت Apple نظام iOS 18 رسميًا"
SUMMARY = "بلغت قيمة Nvidia 3 تريليونات دولار"


def pairs(sentence: str, runs: list[str]) -> list[dict]:
    """Each number after a Latin word in `sentence`: offsets of the word, the number and the Arabic word
    after it, and whether the rule joins the number to the name (it then ends or sits inside a run)."""
    found = []
    for m in PAIR.finditer(sentence):
        joined = any(re.search(rf"{re.escape(m.group(1))}\W+{re.escape(m.group(2))}(?![0-9])", run) for run in runs)
        found.append(
            {
                "name": m.span(1),
                "number": m.span(2),
                "next": m.span(3) if m.group(3) else None,
                "joined": joined,
                "label": f"{sentence!r}: {m.group(1)} {m.group(2)}",
            }
        )
    return found


MEASURE = """([id, cases]) => {
    const root = document.getElementById(id);
    // Text offsets of root.textContent -> (text node, offset).
    const nodes = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let at = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, at]); at += n.data.length; }
    const point = (offset, end) => {
        for (let i = 0; i < nodes.length; i++) {
            const [n, start] = nodes[i];
            const last = start + n.data.length;
            if (offset < last || (end && offset === last)) return [n, offset - start];
        }
        const [n, start] = nodes[nodes.length - 1];
        return [n, offset - start];
    };
    const rect = ([s, e]) => {
        const range = document.createRange();
        range.setStart(...point(s, false));
        range.setEnd(...point(e, true));
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const size = parseFloat(getComputedStyle(root).fontSize);
    return cases.map(c => ({name: rect(c.name), number: rect(c.number), next: c.next && rect(c.next), size}));
}"""


def placement(where: dict) -> str:
    """'joined' (the number right after the name, left to right), 'out' (to the name's left), or what else."""
    name, number, size = where["name"], where["number"], where["size"]
    assert number["top"] < name["bottom"] and number["bottom"] > name["top"], f"not on one line: {where}"
    if 0 <= number["left"] - name["right"] + 1 <= 0.6 * size:
        return "joined"
    if number["right"] <= name["left"] + 1:
        return "out"
    return f"elsewhere: {where}"


def check(page, element_id: str, text: str, runs: list[str]) -> list[str]:
    """Measure every name-number pair of `text`, drawn in the element `element_id`; the failures."""
    cases = pairs(text, runs)
    if not cases:
        return []
    rendered = page.evaluate("(id) => document.getElementById(id).textContent", element_id)
    assert rendered == text, (rendered, text)
    failures = []
    measured = page.evaluate(MEASURE, [element_id, [{k: c[k] for k in ("name", "number", "next")} for c in cases]])
    for case, where in zip(cases, measured, strict=True):
        expected = "joined" if case["joined"] else "out"
        got = placement(where)
        if got != expected:
            failures.append(f"{case['label']}: expected {expected}, drawn {got}")
        elif expected == "out" and where["next"] is not None:
            # Between the name and the Arabic word after it, next to that word.
            gap = where["number"]["left"] - where["next"]["right"]
            if not -1 <= gap <= 0.6 * where["size"]:
                failures.append(f"{case['label']}: not next to the word after it: {where}")
    return failures


# ---- one page of the shared browser ----


@pytest.fixture
def page(browser):  # noqa: F811 (pytest passes the fixture imported from test_browser)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx.new_page()
    ctx.close()


# ---- tests ----


def test_measurement_tells_a_joined_number_from_one_left_outside(page):
    # The markup the rule used to write for iOS 18, and a run that wrongly takes the 3 of an amount:
    # the glyph positions, not the tags, show both faults.
    page.set_content(
        '<!doctype html><html lang="ar" dir="rtl"><body style="font-size:20px">'
        '<p id="old">أطلقت نظام <bdi>iOS</bdi> 18 رسميًا</p>'
        '<p id="glued">بلغت قيمة <bdi>Nvidia 3</bdi> تريليونات دولار</p></body></html>'
    )
    assert check(page, "old", "أطلقت نظام iOS 18 رسميًا", ["iOS 18"]) == [
        "'أطلقت نظام iOS 18 رسميًا': iOS 18: expected joined, drawn out"
    ]
    assert check(page, "glued", "بلغت قيمة Nvidia 3 تريليونات دولار", ["Nvidia"]) == [
        "'بلغت قيمة Nvidia 3 تريليونات دولار': Nvidia 3: expected out, drawn joined"
    ]


def test_numbers_sit_where_the_rule_puts_them_on_a_plain_page(page):
    paragraphs = "".join(f'<p id="s{i}">{isolate_text(s)}</p>' for i, s in enumerate(SENTENCES))
    page.set_content(
        f'<!doctype html><html lang="ar" dir="rtl"><body style="font-size:20px">{paragraphs}</body></html>'
    )
    failures = [f for i, s in enumerate(SENTENCES) for f in check(page, f"s{i}", s, RUNS[s])]
    assert failures == []
    assert sum(len(pairs(s, RUNS[s])) for s in SENTENCES) > 100  # every row has its number measured


def test_numbers_sit_where_the_rule_puts_them_on_a_built_article(page, tmp_path: Path):
    site = make_site(tmp_path / "site")
    body = "\n\n".join(html.escape(s, quote=False) for s in SENTENCES)
    (site / "content/articles/2024/06/numbers.md").write_text(
        f'---\ntitle: "{TITLE}"\ndate: 2024-06-20T10:00\ntopics: [science]\nsummary: "{SUMMARY}"\n'
        f"source:\n  name: BBC\n---\n\n{body}\n",
        encoding="utf-8",
    )
    output = site / "output"
    with PagesServer(output, "/nashra/") as server:
        assert build(site, "--base-url", server.url) == 0
        page.goto(server.url + "articles/numbers/", wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.evaluate("""() => {
            document.querySelector('h1').id = 'title';
            document.querySelector('.lede').id = 'summary';
            document.querySelectorAll('.body > p').forEach((p, i) => { p.id = 's' + i; });
        }""")
        failures = check(page, "title", TITLE, RUNS[TITLE]) + check(page, "summary", SUMMARY, RUNS[SUMMARY])
        assert page.locator(".body > p").count() == len(SENTENCES)
        failures += [f for i, s in enumerate(SENTENCES) for f in check(page, f"s{i}", s, RUNS[s])]
    assert failures == []


def test_authors_overrides_are_drawn_as_they_ask(page):
    # The rule's own reading first, then the author's: marks in plain text, <bdi> in the body's HTML.
    cases = [
        ("s0", str(isolate_text("أرسلت Apple 3 دعوات")), "أرسلت Apple 3 دعوات", ["Apple 3"]),
        ("s1", str(isolate_text("أرسلت Apple\u200f 3 دعوات")), "أرسلت Apple\u200f 3 دعوات", ["Apple"]),
        ("s2", "أرسلت <bdi>Apple</bdi> 3 دعوات", "أرسلت Apple 3 دعوات", ["Apple"]),
        ("s3", str(isolate_text("تعطل Windows 11 مرة ثالثة")), "تعطل Windows 11 مرة ثالثة", ["Windows"]),
        ("s4", str(isolate_text("تعطل Windows\u200e 11 مرة ثالثة")), "تعطل Windows\u200e 11 مرة ثالثة", ["Windows 11"]),
        ("s5", "تعطل <bdi>Windows 11</bdi> مرة ثالثة", "تعطل Windows 11 مرة ثالثة", ["Windows 11"]),
    ]
    paragraphs = "".join(f'<p id="{i}">{markup}</p>' for i, markup, _, _ in cases)
    page.set_content(
        f'<!doctype html><html lang="ar" dir="rtl"><body style="font-size:20px">{paragraphs}</body></html>'
    )
    assert [f for i, _, text, runs in cases for f in check(page, i, text, runs)] == []
