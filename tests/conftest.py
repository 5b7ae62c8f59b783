"""Shared fixtures: a copy of the sample project, a built site, a local server, Chromium.

Browser tests run Debian's Chromium through Playwright (no browser download) against the
site served on 127.0.0.1, and record every request so tests can assert none leaves it.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDIO = [sys.executable, "-m", "studio.cli"]
PROJECT_FILES = ("mkdocs.yml", "content", "case_studies")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def copy_project(dest: Path) -> Path:
    """A private copy of the sample project that a test may break."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def run_studio(*args: str, cwd: Path, check: bool = False, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([*STUDIO, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"studio {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """The sample project, built once per test session (strict)."""
    proj = copy_project(tmp_path_factory.mktemp("sample") / "project")
    run_studio("build", "--strict", cwd=proj, check=True)
    return proj


@pytest.fixture(scope="session")
def site(built_project: Path) -> Path:
    return built_project / "site"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging each request (tests may subclass it)."""

    def log_message(self, *args) -> None:  # keep test output clean
        pass


class _Server(socketserver.ThreadingTCPServer):
    request_queue_size = 128  # a page asks for many files at once; the default 5 refuses some on a busy machine


def serve_dir(directory: Path, handler_class: type = QuietHandler):
    """``directory`` served on 127.0.0.1 (a free port) from a thread, until ``shutdown()``."""
    handler = functools.partial(handler_class, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def site_url(site: Path):
    server = serve_dir(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    pw_sync = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`, which installs Debian's chromium")
    with pw_sync.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Visit:
    """What a page did while a test looked at it."""

    page: object
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def outside_requests(self) -> list[str]:
        bad = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about", "file"):
                continue
            if parsed.hostname not in ("127.0.0.1", "localhost"):
                bad.append(url)
        return bad


@pytest.fixture
def visit(browser):
    """``visit(url)`` opens a page in a fresh context and records requests and console errors."""
    contexts = []

    def _visit(url: str, wait: str = "networkidle") -> Visit:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        v = Visit(page)
        page.on("request", lambda r: v.requests.append(r.url))
        page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: v.console_errors.append(str(e)))
        # Anything not on this machine is refused before it leaves, and still recorded.
        page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost", None) else route.abort())
        page.goto(url, wait_until=wait)
        return v

    yield _visit
    for c in contexts:
        c.close()
