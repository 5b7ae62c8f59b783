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


def test_no_lock_file_is_left_after_a_build(project):
    run_studio("build", cwd=project, check=True)
    assert not (project / LOCK_NAME).exists()
    failed = project / "content/index.md"
    failed.write_text("---\ntype: persona\n---\n# x\n", encoding="utf-8")  # a failing build too
    assert run_studio("build", cwd=project).returncode == 1
    assert not (project / LOCK_NAME).exists()


def test_a_lock_file_removed_under_a_build_is_not_the_lock_any_more(tmp_path):
    """A build that opened the lock file just before the previous build removed it must not
    count that (unlinked) file as the lock: it would run beside a third build."""
    import os

    from studio.engine.lock import _same_file, project_lock

    with project_lock(tmp_path) as path:
        stale = os.open(path, os.O_RDWR)  # what a second build holds when the first one ends
    assert not path.exists()
    try:
        assert not _same_file(stale, path)
        with project_lock(tmp_path) as again:  # the next build takes a new file
            assert again.is_file() and not _same_file(stale, again)
    finally:
        os.close(stale)
