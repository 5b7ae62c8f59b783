"""The sample reports in the built site, and `studio export report` as one HTML file and a PDF."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import CHROMIUM, run_studio
from studio.data import kpi
from studio.data.format import value as format_value
from studio.features.reports.numbers import CALENDAR_METRICS

WEEKLY = "reports/team-weekly"


def page(site: Path, uri: str) -> str:
    return (site / uri / "index.html").read_text(encoding="utf-8")


def tiles(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for m in re.finditer(r'<div class="studio-kpi [^"]*"([^>]*)>', text):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        out[attrs["data-metric"]] = attrs
    return out


def summary(text: str) -> str:
    m = re.search(r'<div class="studio-report__summary"[^>]*>(.*?)</div>', text, re.S)
    assert m, "no summary on the page"
    return m.group(1)


def as_tile_writes_it(metric: str, role: str, tile: dict[str, str]) -> str:
    """A tile's exact number, formatted the way the summary must print it."""
    fmt = {**kpi.BY_NAME, **{m.name: m for m in CALENDAR_METRICS}}[metric].format
    if role == "value":
        return format_value(float(tile["data-value"]), fmt)
    if role == "change":
        return f"{float(tile['data-change']) * 100:+.1f}%"
    return format_value(float(tile["data-target"]), fmt)


@pytest.mark.parametrize("uri", [f"{WEEKLY}/2026-W47", f"{WEEKLY}/2026-W44", "reports/team-monthly/2026-11",
                                 "reports/luckin-monthly/2026-10"])
def test_every_number_in_the_summary_is_its_tile(site, uri):
    text = page(site, uri)
    found = tiles(text)
    words = summary(text)
    spans = re.findall(r'<span class="studio-report__num" data-metric="(\w+)" data-role="(\w+)">([^<]*)</span>', words)
    assert len(spans) >= 8
    for metric, role, shown in spans:
        assert html.unescape(shown) == as_tile_writes_it(metric, role, found[metric]), (metric, role)
    rest = re.sub(r"<[^>]+>", "", re.sub(r'<span class="studio-report__num"[^>]*>[^<]*</span>', "", words))
    assert not re.search(r"\d", rest), rest  # no number that is not a tile's


def test_tiles_change_against_the_previous_week(site):
    now, before = tiles(page(site, f"{WEEKLY}/2026-W47")), tiles(page(site, f"{WEEKLY}/2026-W46"))
    assert {"net_new_contacts", "group_activity", "posts", "gmv", "repurchase_rate", "plan_completion"} <= set(now)
    for name, tile in now.items():
        v, p = float(tile["data-value"]), float(before[name]["data-value"])
        assert float(tile["data-change"]) == pytest.approx((v - p) / abs(p)), name
    first = tiles(page(site, f"{WEEKLY}/2026-W32"))
    assert all(t["data-change"] == "" for t in first.values())  # nothing before the first week


def test_weeks_without_moments_say_data_is_missing(site):
    text = page(site, f"{WEEKLY}/2026-W33")
    t = tiles(text)["posts"]
    assert (t["data-value"], t["data-change"]) == ("NaN", "")
    assert "本周朋友圈数据缺失" in summary(text) and "数据缺失：本周没有朋友圈数据" in text
    assert "未达成目标" in summary(text)  # 净增客户 484 < 500 that week


def test_archive_latest_and_index(site):
    archive = page(site, WEEKLY)
    weeks = re.findall(r'href="(2026-W\d\d)/"', archive)
    assert weeks[:2] == ["2026-W47", "2026-W47"]  # the 最新一期 link, then the table, newest first
    table = weeks[1:]
    assert table == sorted(table, reverse=True) and len(table) == 16 and table[-1] == "2026-W32"
    assert archive.count('class="studio-spark"') >= 5 and "<polyline" in archive
    latest = page(site, f"{WEEKLY}/latest")
    assert tiles(latest) == tiles(page(site, f"{WEEKLY}/2026-W47")) and "最新一期" in latest
    index = page(site, "reports")
    assert "私域周报" in index and "私域月报" in index and "瑞幸案例月报" in index
    assert (site / "reports/team-monthly/2026-08/index.html").is_file()


def test_monthly_report_shows_plan_against_actual_and_partial_data(site):
    text = page(site, "reports/team-monthly/2026-11")
    assert "联系客户统计数据截至 11月22日" in text  # November is not over in the exports
    assert "计划与执行" in text and "已排期" in text and "内容体检" in text
    assert float(tiles(text)["plan_completion"]["data-value"]) < 1
    assert "studio-chart" in text and "首单月份同期群留存" in text


@pytest.fixture(scope="module")
def exported(built_project: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "w47.html"
    proc = run_studio("export", "report", "team-weekly", "--period", "2026-W47", "--html", "-o", str(out),
                      cwd=built_project)
    assert proc.returncode == 0, proc.stderr
    return out


def test_exported_html_holds_the_site_numbers(exported, site):
    text = exported.read_text(encoding="utf-8")
    assert tiles(text) == tiles(page(site, f"{WEEKLY}/2026-W47"))
    assert re.sub(r"\s+", "", summary(text)) == re.sub(r"\s+", "", summary(page(site, f"{WEEKLY}/2026-W47")))
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)=', text)  # nothing to fetch


@pytest.mark.browser
def test_exported_html_draws_every_chart_from_file_with_no_request(exported, visit):
    v = visit(exported.as_uri(), wait="load")
    v.page.wait_for_function(
        "() => [...document.querySelectorAll('.studio-chart')].every(f => f.querySelector('svg.main-svg'))",
        timeout=30000)
    assert v.page.locator(".studio-chart").count() >= 8
    assert v.requests == [exported.as_uri()]
    assert v.console_errors == []


@pytest.mark.browser
def test_exported_pdf_holds_the_summary(built_project, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test`")
    out = tmp_path / "w47.pdf"
    proc = run_studio("export", "report", "team-weekly", "--period", "2026-W47", "--pdf", "-o", str(out),
                      cwd=built_project)
    assert proc.returncode == 0, proc.stderr
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(out).pages))
    assert "私域周报·2026年第47周" in text
    assert re.search(r"本周净增客户[\d,]+人，环比[+-][\d.]+%", text)
    assert "未达成目标：群活跃度" in text and "每日群活跃度（本周与上周）" in text
