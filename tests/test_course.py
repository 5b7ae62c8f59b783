"""Courses: course.yml and lesson errors as file:line, the syllabus and lesson pages, drafts."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import run_studio
from studio.core.pipeline import compile_project, render_page
from studio.features.courses.model import minutes
from studio.engine.build import studio_config
from studio.features.builtin import load_project

COURSE = "content/courses/private-domain-101"
YML = f"{COURSE}/course.yml"
LESSON2 = f"{COURSE}/02-luckin-store-groups.md"
LESSONS = ["什么是私域", "引流到复购：瑞幸的门店社群", "会员即私域：泡泡玛特", "人设与朋友圈", "看数：私域的核心指标"]


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project: Path, rel: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate((project / rel).read_text(encoding="utf-8").split("\n"), 1) if needle in line]
    return hits[nth - 1]


def problems(project: Path) -> list[str]:
    loaded = load_project(studio_config(project / "mkdocs.yml"))
    return [p.format() for p in loaded.diagnostics.items]


def one(found: list[str], place: str, text: str) -> str:
    hits = [p for p in found if place in p and text in p]
    assert hits, f"no '{place} … {text}' among:\n" + "\n".join(found)
    return hits[0]


# --- validation ------------------------------------------------------------------------

def test_sample_course_is_clean(project):
    assert [p for p in problems(project) if "courses/" in p] == []


def test_unknown_lesson_file_names_the_course_yml_line(project):
    edit(project, YML, "- 03-popmart-membership.md", "- 03-popmart.md")
    msg = one(problems(project), f"{YML}:{line_of(project, YML, '03-popmart.md')}: error",
              "unknown lesson file '03-popmart.md'")
    assert "did you mean '03-popmart-membership.md'" in msg


def test_duplicate_order_is_an_error_on_the_second_entry(project):
    edit(project, YML, "  - 05-metrics.md\n", "  - 05-metrics.md\n  - 02-luckin-store-groups.md\n")
    first, second = line_of(project, YML, "02-luckin"), line_of(project, YML, "02-luckin", nth=2)
    msg = one(problems(project), f"{YML}:{second}: error", "listed twice")
    assert f"first on line {first}" in msg


def test_missing_reference_in_a_lesson_names_the_lesson_line(project):
    edit(project, LESSON2, "teardown: luckin", "teardown: luckn")
    proc = run_studio("check", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = line_of(project, LESSON2, "teardown: luckn")
    assert f"{LESSON2}:{line}: error: teardown block: no teardown named 'luckn' (did you mean 'luckin'?)" in proc.stderr


def test_build_stops_on_course_errors_with_exit_1(project):
    edit(project, YML, "audience: 新入职的私域运营专员、门店社群负责人\n", "")
    proc = run_studio("build", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{YML}:1: error: audience: missing required field" in proc.stderr


def test_invalid_yaml_in_course_yml(project):
    edit(project, YML, "title: 私域运营入门", "title: [私域运营入门")
    one(problems(project), f"{YML}:", "invalid YAML")


def test_lesson_field_errors_point_at_their_keys(project):
    edit(project, LESSON2, "duration: 45 分钟", "duration: 一会儿")
    edit(project, LESSON2, "    answer: B\n    explain:", "    answer: F\n    explain:")
    found = problems(project)
    one(found, f"{LESSON2}:{line_of(project, LESSON2, 'duration:')}: error", "duration")
    one(found, f"{LESSON2}:{line_of(project, LESSON2, '- question: 在')}: error", "answer 'F' but there are only 4 options")


def test_listed_file_must_be_a_lesson_and_lessons_must_be_listed(project):
    (project / COURSE / "notes.md").write_text("# 讲师备注\n", encoding="utf-8")
    edit(project, YML, "  - 06-activities.md\n", "  - notes.md\n")
    found = problems(project)
    one(found, f"{YML}:{line_of(project, YML, 'notes.md')}: error", "'notes.md' is not a lesson")
    one(found, f"{COURSE}/06-activities.md:2: warning", "not listed in course.yml")


def test_lesson_outside_a_course_folder(project):
    stray = project / "content/playbook/lesson.md"
    stray.write_text("---\ntype: lesson\ntitle: 迷路的课\nduration: 10\nobjectives: [x]\n---\n", encoding="utf-8")
    one(problems(project), "content/playbook/lesson.md:2: error", "no course.yml beside it")


@pytest.mark.parametrize("text,expected", [(45, 45), ("45 分钟", 45), ("1.5 小时", 90), ("1h30m", 90), ("2 小时 10 分钟", 130)])
def test_durations_read_as_minutes(text, expected):
    assert minutes(text) == expected


# --- content flows in by reference, order comes from course.yml -------------------------------

def test_teardown_update_flows_into_the_lesson(project):
    edit(project, "case_studies/luckin/index.md", "入群即发券", "入群即发新人券包")
    loaded = load_project(studio_config(project / "mkdocs.yml"))
    text, _ = render_page(loaded, "courses/private-domain-101/02-luckin-store-groups.md", "")
    assert "入群即发新人券包" in text


def test_reordering_course_yml_renumbers_lessons_and_navigation(project):
    edit(project, YML, "  - 01-what-is-private-domain.md\n  - 02-luckin-store-groups.md\n",
         "  - 02-luckin-store-groups.md\n  - 01-what-is-private-domain.md\n")
    loaded = load_project(studio_config(project / "mkdocs.yml"))
    out = compile_project(loaded)
    uri = "courses/private-domain-101/02-luckin-store-groups.md"
    assert out.nav_order[uri] == 1
    text, _ = render_page(loaded, uri, "")
    assert "# 第 1 课 · 引流到复购" in text
    assert "第 2 课 · 什么是私域 →" in text and "← 第" not in text


# --- the built sample site ---------------------------------------------------------------------

def article(site: Path, page: str) -> str:
    html = (site / page / "index.html").read_text(encoding="utf-8")
    return re.search(r"<article.*?</article>", html, re.S).group(0)


def indexed(site: Path) -> list[str]:
    """Locations in Material's search index (the lunr engine's; empty when another engine is used)."""
    index = site / "search/search_index.json"
    return [d["location"] for d in json.loads(index.read_text(encoding="utf-8"))["docs"]] if index.exists() else []


def test_syllabus_lists_lessons_in_order_with_durations(site):
    html = article(site, "courses/private-domain-101")
    positions = [html.index(f">{title}</a>") for title in LESSONS]
    assert positions == sorted(positions)
    for text in ("新入职的私域运营专员", "课程目标", "先修要求", "课程大纲", "45 分钟", "约 3 小时 20 分钟 · 5 课"):
        assert text in html
    assert "社群活动" not in html  # the draft lesson is not announced


def test_course_list_page_links_the_course(site):
    assert 'href="private-domain-101/"' in article(site, "courses")


def test_lesson_page_has_number_breadcrumb_and_prev_next(site):
    html = article(site, "courses/private-domain-101/02-luckin-store-groups")
    assert "第 2 课 · 引流到复购：瑞幸的门店社群" in html
    assert re.search(r'studio-breadcrumb"><a href="\.\./\.\./">培训课程</a> › <a href="\.\./">私域运营入门</a> › 第 2 课', html)
    assert '<a class="md-button" href="../01-what-is-private-domain/">← 第 1 课' in html
    assert 'href="../03-popmart-membership/">第 3 课 · 会员即私域：泡泡玛特 →' in html
    assert "studio-teardown-facts" in html and "首席福利官 Lucky" in html  # embedded by reference


def test_quiz_answers_are_folded(site):
    html = article(site, "courses/private-domain-101/02-luckin-store-groups")
    answers = re.findall(r"<details class=\"success\">\s*<summary>查看答案</summary>(.*?)</details>", html, re.S)
    assert len(answers) == 2 and "B. 离自己最近的门店（LBS）" in answers[0]
    assert "<details class=\"success\" open" not in html


def test_draft_lesson_is_left_out_of_the_build(site):
    assert not (site / "courses/private-domain-101/06-activities").exists()
    last = article(site, "courses/private-domain-101/05-metrics")
    assert "06-activities" not in last and "第 6 课" not in last
    assert not any("06-activities" in loc for loc in indexed(site))


def test_handout_page_is_unlisted_and_not_searched(site):
    handout = site / "courses/private-domain-101/handout/index.html"
    html = handout.read_text(encoding="utf-8")
    assert all(f"第 {n} 课 · {t}" in html for n, t in enumerate(LESSONS, 1))
    assert "参考答案" in html and "assets/studio/charts.js" in html  # charts of lesson 5 load their script (and it plotly.js)
    lesson = (site / "courses/private-domain-101/01-what-is-private-domain/index.html").read_text(encoding="utf-8")
    assert "handout/" not in re.sub(r"<article.*?</article>", "", lesson, flags=re.S)  # not in the navigation
    assert not any("handout" in loc for loc in indexed(site))


@pytest.mark.browser
def test_lesson_pages_request_nothing_outside_and_answers_open_on_click(visit, site_url):
    v = visit(site_url + "courses/private-domain-101/05-metrics/")
    page = v.page
    charts = page.locator("figure.studio-chart")
    assert charts.count() >= 2
    for i in range(charts.count()):  # each is drawn as it scrolls into view
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator(".studio-chart__plot .main-svg").first.wait_for(state="attached", timeout=15_000)
    answer = page.locator("details.success").first
    assert answer.get_attribute("open") is None
    answer.locator("summary").click()
    assert answer.get_attribute("open") is not None
    assert v.outside_requests() == [] and v.console_errors == []


def test_serve_shows_draft_lessons_with_a_badge(project):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "serve", "-a", f"127.0.0.1:{port}"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/courses/private-domain-101/"
    try:
        for _ in range(120):
            try:
                syllabus = urllib.request.urlopen(base, timeout=2).read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("studio serve did not answer")
        draft = urllib.request.urlopen(base + "06-activities/", timeout=5).read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert "第 6 课" in syllabus and "studio-badge--draft" in syllabus
    assert "第 6 课 · 社群活动：每周小活动，每月大活动" in draft and "草稿</span>" in draft
