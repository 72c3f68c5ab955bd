"""The edition by e-mail: email.html (for mail clients), email.txt and edition.eml for every edition, and
`build.py email DATE --to ADDRESS`, tested against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import struct
import zlib
from email import message_from_bytes, policy
from pathlib import Path

import htmltools
import pytest
from conftest import build, make_site, run_cli

from nashra.cli import main

EDITION = "editions/2024-06-17/"
PHOTO = "https://example.github.io/nashra/photos/visit-2.png"  # the 2x2 PNG: its one size, the PNG fallback


def tiny_png() -> bytes:
    """A real 2x2 PNG: the build checks that an image file is what its name says."""
    rows = b"".join(b"\x00" + b"\x20\x60\x50" * 2 for _ in range(2))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def with_photo(root: Path) -> Path:
    """The fixture site with a PNG lead image on the day's article, and a sender."""
    (root / "content/images/visit.png").write_bytes(tiny_png())
    visit = root / "content/articles/2024/06/visit.md"
    visit.write_text(visit.read_text(encoding="utf-8").replace("src: route.svg", "src: visit.png"), encoding="utf-8")
    with (root / "site.yml").open("a", encoding="utf-8") as f:
        f.write("email_from: نشرة الاختبار <editions@example.org>\n")
    return root


@pytest.fixture(scope="module")
def mailed(tmp_path_factory) -> Path:
    root = with_photo(make_site(tmp_path_factory.mktemp("mail") / "site"))
    assert build(root) == 0
    return root / "output"


def test_every_edition_has_its_three_mail_files(mailed: Path):
    for folder in (mailed / "editions").iterdir():
        if folder.name[:1].isdigit():
            assert sorted(p.name for p in folder.iterdir()) == ["edition.eml", "email.html", "email.txt", "index.html"]


def test_email_html_is_made_for_mail_clients(mailed: Path):
    raw = (mailed / EDITION / "email.html").read_bytes()
    assert len(raw) < 102 * 1024  # Gmail clips larger messages
    doc = htmltools.parse(mailed / EDITION / "email.html")
    root = htmltools.find_all(doc, "html")[0]
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")
    tables = htmltools.find_all(doc, "table")
    cells = htmltools.find_all(doc, "td")
    assert len(tables) >= 2 and len(cells) >= 4
    for el in tables + cells:
        style = el.get("style") or ""
        assert el.get("dir") == "rtl", el.attrib
        assert "direction: rtl" in style and "text-align: right" in style, el.attrib
    assert [t.get("width") for t in tables if "inner" in (t.get("class") or "")] == ["600"]
    assert htmltools.find_all(doc, "script") == [] and htmltools.find_all(doc, "link") == []
    (style,) = htmltools.find_all(doc, "style")  # only the @media rules stay in <head>
    assert "@media (max-width: 620px)" in style.text and "@media (prefers-color-scheme: dark)" in style.text
    assert not re.search(r"^\s*\.pad\s*\{", style.text, re.M)  # the plain rules were inlined
    fonts = cells[0].get("style")
    assert re.search(r"font-family: 'Nashra Naskh',.*Tahoma, Arial, sans-serif", fonts)
    (img,) = htmltools.find_all(doc, "img")
    assert (img.get("src"), img.get("width"), img.get("alt")) == (PHOTO, "552", "خريطة رمزية لمسار الزيارة")
    hrefs = [a.get("href") for a in htmltools.find_all(doc, "a")]
    assert all(h.startswith("https://") for h in hrefs), hrefs
    assert "https://www.nytimes.com/" in hrefs and "https://example.github.io/nashra/articles/visit/" in hrefs


def test_svg_and_other_images_mail_clients_do_not_show_are_left_out(out: Path):
    doc = htmltools.parse(out / EDITION / "email.html")  # the fixture's lead image is an SVG
    assert htmltools.find_all(doc, "img") == []


def test_email_txt_has_titles_summaries_sources_and_links(mailed: Path):
    text = (mailed / EDITION / "email.txt").read_text(encoding="utf-8")
    assert text.splitlines()[:3] == ["نشرة الاختبار", "الاثنين 17 يونيو 2024", "خبر واحد"]
    for part in (
        "== سياسة ==",
        "نيويورك تايمز: زيارة مرتقبة تعمّق التعاون",
        "ملخص قصير للخبر الأول يكفي لقائمة الأخبار وللخلاصة.",
        "المصدر: نيويورك تايمز <https://www.nytimes.com/>",
        "https://example.github.io/nashra/articles/visit/",
    ):
        assert part in text.splitlines(), part
    assert "<" not in text.replace("<https://", "")


def test_edition_eml_is_multipart_alternative_text_then_html(mailed: Path):
    raw = (mailed / EDITION / "edition.eml").read_bytes()
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # MIME text has CRLF line ends; the content is the same
    assert parts[0].get_content().replace("\r\n", "\n") == (mailed / EDITION / "email.txt").read_text(encoding="utf-8")
    assert parts[1].get_content().replace("\r\n", "\n") == (mailed / EDITION / "email.html").read_text(encoding="utf-8")
    assert msg["Subject"] == "نشرة الاختبار: عدد الاثنين 17 يونيو 2024"
    assert msg["From"].addresses[0].display_name == "نشرة الاختبار"
    assert msg["From"].addresses[0].addr_spec == "editions@example.org"
    assert msg["Date"] == "Mon, 17 Jun 2024 19:01:00 +0300"  # the edition's newest article, not the clock
    assert re.fullmatch(r"<edition-2024-06-17\.[0-9a-f]{20}@example\.org>", msg["Message-ID"])
    assert msg.get_boundary().startswith("=_nashra_")
    assert "To" not in msg  # the recipient is added when it is sent


def test_mail_files_are_byte_identical_across_builds(tmp_path: Path, mailed: Path):
    root = with_photo(make_site(tmp_path / "again"))
    assert build(root, "--no-cache") == 0
    for name in ("email.html", "email.txt", "edition.eml"):
        assert (root / "output" / EDITION / name).read_bytes() == (mailed / EDITION / name).read_bytes(), name


def test_edition_eml_is_shaped_by_what_it_sends_not_by_the_other_templates(tmp_path: Path, mailed: Path):
    # article.html is not in the mail: a change to it changes the build's page keys, never edition.eml.
    root = with_photo(make_site(tmp_path / "other"))
    with (root / "templates" / "article.html").open("a", encoding="utf-8") as f:
        f.write("{# a comment: no page changes #}\n")
    assert build(root, "--no-cache") == 0
    assert (root / "output" / EDITION / "edition.eml").read_bytes() == (mailed / EDITION / "edition.eml").read_bytes()


def test_email_from_that_is_not_an_address_is_an_error(site: Path):
    with (site / "site.yml").open("a", encoding="utf-8") as f:
        f.write("email_from: هيئة التحرير\n")
    result = run_cli("build", "--root", str(site))
    assert result.returncode == 1
    assert "site.yml:7: 'email_from' must be an e-mail address, not 'هيئة التحرير'" in result.stderr
    assert "Traceback" not in result.stderr


# ---- sending, against a real SMTP server on 127.0.0.1 ----


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd's handler: keeps what it receives; refuses recipients at refused.example."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"secret", handled=False)

    inbox = Inbox()
    port = free_port()
    controller = aiosmtpd.Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],  # smtplib would try LOGIN after a refused PLAIN
    )
    controller.start()
    inbox.port, inbox.logins = port, logins
    try:
        yield inbox
    finally:
        controller.stop()


def send(root: Path, to: str, monkeypatch, **env: str) -> int:
    for key in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS"):
        monkeypatch.delenv(f"NASHRA_SMTP_{key}", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(f"NASHRA_SMTP_{key.upper()}", value)
    return main(["email", "2024-06-17", "--to", to, "--root", str(root)])


def test_email_command_sends_the_edition_to_a_local_server(site: Path, smtp_server, monkeypatch, capsys):
    with_photo(site)
    code = send(
        site,
        "reader@example.net",
        monkeypatch,
        host="127.0.0.1",
        port=str(smtp_server.port),
        starttls="0",
        user="editor",
        password="secret",
    )
    assert code == 0, capsys.readouterr().err
    assert smtp_server.logins == [("editor", "secret")]
    ((sender, recipients, data),) = smtp_server.received
    assert (sender, recipients) == ("editions@example.org", ["reader@example.net"])
    msg = message_from_bytes(data, policy=policy.default)
    assert msg["To"] == "reader@example.net"
    assert msg["Subject"] == "نشرة الاختبار: عدد الاثنين 17 يونيو 2024"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    built = message_from_bytes((site / "output" / EDITION / "edition.eml").read_bytes(), policy=policy.default)
    assert msg.get_body(("html",)).get_content() == built.get_body(("html",)).get_content()
    assert msg["Message-ID"] == built["Message-ID"]
    assert "Sent the edition of 2024-06-17 to reader@example.net" in capsys.readouterr().out


def test_a_refused_recipient_is_a_clear_error(site: Path, smtp_server, monkeypatch, capsys):
    code = send(site, "nobody@refused.example", monkeypatch, host="127.0.0.1", port=str(smtp_server.port), starttls="0")
    err = capsys.readouterr().err
    assert code == 1
    assert "refused the recipient" in err and "550" in err and "Traceback" not in err
    assert smtp_server.received == []


def test_a_wrong_password_is_a_clear_error(site: Path, smtp_server, monkeypatch, capsys):
    code = send(
        site,
        "reader@example.net",
        monkeypatch,
        host="127.0.0.1",
        port=str(smtp_server.port),
        starttls="0",
        user="editor",
        password="wrong",
    )
    assert code == 1
    assert "refused the message: 535" in capsys.readouterr().err
    assert smtp_server.received == []


def test_starttls_is_on_by_default_and_a_server_without_it_is_an_error(site: Path, smtp_server, monkeypatch, capsys):
    code = send(site, "reader@example.net", monkeypatch, host="127.0.0.1", port=str(smtp_server.port))
    assert code == 1
    assert "does not offer STARTTLS; set NASHRA_SMTP_STARTTLS=0" in capsys.readouterr().err
    assert smtp_server.received == []


def test_an_unreachable_server_is_a_clear_error(site: Path, monkeypatch, capsys):
    code = send(site, "reader@example.net", monkeypatch, host="127.0.0.1", port=str(free_port()), starttls="0")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("build.py email: error: cannot reach the SMTP server 127.0.0.1:") and "Traceback" not in err


def test_email_command_refuses_what_it_cannot_send(site: Path, monkeypatch, capsys):
    assert send(site, "reader@example.net", monkeypatch) == 1
    assert "set NASHRA_SMTP_HOST" in capsys.readouterr().err
    assert main(["email", "2024-06-18", "--to", "reader@example.net", "--root", str(site)]) == 1
    assert "there is no edition for 2024-06-18" in capsys.readouterr().err
    assert main(["email", "17-06-2024", "--to", "reader@example.net", "--root", str(site)]) == 2
    assert main(["email", "2024-06-17", "--to", "reader", "--root", str(site)]) == 2
