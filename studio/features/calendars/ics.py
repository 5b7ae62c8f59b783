"""iCalendar (RFC 5545) feeds of content calendars, for Feishu, Outlook and Apple Calendar.

Written with the ``icalendar`` library. Times are Asia/Shanghai with a VTIMEZONE; entries
without a time become all-day events. UIDs are derived from what identifies a slot
(calendar, date, persona, channel and its order that day) or from the row's ``id``
column, so re-importing an edited calendar updates events instead of duplicating them.

Every value from a calendar file is ICS text (:func:`text`): line breaks of any kind become
one escaped newline (``\\n``; a summary or category stays on one line), other control
characters go, and ``icalendar`` escapes ``\\ ; ,`` and folds long lines. A link is the
event's URL only when it is one http(s) URL with nothing else in it (no CR/LF, no space).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urlsplit
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
MAX_TEXT = 2000  # characters of one value: a feed is for calendars, not for whole documents

_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls (tab aside), and bidi overrides that would make a title read backwards.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")


def text(value: object, one_line: bool = False) -> icalendar.vText:
    """A value as ICS text: newlines normalised (or joined with spaces), controls removed."""
    t = _CONTROL.sub("", str(value)).replace("\t", " ")
    t = _BREAKS.sub(" " if one_line else "\n", t).strip()
    if one_line:
        t = " ".join(t.split())
    if len(t) > MAX_TEXT:
        t = t[: MAX_TEXT - 1] + "…"
    return icalendar.vText(t)


def _one(value: object) -> str:
    """One line of a description: a field's value on one line, bounded."""
    return str(text(value, one_line=True))


def url(link: str) -> str | None:
    """``link`` when it is a single http(s) URL; None for anything else (CR/LF, spaces, text)."""
    link = link.strip()
    if not link or len(link) > 2000 or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link):
        return None
    try:
        parts = urlsplit(link)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    return link if parts.scheme in ("http", "https") and parts.netloc else None


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
    ev.add("summary", text("｜".join(x for x in (who, e.channel, e.title) if x), one_line=True))
    lines = [f"日历：{_one(cal_title)}", f"渠道：{_one(e.channel)}" + (f" · {_one(e.format)}" if e.format else "")]
    if e.pillar:
        lines.append(f"内容支柱：{_one(e.pillar)}")
    if e.campaign:
        lines.append(f"专题：{_one(e.campaign)}")
    if e.activity != "none":
        lines.append(f"活动类型：{_one(e.activity)}")
    if e.audience:
        lines.append(f"受众：{_one(e.audience)}")
    lines.append(f"状态：{e.status_label}")
    if e.owner:
        lines.append(f"负责人：{_one(e.owner)}")
    if e.link:
        lines.append(f"链接：{_one(e.link)}")
    ev.add("description", icalendar.vText("\n".join(lines)))  # each line is clean ICS text
    ev.add("categories", [text(c, one_line=True) for c in (e.channel, e.pillar, e.activity if e.activity != "none" else None) if c])
    ev.add("status", ICS_STATUS.get(e.status, "TENTATIVE"))
    link = url(e.link)
    if link is not None:
        ev.add("url", link)
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
    cal.add("x-wr-calname", text(name, one_line=True))  # X- properties are escaped only as vText
    cal.add("x-wr-timezone", "Asia/Shanghai")
    if description:
        cal.add("x-wr-caldesc", text(description))
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
