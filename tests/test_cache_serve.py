"""`studio serve` shows every edit: page text re-rendered alone, anything else fully rebuilt."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

from conftest import STUDIO
from test_cache import small_project


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8")
    except Exception:
        return ""


def _wait_for(url: str, text: str, timeout: float = 60) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        html = _get(url)
        if text in html:
            return html
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never showed at {url}")


def test_serve_shows_text_front_matter_and_data_edits(tmp_path):
    project = small_project(tmp_path / "p")
    (project / "content" / "other.md").write_text("# 另一页\n\n原来的正文。\n", encoding="utf-8")
    port = _port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([*STUDIO, "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_for(url + "other/", "原来的正文")
        time.sleep(0.5)
        other = project / "content" / "other.md"
        other.write_text("# 另一页\n\n改过的正文。\n", encoding="utf-8")  # text only: that page alone
        _wait_for(url + "other/", "改过的正文")
        other.write_text("# 另一页\n\n改过的正文。客户手机 13812345678\n", encoding="utf-8")
        html = _wait_for(url + "other/", "13812345678")  # personal data: a full build, which flags it
        assert "Studio：发现" in html
        other.write_text("---\ntitle: 新标题页\n---\n\n改过的正文。\n", encoding="utf-8")  # front matter: full build
        html = _wait_for(url + "other/", "<title>新标题页")
        assert "改过的正文" in html
        (project / "content" / "sales.csv").write_text("渠道,数量\n小程序,4321\n门店,99\n", encoding="utf-8")
        _wait_for(url, "4,321")  # a data file: full build, the chart is recomputed
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "Traceback" not in proc.stderr.read().decode("utf-8", "replace")
