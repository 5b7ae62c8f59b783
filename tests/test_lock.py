"""Two builds of one project at once: the second stops with a clear message; Studio never
deletes or overwrites files it did not create."""

from __future__ import annotations

from conftest import run_studio
from studio.engine.lock import LOCK_NAME
from test_interrupt import slow_project, snapshot, start_slow_build


def test_a_second_build_waits_its_turn_with_a_clear_message(tmp_path):
    root = slow_project(tmp_path / "p")
    first = start_slow_build(root, delay=0.4)
    second = run_studio("build", cwd=root)
    assert second.returncode == 1
    assert "another Studio build of this project is running (build, pid" in second.stderr
    assert f"{LOCK_NAME}: error:" in second.stderr and "hint: wait for it to finish" in second.stderr
    assert "Traceback" not in second.stderr
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err  # the first build was not disturbed
    assert (root / "site" / "p5" / "index.html").is_file()
    (root / "delay.txt").write_text("0", encoding="utf-8")
    run_studio("build", cwd=root, check=True)  # the lock is free again


def test_check_does_not_need_the_lock(tmp_path):
    root = slow_project(tmp_path / "p", pages=2)
    first = start_slow_build(root, delay=0.5)
    try:
        assert run_studio("check", cwd=root).returncode == 0
    finally:
        first.communicate(timeout=120)


def test_a_lock_file_studio_did_not_write_is_left_alone(tmp_path):
    root = slow_project(tmp_path / "p", pages=1)
    (root / LOCK_NAME).write_text("my notes\n", encoding="utf-8")
    proc = run_studio("build", cwd=root)
    assert proc.returncode == 1 and "was not written by Studio" in proc.stderr
    assert (root / LOCK_NAME).read_text(encoding="utf-8") == "my notes\n"


def test_a_site_folder_studio_did_not_create_is_never_replaced(tmp_path):
    root = slow_project(tmp_path / "p", pages=1)
    (root / "site").mkdir()
    (root / "site" / "report.docx").write_text("a colleague's file", encoding="utf-8")
    before = snapshot(root / "site")
    proc = run_studio("build", cwd=root)
    assert proc.returncode == 1 and "Studio did not create it" in proc.stderr
    assert snapshot(root / "site") == before


def test_new_never_overwrites(tmp_path):
    root = slow_project(tmp_path / "p", pages=1)
    page = root / "content" / "p0.md"
    before = page.read_text(encoding="utf-8")
    proc = run_studio("new", "page", "p0", cwd=root)
    assert proc.returncode == 1 and "already exists; nothing was written" in proc.stderr
    assert page.read_text(encoding="utf-8") == before
