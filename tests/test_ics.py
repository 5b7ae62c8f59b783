"""ICS feeds: valid iCalendar read back with icalendar, Beijing times, UIDs stable across builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from studio.core.pipeline import compile_project
from studio.config import StudioConfig
from studio.features.builtin import load_project

SHANGHAI = ZoneInfo("Asia/Shanghai")


def events(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def feeds_of(root: Path) -> dict[str, bytes]:
    """The ICS assets of one fresh generation run (a second 'build')."""
    out = compile_project(load_project(StudioConfig(root=root)))
    return {uri: data for uri, data in out.assets.items() if uri.endswith(".ics")}


def test_one_feed_per_calendar_and_per_persona(site):
    names = sorted(p.name for p in (site / "calendars" / "ics").glob("*.ics"))
    assert names == ["2026-11.ics", "double12.ics", "persona-brand-ip.ics", "persona-expert-koc.ics",
                     "persona-store-lucky.ics"]


def test_calendar_feed_parses_with_events_in_beijing_time(site):
    data = (site / "calendars" / "ics" / "2026-11.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    assert cal["version"] == "2.0" and str(cal["x-wr-calname"]) == "2026年11月内容日历"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    evs = events(data)
    assert len(evs) == 480
    first = evs[0]
    start = first.decoded("dtstart")
    assert start == dt.datetime(2026, 11, 1, 8, 0, tzinfo=SHANGHAI) and start.utcoffset() == dt.timedelta(hours=8)
    assert first.decoded("dtend") - start == dt.timedelta(minutes=30)
    assert str(first["summary"]).startswith("福利官小鹿｜朋友圈｜")
    assert "内容支柱：生活" in str(first["description"])
    assert len({str(e["uid"]) for e in evs}) == len(evs)  # unique
    live = next(e for e in evs if "直播" in str(e["summary"]))
    assert live.decoded("dtend") - live.decoded("dtstart") == dt.timedelta(minutes=90)


def test_persona_feed_holds_only_that_persona_across_calendars(site):
    evs = events((site / "calendars" / "ics" / "persona-store-lucky.ics").read_bytes())
    assert evs and all(str(e["summary"]).startswith("福利官小鹿｜") for e in evs)
    days = {e.decoded("dtstart").date() for e in evs}
    assert dt.date(2026, 11, 11) in days and dt.date(2026, 12, 12) in days  # both calendars


def test_uids_are_stable_across_two_builds(site, built_project):
    again = feeds_of(built_project)
    for name in ("2026-11.ics", "persona-expert-koc.ics"):
        first = [str(e["uid"]) for e in events((site / "calendars" / "ics" / name).read_bytes())]
        second = [str(e["uid"]) for e in events(again[f"calendars/ics/{name}"])]
        assert first == second


def test_editing_a_row_keeps_its_uid_and_adding_one_keeps_the_others(project):
    before = {(e.decoded("dtstart"), str(e["uid"])) for e in events(feeds_of(project)["calendars/ics/2026-11.ics"])}
    csv = project / "content" / "calendars" / "2026-11.csv"
    text = csv.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    old_title = lines[1].split(",")[6]
    lines[1] = lines[1].replace(old_title, "改过标题的晨跑打卡")  # edit a title
    lines.append("2026/11/30,23:00,朋友圈,brand-ip,互动,图文,新加的一条,,,草稿,陈雪,,")  # add a row
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    after_events = events(feeds_of(project)["calendars/ics/2026-11.ics"])
    after = {(e.decoded("dtstart"), str(e["uid"])) for e in after_events}
    assert before < after and len(after - before) == 1
    edited = next(e for e in after_events if "改过标题的晨跑打卡" in str(e["summary"]))
    assert (edited.decoded("dtstart"), str(edited["uid"])) in before


def test_rows_without_time_are_all_day_events(tmp_path):
    from studio.features.calendars.model import Calendar, Entry
    from studio.features.calendars.ics import calendar_ics

    e = Entry(date=dt.date(2026, 11, 2), channel="社群", title="整天的社群活动", status="published")
    e._file, e._line = tmp_path / "t.csv", 2
    (tmp_path / "t.csv").write_text("x", encoding="utf-8")
    [ev] = events(calendar_ics(Calendar("t", "测试", tmp_path / "t.csv", [e]), {}))
    assert ev.decoded("dtstart") == dt.date(2026, 11, 2) and ev.decoded("dtend") == dt.date(2026, 11, 3)
    assert str(ev["status"]) == "CONFIRMED"
