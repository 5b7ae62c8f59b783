"""Report periods: ISO weeks and months in Asia/Shanghai, at their edges."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from studio.features.reports.periods import local_days, mask, parse_period, period_of, periods_between

D = dt.date


def test_iso_week_53_spans_the_new_year():
    w53 = parse_period("2026-W53")
    assert (w53.start, w53.end) == (D(2026, 12, 28), D(2027, 1, 3))
    assert period_of(D(2027, 1, 3), "week").key == "2026-W53"  # a Sunday in January, still week 53
    assert period_of(D(2027, 1, 4), "week").key == "2027-W01"
    assert parse_period("2027-W01").previous() == w53 and w53.next().key == "2027-W01"
    assert w53.label == "2026年第53周（2026年12月28日–2027年1月3日）"
    with pytest.raises(ValueError, match="2027 has no ISO week 53"):
        parse_period("2027-W53")


def test_weeks_start_on_monday_and_months_on_the_first():
    w = period_of(D(2026, 11, 22), "week")  # a Sunday
    assert (w.key, w.start, w.end) == ("2026-W47", D(2026, 11, 16), D(2026, 11, 22))
    assert w.label == "2026年第47周（11月16日–11月22日）"
    assert period_of(D(2026, 11, 23), "week").key == "2026-W48"
    assert period_of(D(2028, 2, 29), "month").end == D(2028, 2, 29)
    assert parse_period("2027-01").previous().key == "2026-12"
    assert [p.key for p in periods_between(D(2026, 11, 20), D(2027, 1, 2), "month")] == ["2026-11", "2026-12", "2027-01"]
    assert [p.key for p in periods_between(D(2026, 12, 27), D(2027, 1, 4), "week")] == ["2026-W52", "2026-W53", "2027-W01"]


def test_period_spelling_errors_are_clear():
    with pytest.raises(ValueError, match="write a week as 2026-W47 or a month as 2026-11"):
        parse_period("W47")
    with pytest.raises(ValueError, match="this report is weekly"):
        parse_period("2026-11", kind="week")
    assert parse_period("2026w7").key == "2026-W07"


def test_times_are_sliced_on_their_shanghai_day():
    utc = pd.Series(pd.to_datetime(["2026-11-29 15:59", "2026-11-29 16:30", "2026-11-30 16:30"]).tz_localize("UTC"))
    days = local_days(utc)
    assert [str(d) for d in days] == ["2026-11-29", "2026-11-30", "2026-12-01"]
    w48, w49 = parse_period("2026-W48"), parse_period("2026-W49")
    assert mask(days, w48).tolist() == [True, False, False]  # 16:30 UTC on Sunday is Monday in Shanghai
    assert mask(days, w49).tolist() == [False, True, True]
    assert mask(days, parse_period("2026-12")).tolist() == [False, False, True]
    epoch = pd.Series([1795969800, 1795881600])  # 2026-11-29 16:30 UTC; WeCom stat_time of 2026-11-29
    assert [str(d) for d in local_days(epoch)] == ["2026-11-30", "2026-11-29"]
    text = pd.Series(["2026-11-29T16:30:00Z", "2026-11-29 23:30"])  # with a zone, and Shanghai wall time
    assert [str(d) for d in local_days(text)] == ["2026-11-30", "2026-11-29"]
