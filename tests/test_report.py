"""Periodic reports on small projects: slicing at the edges, change, missing data, mistakes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import copy_project, run_studio
from studio.config import StudioConfig
from studio.core.project import Project
from studio.features.builtin import load_project
from studio.features.reports.pages import numbers_of, period_markdown
from studio.features.reports.summary import summary_html

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def epoch(day: str) -> int:
    """WeCom stat_time: the day's 0:00 in Beijing time, in epoch seconds."""
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=SHANGHAI).timestamp())


def contacts_csv() -> str:
    rows = ["stat_time,new_contact_cnt,chat_cnt,negative_feedback_cnt"]
    for i in range(7):  # 2026-W47: 10 new and 1 lost a day
        rows.append(f"{epoch(f'2026-11-{16 + i}')},10,5,1")
    for i in range(7):  # 2026-W48: 20 new, none lost
        rows.append(f"{epoch(f'2026-11-{23 + i}')},20,5,0")
    rows.append(f"{epoch('2026-12-07')},30,5,0")  # 2026-W50 (W49 has no contacts rows)
    rows.append(f"{epoch('2026-12-21')},5,5,0")  # 2026-W52 (W51 has no rows at all)
    return "\n".join(rows) + "\n"


ORDERS = ("客户ID,下单时间,实付金额\n"
          "a,2026-11-23 10:00,10\n"
          "b,2026-11-29T15:30:00Z,20\n"  # Sunday 23:30 in Shanghai: W48, November
          "c,2026-11-29T16:30:00Z,40\n"  # Monday 00:30 in Shanghai: W49, still November
          "a,2026-11-30T16:30:00Z,80\n")  # Tuesday 00:30 in Shanghai: W49, December


def make(tmp_path: Path, front: str, files: dict[str, str] | None = None) -> Project:
    folder = tmp_path / "content" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"contacts.csv": contacts_csv(), "orders.csv": ORDERS, **(files or {})}.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "r.md").write_text(f"---\ntype: report\ntitle: 测试报告\n{front}---\n\n# 测试报告\n", encoding="utf-8")
    return load_project(StudioConfig(root=tmp_path))


WEEKLY = "period: week\ndatasets: [contacts.csv, orders.csv]\ntargets: {net_new_contacts: ≥ 100}\n"


@pytest.fixture
def weekly(tmp_path):
    project = make(tmp_path, WEEKLY)
    assert not project.diagnostics.items, [p.format() for p in project.diagnostics.items]
    source = project.extras["reports"][0]
    return project, {nb.period.key: nb for nb in numbers_of(project, source)}


def test_rows_fall_in_the_shanghai_week_and_month(tmp_path, weekly):
    _, weeks = weekly
    assert list(weeks) == ["2026-W47", "2026-W48", "2026-W49", "2026-W50", "2026-W51", "2026-W52"]
    assert weeks["2026-W48"].by_metric["orders"].value == 2
    assert weeks["2026-W49"].by_metric["orders"].value == 2
    assert weeks["2026-W49"].by_metric["gmv"].value == 120
    months = {nb.period.key: nb for nb in numbers_of(*_monthly(tmp_path))}
    assert months["2026-11"].by_metric["orders"].value == 3
    assert months["2026-12"].by_metric["gmv"].value == 80


def _monthly(tmp_path):
    project = make(tmp_path / "m", "period: month\ndatasets: [contacts.csv, orders.csv]\n")
    return project, project.extras["reports"][0]


def test_change_is_relative_to_the_previous_period(weekly):
    _, weeks = weekly
    net = weeks["2026-W48"].by_metric["net_new_contacts"]
    assert (net.value, net.previous) == (140, 63)
    tile = {t["name"]: t for t in weeks["2026-W48"].tiles()}["net_new_contacts"]
    assert float(tile["change"]) == pytest.approx(140 / 63 - 1)
    assert tile["change_text"] == "+122.2%" and tile["state"] == "met"
    assert {t["name"]: t for t in weeks["2026-W47"].tiles()}["net_new_contacts"]["change"] == ""  # no W46
    w50 = {t["name"]: t for t in weeks["2026-W50"].tiles()}["net_new_contacts"]
    assert w50["change"] == "" and "上周数据缺失" in w50["note"]  # W49 had no contacts rows: no change, not -100%


def test_missing_data_is_said_not_zero(weekly):
    project, weeks = weekly
    w49 = weeks["2026-W49"]
    tile = {t["name"]: t for t in w49.tiles()}["net_new_contacts"]
    assert (tile["value"], tile["text"], tile["change"], tile["state"]) == ("NaN", "数据缺失", "", "missing")
    text = summary_html(project, w49)
    assert "本周联系客户数据缺失" in text and "净增客户" not in text
    w51 = weeks["2026-W51"]
    assert not w51.has_data and all(f.missing for f in w51.figures)
    text = summary_html(project, w51)
    assert "本周没有任何数据（数据缺失）" in text and not any(ch.isdigit() for ch in text.split(">", 1)[1])
    page = period_markdown(project, w51, "reports/r/2026-W51.md")
    assert "数据缺失：本周没有订单数据" in page and 'data-value="0' not in page


def test_missed_targets_are_called_out(weekly):
    project, weeks = weekly
    text = summary_html(project, weeks["2026-W47"])
    assert "低于目标" in text and "未达成目标" in text
    assert 'data-metric="net_new_contacts" data-role="target">100<' in text
    assert "未达成目标" not in summary_html(project, weeks["2026-W48"])


def test_report_mistakes_name_file_and_line(tmp_path):
    front = ("period: weekly\n"
             "datasets: [contacts.csv, order.csv]\n"
             "calendar: 2026-13\n"
             "personas: [nobody]\n"
             "targets: {net_new_contact: 5, gmv: lots}\n")
    project = make(tmp_path, front)
    text = "\n".join(p.format() for p in project.diagnostics.items)
    page = "content/reports/r.md"
    assert f"{page}:5: error: dataset not found: order.csv (did you mean 'orders.csv'?)" in text
    assert f"{page}:6: error: calendar: no content calendar '2026-13'" in text
    assert f"{page}:7: error: personas: no persona 'nobody'" in text
    assert "targets: unknown metric 'net_new_contact' (did you mean 'net_new_contacts'?)" in text
    assert "targets: metric 'gmv' needs orders data" in text  # order.csv was not read
    project = make(tmp_path / "b", "period: daily\ndatasets: [contacts.csv]\n")
    assert any("period: invalid value 'daily'" in p.format() and p.line == 4 for p in project.diagnostics.items)


def test_a_target_that_cannot_be_read(tmp_path):
    project = make(tmp_path, "period: month\ndatasets: [orders.csv]\ntargets:\n  gmv: lots\n  aov: ≤ 30\n")
    problems = [p.format() for p in project.diagnostics.items]
    assert len(problems) == 1 and problems[0].endswith(
        "content/reports/r.md:7: error: targets.gmv: cannot read target 'lots'; write e.g. '≥ 20%', '>= 1000' or '≤ 5'")
    source = project.extras["reports"][0]
    assert source.targets["aov"].op == "≤" and source.targets["aov"].value == 30


def test_cli_export_mistakes_exit_1_without_traceback(tmp_path):
    proj = copy_project(tmp_path / "p")
    proc = run_studio("export", "report", "team-weekli", cwd=proj)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no report named 'team-weekli' (did you mean 'team-weekly'?)" in proc.stderr
    proc = run_studio("export", "report", "team-weekly", "--period", "2026-11", cwd=proj)
    assert proc.returncode == 1 and "'2026-11' is a month, but this report is weekly" in proc.stderr
    proc = run_studio("export", "report", "team-weekly", "--period", "2027-W02", cwd=proj)
    assert proc.returncode == 1 and "outside report 'team-weekly', which runs from 2026-W32 to 2026-W47" in proc.stderr
    assert not list(proj.glob("*.html"))


def test_personas_and_calendar_give_plan_against_actual(tmp_path):
    personas = tmp_path / "content" / "personas"
    personas.mkdir(parents=True)
    (personas / "store-lucky.md").write_text(
        (Path(__file__).parent.parent / "content/personas/store-lucky.md").read_text(encoding="utf-8"), encoding="utf-8")
    calendars = tmp_path / "content" / "calendars"
    calendars.mkdir()
    (calendars / "c.csv").write_text(
        "日期,渠道,人设,标题,状态\n2026-11-16,朋友圈,store-lucky,早安,已发布\n2026-11-17,朋友圈,store-lucky,午安,已发布\n"
        "2026-11-18,社群,store-lucky,福利,已排期\n2026-11-18,公众号,,长文,已发布\n", encoding="utf-8")
    moments = ("发布日期,人设,内容类型,点赞数,评论数\n2026-11-16,store-lucky,生活,10,2\n2026-11-17,福利官小鹿,互动,30,9\n"
               "2026-11-17,someone-else,促销,99,99\n")
    project = make(tmp_path, "period: week\ndatasets: [moments.csv]\ncalendar: c\npersonas: [store-lucky]\n",
                   {"moments.csv": moments})
    assert not project.diagnostics.errors, [p.format() for p in project.diagnostics.errors]
    (w47,) = numbers_of(project, project.extras["reports"][0])
    f = w47.by_metric
    assert (f["posts"].value, f["engagement_per_post"].value) == (2, 25.5)  # the slug and the persona's name
    assert (f["plan_entries"].value, f["plan_published"].value) == (3, 2)
    assert f["plan_completion"].text == "66.7%"
    rows = {(r.persona_name, r.channel): (r.planned, r.published, r.statuses) for r in w47.plan}
    assert rows == {("福利官小鹿", "朋友圈"): (2, 2, ""), ("福利官小鹿", "社群"): (1, 0, "已排期 1")}
    assert [p.engagement for p in w47.top_posts] == [39] and [p.engagement for p in w47.bottom_posts] == [12]
    assert "内容计划" in summary_html(project, w47)


def test_a_report_over_parquet_equals_the_report_over_its_csv(tmp_path):
    """Orders, contacts and moments as Parquet (read by the engine, never by pandas) give the
    very same period pages — tiles, charts, top posts, cohorts — as the CSV exports."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from studio.data.reader import read_table
    from studio.features.reports.periods import local_times

    sample = Path(__file__).resolve().parent.parent / "content"
    files = {"orders": sample / "reports/data/team-orders.csv", "contacts": sample / "reports/data/contacts-2026-11.csv",
             "moments": sample / "reports/data/moments-2026-11.csv"}
    folder = tmp_path / "content" / "reports"
    folder.mkdir(parents=True)
    for name, path in files.items():
        (folder / f"{name}.csv").write_bytes(path.read_bytes())
        frame = read_table(path).frame.copy()
        for col in frame.columns:  # Parquet holds Beijing wall-clock times, as warehouses do
            if str(frame[col].dtype).startswith("datetime64"):
                frame[col] = local_times(frame[col]).dt.tz_localize(None)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")
    for ext in ("csv", "parquet"):
        (folder / f"r-{ext}.md").write_text(
            f"---\ntype: report\ntitle: 测试报告\nperiod: week\n"
            f"datasets: [orders.{ext}, contacts.{ext}, moments.{ext}]\n---\n\n# 测试报告\n", encoding="utf-8")
    project = load_project(StudioConfig(root=tmp_path))
    assert not project.diagnostics.items, [p.format() for p in project.diagnostics.items]
    pages = {}
    for source in project.extras["reports"]:
        ext = source.slug.rsplit("-", 1)[1]
        assert all(s.expr is not None for s in source.series.values()) == (ext == "parquet")
        pages[ext] = [re.sub(r"studio-chart-\d+", "studio-chart-N", period_markdown(project, nb, None)).replace("parquet", "csv")
                      for nb in numbers_of(project, source)]
    assert len(pages["csv"]) > 3 and pages["parquet"] == pages["csv"]
    assert "首单" in "".join(pages["parquet"])  # the cohort chart is there
