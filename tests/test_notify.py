"""`studio notify report` against real servers on 127.0.0.1: a WeCom robot webhook and SMTP.

The robot is a threaded http.server speaking the webhook API (send + upload_media); the
mail server is aiosmtpd. Nothing of the sending code is mocked: the command runs as a
subprocess, exactly as CI runs it, with its secrets in the environment.
"""

from __future__ import annotations

import email
import email.policy
import html
import http.server
import json
import os
import re
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import CHROMIUM, STUDIO, copy_project, run_studio

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

KEY = "a1b2c3d4-SECRET-KEY-9f8e7d6c"
PASSWORD = "hunter2-PASSWORD-xyz"
USER = "reporter@example.com"
TO = ["ops@example.com", "lead.wang@example.com"]
SITE_URL = "https://ops.example.com/kb/"
WEEK = "2026-W47"  # the latest week of the sample team-weekly (end: 2026-11-22)
CUT = "…完整报告见链接"
LIMIT = 4096


# The robot --------------------------------------------------------------------------------
@dataclass
class Robot:
    """A WeCom group robot on 127.0.0.1. ``mode``: ok, errcode, http500, ratelimit, http429, slow."""

    server: http.server.ThreadingHTTPServer
    mode: str = "ok"
    messages: list[dict] = field(default_factory=list)  # JSON bodies of /send, in order
    raw: list[bytes] = field(default_factory=list)
    uploads: list[dict] = field(default_factory=list)  # {filename, filelength, data, key}
    keys: list[str] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key={KEY}"


def _handler(robot: Robot):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _answer(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            robot.keys.append(query.get("key", [""])[0])
            if url.path == "/cgi-bin/webhook/upload_media":
                robot.uploads.append({**_multipart(self.headers["Content-Type"], body), "type": query.get("type", [""])[0]})
            elif url.path == "/cgi-bin/webhook/send":
                robot.raw.append(body)
                robot.messages.append(json.loads(body))
            else:
                self._answer(404, {"errcode": 404, "errmsg": "no such path"})
                return
            robot.received.set()
            mode = robot.mode
            if mode == "slow":
                robot.release.wait(30)  # past the client's timeout; the test releases it
                return
            if mode == "http500":
                self._answer(500, {"errcode": -1, "errmsg": "system error"})
            elif mode == "http429":
                self._answer(429, {"errcode": 45009, "errmsg": "api freq out of limit"})
            elif mode == "ratelimit":
                self._answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
            elif mode == "errcode":
                self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x]"})
            elif url.path.endswith("upload_media"):
                self._answer(200, {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": "MEDIA-42",
                                   "created_at": "1700000000"})
            else:
                self._answer(200, {"errcode": 0, "errmsg": "ok"})

    return Handler


def _multipart(content_type: str, body: bytes) -> dict:
    msg = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body,
                                   policy=email.policy.HTTP)
    part = next(iter(msg.iter_parts()))
    head = body[:2000].split(b"\r\n\r\n", 1)[0].decode("utf-8")  # the part's own header, as sent
    return {"name": part.get_param("name", header="content-disposition"), "filename": part.get_filename(),
            "filelength": int(re.search(r"filelength=(\d+)", head).group(1)),
            "data": part.get_payload(decode=True)}


@pytest.fixture
def robot():
    r = Robot(http.server.ThreadingHTTPServer(("127.0.0.1", 0), None))  # handler set below
    r.server.RequestHandlerClass = _handler(r)
    r.server.daemon_threads = True
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.release.set()
    r.server.shutdown()
    r.server.server_close()


# The mail server --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self, refuse: bool = False):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse = refuse
        self.received = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        self.received.set()
        return "250 Message accepted"


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, aiosmtpd_smtp.LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return aiosmtpd_smtp.AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    """``smtp_server(refuse=False)`` → (Mailbox, port): an SMTP server with AUTH LOGIN/PLAIN (no TLS)."""
    controllers = []

    def start(refuse: bool = False):
        box = Mailbox(refuse)
        port = free_port()
        c = aiosmtpd_controller.Controller(box, hostname="127.0.0.1", port=port, authenticator=_login,
                                           auth_required=True, auth_require_tls=False)
        c.start()
        controllers.append(c)
        return box, port

    yield start
    for c in controllers:
        c.stop()


# A project --------------------------------------------------------------------------------
def configure(proj: Path, *, notify: dict | None = None, options: dict | None = None,
              site_url: str | None = SITE_URL, report: str = "team-weekly", extra_front: str = "") -> Path:
    """Set the report's ``notify:``, the plugin's notify options and site_url (or none)."""
    cfg = proj / "mkdocs.yml"
    lines = [ln for ln in cfg.read_text(encoding="utf-8").splitlines()
             if not ln.startswith("site_url:") and not ln.startswith("      notify: ")]
    out = []
    for ln in lines:
        if re.match(r"^  - studio:?\s*$", ln):
            out.append("  - studio:")
            if options is not None:
                out.append("      notify: " + json.dumps(options, ensure_ascii=False))
            continue
        out.append(ln)
        if ln.startswith("site_name:") and site_url:
            out.append(f"site_url: {site_url}")
    cfg.write_text("\n".join(out) + "\n", encoding="utf-8")
    page = proj / "content" / "reports" / f"{report}.md"
    text = re.sub(r"^notify: .*\n", "", page.read_text(encoding="utf-8"), count=1, flags=re.M)
    add = ("notify: " + json.dumps(notify, ensure_ascii=False) + "\n" if notify is not None else "") + extra_front
    page.write_text(text.replace("type: report\n", "type: report\n" + add, 1), encoding="utf-8")
    return proj


def smtp_options(port: int, **more) -> dict:
    return {"smtp": {"port": port, "starttls": False, **more}, "timeout": 5}


def env_for(robot: Robot | None = None, *, to: list[str] | None = None, password: str = PASSWORD,
            **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    if robot is not None:
        env["STUDIO_WECOM_WEBHOOK"] = robot.webhook
    env.update({"STUDIO_SMTP_HOST": "127.0.0.1", "STUDIO_SMTP_USER": USER, "STUDIO_SMTP_PASSWORD": password,
                "STUDIO_SMTP_FROM": USER, "STUDIO_REPORT_TO": ", ".join(to or TO)})
    env.update(more)
    return env


def notify(proj: Path, *args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*STUDIO, "notify", "report", *args], cwd=proj, env=env, capture_output=True,
                          text=True, timeout=timeout)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("studio: error: ") and "hint:" in lines[0]
    return lines[0]


def state_of(proj: Path) -> dict | None:
    path = proj / ".studio-notify.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


WECOM_ONLY = {"wecom": True}
MAIL_ONLY = {"email": ["${STUDIO_REPORT_TO}"]}


# The message says what the page says -----------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample, built with site_url and a notify: block, the secrets in the environment."""
    proj = configure(copy_project(tmp_path_factory.mktemp("notify") / "project"),
                     notify={"wecom": True, "email": ["${STUDIO_REPORT_TO}", "boss@example.com"]})
    env = env_for(None, STUDIO_WECOM_WEBHOOK=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}")
    proc = subprocess.run([*STUDIO, "build"], cwd=proj, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proj


def page_tiles(page: str) -> list[dict[str, str]]:
    """Every KPI tile of a period page: its data attributes, label, value and change as shown."""
    out = []
    for block in re.split(r'(?=<div class="studio-kpi )', page)[1:]:
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', block.split(">", 1)[0]))
        label = re.search(r'studio-kpi__label">([^<]*)<', block).group(1)
        value = re.search(r'studio-kpi__value">([^<]*)<', block).group(1)
        delta = re.search(r'studio-kpi__delta">([^<]*)<', block)
        note = re.search(r'studio-kpi__note">([^<]*)<', block)
        out.append({**attrs, "label": html.unescape(label), "text": html.unescape(value),
                    "delta": html.unescape(delta.group(1)) if delta else "",
                    "note": html.unescape(note.group(1)) if note else ""})
    return out


def test_the_message_holds_the_tiles_of_the_period_page(built, robot, smtp_server):
    box, port = smtp_server()
    configure(built, notify={"wecom": True, "email": ["${STUDIO_REPORT_TO}", "boss@example.com"]},
              options=smtp_options(port))
    page = (built / "site" / "reports" / "team-weekly" / WEEK / "index.html").read_text(encoding="utf-8")
    tiles = page_tiles(page)
    assert len(tiles) >= 10
    proc = notify(built, "team-weekly", "--wecom-webhook", robot.webhook, "--force", env=env_for(None))
    assert proc.returncode == 0, proc.stderr
    assert len(robot.messages) == 1 and len(box.messages) == 1
    body = robot.messages[0]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert len(content.encode("utf-8")) <= LIMIT
    lines = content.splitlines()
    assert lines[0] == "## 私域周报 · 2026年第47周（11月16日–11月22日）"
    for t in tiles:
        line = next((ln for ln in lines if ln.startswith(f"> {t['label']}：")), None)
        assert line is not None, t["label"]
        assert f"**{t['text']}**" in line, (line, t)
        if t["data-change"]:
            assert f"较上周 {t['delta']}" in line
            assert float(re.search(r"([+-][\d.]+)%", t["delta"]).group(1)) == pytest.approx(
                float(t["data-change"]) * 100, abs=0.06)
        if t["note"]:
            assert t["note"] in line
    missed = [t for t in tiles if "studio-kpi--missed" in t["class"].split()]
    assert missed, "the sample week misses its group-activity target"
    at = lines.index("**未达成目标**")
    for t in missed:
        assert any(t["label"] in ln and t["text"] in ln for ln in lines[at:]), t
    link = f"{SITE_URL}reports/team-weekly/{WEEK}/"
    assert lines[-1] == f"[查看本周完整报告]({link})"
    assert (built / "site" / "reports" / "team-weekly" / WEEK / "index.html").is_file()
    assert KEY not in proc.stdout + proc.stderr


def test_coverage_notes_and_missed_targets_come_from_period_numbers(built, robot):
    """The monthly report's last month ends before its data does: the message says so."""
    from studio.engine.build import studio_config
    from studio.features.builtin import load_project
    from studio.features.reports.pages import numbers_of

    configure(built, notify={"wecom": True}, report="team-monthly")
    project = load_project(studio_config(built / "mkdocs.yml"))
    source = next(s for s in project.extras["reports"] if s.slug == "team-monthly")
    last = numbers_of(project, source)[-1]
    assert last.coverage, "the sample's last month is incomplete"
    proc = notify(built, "team-monthly", env=env_for(robot))
    assert proc.returncode == 0, proc.stderr
    content = robot.messages[-1]["markdown"]["content"]
    assert content.startswith(f"## 私域月报 · {last.period.label}\n")
    for note in last.coverage:
        assert note in content
    from studio.features.reports.summary import unjudged

    skip = unjudged(last)  # data that stops inside the month: its targets are not judged, as on the page
    assert skip and any(f.name in skip for f in last.missed)
    for f in last.missed:
        missed_line = f"{f.metric.label} {f.text}（目标 {f.target_text}）"
        assert (missed_line in content) == (f.name not in skip)
    assert "本期数据不完整，不作评判" in content
    for t in last.tiles():
        assert f"> {t['label']}：**{t['text']}**" in content
    assert content.endswith(f"({SITE_URL}reports/team-monthly/{last.period.key}/)")


def test_secrets_never_reach_the_site_cache_or_state(built):
    for folder in ("site", ".cache"):
        for path in (built / folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for secret in (KEY, PASSWORD, *TO, "boss@example.com"):
                    assert secret.encode() not in data, (path, secret)
    state = built / ".studio-notify.json"
    if state.exists():
        text = state.read_text(encoding="utf-8")
        assert KEY not in text and PASSWORD not in text and "example.com" not in text


# Size limit -------------------------------------------------------------------------------
def test_a_long_report_is_cut_to_whole_lines_and_keeps_its_link(proj, robot):
    title = "超长标题的私域周报" * 60  # 1,620 bytes
    every = {"net_new_contacts": "≥ 900000", "new_contacts": "≥ 900000", "lost_contacts": "≤ 0",
             "reply_rate": "≥ 99.9%", "group_activity": "≥ 99%", "group_members": "≥ 9900000",
             "new_group_members": "≥ 900000", "posts": "≥ 900000", "engagement_per_post": "≥ 90000",
             "gmv": "≥ 99000000", "orders": "≥ 900000", "buyers": "≥ 900000", "aov": "≥ 90000",
             "repurchase_rate": "≥ 99%", "plan_entries": "≥ 90000", "plan_published": "≥ 90000",
             "plan_completion": "≥ 99.9%"}
    page = proj / "content" / "reports" / "team-weekly.md"
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
    text = re.sub(r"^targets:\n(?:  .*\n)+", "targets:\n" + "".join(f"  {k}: '{v}'\n" for k, v in every.items()),
                  text, count=1, flags=re.M)
    page.write_text(text, encoding="utf-8")
    configure(proj, notify=WECOM_ONLY)
    dry = notify(proj, "team-weekly", "--dry-run", env=env_for(robot))
    assert dry.returncode == 0, dry.stderr
    proc = notify(proj, "team-weekly", env=env_for(robot))
    assert proc.returncode == 0, proc.stderr
    content = robot.messages[0]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= LIMIT
    lines = content.splitlines()
    assert lines[-2] == CUT
    assert lines[-1] == f"[查看本周完整报告]({SITE_URL}reports/team-weekly/{WEEK}/)"
    assert lines[0] == f"## {title} · 2026年第47周（11月16日–11月22日）"
    full = dry.stdout.split("--- as the chat shows it:\n", 1)[1]
    assert [ln[4:] for ln in full.splitlines() if ln.startswith("  | ")] == lines  # the dry run showed it
    # what was kept is the uncut message's first lines, whole: the body's tail went first
    from studio.engine.build import studio_config
    from studio.export.report import find_report, pick_period
    from studio.features.builtin import load_project
    from studio.features.reports.numbers import all_series, compute
    from studio.notify.message import digest, wecom_markdown

    project = load_project(studio_config(proj / "mkdocs.yml"))
    source = find_report(project, "team-weekly")
    numbers = compute(project, source, pick_period(source, None), all_series(source))
    assert len(numbers.missed) >= 10
    uncut = wecom_markdown(digest(numbers, f"{SITE_URL}reports/team-weekly/{WEEK}/"), limit=10**9).splitlines()
    assert len("\n".join(uncut).encode("utf-8")) > LIMIT
    assert lines[:-2] == uncut[: len(lines) - 2] and len(lines) < len(uncut)


def test_a_title_past_the_limit_is_shortened_and_the_link_survives():
    from studio.notify.message import Digest, Tile, wecom_markdown

    d = Digest("长" * 3000, "2026年第47周", "本周", "上周", link="https://ops.example.com/kb/reports/w/2026-W47/",
               tiles=[Tile(f"指标{i}", "1,234", "较上周 +1.0%", "") for i in range(400)])
    text = wecom_markdown(d)
    assert len(text.encode("utf-8")) <= LIMIT
    assert text.splitlines()[-2:] == [CUT, "[查看本周完整报告](https://ops.example.com/kb/reports/w/2026-W47/)"]
    short = Digest("周报", "2026年第47周", "本周", "上周", link="https://x/",
                   tiles=[Tile(f"指标{i}", "1,234", "较上周 +1.0%", "") for i in range(400)])
    lines = wecom_markdown(short).splitlines()
    assert lines[-2] == CUT and lines[-3].startswith("> 指标") and lines[-3].endswith("+1.0%")


# Idempotence, --force, --dry-run ---------------------------------------------------------------
def test_a_period_is_sent_once_per_channel_unless_forced(proj, robot, smtp_server):
    box, port = smtp_server()
    configure(proj, notify={"wecom": True, "email": ["${STUDIO_REPORT_TO}"]}, options=smtp_options(port))
    env = env_for(robot)
    first = notify(proj, "team-weekly", env=env)
    assert first.returncode == 0, first.stderr
    assert len(robot.messages) == 1 and len(box.messages) == 1
    state = state_of(proj)
    records = state["sent"]
    assert {(r["report"], r["period"], r["channel"]) for r in records.values()} == {
        ("team-weekly", WEEK, "wecom"), ("team-weekly", WEEK, "email")}
    assert all(r["hash"].startswith("sha256:") and r["sent_at"] for r in records.values())

    again = notify(proj, "team-weekly", env=env)
    assert again.returncode == 0, again.stderr
    assert len(robot.messages) == 1 and len(box.messages) == 1
    assert again.stdout.count("studio: skipped") == 2 and "--force" in again.stdout
    assert state_of(proj) == state

    forced = notify(proj, "team-weekly", "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(robot.messages) == 2 and len(box.messages) == 2
    assert robot.messages[0] == robot.messages[1]

    other = notify(proj, "team-weekly", "--period", "2026-W46", env=env)  # another period is another send
    assert other.returncode == 0 and len(robot.messages) == 3
    assert "2026年第46周" in robot.messages[2]["markdown"]["content"]


def test_dry_run_prints_the_exact_body_and_sends_nothing(proj, robot, smtp_server):
    box, port = smtp_server()
    configure(proj, notify={"wecom": True, "email": ["${STUDIO_REPORT_TO}"], "attach": "html"},
              options=smtp_options(port))
    env = env_for(robot)
    dry = notify(proj, "team-weekly", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert robot.messages == [] and robot.uploads == [] and box.messages == []
    assert not (proj / ".studio-notify.json").exists()
    out = dry.stdout
    assert "nothing is sent or recorded" in out
    assert "POST http://127.0.0.1:" in out and "key=****" in out and KEY not in out
    body = out.split("(markdown, ", 1)[1].split("\n", 1)[1].split("\n--- as the chat shows it:", 1)[0]
    assert '"msgtype": "file"' in out and "upload team-weekly-2026-W47.html" in out
    assert f"To: {', '.join(a[0] + '***@' + a.split('@')[1] for a in TO)}" in out
    assert "Subject: 私域周报 · 2026年第47周（11月16日–11月22日）" in out
    assert "From: r***@example.com" in out
    assert re.search(r"Parts: text/plain \([\d,]+ bytes\) \+ text/html \([\d.]+ MB, the exported report\) "
                     r"\+ attachment team-weekly-2026-W47.html", out)
    assert "  | 私域周报 · 2026年第47周（11月16日–11月22日）" in out
    assert not any(a in out + dry.stderr for a in TO) and USER not in out + dry.stderr

    real = notify(proj, "team-weekly", env=env)
    assert real.returncode == 0, real.stderr
    assert robot.raw[0].decode("utf-8") == body  # byte for byte what the dry run printed


def test_dry_run_without_secrets_warns_and_still_shows(proj):
    configure(proj, notify={"wecom": True, "email": ["${STUDIO_REPORT_TO}"]})
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_")}
    dry = notify(proj, "team-weekly", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "<webhook from STUDIO_WECOM_WEBHOOK>" in dry.stdout
    assert "STUDIO_WECOM_WEBHOOK is not set" in dry.stderr and "a real run would fail" in dry.stderr
    assert "${STUDIO_REPORT_TO} is not set" in dry.stderr
    real = notify(proj, "team-weekly", env=env)
    assert real.returncode == 1 and "Traceback" not in real.stderr
    errors = [ln for ln in real.stderr.splitlines() if ln.startswith("studio: error: ")]
    assert len(errors) == 2 and "STUDIO_WECOM_WEBHOOK is not set" in errors[0]
    assert state_of(proj) is None


# Attachments and the e-mail itself --------------------------------------------------------------
def test_attach_html_uploads_the_file_and_sends_a_file_message(proj, robot):
    configure(proj, notify={"wecom": True, "attach": "html"})
    proc = notify(proj, "team-weekly", env=env_for(robot))
    assert proc.returncode == 0, proc.stderr
    assert len(robot.uploads) == 1
    up = robot.uploads[0]
    assert up["name"] == "media" and up["type"] == "file" and up["filename"] == f"team-weekly-{WEEK}.html"
    assert up["filelength"] == len(up["data"]) and b"<html" in up["data"][:500].lower()
    assert [m["msgtype"] for m in robot.messages] == ["markdown", "file"]
    assert robot.messages[1] == {"msgtype": "file", "file": {"media_id": "MEDIA-42"}}
    assert set(robot.keys) == {KEY}  # the upload used the webhook's own key and host
    assert set(r["channel"] for r in state_of(proj)["sent"].values()) == {"wecom", "wecom-file"}


def test_the_email_carries_the_exported_report(proj, smtp_server):
    box, port = smtp_server()
    configure(proj, notify={"email": ["${STUDIO_REPORT_TO}", "boss@example.com"]}, options=smtp_options(port))
    proc = notify(proj, "team-weekly", env=env_for(None))
    assert proc.returncode == 0, proc.stderr
    sender, rcpts, msg = box.messages[0]
    assert sender == USER and rcpts == [*TO, "boss@example.com"]
    assert msg["Subject"] == "私域周报 · 2026年第47周（11月16日–11月22日）"
    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    assert "核心指标" in text and f"{SITE_URL}reports/team-weekly/{WEEK}/" in text
    assert "<title>私域周报 · 2026年第47周" in page and "Plotly" in page  # the self-contained export
    assert not any(True for _ in msg.iter_attachments())
    out = proc.stdout + proc.stderr
    assert "o***@example.com" in out and not any(a in out for a in (*TO, "boss@example.com", USER, PASSWORD))


@pytest.mark.browser
def test_attach_pdf_by_email(proj, smtp_server):
    pypdf = pytest.importorskip("pypdf")
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium: PDF attachments are printed with it")
    box, port = smtp_server()
    configure(proj, notify={"email": ["${STUDIO_REPORT_TO}"], "attach": "pdf"}, options=smtp_options(port))
    proc = notify(proj, "team-weekly", env=env_for(None))
    assert proc.returncode == 0, proc.stderr
    msg = box.messages[0][2]
    (pdf,) = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_filename() == f"team-weekly-{WEEK}.pdf"
    import io

    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages))
    assert "私域周报·2026年第47周" in text


# Without site_url, without channels, with bad front matter ------------------------------------------
def test_without_site_url_the_message_and_a_warning_say_so(proj, robot):
    configure(proj, notify=WECOM_ONLY, site_url=None)
    proc = notify(proj, "team-weekly", env=env_for(robot))
    assert proc.returncode == 0, proc.stderr
    assert "sets no site_url" in proc.stderr and "warning" in proc.stderr
    assert robot.messages[0]["markdown"]["content"].splitlines()[-1].startswith("（mkdocs.yml 未设置 site_url")


def test_a_report_without_notify_or_with_a_bad_one(proj):
    configure(proj)
    proc = notify(proj, "team-weekly", env=env_for(None))
    assert proc.returncode == 1 and "names no channel to notify" in proc.stderr and "Traceback" not in proc.stderr
    configure(proj, notify={"wecom": True, "attach": "zip"})
    proc = notify(proj, "team-weekly", env=env_for(None))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert re.search(r"content/reports/team-weekly\.md:\d+: error: notify\.attach: invalid value 'zip'", proc.stderr)
    check = run_studio("check", cwd=proj)
    assert check.returncode == 1 and "notify.attach" in check.stderr


# Failures: one line, exit 1, nothing recorded -----------------------------------------------------
@pytest.mark.parametrize("mode, words", [
    ("errcode", ["errcode 93000", "invalid webhook url"]),
    ("http500", ["HTTP 500"]),
    ("ratelimit", ["rate limit", "45009"]),
    ("http429", ["rate limit", "HTTP 429"]),
    ("slow", ["did not answer within 1 s", "timeout"]),
])
def test_robot_failures_are_one_line_and_record_nothing(proj, robot, mode, words):
    configure(proj, notify={"wecom": True, "attach": "html"}, options={"timeout": 1})
    robot.mode = mode
    proc = notify(proj, "team-weekly", env=env_for(robot))
    line = one_error_line(proc)
    for w in words:
        assert w in line, line
    assert KEY not in proc.stdout + proc.stderr
    assert robot.received.is_set()
    assert robot.uploads == []  # the file goes only after the markdown was accepted
    assert state_of(proj) is None
    robot.release.set()


def test_a_failed_channel_leaves_the_state_file_unchanged(proj, robot):
    configure(proj, notify=WECOM_ONLY)
    assert notify(proj, "team-weekly", "--period", "2026-W46", env=env_for(robot)).returncode == 0
    before = (proj / ".studio-notify.json").read_bytes()
    robot.mode = "errcode"
    one_error_line(notify(proj, "team-weekly", env=env_for(robot)))
    assert (proj / ".studio-notify.json").read_bytes() == before


def test_a_robot_nobody_listens_to(proj):
    configure(proj, notify=WECOM_ONLY)
    hook = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key={KEY}"
    line = one_error_line(notify(proj, "team-weekly", "--wecom-webhook", hook, env=env_for(None)))
    assert "cannot reach the WeCom robot" in line and "key=****" in line and KEY not in line


def test_smtp_wrong_password_is_one_masked_line(proj, smtp_server):
    box, port = smtp_server()
    configure(proj, notify=MAIL_ONLY, options=smtp_options(port))
    wrong = "wrong-PASSWORD-abc123"
    proc = notify(proj, "team-weekly", env=env_for(None, password=wrong))
    line = one_error_line(proc)
    assert "refused the login" in line and "535" in line
    out = proc.stdout + proc.stderr
    assert wrong not in out and PASSWORD not in out and USER not in out
    assert box.messages == [] and state_of(proj) is None


def test_smtp_refused_recipients_and_no_server(proj, smtp_server):
    box, port = smtp_server(refuse=True)
    configure(proj, notify=MAIL_ONLY, options=smtp_options(port))
    proc = notify(proj, "team-weekly", env=env_for(None))
    line = one_error_line(proc)
    assert "refused every recipient" in line and "550" in line and "o***@example.com" in line
    assert not any(a in line for a in TO)
    assert state_of(proj) is None
    configure(proj, notify=MAIL_ONLY, options=smtp_options(free_port()))
    line = one_error_line(notify(proj, "team-weekly", env=env_for(None)))
    assert "cannot send through the mail server 127.0.0.1:" in line
    assert state_of(proj) is None
