"""`email YYYY-MM-DD --to ADDRESS`: build the site, then send that edition's edition.eml through SMTP.

The server comes from the environment, never from a file in the repository:

    NASHRA_SMTP_HOST      the server's name (required)
    NASHRA_SMTP_PORT      its port (default 587, the submission port)
    NASHRA_SMTP_USER      with NASHRA_SMTP_PASSWORD, log in (AUTH) before sending
    NASHRA_SMTP_PASSWORD
    NASHRA_SMTP_STARTTLS  1 (default): switch to TLS before logging in or sending; 0 for a server without it

A server that refuses, cannot be reached or does not answer within TIMEOUT seconds is an error
message and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from ..editions import edition_path
from ..pipeline import run_build
from ..problems import UsageError
from . import add_root_option

TIMEOUT = 30  # seconds for each exchange with the server
ENV = "NASHRA_SMTP_"


class SendError(Exception):
    """The message could not be sent: said in one line, exit 1."""


@dataclass(frozen=True, slots=True)
class Server:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool

    @classmethod
    def from_env(cls, env: os._Environ | dict[str, str]) -> Server:
        host = env.get(ENV + "HOST", "").strip()
        if not host:
            raise SendError(
                f"set {ENV}HOST (and {ENV}PORT, {ENV}USER, {ENV}PASSWORD) to the SMTP server to send through"
            )
        port_text = env.get(ENV + "PORT", "587").strip() or "587"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SendError(f"{ENV}PORT must be a port number, not {port_text!r}")
        starttls = env.get(ENV + "STARTTLS", "1").strip().lower() not in {"0", "no", "false", "off"}
        return cls(host, int(port_text), env.get(ENV + "USER") or None, env.get(ENV + "PASSWORD") or None, starttls)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def send(message: EmailMessage, server: Server) -> None:
    """Send through `server`; SendError with the reason on any failure."""
    try:
        with smtplib.SMTP(server.host, server.port, timeout=TIMEOUT) as smtp:
            smtp.ehlo()
            if server.starttls:
                if not smtp.has_extn("starttls"):
                    raise SendError(
                        f"the SMTP server {server} does not offer STARTTLS; set {ENV}STARTTLS=0 to send without TLS"
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if server.user:
                smtp.login(server.user, server.password or "")
            smtp.send_message(message)
    except SendError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(
            f"{to}: {code} {text.decode('utf-8', 'replace')}" for to, (code, text) in exc.recipients.items()
        )
        raise SendError(f"the SMTP server {server} refused the recipient ({reasons})") from None
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise SendError(f"the SMTP server {server} refused the message: {exc.smtp_code} {text}") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"the SMTP server {server} failed: {exc}") from None
    except ssl.SSLError as exc:
        raise SendError(f"TLS with the SMTP server {server} failed: {exc.reason or exc}") from None
    except OSError as exc:  # refused, unreachable, unknown host, timed out
        raise SendError(f"cannot reach the SMTP server {server}: {exc.strerror or exc}") from None


def add_email_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("date", metavar="YYYY-MM-DD", help="the edition's day")
    p.add_argument("--to", required=True, metavar="ADDRESS", help="the recipient")
    add_root_option(p)
    p.add_argument("--output", type=Path, help="where to build first (default: output/ in the site's folder)")
    p.add_argument("--base-url", help="override site.yml's base_url for the build")


def run_email(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise UsageError(f"{args.date!r} is not a date: give the edition's day as YYYY-MM-DD") from None
    if "@" not in args.to:
        raise UsageError(f"--to {args.to!r} is not an e-mail address")
    output: Path = args.output or args.root / "output"
    run_build(args.root, output, args.base_url)  # what is sent is what the site publishes now
    eml = output / edition_path(day) / "edition.eml"
    if not eml.is_file():
        print(
            f"build.py email: error: there is no edition for {day.isoformat()}: no article is dated that day",
            file=sys.stderr,
        )
        return 1
    message = message_from_bytes(eml.read_bytes(), policy=policy.SMTP)
    message["To"] = args.to
    try:
        server = Server.from_env(os.environ)
        send(message, server)
    except SendError as exc:
        print(f"build.py email: error: {exc}", file=sys.stderr)
        return 1
    print(f"Sent the edition of {day.isoformat()} to {args.to} through {server}")
    return 0
