"""Publishing on GitHub Pages: the built site works when served as Pages serves it, and the workflow
in .github/workflows/pages.yml is valid and follows GitHub's documented Pages flow.

The site is built into tmp_path and served by tests/pages_server.py (a stand-in for GitHub Pages) on
127.0.0.1, as a project site under /nashra/ and as a user site at /. A crawler then follows every
link, asset, feed and sitemap entry and every fetch must answer 200.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import feedparser
import pytest
import yaml
from conftest import ROOT, build, make_site
from pages_server import (
    Crawler,
    PagesServer,
    fetch,
    fetch_no_redirect,
    html_ids,
    html_refs,
    parse_html,
    sitemap_locs,
)

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
LAYOUTS = {  # base_url, and the prefix GitHub Pages serves it under
    "project": ("https://example.github.io/nashra/", "/nashra/"),
    "user": ("https://example.github.io/", "/"),
}
# tests/fixtures/site/content/articles/2024/06/unsafe.md is the sanitiser's test article: its raw
# `<img src="x">` points at nothing on purpose (content, not something Nashra generates), so a crawl
# of the fixture site reports it, on the page and in the feeds that carry that article.
DELIBERATE = re.compile(r"img\[src\] -> (?:\S*/articles/unsafe/x|x): ")


def copy_sample(dest: Path) -> Path:
    """The repository's own site (content/, templates/, site.yml), as the workflow builds it."""
    dest.mkdir(parents=True)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("site.yml", "build.py"):
        shutil.copyfile(ROOT / name, dest / name)
    return dest


def copy_fixture(dest: Path) -> Path:
    return make_site(dest, fixture="site")


SITES = {"sample": copy_sample, "fixture": copy_fixture}


def failures(report, site: str = "sample") -> list[str]:
    return [f for f in report.failures if not (site == "fixture" and DELIBERATE.search(f))]


@dataclass
class Published:
    site: str
    root: Path
    output: Path
    base_url: str
    server: PagesServer
    crawler: Crawler

    def local(self, site_path: str) -> str:
        return self.server.url + site_path


@pytest.fixture(scope="module", params=[(s, lay) for s in SITES for lay in LAYOUTS], ids=lambda p: "-".join(p))
def published(request, tmp_path_factory):
    site, layout = request.param
    base_url, prefix = LAYOUTS[layout]
    root = SITES[site](tmp_path_factory.mktemp(f"{site}-{layout}") / "site")
    assert build(root, "--base-url", base_url) == 0
    with PagesServer(root / "output", prefix) as server:
        yield Published(site, root, root / "output", base_url, server, Crawler(server.url, base_url))


@pytest.fixture(scope="module")
def report(published):
    """One crawl from the home page per published site."""
    return published.crawler.crawl([published.server.url])


def page_urls(output: Path, prefix_url: str) -> set[str]:
    """The address of every HTML page in a build, but 404.html."""
    found = set()
    for path in output.rglob("*.html"):
        rel = path.relative_to(output).as_posix()
        if rel != "404.html" and path.name != "email.html":  # a mail body, crawled on its own below
            found.add(prefix_url + rel.removesuffix("index.html"))
    return found


def check_404_page(server: PagesServer, crawler: Crawler, path: str) -> list[str]:
    """Ask for a missing address; return what is wrong with the answer and the links on it."""
    url = server.url + path
    got = fetch(url)
    problems = []
    if got.status != 404:
        problems.append(f"{url}: status {got.status}, not 404")
    if got.body != (server.folder / "404.html").read_bytes():
        problems.append(f"{url}: the answer is not the site's 404.html")
    doc = parse_html(got.body)
    refs = html_refs(doc, url)
    if not [r for r in refs if r.kind == "link[rel=stylesheet]"]:
        problems.append(f"{url}: the 404 page has no stylesheet")
    for ref in refs:
        target_url, fragment = urldefrag(ref.url)
        if target_url == url:  # same document (the skip link): nothing to fetch, the target must exist
            if fragment not in html_ids(doc):
                problems.append(f"{ref}: no element with id {fragment!r}")
            continue
        local = crawler.to_local(ref.url)
        if local is None:
            continue
        target = fetch(local)
        if target.status != 200:
            problems.append(f"{ref}: {target.status}")
        elif ref.kind == "link[rel=stylesheet]" and not target.content_type.startswith("text/css"):
            problems.append(f"{ref}: served as {target.content_type!r}, not text/css")
    return problems


# --- the published site -----------------------------------------------------------------------------


def test_crawl_from_home_finds_nothing_broken(published, report):
    assert len(report.pages) > 5, "the crawl did not get past the home page"
    assert report.feeds, "no feed was reached from the pages"
    assert failures(report, published.site) == []
    assert {urlsplit(u).netloc for u in report.fetched} == {urlsplit(published.server.url).netloc}


def test_crawl_from_every_edition_email_finds_nothing_broken(published):
    """email.html is mailed, not linked from the site: every link in it must still work."""
    emails = sorted(published.output.glob("editions/*/email.html"))
    assert emails
    starts = [published.local(p.relative_to(published.output).as_posix()) for p in emails]
    report = published.crawler.crawl(starts)
    assert failures(report, published.site) == []
    assert len(report.pages) > 5  # from the mail into the site


def test_no_stylesheet_image_or_script_from_another_host(report):
    assert report.external_subresources == []
    # Links to other hosts (the reported sources) are fine, and were recorded but never fetched.
    assert all(r.kind.endswith("a[href]") or r.kind.startswith("link[rel=") for r in report.external)


def test_every_page_is_reached_by_links(published, report):
    assert report.pages == page_urls(published.output, published.server.url)


def test_crawl_reaches_every_archive_and_source_page(published, report):
    """From the home page through the footer, an article's date and its source: every archive and source page."""
    pages = page_urls(published.output, published.server.url)
    wanted = {p for p in pages if p.startswith((published.local("archive/"), published.local("sources/")))}
    assert len(wanted) >= 13, sorted(wanted)
    assert wanted <= report.pages
    feeds = {published.local(f"sources/{p.parent.name}/feed.xml") for p in published.output.glob("sources/*/feed.xml")}
    assert feeds and feeds <= report.feeds  # advertised on each source page


def test_every_page_is_canonical_at_its_own_address(published, report):
    canonical = {r.source: published.crawler.to_local(r.url) for r in report.refs if r.kind == "link[rel=canonical]"}
    assert canonical == {page: page for page in report.pages}


def test_sitemap_lists_every_page_and_each_answers_200(published, report):
    got = fetch(published.local("sitemap.xml"))
    assert got.status == 200
    locs = sitemap_locs(got.body)
    assert locs and all(loc.startswith(published.base_url) for loc in locs)
    for loc in locs:
        answer = fetch(published.crawler.to_local(loc))
        assert (answer.status, answer.redirects) == (200, 0), loc
    assert {published.crawler.to_local(loc) for loc in locs} == report.pages


def test_robots_txt_points_at_the_sitemap(published):
    got = fetch(published.local("robots.txt"))
    assert got.status == 200
    lines = [line.split(":", 1)[1].strip() for line in got.body.decode().splitlines() if line.startswith("Sitemap:")]
    assert lines == [published.base_url + "sitemap.xml", published.base_url + "news-sitemap.xml"]
    assert [fetch(published.crawler.to_local(line)).status for line in lines] == [200, 200]


def test_every_feed_url_answers_200(published, report):
    feeds = sorted([*published.output.rglob("feed.xml"), *published.output.rglob("atom.xml")])  # RSS and Atom
    assert len(feeds) >= 4
    feed_urls = {published.local(f.relative_to(published.output).as_posix()) for f in feeds}
    assert report.feeds == feed_urls, "every feed is linked from the pages"
    for url in sorted(feed_urls):
        got = fetch(url)
        assert got.status == 200
        parsed = feedparser.parse(got.body)
        assert not parsed.bozo, parsed.bozo_exception
        own = published.base_url + url.removeprefix(published.server.url)
        selves = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert selves == [own], "atom:link rel=self is the feed's own address"
        links = [parsed.feed.link, *selves, *(entry.link for entry in parsed.entries)]
        assert parsed.entries
        for link in links:
            assert link.startswith(published.base_url), link
            answer = fetch(published.crawler.to_local(link))
            assert answer.status == 200, f"{url}: {link} -> {answer.status}"


@pytest.mark.parametrize(
    "path", ["missing", "a/b/c/missing", "articles/missing/", "topics/none/page/9/", "static/missing.css", "Topics/"]
)
def test_404_page_works_at_any_depth(published, path):
    assert check_404_page(published.server, published.crawler, path) == []


def test_folder_without_slash_redirects_like_pages(published):
    url = published.local("topics")
    got = fetch_no_redirect(url)
    assert (got.status, got.final_url) == (301, url + "/")
    assert fetch(url).status == 200
    if published.server.prefix != "/":
        bare = published.server.origin + published.server.prefix.rstrip("/")
        assert fetch_no_redirect(bare).final_url == published.server.url


def test_nothing_outside_the_prefix(published):
    site_404 = (published.output / "404.html").read_bytes()
    if published.server.prefix == "/":  # a user site owns the whole host, and its 404 page answers for it
        assert fetch(published.server.origin + "/").status == 200
        assert fetch(published.server.origin + "/other-repo/").body == site_404
        return
    for path in ("/", "/index.html", "/feed.xml", "/static/style.css", "/NASHRA/"):
        got = fetch(published.server.origin + path)
        assert got.status == 404, path
        assert got.body != site_404, "another repository's address is not this site's"


def test_files_starting_with_underscore_are_published(tmp_path):
    """Jekyll (a branch deploy without .nojekyll) hides `_name`; Nashra's .nojekyll keeps them."""
    root = copy_fixture(tmp_path / "site")
    shutil.copyfile(root / "content/images/route.svg", root / "content/images/_map.svg")
    (root / "templates/static/_print.css").write_text("@media print { body { color: black } }\n")
    assert build(root) == 0
    assert (root / "output/.nojekyll").is_file()
    paths = ["images/_map.svg", "static/_print.css"]
    with PagesServer(root / "output", "/nashra/") as server:
        assert [fetch(server.url + p).status for p in paths] == [200, 200]
        (root / "output/.nojekyll").unlink()  # the control: without it, the stand-in hides them as Jekyll does
        assert [fetch(server.url + p).status for p in paths] == [404, 404]


def test_custom_domain_writes_cname_and_uses_the_domain(tmp_path):
    root = copy_fixture(tmp_path / "site")
    with (root / "site.yml").open("a", encoding="utf-8") as f:
        f.write("cname: news.example.org\n")
    assert build(root) == 0
    out = root / "output"
    assert (out / "CNAME").read_text() == "news.example.org\n"
    base = "https://news.example.org/"
    assert all(loc.startswith(base) for loc in sitemap_locs((out / "sitemap.xml").read_bytes()))
    for feed in out.rglob("feed.xml"):
        parsed = feedparser.parse(feed.read_bytes())
        links = [parsed.feed.link, *(link.href for link in parsed.feed.links), *(e.link for e in parsed.entries)]
        assert all(link.startswith(base) for link in links), feed
    assert f"Sitemap: {base}sitemap.xml" in (out / "robots.txt").read_text()
    with PagesServer(out, "/") as server:
        report = Crawler(server.url, base).crawl([server.url, server.url + "sitemap.xml"])
        assert len(report.pages) > 5
        assert failures(report, "fixture") == []
        assert check_404_page(server, Crawler(server.url, base), "a/b/c/missing") == []

    # What the workflow does once the domain is set in Settings -> Pages: configure-pages reports it
    # as base_url (no trailing slash). The build is the same, byte for byte.
    assert build(root, "--base-url", "https://news.example.org" + "/", "--output", str(tmp_path / "ci")) == 0
    assert tree(tmp_path / "ci") == tree(out)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- links in article bodies ----------------------------------------------------------------------------


def add_article(root: Path, name: str, body: str) -> None:
    (root / "content/articles/2024/06" / name).write_text(
        "---\ntitle: خبر للاختبار\ndate: 2024-06-20T10:00:00\ntopics: [politics]\n"
        "summary: ملخص قصير لخبر يستعمل في اختبار الروابط.\nsource:\n  name: مصدر\n---\n\n" + body,
        encoding="utf-8",
    )


def test_relative_body_links_are_absolute_in_feeds(tmp_path):
    root = copy_fixture(tmp_path / "site")
    # A fragment link is the relative URL a body keeps; in a feed it must point at the article, not the feed.
    add_article(root, "relative.md", "## details\n\nانظر [التفاصيل](#details).\n")
    assert build(root) == 0
    feed = (root / "output/feed.xml").read_text(encoding="utf-8")
    assert 'href="https://example.github.io/nashra/articles/relative/#details"' in feed
    with PagesServer(root / "output", "/nashra/") as server:
        report = Crawler(server.url, LAYOUTS["project"][0]).crawl([server.url])
    assert not [f for f in report.broken if "/articles/relative/" in f], "the link works on the page"
    assert failures(report, "fixture") == []


def test_body_link_to_a_missing_file_is_not_published_silently(tmp_path):
    # Fixed: the build checks links and images in article bodies (nashra/read/links.py) and refuses dangling ones.
    root = copy_fixture(tmp_path / "site")
    add_article(root, "dangling.md", "انظر [خبرًا](../05/nope.md).\n\n![خريطة](../../../images/nope.svg)\n")
    if build(root) != 0:
        return  # refused with a message: fine
    with PagesServer(root / "output", "/nashra/") as server:
        report = Crawler(server.url, LAYOUTS["project"][0]).crawl([server.url])
    assert failures(report, "fixture") == []


# --- the stand-in server and the crawler themselves ---------------------------------------------------


@pytest.fixture
def handmade(tmp_path):
    """A tiny hand-written site beside a secret file it must never serve."""
    (tmp_path / "secret.txt").write_text("SECRET\n")
    out = tmp_path / "out"
    (out / "topics").mkdir(parents=True)
    (out / "index.html").write_text("<!doctype html><title>home</title><a href='topics/'>t</a>")
    (out / "topics/index.html").write_text("<!doctype html><title>topics</title>")
    (out / "about.html").write_text("<!doctype html><title>about</title>")
    (out / "404.html").write_text("<!doctype html><title>not found</title><p>SITE 404")
    (out / ".nojekyll").write_text("")
    (out / "escape").symlink_to(tmp_path / "secret.txt")
    (out / "escape-dir").symlink_to(tmp_path)
    return out


def raw_get(server: PagesServer, target: str) -> tuple[int, bytes]:
    """Send the request line exactly as given (urllib and browsers would normalise it)."""
    conn = http.client.HTTPConnection(*server.address, timeout=5)
    try:
        conn.putrequest("GET", target, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_server_serves_like_pages(handmade):
    with PagesServer(handmade, "/nashra/") as server:
        assert server.address[0] == "127.0.0.1"
        assert server.thread.daemon and server.httpd.daemon_threads
        home = fetch(server.url)
        assert (home.status, home.content_type) == (200, "text/html; charset=utf-8")
        assert fetch_no_redirect(server.url + "topics").status == 301
        assert fetch(server.url + "topics").final_url == server.url + "topics/"
        assert fetch_no_redirect(server.url + "topics?page=2").final_url == server.url + "topics/?page=2"
        assert fetch(server.url + "topics/index.html").status == 200
        assert fetch(server.url + "about").status == 200  # Pages serves about.html for /about
        missing = fetch(server.url + "nothing/here")
        assert (missing.status, b"SITE 404" in missing.body) == (404, True)
        assert fetch(server.url + "Topics/").status == 404  # case-sensitive
        assert fetch(server.url + "INDEX.html").status == 404
        outside = fetch(server.origin + "/other/")
        assert (outside.status, b"SITE 404" in outside.body) == (404, False)
        assert fetch(server.origin + "/NASHRA/").status == 404


@pytest.mark.parametrize(
    "target",
    [
        "/nashra/../secret.txt",
        "/nashra/%2e%2e/secret.txt",
        "/nashra/..%2fsecret.txt",
        "/nashra/%2E%2E%2Fsecret.txt",
        "/nashra/topics/../../secret.txt",
        "/nashra//secret.txt",
        "/nashra/escape",
        "/nashra/escape-dir/secret.txt",
        "/nashra/..\\secret.txt",
        "/nashra/%00",
        "/nashra/%ff",
        "/../secret.txt",
        "//secret.txt",
        "*",
    ],
)
def test_server_refuses_to_leave_the_folder(handmade, target):
    with PagesServer(handmade, "/nashra/") as server:
        status, body = raw_get(server, target)
    assert status == 404
    assert b"SECRET" not in body


def test_server_stops(handmade):
    server = PagesServer(handmade, "/")
    assert fetch(server.url).status == 200
    server.close()
    assert not server.thread.is_alive()
    with pytest.raises(OSError):
        http.client.HTTPConnection(*server.address, timeout=2).connect()


def test_crawler_reports_every_kind_of_breakage(tmp_path):
    """The crawl tests cannot pass vacuously: each mistake a site can make is caught."""
    base = "https://example.github.io/nashra/"
    out = tmp_path / "out"
    (out / "static").mkdir(parents=True)
    (out / "static/style.css").write_text("body { background: url(missing-bg.png) }\n")
    (out / "index.html").write_text(
        "<!doctype html><html><head><link rel=stylesheet href='/nashra/static/style.css'>"
        "<link rel=stylesheet href='/nashra/static/gone.css'>"
        "<link rel=stylesheet href='https://cdn.example.net/x.css'>"
        f"<link rel=alternate type=application/rss+xml href='{base}feed.xml'></head><body>"
        "<a href='/nashra/missing/'>a</a> <a href='/other-repo/'>b</a> <a href='#nowhere'>c</a>"
        "<a href='https://example.github.io/forgot-the-prefix/'>d</a>"
        "<img src='https://images.example.net/a.png'><script src='//cdn.example.net/s.js'></script>"
        "<a href='https://www.example.com/'>fine: a link out</a></body></html>"
    )
    (out / "feed.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        f"<link>{base}</link><description>d</description>"
        f"<item><title>i</title><link>{base}articles/gone/</link><description>d</description></item>"
        "<item><title>j</title><link>https://elsewhere.example/</link>"
        '<description>&lt;a href="/nashra/"&gt;relative&lt;/a&gt;</description></item>'
        "</channel></rss>"
    )
    (out / "sitemap.xml").write_text(
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"<url><loc>{base}</loc></url><url><loc>{base}no-such-page/</loc></url>"
        "<url><loc>https://other.example/</loc></url></urlset>"
    )
    with PagesServer(out, "/nashra/") as server:
        report = Crawler(server.url, base).crawl([server.url, server.url + "sitemap.xml"])
    text = "\n".join(report.failures)
    for expected in [
        "static/gone.css: 404",
        "missing-bg.png: 404",
        "/nashra/missing/: 404",
        "/other-repo/: 404",
        "forgot-the-prefix/: 404",
        "no element with id 'nowhere'",
        "articles/gone/: 404",
        "elsewhere.example/: not an address on this site",
        "a feed must use absolute URLs",
        "no-such-page/: 404",
        "https://other.example/ is not under",
    ]:
        assert expected in text, expected
    loads = {r.url for r in report.external_subresources}
    assert loads == {"https://cdn.example.net/x.css", "https://images.example.net/a.png", "http://cdn.example.net/s.js"}
    assert "https://www.example.com/" in {r.url for r in report.external}
    assert not [u for u in report.fetched if "example" in urlsplit(u).netloc], "other hosts are never fetched"


def test_crawler_catches_links_that_forget_the_sub_path(tmp_path):
    """The classic project-site breakage: a site built for `/` published under `/nashra/`."""
    root = copy_fixture(tmp_path / "site")
    assert build(root, "--base-url", "https://example.github.io/") == 0
    with PagesServer(root / "output", "/nashra/") as server:
        crawler = Crawler(server.url, "https://example.github.io/nashra/")
        report = crawler.crawl([server.url])
        problems_404 = check_404_page(server, crawler, "a/b/c/missing")
    assert any("link[rel=stylesheet]" in f and "/static/style.css: 404" in f for f in report.failures)
    assert any("a[href]" in f and ": 404" in f for f in report.failures)
    assert any("style.css: 404" in p for p in problems_404)


def test_crawler_catches_a_missing_stylesheet_on_the_404_page(tmp_path):
    root = copy_fixture(tmp_path / "site")
    assert build(root) == 0
    (root / "output/static/style.css").unlink()
    with PagesServer(root / "output", "/nashra/") as server:
        crawler = Crawler(server.url, "https://example.github.io/nashra/")
        assert any("style.css: 404" in p for p in check_404_page(server, crawler, "a/b/c/missing"))
        assert any("style.css: 404" in f for f in crawler.crawl([server.url]).failures)


# --- the workflow -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: dict) -> list[dict]:
    return job["steps"]


def uses(workflow: dict) -> list[str]:
    return [s["uses"] for job in workflow["jobs"].values() for s in steps(job) if "uses" in s]


def test_workflow_matches_githubs_schema():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_follows_the_pages_flow(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "workflow_dispatch", "schedule"}
    assert triggers["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    used = uses(workflow)
    for action in (
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/configure-pages@v5",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
    ):
        assert used.count(action) == 1, action
    assert used.count("actions/cache@v4") == 1

    build_job = workflow["jobs"]["build"]
    by_uses = {s["uses"].split("@")[0]: s for s in steps(build_job) if "uses" in s}
    assert by_uses["actions/setup-python"]["with"]["python-version"] == "3.12"
    assert by_uses["actions/setup-python"]["with"]["cache"] == "pip"
    assert by_uses["actions/configure-pages"]["id"] == "pages"
    assert by_uses["actions/upload-pages-artifact"]["with"]["path"] == "output/"
    cache = by_uses["actions/cache"]["with"]
    assert cache["path"] == ".nashra-cache/" and cache["restore-keys"] == "nashra-cache-"
    assert "github.run_id" in cache["key"]  # each scheduled run of a commit saves its build for the next
    runs = [s["run"] for s in steps(build_job) if "run" in s]
    assert "python -m pip install -e ." in runs
    order = steps(build_job).index
    assert order(by_uses["actions/cache"]) < order(build_step(workflow))
    assert (
        order(by_uses["actions/configure-pages"])
        < order(build_step(workflow))
        < order(by_uses["actions/upload-pages-artifact"])
    )

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [(s.get("id"), s["uses"]) for s in steps(deploy)] == [("deployment", "actions/deploy-pages@v4")]


def build_step(workflow: dict) -> dict:
    [step] = [s for s in steps(workflow["jobs"]["build"]) if "build.py" in s.get("run", "")]
    return step


def test_workflow_builds_with_the_address_pages_reports(workflow):
    step = build_step(workflow)
    command = step["run"].strip()
    env = step.get("env", {})
    assert command.startswith("python build.py --base-url ")
    # The value is configure-pages' base_url plus the slash, inline or through an env variable.
    expression = "${{ steps.pages.outputs.base_url }}"
    names = [name for name, value in env.items() if value == expression]
    assert f'"{expression}/"' in command or any(f'"${{{name}%/}}/"' in command for name in names)


@pytest.mark.parametrize(
    ("pages_base_url", "base_url", "prefix"),
    [
        ("https://example.github.io/nashra", "https://example.github.io/nashra/", "/nashra/"),
        ("https://example.github.io", "https://example.github.io/", "/"),
        ("https://news.example.org", "https://news.example.org/", "/"),
        ("https://example.github.io/nashra/", "https://example.github.io/nashra/", "/nashra/"),
    ],
    ids=["project-site", "user-site", "custom-domain", "trailing-slash"],
)
def test_workflow_build_step_runs_as_written(workflow, tmp_path, pages_base_url, base_url, prefix):
    """Run the workflow's build command in a checkout of the sample site, with what configure-pages
    would report, then publish the artifact folder the workflow uploads."""
    step = build_step(workflow)
    expression = "${{ steps.pages.outputs.base_url }}"
    env = {name: value.replace(expression, pages_base_url) for name, value in step.get("env", {}).items()}
    command = step["run"].replace(expression, pages_base_url)
    assert "${{" not in command + "".join(env.values())
    root = copy_sample(tmp_path / "repo")
    result = run_step(command, root, env, tmp_path / "github-output")
    assert result.returncode == 0, result.stderr
    [upload] = [s for s in steps(workflow["jobs"]["build"]) if s.get("uses", "").startswith("actions/upload-pages")]
    artifact = root / upload["with"]["path"]
    assert (artifact / "index.html").is_file() and (artifact / "404.html").is_file()
    assert f'href="{urlsplit(base_url).path}static/style.css"' in (artifact / "index.html").read_text()
    with PagesServer(artifact, prefix) as server:
        crawler = Crawler(server.url, base_url)
        report = crawler.crawl([server.url, server.url + "sitemap.xml"])
        assert len(report.pages) > 5
        assert report.failures == []
        assert check_404_page(server, crawler, "a/b/c/missing") == []


def run_step(command: str, root: Path, env: dict[str, str], github_output: Path) -> subprocess.CompletedProcess:
    """A workflow step's script, run in `root` as the runner runs it (bash -e, $GITHUB_OUTPUT set)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    github_output.write_text("")
    return subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=root,
        env={**os.environ, **env, "PATH": path, "GITHUB_OUTPUT": str(github_output)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflow_runs_every_30_minutes_and_publishes_only_what_changed(workflow):
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["schedule"] == [{"cron": "*/30 * * * *"}]
    build_job, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build_step(workflow)["id"] == "build" and "--github-output" in build_step(workflow)["run"]
    assert build_job["outputs"] == {"changed": "${{ steps.build.outputs.changed }}"}
    [upload] = [s for s in steps(build_job) if s.get("uses", "").startswith("actions/upload-pages")]
    assert upload["if"] == "github.event_name != 'schedule' || steps.build.outputs.changed == 'true'"
    assert deploy["if"] == "github.event_name != 'schedule' || needs.build.outputs.changed == 'true'"
    assert [s for s in steps(build_job) if "if" in s] == [upload]  # the build itself always runs


def deploys(condition: str, event: str, changed: str) -> bool:
    """The workflow's `if:` for these values (a small evaluator of the one form it uses)."""
    left, _, right = condition.partition(" || ")
    assert left == "github.event_name != 'schedule'" and right.endswith(".outputs.changed == 'true'"), condition
    return event != "schedule" or changed == "true"


def test_workflow_build_step_says_nothing_came_due_on_a_second_scheduled_run(workflow, tmp_path):
    """The build step twice, as two scheduled runs would (a fresh checkout each time, the cache carried
    over): the second says nothing came due and does not publish; a run after a scheduled article's time
    does. The clock is set with --now for the last run only, as the runner's would have moved on."""
    step = build_step(workflow)
    expression = "${{ steps.pages.outputs.base_url }}"
    pages_base_url = "https://example.github.io/nashra"
    env = {name: value.replace(expression, pages_base_url) for name, value in step.get("env", {}).items()}
    command = step["run"].replace(expression, pages_base_url)
    [upload] = [s for s in steps(workflow["jobs"]["build"]) if s.get("uses", "").startswith("actions/upload-pages")]
    root = copy_sample(tmp_path / "repo")
    due = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    scheduled = (root / "content/articles/2024/06").glob("*.md").__next__().read_text(encoding="utf-8")
    scheduled = re.sub(r"(?m)^date: .*$", f"date: {due.isoformat()}", scheduled, count=1)
    scheduled = re.sub(r"(?m)^slug: .*\n", "", scheduled)
    (root / "content/articles/2024/06/zz-scheduled.md").write_text(scheduled, encoding="utf-8")
    outputs = tmp_path / "github-output"
    said = []
    for extra in ("", "", f" --now {(due + timedelta(minutes=1)).isoformat()}"):
        shutil.rmtree(root / "output", ignore_errors=True)  # each run starts from a fresh checkout
        result = run_step(command + extra, root, env, outputs)
        assert result.returncode == 0, result.stderr
        said.append((result.stdout.splitlines()[-1], outputs.read_text()))
    assert said[0] == ("The output changed since the last build.", "changed=true\n")
    assert said[1] == ("Nothing changed and nothing came due: the output is the last build's, nothing to publish.",
                       "changed=false\n")  # fmt: skip
    assert said[2] == ("The output changed since the last build.", "changed=true\n")
    assert (root / "output/articles/zz-scheduled/index.html").is_file()
    condition = upload["if"]
    assert [deploys(condition, "schedule", said[i][1].strip().split("=")[1]) for i in range(3)] == [True, False, True]
    assert deploys(condition, "push", "false") and deploys(condition, "workflow_dispatch", "false")


def test_readme_explains_publishing():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Publish on GitHub Pages\n" in readme
    section = readme.split("\n## Publish on GitHub Pages\n", 1)[1].split("\n## ", 1)[0]
    numbered = re.findall(r"^(\d+)\. ", section, re.M)
    assert 1 <= len(numbered) <= 5 and numbered == [str(i) for i in range(1, len(numbered) + 1)]
    assert ".github/workflows/pages.yml" in section and "GitHub Actions" in section
    assert "CNAME" in section and "cname" in section
