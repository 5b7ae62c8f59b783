"""Generated pages of content calendars: an index, and per calendar a month grid, a week
list, filters, the 体检 panel, the pillar-mix chart and ICS feeds.

Filters are checkboxes and CSS (``:has()``), so they work with no script at all. Entries
link to persona pages with Markdown links inside ``markdown`` HTML blocks, so MkDocs
rewrites and validates them like any other link. "Today" is the build day in
Asia/Shanghai.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from studio.core.pipeline import Output, link
from studio.core.project import Project

from .checkup import FINDINGS, severity_of
from .festivals import Mark, marks_between
from .ics import calendar_ics, persona_ics
from .model import FOLDER, Calendar, Entry
from .rules import RULES, full_months, full_weeks, pillar_shares

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
CHANNEL_COLOURS = 9  # channel tints in studio.css (.studio-cal-ch-0 … -8); more channels reuse them
PILLAR_COLOURS = 4  # pillar tints in studio.css (.studio-pillar--0 … -3); more pillars reuse them
PILLAR_SHORT = {"生活": "生", "工作": "工", "促销": "促", "互动": "互"}
FEED_DIR = f"{FOLDER}/ics"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_text(text: str) -> Markup:
    """Plain text safe inside Markdown inline content (HTML-escaped, specials backslashed)."""
    return Markup(_MD_SPECIAL.sub(r"\\\1", str(escape(text))))


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def calendar_uri(cal: Calendar) -> str:
    return f"{FOLDER}/{cal.slug}.md"


def calendar_feed(cal: Calendar) -> str:
    return f"{FEED_DIR}/{cal.slug}.ics"


def persona_feed(slug: str) -> str:
    return f"{FEED_DIR}/persona-{slug}.ics"


@dataclass
class EntryView:
    e: Entry
    classes: str
    persona_name: str
    persona_link: str | None
    title: Markup
    tooltip: str

    @property
    def time(self) -> str:
        return self.e.time.strftime("%H:%M") if self.e.time else "全天"


@dataclass
class DayView:
    date: dt.date
    in_month: bool
    in_range: bool
    today: bool
    marks: list[Mark]
    entries: list[EntryView] = field(default_factory=list)

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def classes(self) -> str:
        c = ["studio-cal__day"]
        if not self.in_month:
            c.append("studio-cal__day--other")
        elif not self.in_range:
            c.append("studio-cal__day--outside")
        if self.weekend:
            c.append("studio-cal__day--weekend")
        if self.today:
            c.append("studio-cal__day--today")
        kinds = {m.kind for m in self.marks}
        if "holiday" in kinds:
            c.append("studio-cal__day--holiday")
        if "festival" in kinds:
            c.append("studio-cal__day--festival")
        return " ".join(c)


@dataclass
class Filter:
    key: str  # "p", "c" or "k"
    index: int
    label: str

    @property
    def token(self) -> str:
        return f"studio-f-{self.key}{self.index}"


class CalendarView:
    """Everything the calendar page template shows, computed once."""

    def __init__(self, project: Project, cal: Calendar, on: dt.date | None = None):
        self.cal = cal
        self.uri = calendar_uri(cal)
        self.today = on or today()
        docs = {d.slug: d for d in project.of_kind("persona")}
        self.persona_docs = docs
        slugs = cal.personas
        # One index per persona across the site, so a persona keeps its colour on every calendar.
        ordered = sorted(docs) + [s for s in slugs if s not in docs]
        self.persona_index = {s: i for i, s in enumerate(ordered)}
        self.personas = [(s, docs[s].model.name if s in docs else s,
                          link(self.uri, docs[s].uri) if s in docs else None,
                          link(self.uri, persona_feed(s))) for s in slugs]
        self.channels = list(project.config.vocabulary.channels)  # the team's order (vocabulary option)
        order = {c: i for i, c in enumerate(self.channels)}
        channels = sorted({e.channel for e in cal.entries}, key=lambda c: order.get(c, len(order)))
        self.pillars = tuple(project.config.vocabulary.pillars)
        pillars = [p for p in self.pillars if any(e.pillar == p for e in cal.entries)]
        self.filters = {
            "p": [Filter("p", self.persona_index[s], name) for s, name, _, _ in self.personas],
            "c": [Filter("c", order.get(c, len(order)), c) for c in channels],
            "k": [Filter("k", self.pillars.index(p), p) for p in pillars]
                 + ([Filter("k", len(self.pillars), "无支柱")] if any(e.pillar is None for e in cal.entries) else []),
        }
        self.views = [self._entry(e) for e in cal.entries]
        self.findings = project.extras.get(FINDINGS, {}).get(cal.slug, [])
        self.feed = link(self.uri, calendar_feed(cal))
        self.options = project.config.checks
        self.moments_channels = set(self.options.moments_channels)
        self.root = project.config.root.resolve()

    # entries -------------------------------------------------------------------------
    def _entry(self, e: Entry) -> EntryView:
        doc = self.persona_docs.get(e.persona or "")
        name = doc.model.name if doc else (e.persona or "")
        k = self.pillars.index(e.pillar) if e.pillar in self.pillars else len(self.pillars)
        ch = self.channels.index(e.channel) if e.channel in self.channels else len(self.channels)
        classes = [f"studio-cal-ch-{ch % CHANNEL_COLOURS}", f"studio-f-c{ch}", f"studio-f-k{k}"]
        if e.persona:
            classes.append(f"studio-f-p{self.persona_index[e.persona]}")
        tip = " · ".join(x for x in (
            f"{e.date:%m月%d日} {e.time:%H:%M}" if e.time else f"{e.date:%m月%d日} 全天", name, e.channel,
            e.format, e.pillar or "", e.campaign, e.activity if e.activity != "none" else "", e.status_label,
            e.owner and f"负责人 {e.owner}", e.title) if x)
        return EntryView(e, " ".join(classes), name, link(self.uri, doc.uri) if doc else None, md_text(e.title), tip)

    def filter_css(self) -> str:
        rules = [f".studio-cal:has(#{f.token}:not(:checked)) .{f.token}{{display:none}}"
                 for group in self.filters.values() for f in group]
        return "\n".join(rules)

    # grid ----------------------------------------------------------------------------
    def months(self) -> list[tuple[str, list[list[DayView]]]]:
        cal = self.cal
        marks = marks_between(cal.start.replace(day=1), _month_end(cal.end))
        by_day: dict[dt.date, list[EntryView]] = {}
        for v in self.views:
            by_day.setdefault(v.e.date, []).append(v)
        out = []
        year, month = cal.start.year, cal.start.month
        while (year, month) <= (cal.end.year, cal.end.month):
            weeks = []
            for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
                weeks.append([DayView(d, d.month == month, cal.start <= d <= cal.end, d == self.today,
                                      marks.get(d, []) if d.month == month else [],
                                      by_day.get(d, []) if d.month == month else []) for d in week])
            out.append((f"{year}年{month}月", weeks))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def weeks(self) -> list[tuple[str, list[EntryView]]]:
        groups: dict[dt.date, list[EntryView]] = {}
        for v in self.views:
            monday = v.e.date - dt.timedelta(days=v.e.date.weekday())
            groups.setdefault(monday, []).append(v)
        out = []
        for monday, views in sorted(groups.items()):
            sunday = monday + dt.timedelta(days=6)
            iso = monday.isocalendar()
            out.append((f"第{iso.week}周 · {monday.month}月{monday.day}日–{sunday.month}月{sunday.day}日", views))
        return out

    # pillar mix ----------------------------------------------------------------------
    def mix(self) -> list[dict]:
        rows = []
        for slug, name, plink, _ in self.personas:
            posts = [e for e in self.cal.entries if e.persona == slug and e.channel in self.moments_channels]
            shares, total = pillar_shares(posts, self.pillars)
            doc = self.persona_docs.get(slug)
            target = doc.model.post_mix.shares() if doc else None
            if not total:
                continue
            rows.append({"slug": slug, "name": name, "link": plink, "total": total,
                         "actual": {p: round(shares[p]) for p in self.pillars}, "target": target,
                         "days": len(self.cal.days), "per_day": total / max(1, len(self.cal.days)),
                         "daily_posts": doc.model.daily_posts if doc else None})
        return rows

    def severity(self, rule_id: str) -> str:
        if not self.options.enabled:
            return "off"
        return severity_of(rule_id, self.options)

    def not_applicable(self, rule_id: str) -> str:
        """Why a rule had nothing to judge on this calendar ('' when it had)."""
        cal = self.cal
        if rule_id.startswith("group-") and cal.groups is None:
            return "无社群数据（在 YAML 日历中用 groups: 指定客户群统计导出）"
        if rule_id == "weekly-activation" and not full_weeks(cal.start, cal.end):
            return "日历不含完整的一周"
        if rule_id == "monthly-conversion" and not full_months(cal.start, cal.end):
            return "日历不含完整的一个月"
        return ""

    def place(self, f) -> str:
        """``file:line`` relative to the project, for the 体检 panel."""
        path = Path(f.file) if f.file else None
        if path is not None:
            try:
                path = path.resolve().relative_to(self.root)
            except ValueError:
                pass
        text = path.as_posix() if path is not None else ""
        return f"{text}:{f.line}" if f.line else text

    def checkup(self) -> dict:
        errors = [f for f in self.findings if f.severity == "error"]
        by_rule = {}
        for f in self.findings:
            by_rule.setdefault(f.rule, []).append(f)
        return {"findings": self.findings, "errors": len(errors), "warnings": len(self.findings) - len(errors),
                "by_rule": [(RULES[r], by_rule.get(r, [])) for r in RULES]}


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=pycal.monthrange(d.year, d.month)[1])


def render_calendar(project: Project, cal: Calendar, on: dt.date | None = None) -> str:
    """The Markdown of one calendar page."""
    view = CalendarView(project, cal, on)
    common = dict(v=view, cal=cal, weekdays=WEEKDAYS, short={p: PILLAR_SHORT.get(p, p[:1]) for p in view.pillars},
                  pillars=view.pillars, pillar_index={p: i % PILLAR_COLOURS for i, p in enumerate(view.pillars)},
                  channel_index={c: i % CHANNEL_COLOURS for i, c in enumerate(view.channels)},
                  tolerance=project.config.checks.mix_tolerance)
    parts = {name: Markup(project.render(f"calendar_{name}.html.j2", **common))
             for name in ("month", "weeks", "checkup", "mix")}
    return project.render("calendar_page.md.j2", month_grid=parts["month"], week_list=parts["weeks"],
                  checkup=parts["checkup"], mix=parts["mix"], **common)


def calendar_pages(project: Project, out: Output) -> None:
    calendars: list[Calendar] = project.extras.get("calendars") or []
    if not calendars:
        return
    names = {d.slug: d.model.name for d in project.of_kind("persona")}
    events: dict = {}  # each event is built once for its calendar's and its persona's feed
    for cal in calendars:
        out.add_page(calendar_uri(cal), render_calendar(project, cal), project)
        out.assets[calendar_feed(cal)] = calendar_ics(cal, names, events)
    slugs = sorted({s for cal in calendars for s in cal.personas})
    for slug in slugs:
        out.assets[persona_feed(slug)] = persona_ics(slug, calendars, names, events)
    index = f"{FOLDER}/index.md"
    findings = project.extras.get(FINDINGS, {})
    rows = [{"cal": c, "link": link(index, calendar_uri(c)), "feed": link(index, calendar_feed(c)),
             "findings": findings.get(c.slug, [])} for c in calendars]
    feeds = [(names.get(s, s), link(index, persona_feed(s))) for s in slugs]
    out.add_page(index, project.render("calendar_index.md.j2", rows=rows, feeds=feeds), project)
