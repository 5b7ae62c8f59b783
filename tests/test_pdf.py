"""`studio export course SLUG --pdf`: a handout with cover, contents, lessons, charts and page numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM, run_studio
from studio.errors import StudioError
from studio.export import pdf

pypdf = pytest.importorskip("pypdf")

SLUG = "private-domain-101"
LESSONS = ["什么是私域", "引流到复购：瑞幸的门店社群", "会员即私域：泡泡玛特", "人设与朋友圈", "看数：私域的核心指标"]


def squash(text: str) -> str:
    """PDF text extraction spaces CJK runs unevenly; compare without whitespace."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def handout(built_project: Path, tmp_path_factory) -> list[str]:
    """The sample course printed from the session's built site; the text of each page."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`")
    out = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    proc = run_studio("export", "course", SLUG, "--pdf", "-o", str(out), "--site-dir", "site", cwd=built_project)
    assert proc.returncode == 0, proc.stderr
    assert f"studio: wrote {out}" in proc.stdout
    return [squash(page.extract_text()) for page in pypdf.PdfReader(out).pages]


def test_handout_has_cover_contents_and_every_lesson_in_order(handout):
    assert "培训讲义" in handout[0] and "私域运营入门" in handout[0]
    assert handout[1].startswith("目录")
    starts = [next(i for i, text in enumerate(handout) if text.startswith(squash(f"第 {n} 课 · {title}")))
              for n, title in enumerate(LESSONS, 1)]
    assert starts == sorted(starts) and starts[0] == 2
    assert not any("社群活动：每周小活动" in text for text in handout)  # the draft stays out
    assert any(text.startswith("参考答案") for text in handout)


def test_contents_show_the_page_each_lesson_starts_on(handout):
    for n, title in enumerate(LESSONS, 1):
        start = next(i for i, text in enumerate(handout) if text.startswith(squash(f"第 {n} 课 · {title}"))) + 1
        assert squash(f"第 {n} 课 · {title}") + str(start) in handout[1]


def test_every_page_is_numbered(handout):
    total = len(handout)
    for i, text in enumerate(handout, 1):
        assert f"第{i}/{total}页" in text


def test_embedded_teardown_and_charts_are_printed(handout):
    text = "".join(handout)
    assert "首席福利官Lucky" in text and "会员贡献销售占比" in text  # teardown fact boxes
    chart_page = next(t for t in handout if "复购率（按月）" in t)
    # axis ticks exist only once plotly has drawn the chart
    assert "10%" in chart_page and "20%" in chart_page and "2026年5月" in chart_page


def test_unknown_course_is_a_user_error(built_project):
    proc = run_studio("export", "course", "private-domain", "--pdf", "--site-dir", "site", cwd=built_project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no course named 'private-domain' (did you mean 'private-domain-101'?)" in proc.stderr


def test_missing_browser_is_a_clear_error(built_project, tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENV, str(tmp_path / "no-chromium"))
    proc = run_studio("export", "course", SLUG, "--pdf", "-o", str(tmp_path / "x.pdf"), "--site-dir", "site",
                      cwd=built_project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "STUDIO_CHROMIUM is set to" in proc.stderr and "apt-get install chromium" in proc.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_no_chromium_on_path(monkeypatch):
    monkeypatch.delenv(pdf.ENV, raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(StudioError, match="no Chromium found") as info:
        pdf.find_chromium()
    assert "fonts-wqy-zenhei" in info.value.hint


def test_a_machine_without_a_chinese_font_gets_an_install_hint_not_empty_boxes(built_project, tmp_path, monkeypatch):
    """fontconfig with no font folder is what a bare server has; Chromium would print boxes."""
    config = tmp_path / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n',
                      encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    out = tmp_path / "x.pdf"
    proc = run_studio("export", "course", SLUG, "--pdf", "-o", str(out), "--site-dir", "site", cwd=built_project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no Chinese font is installed" in proc.stderr and "fonts-wqy-zenhei" in proc.stderr
    assert not out.exists()
