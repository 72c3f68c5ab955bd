"""`python build.py serve`: build, serve on 127.0.0.1 under base_url's path, rebuild on change, reload.

The build is the ordinary one, into output/. Only the HTTP responses of this preview
server carry a small script, added on the way out: it asks the server for the build's
version, reloads the page when it changes, and shows content errors over the page. The
files in output/ stay free of JavaScript. When a rebuild fails, for a content error or
any other, the last good site keeps being served and the error is shown over the page.
"""

from __future__ import annotations

import argparse
import errno
import json
import posixpath
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from ..layout import CONFIG_FILE, CONTENT_DIR, OUTPUT_DIR, TEMPLATES_DIR
from ..pipeline import run_build
from ..problems import ContentError
from ..read.config import load_config
from ..urls import split as split_url
from . import add_root_option
from .clock import add_clock_options, given_now

STATUS = "__nashra/status"
WATCHED = (CONTENT_DIR, TEMPLATES_DIR, CONFIG_FILE)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".json": "application/json",
}
NOT_BUILT = b"<!doctype html><html><head><meta charset=utf-8><title>Nashra</title></head><body></body></html>"
RELOAD_SCRIPT = """<script>/* Nashra preview: reload on rebuild, show content errors (serve only) */
(function () {
  var seen = null, box = null;
  function show(errors) {
    if (!box) {
      box = document.createElement("pre");
      box.id = "nashra-errors";
      box.dir = "ltr";
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;margin:0;padding:1em;" +
        "background:#3b0d0c;color:#fff;font:14px/1.5 monospace;z-index:99999;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "Nashra: the last change was not built\\n\\n" + errors.join("\\n");
  }
  function poll() {
    fetch("%(status)s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.version !== seen && !s.errors.length) { location.reload(); return; }
      seen = s.version;
      if (s.errors.length) { show(s.errors); } else if (box) { box.remove(); box = null; }
    }).catch(function () {}).finally(function () { setTimeout(poll, 500); });
  }
  poll();
})();
</script>
"""


def add_serve_options(p: argparse.ArgumentParser) -> None:
    add_root_option(p)
    p.add_argument("--port", type=tcp_port, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks a free one)")
    p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    add_clock_options(p)
    p.add_argument("--interval", type=float, default=0.5, help="seconds between checks for changes (default 0.5)")


def tcp_port(text: str) -> int:
    if not (text.isascii() and text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


class Preview:
    """The state shared by the watcher and the request handlers."""

    def __init__(self, root: Path, drafts: bool, now: datetime | None = None, future: bool = False):
        self.root, self.drafts, self.now, self.future = root, drafts, now, future
        self.due: datetime | None = None  # when a scheduled article comes due (or one leaves the news sitemap)
        self.output = root / OUTPUT_DIR
        self.version = 0
        self.errors: list[str] = []
        self.base_path = "/"
        self.lock = threading.Lock()

    def build(self) -> None:
        """Build again; on any failure keep the last good build and show what failed."""
        try:
            config = load_config(self.root)
            result = run_build(self.root, self.output, drafts=self.drafts, now=self.now, future=self.future)
        except ContentError as exc:
            self.failed([str(p) for p in exc.problems])
            return
        except Exception as exc:  # a bug, not the content's fault: its traceback helps report it
            traceback.print_exc()
            self.failed([f"{type(exc).__name__}: {exc}"])
            return
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(
            f"Built {result.pages} pages ({result.written} files written, {result.reused} reused) "
            f"in {result.seconds:.2f} s",
            flush=True,
        )
        with self.lock:
            self.base_path = urlsplit(config.base_url).path or "/"
            self.errors, self.version = [], self.version + 1
            self.due = result.next_change if self.now is None else None  # a fixed clock never moves

    def came_due(self) -> bool:
        """Whether the clock has reached the time the last build said the output changes by itself."""
        return self.due is not None and datetime.now(UTC) >= self.due

    def failed(self, errors: list[str]) -> None:
        for line in errors:
            print(line, file=sys.stderr)
        print(f"{len(errors)} problem(s); still serving the last good build.", file=sys.stderr, flush=True)
        with self.lock:
            self.errors, self.version = errors, self.version + 1

    def status(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "errors": self.errors}, ensure_ascii=False).encode()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every watched file: a change in any of them means a rebuild."""
    found = {}
    for name in WATCHED:
        top = root / name
        paths = [top] if top.is_file() else (p for p in top.rglob("*") if p.is_file())
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            found[str(path)] = (st.st_mtime_ns, st.st_size)
    return found


def _snapshot_or(root: Path, last: dict[str, tuple[int, int]] | None) -> dict[str, tuple[int, int]] | None:
    """The watched files now, or `last` when a folder cannot be listed just now (look again next time)."""
    try:
        return snapshot(root)
    except OSError:
        return last


class Folder(Protocol):
    """What a handler serves: a built site folder under a base path (a Preview, or a fixed build)."""

    output: Path
    base_path: str


def handler_for(preview: Folder, live: bool = True) -> type[BaseHTTPRequestHandler]:
    """Requests for the site under `preview.base_path`, answered from `preview.output`. `live` (serve):
    the build's status at STATUS, and the reload script added to every page; without it (`preview`'s
    screenshots) the files are served exactly as built."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # keep the terminal for build messages
            pass

        def do_GET(self) -> None:
            self.respond(body=True)

        def do_HEAD(self) -> None:
            self.respond(body=False)

        def respond(self, body: bool) -> None:
            base = preview.base_path
            parts = split_url(self.path)
            if parts is None:  # 'http://[x/', a host in brackets that do not close: no file answers it
                return self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", body)
            path = unquote(parts.path)
            if live and path == base + STATUS:
                return self.send(HTTPStatus.OK, preview.status(), "application/json", body)
            if not path.startswith(base):
                if path == base.rstrip("/"):
                    return self.redirect(base)
                return self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", body)
            relative = path[len(base) :]
            clean = posixpath.normpath("/" + relative).lstrip("/")
            if ".." in clean.split("/") or "\0" in clean:
                return self.send(HTTPStatus.NOT_FOUND, b"not found", "text/plain", body)
            target = preview.output / clean if clean not in ("", ".") else preview.output
            try:  # a name too long, a link loop, a file gone in a rebuild's swap: not there
                if target.is_dir():
                    if relative and not relative.endswith("/"):
                        return self.redirect(path + "/")
                    target = target / "index.html"
                status, data = HTTPStatus.OK, target.read_bytes()
            except OSError:
                status, target = HTTPStatus.NOT_FOUND, preview.output / "404.html"
                try:
                    data = target.read_bytes()
                except OSError:  # nothing built yet: a page that shows why, and reloads once built
                    data = NOT_BUILT
            kind = TYPES.get(target.suffix, "application/octet-stream")
            if live and target.suffix == ".html":
                data = inject(data, base + STATUS)
            self.send(status, data, kind, body)

        def redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)

    return Handler


def inject(page: bytes, status_url: str) -> bytes:
    script = (RELOAD_SCRIPT % {"status": status_url}).encode()
    at = page.rfind(b"</body>")
    return page[:at] + script + page[at:] if at >= 0 else page + script


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser leaving mid-answer is no error
            super().handle_error(request, client_address)


def run_serve(args: argparse.Namespace) -> int:
    root: Path = args.root
    preview = Preview(root, args.drafts, given_now(args), args.future)
    try:  # before building, so that a port in use is said at once
        server = Server(("127.0.0.1", args.port), handler_for(preview))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"port {args.port} is in use: choose another with --port", file=sys.stderr)
        else:
            print(f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    seen = _snapshot_or(root, None)  # the watched files when last looked at: before the first build, so
    try:  # that a change made while it runs, or just after, is a change (not the state to compare with)
        preview.build()
        thread.start()
        print(f"Serving http://127.0.0.1:{server.server_address[1]}{preview.base_path} (Ctrl+C to stop)", flush=True)
        while True:
            time.sleep(args.interval)
            now = _snapshot_or(root, seen)
            if seen is not None and (now != seen or preview.came_due()):
                preview.build()
            seen = now
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        if thread.is_alive():
            server.shutdown()
        server.server_close()
    return 0
