"""Interrupted builds (Ctrl-C, SIGTERM, even SIGKILL) leave the previous site as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import STUDIO, run_studio
from studio.guard.interrupt import Terminated, deferred, interruptible
from studio.engine.sitedir import MARKER, tidy

# A MkDocs hook that makes the build slow and says when it is in the middle of writing pages.
SLOW_HOOK = '''
import pathlib, time

def on_post_page(output, page, config, **kwargs):
    pathlib.Path(__file__).with_name("building.flag").touch()
    time.sleep(float(pathlib.Path(__file__).with_name("delay.txt").read_text()))
    return output
'''


def slow_project(root: Path, pages: int = 6) -> Path:
    """A small project whose build pauses on every page while ``delay.txt`` says so."""
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: t\ndocs_dir: content\nhooks: [slow_hook.py]\nplugins:\n  - studio\n", encoding="utf-8")
    (root / "slow_hook.py").write_text(SLOW_HOOK, encoding="utf-8")
    (root / "delay.txt").write_text("0", encoding="utf-8")
    for i in range(pages):
        (root / "content" / f"p{i}.md").write_text(f"# 第 {i} 页\n\n旧内容\n", encoding="utf-8")
    (root / "content" / "index.md").write_text("# 首页\n", encoding="utf-8")
    return root


def _default_signals() -> None:
    """Ctrl-C as in a terminal: a job started in the background (``make test &``, some CI
    runners) inherits SIGINT ignored, and a build started from it would rightly ignore it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_slow_build(root: Path, delay: float = 0.5) -> subprocess.Popen:
    (root / "delay.txt").write_text(str(delay), encoding="utf-8")
    flag = root / "building.flag"
    flag.unlink(missing_ok=True)
    proc = subprocess.Popen([*STUDIO, "build"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_signals)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never reached its pages"
        time.sleep(0.05)
    return proc


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


@pytest.fixture
def built(tmp_path) -> Path:
    root = slow_project(tmp_path / "p")
    run_studio("build", cwd=root, check=True)
    for page in (root / "content").glob("p*.md"):  # what a new build would change
        page.write_text(page.read_text(encoding="utf-8").replace("旧内容", "新内容"), encoding="utf-8")
    return root


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_build_keeps_the_previous_site(built, sig, code):
    before = snapshot(built / "site")
    proc = start_slow_build(built)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "interrupted; the previous site is unchanged" in err and "Traceback" not in err
    assert snapshot(built / "site") == before
    assert leftovers(built) == []  # the half-built folder was removed
    (built / "delay.txt").write_text("0", encoding="utf-8")
    run_studio("build", cwd=built, check=True)  # and the lock was released
    assert "新内容" in (built / "site" / "p0" / "index.html").read_text(encoding="utf-8")


def test_killed_build_keeps_the_site_and_the_next_build_cleans_up(built):
    before = snapshot(built / "site")
    proc = start_slow_build(built)
    proc.kill()  # SIGKILL: no clean-up code runs at all
    proc.communicate(timeout=60)
    assert snapshot(built / "site") == before
    assert leftovers(built)  # the half-built folder is still there ...
    (built / "delay.txt").write_text("0", encoding="utf-8")
    run_studio("build", cwd=built, check=True)
    assert leftovers(built) == []  # ... until the next build removes it


def test_signals_wait_until_the_swap_is_done():
    previous = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated):
        with interruptible():
            done = []
            with deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                done.append("both renames")  # reached: the signal waited
            assert done == ["both renames"]
            time.sleep(1)  # the held signal arrives here
    assert signal.getsignal(signal.SIGTERM) == previous  # the handler is put back


def test_tidy_puts_back_a_site_moved_aside_and_spares_unmarked_folders(tmp_path):
    old = tmp_path / ".site-old-abc123"
    old.mkdir()
    (old / MARKER).write_text("x")
    (old / "index.html").write_text("旧站点")
    new = tmp_path / ".site-new-def456"
    new.mkdir()
    (new / MARKER).write_text("x")
    mine = tmp_path / ".site-new-user"  # not Studio's: no marker
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    tidy(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "旧站点"
    assert not old.exists() and not new.exists()
    assert (mine / "notes.txt").read_text() == "keep"
