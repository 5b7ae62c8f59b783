"""Playbook checks: each rule passes on a calendar that follows the playbook and fires on one
that does not; thresholds and severities come from mkdocs.yml; only error-severity findings
fail --strict."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_studio
from studio.config import CheckOptions, StudioConfig
from studio.features.calendars.model import Calendar, Entry
from studio.data.reader import read_table
from studio.features.calendars.checkup import check_calendar
from studio.features.builtin import load_project

NOV = dt.date(2026, 11, 1)  # a Sunday: weeks 2–8, 9–15, 16–22, 23–29 are full


@pytest.fixture(scope="module")
def personas():
    project = load_project(StudioConfig(root=ROOT))
    return {d.slug: d.model for d in project.of_kind("persona")}


def entry(day: dt.date, time="08:00", channel="朋友圈", persona="store-lucky", pillar="生活", **kw) -> Entry:
    e = Entry(date=day, time=time, channel=channel, persona=persona, pillar=pillar, title=kw.pop("title", "内容"), **kw)
    e._file, e._line = Path("content/calendars/t.csv"), 2
    return e


LUCKY_DAY = ("生活", "促销", "互动", "工作", "促销")  # 福利官小鹿: 25/20/35/20 target


def good_month(days: int = 30) -> list[Entry]:
    """A November that follows the playbook for store-lucky."""
    out = []
    for i in range(days):
        day = NOV + dt.timedelta(days=i)
        out += [entry(day, f"{8 + 3 * k:02d}:00", pillar=p) for k, p in enumerate(LUCKY_DAY)]
    for monday in (2, 9, 16, 23):
        out.append(entry(NOV.replace(day=monday), "12:00", channel="社群", pillar="互动", activity="促活"))
    out.append(entry(NOV.replace(day=11), "00:00", channel="小程序", pillar="促销", activity="转化"))
    return out


def run(entries, personas, groups=None, **options) -> list:
    entries = sorted(entries, key=lambda e: e.sort_key)
    cal = Calendar("t", "测试", Path("content/calendars/t.csv"), entries, start=entries[0].date, end=entries[-1].date)
    cal.groups = groups
    return check_calendar(cal, personas, CheckOptions(**options))


def rules(findings) -> list[str]:
    return [f.rule for f in findings]


def test_a_calendar_that_follows_the_playbook_passes_every_rule(personas):
    assert run(good_month(), personas) == []


# moments-per-day -------------------------------------------------------------------------
def test_too_few_and_too_many_moments_posts_fire(personas):
    entries = good_month()
    short_day, busy_day = NOV.replace(day=7), NOV.replace(day=11)
    entries = [e for e in entries if not (e.date == short_day and e.time.hour > 12)]  # leaves 2
    entries += [entry(busy_day, f"{h:02d}:30", pillar="互动") for h in (9, 13, 16, 20)]  # 9 posts
    found = [f for f in run(entries, personas) if f.rule == "moments-per-day"]
    assert [(f.when, f.persona) for f in found] == [("2026-11-07", "store-lucky"), ("2026-11-11", "store-lucky")]
    assert found[0].severity == "warning" and "少于 3 条" in found[0].message_zh and "fewer than 3" in found[0].message
    assert found[0].line == 2 and str(found[0].file).endswith("t.csv")


def test_daily_post_bounds_are_configurable(personas):
    assert "moments-per-day" in rules(run(good_month(), personas, min_daily_posts=6))
    assert "moments-per-day" in rules(run(good_month(), personas, max_daily_posts=4))
    assert run(good_month(), personas, daily_posts_tolerance=0) == []  # 5 a day = daily_posts
    four_a_day = [e for e in good_month() if not (e.channel == "朋友圈" and e.time.hour == 20)]
    found = run(four_a_day, personas, daily_posts_tolerance=0, mix_tolerance=100, promo_margin=100)
    assert set(rules(found)) == {"moments-per-day"} and len(found) == 30


# pillar-mix and promo-cap --------------------------------------------------------------------
def test_pillar_mix_off_by_more_than_15_points_fires(personas):
    entries = [e for e in good_month() if not (e.channel == "朋友圈" and e.pillar == "互动")]  # 互动 0% vs 20%
    found = [f for f in run(entries, personas) if f.rule == "pillar-mix"]
    assert [f.persona for f in found] == ["store-lucky"]
    assert "互动" in found[0].message_zh and "target 20%" in found[0].message
    assert run(entries, personas, mix_tolerance=30, promo_margin=20) == []


def test_promotion_above_target_plus_10_fires(personas):
    entries = good_month()
    for e in entries:  # 生活 slots become promotions: 促销 60% vs 35% + 10
        if e.channel == "朋友圈" and e.pillar == "生活":
            e.pillar = "促销"
    found = run(entries, personas, mix_tolerance=100)
    assert rules(found) == ["promo-cap"]
    assert "60%" in found[0].message and "cap of 45%" in found[0].message
    assert run(entries, personas, mix_tolerance=100, promo_margin=30) == []


def test_mix_is_not_judged_on_a_handful_of_posts(personas):
    few = [entry(NOV, "09:00", pillar="促销"), entry(NOV, "10:00", pillar="促销"), entry(NOV, "11:00", pillar="促销")]
    assert not {"pillar-mix", "promo-cap"} & set(rules(run(few, personas)))


# weekly-activation and monthly-conversion ----------------------------------------------------
def test_a_full_week_without_activation_fires(personas):
    entries = [e for e in good_month() if not (e.activity == "促活" and e.date.day == 23)]
    found = [f for f in run(entries, personas) if f.rule == "weekly-activation"]
    assert [f.when for f in found] == ["2026-W48"]
    assert "11/23–11/29" in found[0].message_zh


def test_partial_weeks_and_months_are_not_judged(personas):
    # Nov 1 (a Sunday) and Nov 30 (a Monday) lie in partial weeks; a 10-day calendar has no full month
    ten_days = [e for e in good_month() if e.date.day <= 10]
    assert not {"weekly-activation", "monthly-conversion"} & set(rules(run(ten_days, personas)))


def test_a_full_month_without_conversion_fires(personas):
    entries = [e for e in good_month() if e.activity != "转化"]
    found = [f for f in run(entries, personas) if f.rule == "monthly-conversion"]
    assert [f.when for f in found] == ["2026-11"]
    assert run(entries, personas, min_monthly_conversion=0) == []


# bulk-once-a-day -----------------------------------------------------------------------------
def test_two_bulk_messages_to_one_audience_in_a_day_is_an_error(personas):
    day = NOV.replace(day=5)
    once = good_month() + [entry(day, "11:00", channel="社群", pillar=None, format="群发", audience="门店福利群"),
                           entry(day, "18:00", channel="企业微信", pillar=None, format="群发", audience="全部会员")]
    assert run(once, personas) == []  # one each to two audiences
    twice = once + [entry(day, "20:00", channel="社群", pillar=None, format="群发", audience="门店福利群")]
    [found] = run(twice, personas)
    assert (found.rule, found.severity, found.when) == ("bulk-once-a-day", "error", "2026-11-05")
    assert "门店福利群" in found.message_zh and "at most 1 a day" in found.message


def test_bulk_audience_defaults_to_persona_and_channel(personas):
    day = NOV.replace(day=5)
    twice = good_month() + [entry(day, t, channel="社群", pillar=None, format="群发") for t in ("11:00", "20:00")]
    assert rules(run(twice, personas)) == ["bulk-once-a-day"]
    assert run(twice, personas, max_bulk_per_day=2) == []


# groups dataset ------------------------------------------------------------------------------
def groups_table(tmp_path: Path, members: int, chats: int, active: int):
    path = tmp_path / "groups.csv"
    rows = ["日期,客户群总数,客户群总人数,发过消息的群成员数"]
    rows += [f"2026/11/{d},{chats},{members},{active}" for d in range(1, 31)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return read_table(path, kind="groups")


def test_groups_of_about_160_members_pass(tmp_path, personas):
    assert run(good_month(), personas, groups=groups_table(tmp_path, 16000, 100, 2000)) == []


def test_groups_above_200_members_fire(tmp_path, personas):
    [found] = run(good_month(), personas, groups=groups_table(tmp_path, 21600, 100, 3000))
    assert (found.rule, found.when, found.line) == ("group-size", "2026-11-30", 31)
    assert found.file.name == "groups.csv" and "216" in found.message
    assert run(good_month(), personas, groups=groups_table(tmp_path, 21600, 100, 3000), max_group_size=250) == []


def test_low_group_activity_fires(tmp_path, personas):
    [found] = run(good_month(), personas, groups=groups_table(tmp_path, 16000, 100, 640))  # 4%
    assert found.rule == "group-activity" and "4.0%" in found.message and "低于 10%" in found.message_zh
    assert run(good_month(), personas, groups=groups_table(tmp_path, 16000, 100, 640), min_group_activity=0.03) == []


# severities, options and the CLI ------------------------------------------------------------------
def test_severity_can_be_changed_or_turned_off(personas):
    entries = [e for e in good_month() if e.activity != "转化"]
    assert [f.severity for f in run(entries, personas, severity={"monthly-conversion": "error"})] == ["error"]
    assert run(entries, personas, severity={"monthly-conversion": "off"}) == []


def check_project(tmp_path: Path, calendar_csv: str, options: str = "") -> Path:
    root = tmp_path / "proj"
    (root / "content" / "calendars").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "personas", root / "content" / "personas")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if options:
        text = text.replace("  - studio:\n", "  - studio:\n" + options)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    (root / "content" / "calendars" / "t.csv").write_text(calendar_csv, encoding="utf-8")
    return root


CSV_HEAD = "日期,时间,渠道,人设,内容支柱,形式,标题,受众\n"
BULK_TWICE = CSV_HEAD + ("2026-11-05,11:00,社群,store-lucky,,群发,福利券,门店福利群\n"
                         "2026-11-05,20:00,社群,store-lucky,,群发,再发一次,门店福利群\n"
                         "2026-11-05,08:00,朋友圈,store-lucky,生活,图文,早安,\n")


def test_check_prints_findings_and_strict_fails_only_on_error_rules(tmp_path):
    root = check_project(tmp_path, BULK_TWICE)
    relaxed = run_studio("check", cwd=root)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "content/calendars/t.csv:3: error [bulk-once-a-day]:" in relaxed.stdout
    assert "中文：2026-11-05 向同一人群「门店福利群」群发 2 次" in relaxed.stdout
    assert "[moments-per-day]" in relaxed.stdout  # a warning, printed too
    strict = run_studio("check", "--strict", cwd=root)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "bulk-once-a-day" in strict.stderr + strict.stdout


def test_strict_passes_when_findings_are_only_warnings(tmp_path):
    root = check_project(tmp_path, BULK_TWICE, "      checks:\n        severity: {bulk-once-a-day: warning}\n")
    proc = run_studio("check", "--strict", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "warning [bulk-once-a-day]" in proc.stdout


def test_thresholds_are_plugin_options_and_typos_are_reported(tmp_path):
    root = check_project(tmp_path, BULK_TWICE, "      checks:\n        max_bulk_per_dya: 2\n")
    proc = run_studio("check", cwd=root)
    assert proc.returncode == 1 and "checks.max_bulk_per_dya" in proc.stderr and "Traceback" not in proc.stderr
    root = check_project(tmp_path / "b", BULK_TWICE, "      checks:\n        severity: {bulk-once-a-dya: off}\n")
    proc = run_studio("check", cwd=root)
    assert proc.returncode == 1 and "did you mean 'bulk-once-a-day'" in proc.stderr


def test_sample_findings_are_warnings_so_the_strict_sample_build_passes():
    project = load_project(StudioConfig(root=ROOT, strict=True))
    from studio.features.calendars.checkup import all_findings
    found = all_findings(project)
    assert found and all(f.severity == "warning" for f in found)
    assert {"moments-per-day", "promo-cap", "weekly-activation", "group-size"} <= set(rules(found))
    assert not [p for p in project.diagnostics.items if p.severity == "error"]


def test_strict_build_fails_on_an_error_finding_and_plain_build_does_not(tmp_path):
    root = check_project(tmp_path, BULK_TWICE)
    strict = run_studio("build", "--strict", cwd=root)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert "content/calendars/t.csv:3: error [bulk-once-a-day]" in strict.stderr
    assert "moments-per-day" not in strict.stderr  # warnings never fail
    plain = run_studio("build", cwd=root)
    assert plain.returncode == 0, plain.stderr
    page = (root / "site" / "calendars" / "t" / "index.html").read_text(encoding="utf-8")
    assert 'data-rule="bulk-once-a-day"' in page and "studio-checkup--error" in page
