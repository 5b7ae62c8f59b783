"""``studio notify report SLUG [--period P] [--dry-run] [--force] [--wecom-webhook URL]``.

Loads the project as ``studio export report`` does, computes the period's numbers once,
and sends them to each channel the report's ``notify:`` names, in order: the WeCom robot's
markdown message, its file message (``attach: pdf|html``), then the e-mail. Each channel
is recorded in the state file as soon as it accepted, and skipped on later runs unless
``--force``; a channel that fails prints one ``studio: error: …; hint: …`` line, records
nothing, and makes the command exit 1 after the other channels had their turn.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from studio.errors import BuildFailed, StudioError, display_path
from studio.export.pdf import print_pdf
from studio.export.report import find_report, pick_period, standalone_html
from studio.features.builtin import load_project
from studio.features.reports.model import Notify, ReportSource, env_name
from studio.features.reports.numbers import all_series, compute
from studio.features.reports.periods import Period

from . import mail, wecom
from .common import Masker, SendError
from .message import WECOM_LIMIT, digest, period_url, plain_text, site_options, size, wecom_markdown
from .state import State, digest_of

PREVIEW_LINES = 14  # lines of the e-mail's text part --dry-run shows
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Console:
    """Every line goes through the masker: no secret is printed, whatever the message."""

    masker: Masker

    def out(self, text: str = "") -> None:
        click.echo(self.masker.mask(text))

    def err(self, text: str) -> None:
        click.echo(self.masker.mask(text), err=True)

    def warn(self, message: str, hint: str = "") -> None:
        self.err(f"studio: warning: {message}" + (f"; hint: {hint}" if hint else ""))

    def error(self, message: str, hint: str = "") -> None:
        self.err(f"studio: error: {message}" + (f"; hint: {hint}" if hint else ""))


class Exports:
    """The period exported once for every channel that needs it, in a temporary folder."""

    def __init__(self, project, source: ReportSource, period: Period):
        self.project, self.source, self.period = project, source, period
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._html: str | None = None
        self._pdf: Path | None = None

    def __enter__(self) -> "Exports":
        return self

    def __exit__(self, *exc) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def stem(self) -> str:
        return f"{self.source.slug}-{self.period.key}"

    def folder(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="studio-notify-")
        return Path(self._tmp.name)

    def html(self) -> str:
        if self._html is None:
            self._html = standalone_html(self.project, self.source, self.period)
        return self._html

    def html_file(self) -> Path:
        path = self.folder() / f"{self.stem}.html"
        if not path.exists():
            path.write_text(self.html(), encoding="utf-8")
        return path

    def pdf_file(self) -> Path:
        if self._pdf is None:
            try:
                self._pdf = print_pdf(self.html_file(), self.folder() / f"{self.stem}.pdf",
                                      title=f"{self.source.model.title} · {self.period.label}")
            except StudioError as exc:
                raise SendError(f"cannot print the PDF to attach: {exc.message}", exc.hint or "") from None
        return self._pdf

    def attachment(self, kind: str) -> Path:
        return self.pdf_file() if kind == "pdf" else self.html_file()


def _bytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def recipients(spec: Notify, source: ReportSource, console: Console, required: bool) -> list[str]:
    """``notify.email`` with every ``${ENV_NAME}`` read from the environment (comma-separated)."""
    out: list[str] = []
    for value in spec.email:
        name = env_name(value)
        if name is None:
            out.append(value)
            continue
        got = os.environ.get(name, "")
        found = [a for a in re.split(r"[,;\s]+", got) if a]
        if not found:
            problem = (f"notify.email: {value} is not set",
                       f"set {name} to the recipients' addresses (comma-separated), e.g. from a CI secret")
            if required:
                raise SendError(*problem)
            console.warn(problem[0] + "; a real run would fail", problem[1])
            out.append(f"<{value}>")
            continue
        for address in found:
            console.masker.secret(address)
            if not _ADDRESS.match(address):
                raise SendError(f"notify.email: {name} holds '{address}', which is not an e-mail address",
                                f"set {name} to addresses separated by commas")
        out += found
    for address in out:
        console.masker.secret(address)
    return list(dict.fromkeys(out))


def notify_report(config_file: Path, slug: str, period: str | None = None, *, dry_run: bool = False,
                  force: bool = False, webhook: str | None = None) -> int:
    """Send (or with ``dry_run`` show) one period of report ``slug``; return the exit status."""
    from studio.engine import build as engine

    masker = Masker()
    console = Console(masker)
    config = engine.studio_config(config_file)
    project = load_project(config)
    failing = project.diagnostics.failing(False)
    if failing:  # the site would not build: its numbers are not to be sent either
        raise BuildFailed(failing)
    source = find_report(project, slug)
    chosen = pick_period(source, period)
    spec = source.model.notify or Notify()
    options = config.notify
    hook_env = options.wecom_env
    hook = (webhook or os.environ.get(hook_env, "")).strip()
    if hook:
        masker.secret(hook, _masked_url(hook))
        key = re.search(r"(?i)[?&]key=([^&#\s]+)", hook)
        masker.secret(key.group(1) if key else None, "****")
    use_wecom = spec.wecom or bool(webhook)
    if not use_wecom and not spec.email:
        raise StudioError(f"report '{slug}' names no channel to notify", file=source.doc.path, line=1,
                          hint="add to its front matter e.g. notify: {wecom: true, email: ['${STUDIO_REPORT_TO}'], "
                               "attach: pdf}, or pass --wecom-webhook URL")

    numbers = compute(project, source, chosen, all_series(source))
    site_url, directory_urls = site_options(config_file)
    link = period_url(site_url, source, chosen, directory_urls)
    if link is None:
        console.warn(f"{display_path(config_file)} sets no site_url: the message cannot link to the period page",
                     "set site_url: https://<where the site is published>/ in mkdocs.yml")
    d = digest(numbers, link)
    state = State(config.root / options.state_file)
    run = Run(console, state, source, chosen, dry_run, force)
    console.out(f"studio: {'dry run — nothing is sent or recorded: ' if dry_run else ''}"
                f"{d.subject} ({slug} {chosen.key})")
    with Exports(project, source, chosen) as exports:
        if use_wecom:
            content = wecom_markdown(d)
            body = wecom.markdown_body(content)
            sent = run.channel("wecom", "WeCom robot", digest_of(content),
                               preview=lambda: _wecom_preview(console, hook, hook_env, content, body),
                               send=lambda: _wecom_send(hook, hook_env, body, content, options.timeout))
            if spec.attach != "none" and sent:
                name = f"{exports.stem}.{spec.attach}"
                run.channel("wecom-file", "WeCom robot (file)", digest_of(f"{spec.attach}\n{content}"),
                            preview=lambda: _file_preview(console, hook, name, spec.attach),
                            send=lambda: _file_send(hook, hook_env, exports, spec.attach, options.timeout))
        if spec.email:
            text = plain_text(d)
            run.channel("email", "e-mail", digest_of(d.subject + "\n" + text),
                        preview=lambda: _mail_preview(console, options, spec, source, d.subject, text, exports),
                        send=lambda: _mail_send(console, options, spec, source, d.subject, text, exports))
    if not dry_run:
        console.out(f"studio: {run.sent} sent, {run.skipped} skipped, {run.failed} failed"
                    + (f" (recorded in {display_path(state.path)})" if run.sent else ""))
    return 1 if run.failed else 0


def _masked_url(url: str) -> str:
    return re.sub(r"(?i)([?&]key=)[^&#\s]+", r"\g<1>****", url)


@dataclass
class Run:
    console: Console
    state: State
    source: ReportSource
    period: Period
    dry_run: bool
    force: bool
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def channel(self, name: str, title: str, message_hash: str, preview: Callable[[], None],
                send: Callable[[], str]) -> bool:
        """One channel: skip when recorded (unless --force), else send and record. True if sent."""
        c = self.console
        record = self.state.record_of(self.source.slug, self.period.key, name)
        note = ""
        if record is not None:
            changed = "; the message has changed since" if record.get("hash") != message_hash else ""
            note = f"already sent on {record.get('sent_at', '?')}{changed}"
        if self.dry_run:
            try:
                preview()
            except SendError as exc:
                c.warn(exc.message + "; a real run would fail", exc.hint)
            if note:
                c.out(f"    ({title}: {note}; a real run skips it{'' if self.force else ' unless --force'})"
                      if not self.force else f"    ({title}: {note}; --force sends it again)")
            return True
        if record is not None and not self.force:
            c.out(f"studio: skipped {title}: {self.period.key} of {self.source.slug} was {note} "
                  "(--force sends it again)")
            self.skipped += 1
            return True
        try:
            what = send()
        except SendError as exc:
            c.error(exc.message, exc.hint)
            self.failed += 1
            return False
        self.state.record(self.source.slug, self.period.key, name, message_hash)
        c.out(f"studio: sent to {title}: {what}")
        self.sent += 1
        return True


# WeCom --------------------------------------------------------------------------------------
def _need_hook(hook: str, env: str) -> None:
    if not hook:
        raise SendError(f"no WeCom robot webhook: {env} is not set",
                        f"set {env} to the robot's webhook URL (群机器人 → Webhook 地址), e.g. from a CI secret, "
                        "or pass --wecom-webhook URL")
    wecom.check_webhook(hook)


def _wecom_preview(c: Console, hook: str, env: str, content: str, body: bytes) -> None:
    target = _masked_url(hook) if hook else f"<webhook from {env}>"
    c.out(f"--- WeCom robot: POST {target} (markdown, {size(content):,} of {WECOM_LIMIT:,} bytes)")
    c.out(body.decode("utf-8"))
    c.out("--- as the chat shows it:")
    for line in content.splitlines():
        c.out("  | " + line)
    _need_hook(hook, env)


def _wecom_send(hook: str, env: str, body: bytes, content: str, timeout: float) -> str:
    _need_hook(hook, env)
    wecom.send(hook, body, timeout, env)
    return f"markdown, {size(content):,} of {WECOM_LIMIT:,} bytes"


def _file_preview(c: Console, hook: str, name: str, kind: str) -> None:
    target = _masked_url(wecom.upload_url(hook)) if hook else "<upload_media on the webhook's host>"
    how = "printed with headless Chromium" if kind == "pdf" else "the self-contained report"
    c.out(f"--- WeCom robot: upload {name} ({how}) with POST {target}, then:")
    c.out(wecom.file_body("<media_id answered by upload_media>").decode("utf-8"))


def _file_send(hook: str, env: str, exports: Exports, kind: str, timeout: float) -> str:
    _need_hook(hook, env)
    path = exports.attachment(kind)
    media = wecom.upload(hook, path, timeout, env)
    wecom.send(hook, wecom.file_body(media), timeout, env)
    return f"{path.name} ({_bytes(path.stat().st_size)})"


# E-mail -------------------------------------------------------------------------------------
def _mail_preview(c: Console, options, spec: Notify, source: ReportSource, subject: str, text: str,
                  exports: Exports) -> None:
    srv = mail.server(options.smtp, c.masker, required=False)
    to = recipients(spec, source, c, required=False)
    login = f", login {srv.user}" if srv.user else ", no login"
    c.out(f"--- e-mail: SMTP {srv.host or '<' + options.smtp.host_env + ' not set>'}:{srv.port} ({srv.security}{login})")
    c.out(f"From: {srv.sender or '<' + options.smtp.from_env + ' not set>'}")
    c.out(f"To: {', '.join(to)}")
    c.out(f"Subject: {subject}")
    parts = [f"text/plain ({_bytes(size(text))})", f"text/html ({_bytes(size(exports.html()))}, the exported report)"]
    if spec.attach == "pdf":
        parts.append(f"attachment {exports.stem}.pdf (printed with headless Chromium)")
    elif spec.attach == "html":
        parts.append(f"attachment {exports.stem}.html")
    c.out("Parts: " + " + ".join(parts))
    lines = text.rstrip("\n").splitlines()
    for line in lines[:PREVIEW_LINES]:
        c.out("  | " + line)
    if len(lines) > PREVIEW_LINES:
        c.out(f"  | … ({len(lines) - PREVIEW_LINES} more lines)")
    mail.server(options.smtp, c.masker, required=True)  # what a real run would refuse, as a warning


def _mail_send(c: Console, options, spec: Notify, source: ReportSource, subject: str, text: str,
               exports: Exports) -> str:
    srv = mail.server(options.smtp, c.masker, required=True)
    to = recipients(spec, source, c, required=True)
    attachment = exports.attachment(spec.attach) if spec.attach != "none" else None
    msg = mail.compose(srv, to, subject, text, exports.html(), attachment)
    refused = mail.send(srv, msg, options.timeout, options.smtp)
    if refused:
        c.warn(f"the mail server refused {', '.join(refused)}; the others got the report",
               "check those addresses in notify.email")
    shown = ", ".join(a for a in to if a not in refused)
    return f"{shown}" + (f" (+ {Path(attachment).name})" if attachment else "")
