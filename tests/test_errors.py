"""Every user mistake: `path:line: error`, exit 1, no traceback, previous site untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_studio

LUCKY = "content/personas/store-lucky.md"


def break_file(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project: Path, rel: str, needle: str) -> int:
    for i, line in enumerate((project / rel).read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def assert_user_error(proc, *places: str) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out, out
    for place in places:
        assert place in out, f"{place!r} not in:\n{out}"


def test_invalid_yaml_names_file_and_line(project):
    break_file(project, LUCKY, "tone: 热情", "tone: [热情")
    proc = run_studio("build", "--strict", cwd=project)
    assert_user_error(proc, f"{LUCKY}:")
    assert re.search(rf"{re.escape(LUCKY)}:\d+: error: invalid YAML front matter", proc.stderr)


def test_missing_required_field_names_the_type_line(project):
    break_file(project, LUCKY, "owner: 华东门店运营组\n", "")
    proc = run_studio("check", cwd=project)
    assert_user_error(proc, f"{LUCKY}:{line_of(project, LUCKY, 'type: persona')}: error: owner: missing required field")


def test_bad_enum_names_the_key_line(project):
    break_file(project, LUCKY, "role: sales", "role: salesman")
    line = line_of(project, LUCKY, "role: salesman")
    proc = run_studio("build", cwd=project)
    assert_user_error(proc, f"{LUCKY}:{line}: error: role:")
    assert "'brand IP'" in proc.stderr  # the allowed values are listed


def test_bad_teardown_level_and_nested_key(project):
    rel = "case_studies/luckin/index.md"
    break_file(project, rel, "ticket: low", "ticket: cheap")
    break_file(project, rel, "  复购: 高频", "  repeat: 高频")
    proc = run_studio("build", cwd=project)
    assert_user_error(proc, f"{rel}:{line_of(project, rel, 'ticket: cheap')}: error: ticket",
                      f"{rel}:{line_of(project, rel, 'funnel:')}: error: funnel.复购: missing")


def test_post_mix_must_sum_to_100(project):
    break_file(project, LUCKY, "促销: 35", "促销: 45")
    proc = run_studio("check", cwd=project)
    assert_user_error(proc, f"{LUCKY}:{line_of(project, LUCKY, 'post_mix:')}", "sum to 100")


def test_unknown_key_warns_and_fails_only_when_strict(project):
    break_file(project, LUCKY, "owner:", "ownr: x\nowner:")
    line = line_of(project, LUCKY, "ownr:")
    lenient = run_studio("build", cwd=project)
    assert lenient.returncode == 0, lenient.stderr
    assert f"{LUCKY}:{line}: warning: unknown key 'ownr'" in lenient.stderr
    assert "did you mean 'owner'" in lenient.stderr
    strict = run_studio("build", "--strict", cwd=project)
    assert_user_error(strict, f"{LUCKY}:{line}: warning: unknown key 'ownr'")


def test_unknown_content_type(project):
    break_file(project, LUCKY, "type: persona", "type: personna")
    proc = run_studio("check", cwd=project)
    assert_user_error(proc, f"{LUCKY}:2: error: unknown content type 'personna' (did you mean 'persona'?)")


def test_non_utf8_file(project):
    (project / "content/gbk.md").write_bytes("# 标题\n\n私域运营\n".encode("gbk"))
    proc = run_studio("check", cwd=project)
    assert_user_error(proc, "content/gbk.md:1: error: file is not valid UTF-8")


def test_unknown_reference_in_embed_block(project):
    page = project / "content/lesson.md"
    page.write_text("# 课\n\n正文\n\n```teardown\nteardown: luckn\n```\n", encoding="utf-8")
    proc = run_studio("build", cwd=project)
    assert_user_error(proc, "content/lesson.md:6: error: teardown block: no teardown named 'luckn' (did you mean 'luckin'?)")


def test_every_problem_is_reported_in_one_run(project):
    break_file(project, LUCKY, "role: sales", "role: boss")
    break_file(project, "content/personas/brand-ip.md", "tone:", "tone: [")
    proc = run_studio("check", cwd=project)
    assert_user_error(proc, LUCKY, "content/personas/brand-ip.md")


def test_failed_build_keeps_previous_site(project):
    run_studio("build", cwd=project, check=True)
    index = project / "site/personas/store-lucky/index.html"
    before = index.read_bytes()
    break_file(project, LUCKY, "tone: 热情", "tone: [热情")
    assert_user_error(run_studio("build", "--strict", cwd=project), LUCKY)
    assert index.read_bytes() == before
    assert not list(project.glob(".site-new-*")), "temporary build folder left behind"


def test_missing_config_file(tmp_path):
    assert_user_error(run_studio("build", cwd=tmp_path), "mkdocs.yml: error: no mkdocs.yml here")


def test_bad_plugin_option(project):
    break_file(project, "mkdocs.yml", "  - studio:\n", "  - studio:\n      content_dri: x\n")
    assert_user_error(run_studio("build", cwd=project), "mkdocs.yml")


@pytest.mark.parametrize("site_dir", [".", "content/site", "case_studies/out", "repo"])
def test_refuses_dangerous_site_dirs(project, site_dir):
    if site_dir == "repo":
        (project / "repo/.git").mkdir(parents=True)
    proc = run_studio("build", "--site-dir", site_dir, cwd=project)
    assert_user_error(proc, "refusing to build into")


def test_refuses_to_replace_a_folder_it_did_not_create(project):
    mine = project / "notes"
    mine.mkdir()
    (mine / "todo.txt").write_text("keep me", encoding="utf-8")
    proc = run_studio("build", "--site-dir", "notes", cwd=project)
    assert_user_error(proc, "refusing to replace")
    assert (mine / "todo.txt").read_text(encoding="utf-8") == "keep me"
