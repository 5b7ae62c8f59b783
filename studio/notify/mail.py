"""E-mail over SMTP (``smtplib``): the exported single-file HTML as the body.

The message is ``multipart/alternative`` — a plain-text digest (what a mail client without
HTML shows, and what ``--dry-run`` prints) and the report's standalone HTML — plus the PDF
(``attach: pdf``) or the HTML file itself (``attach: html``: mail clients run no script, so
the charts draw only when the attached file is opened in a browser).

Server, user, password and sender come from environment variables named by the
``notify.smtp`` plugin options; none is ever printed unmasked.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from studio.config import SmtpOptions

from .common import Masker, SendError


@dataclass
class Server:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool
    ssl: bool

    @property
    def security(self) -> str:
        return "SSL/TLS" if self.ssl else ("STARTTLS" if self.starttls else "no TLS")


def server(options: SmtpOptions, masker: Masker, required: bool = True) -> Server:
    """The mail server from the environment; its secrets are registered with ``masker``.

    ``required`` False (``--dry-run``): missing variables are left empty instead of failing.
    """
    host = os.environ.get(options.host_env, "").strip()
    user = os.environ.get(options.user_env, "").strip()
    password = os.environ.get(options.password_env, "")
    sender = os.environ.get(options.from_env, "").strip() or (user if "@" in user else "")
    masker.secret(user)
    masker.secret(password, "****")
    masker.secret(sender)
    if required and not host:
        raise SendError(f"no mail server: {options.host_env} is not set",
                        f"set {options.host_env} (and {options.user_env}, {options.password_env}, {options.from_env}) "
                        "in the environment, e.g. from CI secrets")
    if required and not sender:
        raise SendError(f"no sender address: {options.from_env} is not set",
                        f"set {options.from_env} to the address the report is sent from")
    if required and user and not password:
        raise SendError(f"{options.user_env} is set but {options.password_env} is not",
                        f"set {options.password_env} to the SMTP password (or app password)")
    return Server(host, options.port, user, password, sender, options.starttls, options.ssl)


def compose(srv: Server, to: list[str], subject: str, text: str, html: str | None,
            attachment: Path | None = None, attachment_name: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = srv.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(_now())
    msg["Message-ID"] = make_msgid(domain=srv.sender.partition("@")[2] or None)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    if attachment is not None:
        name = attachment_name or attachment.name
        kind = ("application", "pdf") if name.endswith(".pdf") else ("text", "html")
        if kind[0] == "text":
            msg.add_attachment(attachment.read_text(encoding="utf-8"), subtype="html", filename=name)
        else:
            msg.add_attachment(attachment.read_bytes(), maintype=kind[0], subtype=kind[1], filename=name)
    return msg


def _now():
    import datetime as dt

    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {' '.join(text.split())}"[:300]


def send(srv: Server, msg: EmailMessage, timeout: float, options: SmtpOptions) -> list[str]:
    """Deliver ``msg``; return the recipients the server refused when it took the others."""
    where = f"{srv.host}:{srv.port}"
    cred_hint = f"check {options.user_env} and {options.password_env}; nothing was recorded as sent"
    try:
        if srv.ssl:
            smtp = smtplib.SMTP_SSL(srv.host, srv.port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(srv.host, srv.port, timeout=timeout)
        with smtp:
            if srv.starttls and not srv.ssl:
                smtp.starttls(context=ssl.create_default_context())
            if srv.user:
                smtp.login(srv.user, srv.password)
            refused = smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"the mail server {where} refused the login: {_reply(exc)}", cred_hint) from None
    except smtplib.SMTPNotSupportedError as exc:
        what = "STARTTLS" if srv.starttls else "login"
        raise SendError(f"the mail server {where} does not support {what}: {exc}",
                        "use the server's submission port (587 with starttls, or 465 with ssl: true); "
                        "nothing was recorded as sent") from None
    except smtplib.SMTPRecipientsRefused as exc:
        shown = ", ".join(f"{r} ({_reply_of(v)})" for r, v in exc.recipients.items())
        raise SendError(f"the mail server {where} refused every recipient: {shown}",
                        "check the addresses in the report's notify.email; nothing was recorded as sent") from None
    except smtplib.SMTPSenderRefused as exc:
        raise SendError(f"the mail server {where} refused the sender: {_reply(exc)}",
                        f"check {options.from_env}: it must be an address this account may send from") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"the mail server {where} answered {_reply(exc)}",
                        "see the server's message; nothing was recorded as sent") from None
    except (TimeoutError, socket.timeout):
        raise SendError(f"the mail server {where} did not answer within {timeout:g} s (timeout)",
                        "check host and port, or raise plugins.studio.notify.timeout; nothing was recorded as sent") from None
    except ssl.SSLError as exc:
        raise SendError(f"TLS with the mail server {where} failed: {exc.reason or exc}",
                        "check notify.smtp.port, starttls and ssl against the server's settings") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise SendError(f"cannot send through the mail server {where}: {reason}",
                        f"check {options.host_env} and notify.smtp.port; nothing was recorded as sent") from None
    return sorted(refused)


def _reply_of(value) -> str:
    code, text = value if isinstance(value, tuple) else (value, b"")
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}"[:120]
