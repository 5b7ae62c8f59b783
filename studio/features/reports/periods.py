"""Report periods: ISO weeks (Monday to Sunday) and calendar months, in Asia/Shanghai.

A row belongs to the period that holds its Shanghai date. The data reader already turns
epoch seconds (WeCom ``stat_time``) and times with an offset into Shanghai wall-clock
times; :func:`local_times` does the same for anything that reaches a report otherwise,
so a row at 2026-11-29 16:30 UTC counts on Monday 2026-11-30 (2026-W49), not on Sunday.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from studio.data.reader import TIMEZONE

KINDS = ("week", "month")
WORDS = {"week": ("本周", "上周", "周"), "month": ("本月", "上月", "月")}
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ZONED = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"  # a time with a zone: 16:30Z, 16:30+00:00


@dataclass(frozen=True, order=True)
class Period:
    """One ISO week or calendar month; ``start`` is its Monday or its first day."""

    start: dt.date
    kind: str  # "week" | "month"

    @property
    def end(self) -> dt.date:
        if self.kind == "week":
            return self.start + dt.timedelta(days=6)
        return self.start.replace(day=pycal.monthrange(self.start.year, self.start.month)[1])

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def key(self) -> str:
        """``2026-W47`` or ``2026-11``: the period's URL segment and CLI spelling."""
        if self.kind == "week":
            iso = self.start.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        """``2026年第47周（11月16日–11月22日）`` or ``2026年11月``."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        iso = self.start.isocalendar()
        s, e = self.start, self.end
        span = (f"{s.month}月{s.day}日–{e.month}月{e.day}日" if s.year == e.year
                else f"{s.year}年{s.month}月{s.day}日–{e.year}年{e.month}月{e.day}日")
        return f"{iso.year}年第{iso.week}周（{span}）"

    @property
    def short(self) -> str:
        """A compact label for tables and axes: ``W47 · 11/16–11/22`` or ``2026年11月``."""
        if self.kind == "month":
            return self.label
        return f"W{self.start.isocalendar().week:02d} · {self.start:%m/%d}–{self.end:%m/%d}"

    @property
    def this(self) -> str:
        return WORDS[self.kind][0]

    @property
    def before(self) -> str:
        return WORDS[self.kind][1]

    def previous(self) -> "Period":
        return period_of(self.start - dt.timedelta(days=1), self.kind)

    def next(self) -> "Period":
        return period_of(self.end + dt.timedelta(days=1), self.kind)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def day_label(self, day: dt.date) -> str:
        """Position of a day inside its period, so two periods share an axis: 周一 … / 1日 …."""
        if self.kind == "week":
            return "周" + "一二三四五六日"[day.weekday()]
        return f"{day.day}日"


def period_of(day: dt.date, kind: str) -> Period:
    """The week (Monday first) or month holding ``day``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if kind == "week":
        return Period(day - dt.timedelta(days=day.weekday()), "week")
    if kind == "month":
        return Period(day.replace(day=1), "month")
    raise ValueError(f"unknown period kind '{kind}'; use week or month")


def parse_period(text: str, kind: str | None = None) -> Period:
    """``2026-W47`` (ISO week) or ``2026-11`` (month); ValueError with a clear message otherwise."""
    value = str(text).strip()
    m = _WEEK.match(value)
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            monday = dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            weeks = dt.date(year, 12, 28).isocalendar().week
            raise ValueError(f"{year} has no ISO week {week} (its weeks run W01–W{weeks:02d})") from None
        found = Period(monday, "week")
    else:
        m = _MONTH.match(value)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValueError(f"cannot read '{value}' as a period; write a week as 2026-W47 or a month as 2026-11")
        found = Period(dt.date(int(m.group(1)), int(m.group(2)), 1), "month")
    if kind is not None and found.kind != kind:
        example = "2026-W47" if kind == "week" else "2026-11"
        raise ValueError(f"'{value}' is a {found.kind}, but this report is {'weekly' if kind == 'week' else 'monthly'}"
                         f"; write a {kind} like {example}")
    return found


def periods_between(first: dt.date, last: dt.date, kind: str) -> list[Period]:
    """Every period from the one holding ``first`` to the one holding ``last``, oldest first."""
    out: list[Period] = []
    p = period_of(first, kind)
    while p.start <= last:
        out.append(p)
        p = p.next()
    return out


def local_times(values: pd.Series) -> pd.Series:
    """Naive Shanghai wall-clock times of a time column.

    Times with a zone are converted; numbers are epoch seconds (milliseconds above 1e11);
    naive times are taken as Shanghai time already, as the data reader leaves them.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype("float64")
        unit = "ms" if numbers.abs().max() > 1e11 else "s"
        stamps = pd.to_datetime(numbers, unit=unit, utc=True)
        return stamps.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string").str.strip()
    zoned = text.str.contains(_ZONED, regex=True, na=False).to_numpy()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if zoned.any():
        stamps = pd.to_datetime(text[zoned], errors="coerce", utc=True, format="mixed")
        out[zoned] = stamps.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    if (~zoned).any():
        out[~zoned] = pd.to_datetime(text[~zoned], errors="coerce", format="mixed")
    return out


def local_days(values: pd.Series) -> np.ndarray:
    """Shanghai calendar day of each value as ``datetime64[D]`` (NaT for missing)."""
    return local_times(values).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def mask(days: np.ndarray, period: Period) -> np.ndarray:
    """Rows whose day (from :func:`local_days`) falls inside ``period``."""
    lo, hi = np.datetime64(period.start, "D"), np.datetime64(period.end, "D")
    return (days >= lo) & (days <= hi)
