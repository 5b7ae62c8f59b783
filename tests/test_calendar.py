"""Content calendars: reading spreadsheets and YAML, bad rows as file:line, the generated pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_studio
from studio.config import StudioConfig
from studio.core.project import Project
from studio.features.builtin import load_project

HEADER = "日期,时间,渠道,人设,内容支柱,形式,标题,活动类型,状态,负责人\n"


def small_project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A project with the sample personas and the given calendar files only."""
    root = tmp_path / "proj"
    (root / "content").mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "content" / "personas", root / "content" / "personas")
    (root / "content" / "index.md").write_text("# 首页\n", encoding="utf-8")
    cal = root / "content" / "calendars"
    cal.mkdir()
    for name, data in files.items():
        if isinstance(data, bytes):
            (cal / name).write_bytes(data)
        else:
            (cal / name).write_text(data, encoding="utf-8")
    return root


def load(root: Path) -> Project:
    return load_project(StudioConfig(root=root))


def problems(project: Project) -> list[str]:
    return [p.format() for p in project.diagnostics.items]


# reading ---------------------------------------------------------------------------------
def test_gbk_csv_with_chinese_headers_and_dates(tmp_path):
    text = HEADER + ("2026年11月2日,8:00,朋友圈,福利官小鹿,生活,图文,晨跑打卡,,已发布,王敏\n"
                     "2026/11/3,,社群,store-lucky,,群发,今日福利,促活,scheduled,王敏\n")
    root = small_project(tmp_path, {"nov.csv": text.encode("gbk")})
    project = load(root)
    assert problems(project) == []
    [cal] = project.extras["calendars"]
    first, second = cal.entries
    assert (first.date, first.time, first.persona, first.status) == (dt.date(2026, 11, 2), dt.time(8, 0), "store-lucky", "published")
    assert second.time is None and second.pillar is None and second.activity == "促活"
    assert (cal.start, cal.end, cal.title) == (dt.date(2026, 11, 2), dt.date(2026, 11, 3), "nov 内容日历")


def test_yaml_calendar_inline_rows_and_data_file(tmp_path):
    yaml_text = ("title: 测试日历\n"
                 "data: rows.csv\n"
                 "entries:\n"
                 "  - {date: 2026-11-04, time: 18:00, channel: 朋友圈, persona: brand-ip, pillar: 互动, title: 团团问答}\n")
    rows = HEADER + "2026-11-05,09:30,视频号,expert-koc,工作,视频,风味轮入门,,草稿,李航\n"
    project = load(small_project(tmp_path, {"test.yaml": yaml_text, "rows.csv": rows}))
    assert problems(project) == []
    [cal] = project.extras["calendars"]  # rows.csv belongs to the YAML calendar, not a second one
    assert cal.title == "测试日历"
    assert [(e.date.day, e.time, e.persona) for e in cal.entries] == [
        (4, dt.time(18, 0), "brand-ip"), (5, dt.time(9, 30), "expert-koc")]


@pytest.mark.parametrize("row, column, words", [
    ("2026-11-02,08:00,朋友全,store-lucky,生活,图文,标题,,,", "渠道", "did you mean '朋友圈'"),
    ("2026-11-02,25:00,朋友圈,store-lucky,生活,图文,标题,,,", "时间", "cannot read '25:00' as a time"),
    ("2026-11-02,08:00,朋友圈,store-luky,生活,图文,标题,,,", "人设", "did you mean 'store-lucky'"),
    ("2026-11-02,08:00,朋友圈,store-lucky,吃饭,图文,标题,,,", "内容支柱", "unknown pillar '吃饭'"),
    ("2026-11-02,08:00,朋友圈,store-lucky,生活,图文,,,,", "标题", "missing"),
    ("2026-11-02,08:00,朋友圈,store-lucky,生活,图文,标题,大活动,,", "活动类型", "unknown activity"),
    ("2026-11-02,08:00,朋友圈,store-lucky,生活,图文,标题,,finished,", "状态", "unknown status"),
])
def test_bad_row_is_reported_with_file_line_and_column(tmp_path, row, column, words):
    good = "2026-11-01,08:00,朋友圈,store-lucky,生活,图文,好的一行,,,\n"
    project = load(small_project(tmp_path, {"bad.csv": HEADER + good + row + "\n"}))
    [message] = problems(project)
    assert message.startswith(f"content/calendars/bad.csv:3:{column}: error:") or \
        re.search(rf"bad\.csv:3:{column}: error:", message), message
    assert words in message


def test_bad_date_cell_names_line_and_column(tmp_path):
    project = load(small_project(tmp_path, {"bad.csv": HEADER + "2026-13-45,08:00,朋友圈,store-lucky,生活,图文,标题,,,\n"}))
    [problem] = project.diagnostics.items
    assert (problem.line, problem.column) == (2, "日期") and "date" in problem.message


def test_yaml_row_errors_point_at_the_key_line(tmp_path):
    yaml_text = ("title: 测试\n"
                 "entries:\n"
                 "  - date: 2026-11-04\n"
                 "    channel: 朋友圈\n"
                 "    titel: 拼错的键\n")
    project = load(small_project(tmp_path, {"t.yaml": yaml_text}))
    messages = problems(project)
    assert any(re.search(r"t\.yaml:5:titel: error: calendar titel: unknown key 'titel' \(did you mean 'title'\?\)", m)
               for m in messages), messages
    assert any(re.search(r"t\.yaml:3:title: error: calendar title: missing", m) for m in messages), messages


def test_cli_build_reports_bad_rows_without_traceback(tmp_path):
    root = small_project(tmp_path, {"bad.csv": HEADER + "2026-11-02,08:00,朋友全,store-lucky,生活,图文,标题,,,\n"})
    proc = run_studio("build", cwd=root)
    assert proc.returncode == 1
    assert "content/calendars/bad.csv:2:渠道: error: calendar channel: unknown channel '朋友全'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


# pages ----------------------------------------------------------------------------------
def test_sample_calendar_covers_a_month_for_three_personas():
    project = load(ROOT)
    assert problems(project) == [] or all(p.severity == "warning" for p in project.diagnostics.items)
    cal = next(c for c in project.extras["calendars"] if c.slug == "2026-11")
    assert (cal.start, cal.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert cal.personas == ["brand-ip", "expert-koc", "store-lucky"]
    assert len(cal.entries) >= 30 * 12


def test_calendar_pages_exist_and_raw_data_stays_out(site):
    html = (site / "calendars" / "2026-11" / "index.html").read_text(encoding="utf-8")
    assert (site / "calendars" / "index.html").is_file()
    assert (site / "calendars" / "double12" / "index.html").is_file()
    assert not list(site.rglob("*.csv")) and not list((site / "calendars").rglob("*.yaml"))
    for day in ("周一", "周二", "周三", "周四", "周五", "周六", "周日"):
        assert f">{day}</div>" in html
    # 双11 from the shopping-festival table, entries link to persona pages, feeds are linked
    assert re.search(r'data-date="2026-11-11".*?studio-cal__mark--festival[^>]*>双11<', html, re.S)
    assert 'href="../../personas/store-lucky/"' in html
    assert 'href="../ics/2026-11.ics"' in html and 'href="../ics/persona-expert-koc.ics"' in html
    assert "studio-checkup" in html and "moments-per-day" in html and "weekly-activation" in html


def test_holidays_come_from_the_holidays_package(project):
    from studio.features.calendars.pages import CalendarView

    proj = load(project)
    cal = next(c for c in proj.extras["calendars"] if c.slug == "2026-11")
    cal.start, cal.end = dt.date(2026, 9, 28), dt.date(2026, 10, 10)
    days = {d.date: d for _, weeks in CalendarView(proj, cal).months() for week in weeks for d in week if d.in_month}
    assert [m.label for m in days[dt.date(2026, 10, 1)].marks] == ["国庆节"]
    assert [m.kind for m in days[dt.date(2026, 10, 10)].marks] == ["workday"]  # 调休上班


def test_today_marker_is_on_the_build_day(project):
    from studio.features.calendars.pages import render_calendar

    proj = load(project)
    cal = next(c for c in proj.extras["calendars"] if c.slug == "2026-11")
    text = render_calendar(proj, cal, on=dt.date(2026, 11, 18))
    assert re.search(r'studio-cal__day--today" data-date="2026-11-18" aria-current="date"', text)
    assert text.count("aria-current=\"date\"") == 1
    assert "aria-current" not in render_calendar(proj, cal, on=dt.date(2027, 1, 1))


# the month grid in a browser --------------------------------------------------------------
def _visible(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(e => e.offsetParent !== null).length")


@pytest.mark.browser
def test_month_grid_filters_work_without_scripts(visit, site_url):
    v = visit(site_url + "calendars/2026-11/")
    page = v.page
    entries = ".studio-cal-view--month .studio-cal__entry"
    total = _visible(page, entries)
    assert total == page.locator(entries).count() > 300
    cells = page.locator(".studio-cal__grid").first.locator(".studio-cal__day:not(.studio-cal__day--other)")
    assert cells.count() == 30
    koc = page.locator("label", has_text="咖啡研究员阿杰").first
    koc.click()
    without_koc = _visible(page, entries)
    koc_count = page.locator(f"{entries}.studio-f-p1").count()
    assert without_koc == total - koc_count and koc_count >= 120
    assert _visible(page, f"{entries}.studio-f-p1") == 0
    page.locator(".studio-cal-filters label", has_text="朋友圈").click()  # channel
    assert _visible(page, entries) < without_koc
    page.locator(".studio-cal-filters label", has_text="朋友圈").click()
    page.locator(".studio-cal-filters label", has_text="促销").click()  # pillar
    assert _visible(page, f"{entries}.studio-f-k2") == 0
    assert _visible(page, f"{entries}.studio-f-k0") > 0
    # an entry opens its persona page
    href = page.locator(f"{entries}.studio-f-p2 a").first.get_attribute("href")
    assert href == "../../personas/store-lucky/"
    # week list view, filtered the same way
    page.locator("label[for=studio-view-weeks]").click()
    assert _visible(page, entries) == 0
    rows = ".studio-cal-view--weeks tr.studio-cal-ch-0, .studio-cal-view--weeks tr[class*=studio-f-]"
    assert _visible(page, rows) > 0
    assert _visible(page, ".studio-cal-view--weeks tr.studio-f-p1") == 0
    assert v.outside_requests() == [] and v.console_errors == []


@pytest.mark.browser
def test_filters_work_with_javascript_disabled(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "calendars/2026-11/")
        before = _visible(page, ".studio-cal__entry")
        page.locator("label", has_text="福利官小鹿").first.click()
        assert 0 < _visible(page, ".studio-cal__entry") < before
    finally:
        context.close()
