"""Every page says when it last changed and links to edit it and to its history (issue 19)."""

from __future__ import annotations

import re
import subprocess

import pytest

from conftest import copy_project, run_studio


def git(project, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+08:00",
                        "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+08:00", "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_pages_show_their_last_change_and_edit_and_history_links(tmp_path, engine):
    proj = copy_project(tmp_path / "p")
    git(proj, "init", "-q")
    git(proj, "add", "-A")
    git(proj, "commit", "-q", "-m", "content")
    run_studio("build", "--engine", engine, cwd=proj, check=True)
    page = (proj / "site/case_studies/luckin/index.html").read_text(encoding="utf-8")
    footer = re.search(r'<p class="studio-provenance"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "最后更新：" in footer and "2026-11-20" in footer
    assert 'href="https://git.example.com/ops/private-domain-kb/edit/main/case_studies/luckin/index.md">编辑此页' in footer
    assert "/commits/main/case_studies/luckin/index.md" in footer and "修改历史" in footer
    lesson = (proj / "site/courses/private-domain-101/01-what-is-private-domain/index.html").read_text(encoding="utf-8")
    assert "/edit/main/content/courses/private-domain-101/01-what-is-private-domain.md" in lesson


def test_outside_a_checkout_pages_keep_their_edit_link_and_no_date(tmp_path):
    proj = copy_project(tmp_path / "p")
    run_studio("build", cwd=proj, check=True)
    page = (proj / "site/playbook/funnel/index.html").read_text(encoding="utf-8")
    assert "编辑此页" in page and "最后更新" not in page


def test_explicit_links_win_and_generated_pages_carry_none(tmp_path):
    proj = copy_project(tmp_path / "p")
    config = proj / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - studio:\n", "  - studio:\n      provenance: {edit_url: 'https://wiki.example.com/edit?f={path}'}\n", 1),
        encoding="utf-8")
    run_studio("build", cwd=proj, check=True)
    page = (proj / "site/playbook/funnel/index.html").read_text(encoding="utf-8")
    assert 'href="https://wiki.example.com/edit?f=content/playbook/funnel.md"' in page
    assert "studio-provenance" not in (proj / "site/personas/index.html").read_text(encoding="utf-8")
