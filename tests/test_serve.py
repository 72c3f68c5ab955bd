"""`serve`: a change on disk shows in the served page within seconds; a broken file keeps the last good page."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from test_browser import browser  # noqa: F401 - the shared Chromium fixture

from nashra.cli import main
from nashra.commands import serve
from nashra.commands.serve import Preview

VISIT = "content/articles/2024/06/visit.md"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def wait_for(check, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"not seen within {seconds} s")


@pytest.fixture
def served(site: Path):
    """`python build.py serve` on a free port; stopped (killed at worst) when the test ends."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--root", str(site), "--port", "0", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(20):
            line = process.stdout.readline()
            if line.startswith("Serving "):
                break
        else:
            pytest.fail("serve did not start")
        yield line.split()[1], process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_rebuilds_and_keeps_the_last_good_site(site: Path, served):
    url, process = served
    assert url.startswith("http://127.0.0.1:") and url.endswith("/nashra/")
    status, page = fetch(url + "articles/visit/")
    assert status == 200 and "زيارة مرتقبة" in page
    assert "__nashra/status" in page  # the reload script, in served pages only
    assert "__nashra" not in (site / "output/articles/visit/index.html").read_text(encoding="utf-8")
    version = json.loads(fetch(url + "__nashra/status")[1])["version"]

    article = site / VISIT
    article.write_text(article.read_text(encoding="utf-8").replace("زيارة مرتقبة", "زيارة تاريخية"), encoding="utf-8")
    wait_for(lambda: "زيارة تاريخية" in fetch(url + "articles/visit/")[1])
    assert json.loads(fetch(url + "__nashra/status")[1])["version"] > version

    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("title:", "titel:"), encoding="utf-8")
    status = wait_for(lambda: (s := json.loads(fetch(url + "__nashra/status")[1]))["errors"] and s)
    assert any(f"{VISIT}:2: unknown key 'titel'" in error for error in status["errors"])
    code, page = fetch(url + "articles/visit/")
    assert code == 200 and "زيارة تاريخية" in page  # the last good build is still served

    article.write_text(good, encoding="utf-8")
    wait_for(lambda: not json.loads(fetch(url + "__nashra/status")[1])["errors"])
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert f"{VISIT}:2: unknown key 'titel'" in err
    assert "Traceback" not in err


def test_serve_answers_missing_pages_with_the_404_page(served):
    url, _ = served
    status, page = fetch(url + "no/such/page/")
    assert status == 404 and "الصفحة غير موجودة" in page
    assert fetch(url + "../../etc/passwd")[0] == 404
    assert fetch(url.replace("/nashra/", "/other/"))[0] == 404


def test_open_page_reloads_itself_and_shows_errors_in_the_browser(site: Path, served, browser):  # noqa: F811
    url, _ = served
    page = browser.new_page()
    try:
        page.goto(url + "articles/visit/", wait_until="load")
        article = site / VISIT
        good = article.read_text(encoding="utf-8")
        article.write_text(good.replace("زيارة مرتقبة", "زيارة في المتصفح"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.includes('زيارة في المتصفح')", timeout=15000)
        article.write_text(good.replace("title:", "titel:"), encoding="utf-8")
        overlay = page.wait_for_selector("#nashra-errors", timeout=15000)
        assert f"{VISIT}:2: unknown key 'titel'" in overlay.text_content()
        assert "زيارة في المتصفح" in page.text_content("h1")  # the last good page stays
    finally:
        page.close()


def status_of(url: str) -> dict:
    return json.loads(fetch(url + "__nashra/status")[1])


def test_a_rebuild_that_fails_for_any_reason_keeps_the_last_good_site(site: Path, served):
    """Not a content error: a template whose expression raises at render time (ZeroDivisionError)."""
    url, process = served
    assert "زيارة مرتقبة" in fetch(url + "articles/visit/")[1]
    template = site / "templates/article.html"
    good = template.read_text(encoding="utf-8")
    assert "{{ entry.body_html" in good
    template.write_text(good.replace("{{ entry.body_html", "{{ 1 // 0 }}{{ entry.body_html"), encoding="utf-8")
    errors = wait_for(lambda: status_of(url)["errors"])
    assert process.poll() is None  # still serving
    assert "division" in " ".join(errors)
    code, page = fetch(url + "articles/visit/")
    assert code == 200 and "زيارة مرتقبة" in page  # the last good build

    article = site / VISIT
    article.write_text(article.read_text(encoding="utf-8").replace("زيارة مرتقبة", "زيارة بعد الإصلاح"), "utf-8")
    template.write_text(good, encoding="utf-8")
    wait_for(lambda: not status_of(url)["errors"] and "زيارة بعد الإصلاح" in fetch(url + "articles/visit/")[1])
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert "ZeroDivisionError" in err  # a bug's traceback is printed in the terminal


def test_a_build_that_raises_is_shown_like_a_content_error(site: Path, monkeypatch, capsys):
    """Any exception of a rebuild: one line for the page's overlay, its traceback in the terminal."""
    preview = Preview(site, drafts=False)
    preview.build()
    assert preview.errors == [] and (site / "output/index.html").is_file()
    before = (site / "output/index.html").read_bytes()

    def broken(*args, **kwargs):
        raise ValueError("All strings must be XML compatible")

    monkeypatch.setattr(serve, "run_build", broken)
    capsys.readouterr()
    preview.build()
    assert preview.errors == ["ValueError: All strings must be XML compatible"]
    assert json.loads(preview.status())["errors"] == preview.errors
    err = capsys.readouterr().err
    assert "Traceback" in err and "still serving the last good build" in err
    assert (site / "output/index.html").read_bytes() == before
    monkeypatch.undo()
    preview.build()
    assert preview.errors == []


def test_a_change_made_while_the_first_build_runs_is_built_too(site: Path, monkeypatch, capsys):
    """The watched files are looked at before the first build: an edit saved during it, or before the
    watch begins, is a change (compared with a look taken after the build, it was missed)."""
    builds, sleeps = [], []
    first_build = Preview.build

    def build_and_edit(preview: Preview) -> None:
        first_build(preview)
        builds.append(preview.version)
        if len(builds) == 1:
            article = site / VISIT
            article.write_text(article.read_text(encoding="utf-8") + "\nسطر أضيف أثناء البناء.\n", encoding="utf-8")

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt  # Ctrl+C, after the watch has looked three times

    monkeypatch.setattr(Preview, "build", build_and_edit)
    monkeypatch.setattr(serve.time, "sleep", sleep)
    assert main(["serve", "--root", str(site), "--port", "0", "--interval", "0"]) == 0
    assert builds == [1, 2]  # the edit was built once, and nothing after it
    assert "أثناء البناء" in (site / "output/articles/visit/index.html").read_text(encoding="utf-8")


def test_a_path_too_long_for_the_file_system_is_not_found(served):
    url, process = served
    for path in ("a" * 300, "a" * 300 + "/", "articles/" + "b" * 300 + "/index.html"):
        assert fetch(url + path)[0] == 404
    assert fetch(url + "articles/visit/")[0] == 200
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert "Traceback" not in err


def test_a_request_for_no_address_is_not_found(served):
    """A request for an address whose host is in brackets that do not close (Python will not split it): 404."""
    url, process = served
    where = urllib.parse.urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=5) as raw:
        raw.sendall(b"GET http://[x/ HTTP/1.0\r\n\r\n")
        assert raw.makefile("rb").readline().split()[1] == b"404"
    assert fetch(url + "articles/visit/")[0] == 200
    process.terminate()
    _, err = process.communicate(timeout=10)
    assert "Traceback" not in err


def test_a_port_in_use_is_said_in_one_line(site: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "serve", "--root", str(site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr == f"port {port} is in use: choose another with --port\n"
    assert not (site / "output").exists()  # said before building
