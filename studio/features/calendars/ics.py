"""iCalendar (RFC 5545) feeds of content calendars, for Feishu, Outlook and Apple Calendar.

Written with the ``icalendar`` library. Times are Asia/Shanghai with a VTIMEZONE; entries
without a time become all-day events. UIDs are derived from what identifies a slot
(calendar, date, persona, channel and its order that day) or from the row's ``id``
column, so re-importing an edited calendar updates events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

import icalendar

if TYPE_CHECKING:
    from .model import Calendar, Entry

TZ = ZoneInfo("Asia/Shanghai")
PRODID = "-//Studio//私域内容日历//ZH"
DEFAULT_MINUTES = 30
MINUTES_BY_FORMAT = {"直播": 90, "视频": 30}
# ICS STATUS for our workflow states: planned-but-open ones are tentative.
ICS_STATUS = {"idea": "TENTATIVE", "draft": "TENTATIVE", "review": "TENTATIVE",
              "approved": "CONFIRMED", "scheduled": "CONFIRMED", "published": "CONFIRMED"}


def entry_uids(calendar: "Calendar") -> dict[int, str]:
    """UID of every entry (keyed by ``id(entry)``), stable across builds."""
    seen: dict[tuple, int] = defaultdict(int)
    uids: dict[int, str] = {}
    for e in calendar.entries:  # sorted by date, time, line
        if e.id:
            key = f"{calendar.slug}|id|{e.id}"
        else:
            slot = (e.date.isoformat(), e.persona or "", e.channel)
            seen[slot] += 1
            key = f"{calendar.slug}|{'|'.join(slot)}|{seen[slot]}"
        uids[id(e)] = hashlib.sha1(key.encode("utf-8")).hexdigest()[:20] + "@studio"
    return uids


def _stamp(calendar: "Calendar") -> dt.datetime:
    """DTSTAMP: when the calendar's files last changed (stable between builds)."""
    mtimes = [p.stat().st_mtime for p in calendar.sources if p.exists()]
    return dt.datetime.fromtimestamp(max(mtimes) if mtimes else 0, dt.timezone.utc).replace(microsecond=0)


def _event(e: "Entry", uid: str, stamp: dt.datetime, persona_names: dict[str, str], cal_title: str) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    if e.time is not None:
        start = dt.datetime.combine(e.date, e.time, tzinfo=TZ)
        ev.add("dtstart", start)
        ev.add("dtend", start + dt.timedelta(minutes=MINUTES_BY_FORMAT.get(e.format, DEFAULT_MINUTES)))
    else:
        ev.add("dtstart", e.date)
        ev.add("dtend", e.date + dt.timedelta(days=1))
    who = persona_names.get(e.persona or "", e.persona or "")
    ev.add("summary", "｜".join(x for x in (who, e.channel, e.title) if x))
    lines = [f"日历：{cal_title}", f"渠道：{e.channel}" + (f" · {e.format}" if e.format else "")]
    if e.pillar:
        lines.append(f"内容支柱：{e.pillar}")
    if e.campaign:
        lines.append(f"专题：{e.campaign}")
    if e.activity != "none":
        lines.append(f"活动类型：{e.activity}")
    if e.audience:
        lines.append(f"受众：{e.audience}")
    lines.append(f"状态：{e.status_label}")
    if e.owner:
        lines.append(f"负责人：{e.owner}")
    if e.link:
        lines.append(f"链接：{e.link}")
    ev.add("description", "\n".join(lines))
    ev.add("categories", [c for c in (e.channel, e.pillar, e.activity if e.activity != "none" else None) if c])
    ev.add("status", ICS_STATUS.get(e.status, "TENTATIVE"))
    if e.link.startswith(("http://", "https://")):
        ev.add("url", e.link)
    return ev


def build_ics(name: str, items: Iterable[tuple["Calendar", "Entry"]], persona_names: dict[str, str],
              description: str = "", cache: dict | None = None) -> bytes:
    """One VCALENDAR holding ``items`` (calendar, entry), ready to write as ``.ics``.

    ``cache`` (a dict kept by the caller) shares built events between feeds of one build.
    """
    cache = {} if cache is None else cache
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    if description:
        cal.add("x-wr-caldesc", description)
    uids: dict[str, dict[int, str]] = {}
    stamps: dict[str, dt.datetime] = {}
    for calendar, entry in items:
        if calendar.slug not in uids:
            uids[calendar.slug] = entry_uids(calendar)
            stamps[calendar.slug] = _stamp(calendar)
        key = (calendar.slug, id(entry))
        if key not in cache:
            cache[key] = _event(entry, uids[calendar.slug][id(entry)], stamps[calendar.slug], persona_names, calendar.title)
        cal.add_component(cache[key])
    cal.add_missing_timezones()
    return cal.to_ical()


def calendar_ics(calendar: "Calendar", persona_names: dict[str, str], cache: dict | None = None) -> bytes:
    return build_ics(calendar.title, ((calendar, e) for e in calendar.entries), persona_names,
                     calendar.description, cache)


def persona_ics(slug: str, calendars: list["Calendar"], persona_names: dict[str, str],
                cache: dict | None = None) -> bytes:
    """Every entry of one persona across all calendars."""
    items = [(c, e) for c in calendars for e in c.entries if e.persona == slug]
    name = persona_names.get(slug, slug)
    return build_ics(f"{name} · 内容日历", items, persona_names, cache=cache)
