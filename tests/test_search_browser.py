"""Search as readers meet it: the fixture site plus an article written with the spellings readers vary, built
for /nashra/ on the local server, searched in Chromium (the launch, skips and checkers of tests/test_browser.py)."""

from __future__ import annotations

import shutil

import pytest
from conftest import build, make_site
from pages_server import PagesServer
from test_browser import AXE, CHROMIUM, CHROMIUM_ARGS, axe_violations, low_contrast, need

from nashra.render import search
from nashra.words import RESULT_FORMS, WORDS

VARIANTS = """---
title: "المسؤولون يزورون مستشفى المدينة"
date: 2024-06-12T10:00:00
topics: [politics]
summary: "زيارة إلى المدرسة القديمة بعد ترميمها."
source:
  name: وكالة الأنباء
---

قال Tedros Ghebreyesus إن المسؤولين تفقدوا المستشفى والمدرسة معًا،
وإن الأطباء سيعودون الأسبوع المقبل إلى القرية مع سلمى، ثم إلى مكة.
"""
TITLE = "المسؤولون يزورون مستشفى المدينة"

# (what a reader types, the word of the article that should be marked in the excerpt). Pagefind's stemmer
# alone matches some of these (المدرسه, مستشفي); those marked * it does not: they need our folding.
QUERIES = {
    "hamza on yaa for hamza on waw *": ("المسئولون", "المسؤولون"),
    "haa for taa marbuta": ("المدرسه", "المدرسة"),
    "haa for taa marbuta in a short word *": ("مكه", "مكة"),
    "haa for taa marbuta after yaa *": ("القريه", "القرية"),
    "yaa for alef maqsura": ("مستشفي", "مستشفى"),
    "yaa for alef maqsura in a name *": ("سلمي", "سلمى"),
    "harakat": ("مُسْتَشْفَى", "مستشفى"),
    "tatweel": ("مستـــشفى", "مستشفى"),
    "a Latin name": ("Ghebreyesus", "Ghebreyesus"),
    "the exact title": (TITLE, "يزورون"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("search") / "site")
    (root / "content/articles/2024/06/variants.md").write_text(VARIANTS, encoding="utf-8")
    with PagesServer(root / "output", "/nashra/") as server:
        assert build(root, "--base-url", server.url, "--now", "2025-01-01T00:00") == 0
        yield root / "output", server


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


def searched(page, site, query: str | None):
    """The search page for `query` (as the header's form sends it), once its results or message are shown."""
    address = site[1].url + "search/"
    page.goto(address if query is None else f"{address}?q={query}", wait_until="load")
    page.wait_for_function("document.getElementById('search').dataset.state === 'done'")
    return page


def results(page) -> list[dict]:
    return page.eval_on_selector_all(
        "main .search-results li",
        "(items) => items.map((li) => ({title: li.querySelector('h2 a').textContent,"
        " href: li.querySelector('h2 a').getAttribute('href'), meta: li.querySelector('.meta').textContent,"
        " marks: [...li.querySelectorAll('.excerpt mark')].map((m) => m.textContent)}))",
    )


@pytest.mark.parametrize("kind", QUERIES)
def test_each_spelling_variant_finds_the_article(context, site, kind):
    typed, marked = QUERIES[kind]
    page = searched(context.new_page(), site, typed)
    found = results(page)
    titles = [r["title"] for r in found[:3]]
    assert TITLE in titles, (kind, titles)
    hit = next(r for r in found if r["title"] == TITLE)
    assert hit["href"] == "/nashra/articles/variants/"
    assert "12 يونيو 2024" in hit["meta"] and "وكالة الأنباء" in hit["meta"]
    # the match marked, in the article's own spelling (a word as spaces delimit it: with its punctuation)
    assert marked in [m.rstrip("،.") for m in hit["marks"]], hit["marks"]
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status" and typed in status.inner_text()
    assert page.input_value("#site-search-q") == typed  # the query stays in the box, to edit


def test_a_nonsense_query_says_so_in_arabic(context, site):
    page = searched(context.new_page(), site, "زقزقطوط")
    assert results(page) == []
    assert page.locator("#search-status").inner_text() == WORDS["search_no_results"].format(q="زقزقطوط")


def test_the_search_page_without_a_query_says_what_to_do(context, site):
    page = searched(context.new_page(), site, None)
    assert page.locator("#search-status").inner_text() == WORDS["search_prompt"]


def test_search_by_keyboard_alone_from_an_article(context, site):
    page = context.new_page()
    page.goto(site[1].url + "articles/visit/", wait_until="load")
    for _ in range(30):  # Tab to the search box, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    page.keyboard.type("المسئولون")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nashra/search/?q=*")
    page.wait_for_function("document.getElementById('search').dataset.state === 'done'")
    for _ in range(40):  # and on to the first result's link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.textContent") == TITLE
    page.keyboard.press("Enter")
    page.wait_for_url("**/nashra/articles/variants/")


def test_without_javascript_the_page_says_search_needs_it_and_links_the_archives(browser, site):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(site[1].url + "search/?q=مستشفى")
        note = page.locator("main .search-note")
        assert note.is_visible() and WORDS["search_needs_js"] in note.inner_text()
        assert note.locator("a").get_attribute("href") == "/nashra/archive/"
        assert page.locator("main .search-results li").count() == 0
    finally:
        ctx.close()


def test_no_request_leaves_the_site_and_the_script_loads_only_on_the_search_page(context, site):
    requests, errors = [], []
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site[1].url + "articles/visit/", wait_until="networkidle")
    assert not [u for u in requests if u.endswith(".js")]
    searched(page, site, "مستشفى")
    assert [u for u in requests if not u.startswith(site[1].url)] == []
    assert any("/nashra/pagefind/" in u for u in requests) and errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["مستشفى", "زقزقطوط", None])
def test_axe_and_arabic_contrast_find_nothing_on_the_search_page(browser, site, scheme, query):
    need(AXE.is_file(), "axe-core is not installed (cd tests/browser && npm ci)")
    ctx = browser.new_context(viewport={"width": 390, "height": 900}, color_scheme=scheme)
    try:
        page = searched(ctx.new_page(), site, query)
        assert axe_violations(page) == []
        assert low_contrast(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        ctx.close()


def test_screenshots_of_the_search_page(browser, site, tmp_path_factory):
    shots = tmp_path_factory.mktemp("search-shots")
    ctx = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        for name, query in (("results", "مستشفي"), ("none", "زقزقطوط")):
            searched(ctx.new_page(), site, query).screenshot(path=shots / f"{name}.png", full_page=True)
    finally:
        ctx.close()
    assert sorted(p.name for p in shots.iterdir()) == ["none.png", "results.png"]
    shutil.rmtree(shots)


# ---- an index in shards ----

SHARDED = {  # slug -> (date, topic): one in March 2023's shard, one in February 2025's (the clock: March 2025)
    "saffron-old": ("2023-03-10T09:00:00", "economy"),
    "saffron-new": ("2025-02-10T09:00:00", "politics"),
}


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("sharded") / "site")
    for slug, (date, topic) in SHARDED.items():
        (root / f"content/articles/{slug}.md").write_text(
            f'---\ntitle: "حصاد الزعفران {slug}"\ndate: {date}\ntopics: [{topic}]\nsummary: "ملخص."\n'
            f"source:\n  name: وكالة الأنباء\n---\n\nبدأ موسم حصاد الزعفران في القرى.\n",
            encoding="utf-8",
        )
    with PagesServer(root / "output", "/nashra/") as server, pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_LIMIT", 1)  # a shard a month
        assert build(root, "--base-url", server.url, "--now", "2025-03-01T00:00") == 0
        yield root / "output", server


MERGED = """async ([query, filters]) => {
  const pagefind = await import(document.getElementById('search').dataset.pagefind);  // search.js's, merged
  const search = await pagefind.search(query, {filters});
  const found = await Promise.all(search.results.map((r) => r.data()));
  return {urls: found.map((d) => d.url), scores: search.results.map((r) => r.score),
          filters: await pagefind.filters()};
}"""


def test_one_query_finds_articles_of_an_old_year_and_of_a_month_and_filters_across_shards(context, sharded):
    output = sharded[0]
    assert {p.name for p in (output / "pagefind").iterdir()} == {"2023-03", "2024-05", "2024-06", "2025-02"}
    page = searched(context.new_page(), sharded, "الزعفران")
    found = results(page)
    assert {r["href"] for r in found} == {f"/nashra/articles/{slug}/" for slug in SHARDED}
    count = RESULT_FORMS["two"].format(n="2")  # the results of both shards counted
    assert page.locator("#search-status").inner_text() == WORDS["search_results_for"].format(count=count, q="الزعفران")
    merged = page.evaluate(MERGED, ["الزعفران", {}])
    assert merged["scores"] == sorted(merged["scores"], reverse=True)  # one list, ranked across the shards
    assert merged["filters"]["topic"]["اقتصاد"] >= 1 and merged["filters"]["topic"]["سياسة"] >= 3  # summed
    assert page.evaluate(MERGED, ["الزعفران", {"topic": "اقتصاد"}])["urls"] == ["/nashra/articles/saffron-old/"]
    assert page.evaluate(MERGED, ["الزعفران", {"topic": "سياسة"}])["urls"] == ["/nashra/articles/saffron-new/"]
    everything = page.evaluate(MERGED, [None, {"source": "وكالة الأنباء"}])["urls"]  # a filter alone, no words
    assert {f"/nashra/articles/{slug}/" for slug in SHARDED} <= set(everything)
