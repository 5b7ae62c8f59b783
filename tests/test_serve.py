"""`studio serve` tells the author what it does (issue 19): its URL, each rebuild with the
time, the pages and the problems, and a port in use as one line.

Tests wait on the lines the server prints (events), never on sleeps.
"""

from __future__ import annotations

import selectors
import socket
import subprocess
import time
import urllib.request

from conftest import STUDIO

TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(proc: subprocess.Popen, needle: str, seen: list[str]) -> str:
    """The first line of the server's output holding ``needle`` (read as it is printed)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if not sel.select(timeout=deadline - time.monotonic()):
            break
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} never printed:\n{''.join(seen)}")


def test_serve_prints_its_url_each_build_and_each_edit(project):
    port = free_port()
    proc = subprocess.Popen([*STUDIO, "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        built = wait_for(proc, "studio: built", seen)
        assert " page(s) in " in built and "problem(s)" in built
        assert f"studio: serving on http://127.0.0.1:{port}/" in wait_for(proc, "serving on", seen)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/playbook/funnel/", timeout=30) as r:
            assert r.status == 200
        page = project / "content/playbook/funnel.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n新增的一段话。\n", encoding="utf-8")
        assert "re-rendered 1 page(s)" in wait_for(proc, "re-rendered", seen)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_serve_on_a_busy_port_is_one_line(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([*STUDIO, "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                              capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"error: cannot serve on 127.0.0.1:{port}" in proc.stderr
    assert f"try -a 127.0.0.1:{port + 1}" in proc.stderr
    assert "studio: built" not in proc.stderr  # refused before a whole build is spent
