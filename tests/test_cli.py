"""`studio new`, `studio check` and `studio serve` as an author uses them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import STUDIO, run_studio


def test_new_persona_builds_and_never_overwrites(project):
    proc = run_studio("new", "persona", "night-owl", cwd=project, check=True)
    path = project / "content/personas/night-owl.md"
    assert path.is_file() and "created" in proc.stdout
    built = run_studio("build", cwd=project, check=True)  # builds; its 【待填】 are warnings until filled in
    assert "content/personas/night-owl.md:3: warning: 7 placeholders from 'studio new'" in built.stderr
    assert (project / "site/personas/night-owl/index.html").is_file()
    path.write_text(path.read_text(encoding="utf-8") + "\n我的修改\n", encoding="utf-8")
    again = run_studio("new", "persona", "night-owl", cwd=project)
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert "我的修改" in path.read_text(encoding="utf-8")


def test_new_teardown_and_page(project):
    run_studio("new", "teardown", "heytea", cwd=project, check=True)
    run_studio("new", "page", "faq", cwd=project, check=True)
    assert (project / "case_studies/heytea/index.md").is_file()
    assert (project / "content/faq.md").is_file()
    for path in (project / "case_studies/heytea/index.md", project / "content/faq.md"):  # the author fills in
        path.write_text(path.read_text(encoding="utf-8").replace("【待填】", ""), encoding="utf-8")
    run_studio("check", "--strict", cwd=project, check=True)


def test_new_rejects_bad_slug(project):
    proc = run_studio("new", "persona", "../evil", cwd=project)
    assert proc.returncode == 1 and "invalid slug" in proc.stderr


def test_check_passes_on_sample(project):
    proc = run_studio("check", "--strict", cwd=project)
    assert proc.returncode == 0, proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_keeps_running_and_shows_the_error_in_the_page(project):
    lucky = project / "content/personas/store-lucky.md"
    lucky.write_text(lucky.read_text(encoding="utf-8").replace("role: sales", "role: boss"), encoding="utf-8")
    port = _free_port()
    proc = subprocess.Popen([*STUDIO, "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = ""
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode("utf-8")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.5)
        assert "Studio：发现" in body
        assert "store-lucky.md" in body and "role" in body
    finally:
        proc.terminate()
        proc.wait(timeout=30)
