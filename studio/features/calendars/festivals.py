"""Holidays and shopping festivals to mark on a calendar grid.

Public holidays, their 补假 and the 调休 rest days come from the maintained ``holidays``
package (country CN, Chinese names). Shopping festivals (520, 618, 双11, 双12) are fixed
dates that no package lists, so they are the one small table kept here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import holidays

SHOPPING_FESTIVALS = {(5, 20): "520", (6, 18): "618", (11, 11): "双11", (12, 12): "双12"}
_SWAP = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")


@dataclass(frozen=True)
class Mark:
    label: str  # short text for the grid cell
    title: str  # full name for the tooltip
    kind: str  # "holiday" (day off), "workday" (补班 weekend), "festival" (shopping festival)


@lru_cache(maxsize=8)
def _cn(years: tuple[int, ...]) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("CN", years=list(years), language="zh_CN"))


def marks_between(start: dt.date, end: dt.date) -> dict[dt.date, list[Mark]]:
    """Every marked day from ``start`` to ``end`` inclusive."""
    out: dict[dt.date, list[Mark]] = {}
    years = tuple(range(start.year, end.year + 1))
    for day, name in sorted(_cn(years).items()):
        m = _SWAP.search(name)
        if m:  # a rest day swapped with a weekend that becomes a workday (补班)
            swapped = dt.date.fromisoformat(m.group(1))
            if start <= swapped <= end:
                out.setdefault(swapped, []).append(Mark("班", f"调休上班（换 {day:%m月%d日} 休息）", "workday"))
            label, title = "休", name
        else:
            label, title = name.replace("（补假）", "").replace("农历", ""), name
        if start <= day <= end:
            out.setdefault(day, []).append(Mark(label, title, "holiday"))
    for year in years:
        for (month, dd), name in SHOPPING_FESTIVALS.items():
            day = dt.date(year, month, dd)
            if start <= day <= end:
                out.setdefault(day, []).append(Mark(name, f"{name} 购物节", "festival"))
    return out
