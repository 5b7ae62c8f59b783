"""The numbers of one report period, computed once: tiles, summary and charts all read them.

Every figure comes from the KPI definitions (``studio.data.kpi``) run by the project's query
engine (``project.data.engine``) on the rows of the period and of the period before: one
query per kind and period, aggregates only. A dataset with no row in a period is *missing* (数据缺失),
never zero. The change shown everywhere in a report is relative (+12.3% = 环比), also for
rates, so that a tile's ``data-change`` and the summary say the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from studio.core.project import Project
from studio.data import kpi
from studio.data.format import value as format_value
from studio.features.calendars.checkup import FINDINGS
from studio.features.calendars.model import STATUS_LABELS
from studio.features.datasets.charts import ChartData, Trace, cohort_chart

from .model import ReportSource, Series, Target, available_metrics
from .periods import Period, mask, parse_period

if TYPE_CHECKING:
    from studio.features.calendars.findings import Finding

MISSING = "数据缺失"
# Headline tiles of each kind, in page order; a metric whose column the export lacks is left out.
HEADLINE = {
    "contacts": ["net_new_contacts", "new_contacts", "lost_contacts", "reply_rate"],
    "groups": ["group_activity", "group_members", "new_group_members"],
    "moments": ["posts", "engagement_per_post"],
    "orders": ["gmv", "orders", "buyers", "aov", "repurchase_rate"],
    "calendar": ["plan_entries", "plan_published", "plan_completion"],
}
TREND = ["net_new_contacts", "group_activity", "engagement_per_post", "gmv", "repurchase_rate", "plan_completion"]
SECTION_TITLES = {"contacts": "客户", "groups": "社群", "moments": "朋友圈", "orders": "订单", "funnel": "转化漏斗"}
TOP_POSTS = 5
SHOWN_DIGITS = {"percent": 3, "ratio": 2, "minutes": 1, "money": 2, "number": 2}  # as format_value prints them
COHORT_MONTHS = 6


# Plan against actual: metrics of the content calendar, so they sit in the same engine ----------
@kpi.metric("plan_entries", "计划条数", "calendar", "计划条数 = 内容日历中日期在本期的条目数")
def plan_entries(t):
    return t.count()


@kpi.metric("plan_published", "已发布条数", "calendar", "已发布条数 = 状态为“已发布”的日历条目数")
def plan_published(t):
    return (t.status == "published").sum().fill_null(0) if "status" in t.columns else None


@kpi.metric("plan_completion", "发布完成率", "calendar", "发布完成率 = 已发布条数 ÷ 计划条数", "percent")
def plan_completion(t):
    published = plan_published.fn.expr(t)
    return None if published is None else published.cast("float64") / t.count().cast("float64").nullif(0)


CALENDAR_METRICS: tuple[kpi.Metric, ...] = (plan_entries, plan_published, plan_completion)


@dataclass
class Figure:
    """One headline number of a period, with the previous period's and the target."""

    metric: kpi.Metric
    value: float
    previous: float
    missing: bool  # no rows of its data in the period
    previous_missing: bool
    target: Target | None = None

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def known(self) -> bool:
        """Data present and a number computed (a rate over no chats has none)."""
        return not self.missing and not math.isnan(self.value)

    @property
    def change(self) -> float:
        return math.nan if self.missing else kpi.relative_change(self.value, self.previous)

    @property
    def text(self) -> str:
        return MISSING if self.missing else format_value(self.value, self.metric.format)

    @property
    def change_text(self) -> str:
        c = self.change
        return "" if math.isnan(c) else f"{c * 100:+.1f}%"

    @property
    def points_text(self) -> str:
        """For rates, the change in percentage points too (shown beside the relative change)."""
        if self.metric.format != "percent" or math.isnan(self.change):
            return ""
        return f"{(self.value - self.previous) * 100:+.1f} 个百分点"

    @property
    def met(self) -> bool | None:
        """Judged on the value as shown, so that 85.0% is never 'below the target 85.0%'."""
        if self.target is None or self.missing:
            return None
        return self.target.met(round(self.value, SHOWN_DIGITS.get(self.metric.format, 2)))

    @property
    def target_text(self) -> str:
        """``≥ 20.0%``: the target the way the tile and the summary write it."""
        if self.target is None:
            return ""
        return f"{self.target.op} {format_value(self.target.value, self.metric.format)}"

    @property
    def target_value_text(self) -> str:
        return format_value(self.target.value, self.metric.format) if self.target else ""

    def tile(self, before: str) -> dict:
        """The view the KPI tile template takes (``studio/templates/kpi_tiles.html.j2``)."""
        c = self.change
        notes = []
        if self.target is not None:
            state = {True: "达成", False: "未达成", None: ""}[self.met]
            notes.append(f"目标 {self.target_text}" + (f" · {state}" if state else ""))
        if not self.missing and self.previous_missing:
            notes.append(f"{before}{MISSING}")
        return {
            "name": self.name, "label": self.metric.label, "formula": self.metric.formula,
            "value": "NaN" if self.missing or math.isnan(self.value) else repr(float(self.value)),
            "text": self.text, "period": "", "previous": before,
            "change": "" if math.isnan(c) else repr(float(c)),
            "change_text": self.change_text + (f"（{self.points_text}）" if self.points_text else ""),
            "trend": "flat" if math.isnan(c) or abs(c) < 1e-12 else ("up" if c > 0 else "down"),
            "state": "missing" if self.missing else {True: "met", False: "missed", None: ""}[self.met],
            "note": " · ".join(notes),
            "target": repr(float(self.target.value)) if self.target is not None else "",
        }


@dataclass
class Chart:
    title: str
    data: ChartData
    caption: str = ""


@dataclass
class Section:
    """One kind of data in one period: its charts, or why there are none."""

    kind: str
    title: str
    missing: bool
    note: str = ""
    charts: list[Chart] = field(default_factory=list)
    dated: bool = True  # False: data without dates (a funnel), shown whole in every period


@dataclass
class PlanRow:
    persona: str | None  # slug
    persona_name: str
    channel: str
    planned: int
    published: int
    statuses: str  # the rest, e.g. "已排期 3 · 待审 1"

    @property
    def rate(self) -> str:
        return format_value(self.published / self.planned, "percent") if self.planned else "—"


@dataclass
class Post:
    day: str
    persona: str
    pillar: str
    title: str
    likes: int
    comments: int

    @property
    def engagement(self) -> int:
        return self.likes + self.comments


@dataclass
class PeriodNumbers:
    """Everything a period page shows; built by :func:`compute`."""

    report: ReportSource
    period: Period
    figures: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    plan: list[PlanRow] | None = None  # None: the report names no calendar
    findings: list["Finding"] = field(default_factory=list)
    top_posts: list[Post] = field(default_factory=list)
    bottom_posts: list[Post] = field(default_factory=list)
    posts_missing: bool = True
    cohort: ChartData | None = None
    coverage: list[str] = field(default_factory=list)  # notes on partly covered data

    @property
    def by_metric(self) -> dict[str, Figure]:
        return {f.name: f for f in self.figures}

    @property
    def has_data(self) -> bool:
        return any(not f.missing for f in self.figures) or any(not s.missing and s.dated for s in self.sections)

    @property
    def missed(self) -> list[Figure]:
        return [f for f in self.figures if f.met is False]

    def tiles(self) -> list[dict]:
        return [f.tile(self.period.before) for f in self.figures]


# Frames ----------------------------------------------------------------------------------
def calendar_series(source: ReportSource) -> Series | None:
    """The report's calendar entries as a frame, so plan metrics run like any other."""
    entries = [e for cal in source.calendars for e in cal.entries]
    wanted = set(source.model.personas)
    if wanted:
        entries = [e for e in entries if e.persona in wanted]
    if not source.calendars:
        return None
    frame = pd.DataFrame({
        "date": pd.to_datetime([e.date for e in entries]) if entries else pd.Series([], dtype="datetime64[ns]"),
        "channel": [e.channel for e in entries], "persona": [e.persona for e in entries],
        "status": [e.status for e in entries],
    })
    days = frame["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    return Series("calendar", frame, days)


def persona_rows(source: ReportSource, frame: pd.DataFrame) -> np.ndarray:
    """Moments rows of the report's personas (the column may hold a slug or a name)."""
    wanted = set(source.model.personas)
    if not wanted or "persona" not in frame:
        return np.ones(len(frame), dtype=bool)
    names = wanted | {source.persona_names.get(s, s) for s in wanted}
    return frame["persona"].astype(str).isin(names).to_numpy()


def in_period(t, period: Period, series: Series, source: ReportSource):
    """The engine's rows of ``series`` in ``period`` (the moments of the report's personas)."""
    if not series.dated:
        return t
    t = t.filter(t.__day.between(pd.Timestamp(period.start), pd.Timestamp(period.end)))
    return scoped(t, series, source)


def scoped(t, series: Series, source: ReportSource):
    """Only the moments of the report's personas (the column may hold a slug or a name)."""
    wanted = set(source.model.personas)
    if series.kind == "moments" and wanted and "persona" in t.columns:
        names = sorted(wanted | {source.persona_names.get(s, s) for s in wanted})
        t = t.filter(t.persona.cast("string").isin(names))
    return t


@dataclass
class EngineRows:
    """A period's rows of a series that lives in the engine (Parquet, a warehouse table): how
    many there are — never the rows — and the period's engine table."""

    t: Any
    count: int

    @property
    def empty(self) -> bool:
        return self.count == 0


def rows_in(series: Series, period: Period, source: ReportSource, engine=None):
    """The rows of ``series`` in ``period``: a frame for files, :class:`EngineRows` for data
    that lives in the engine (counted per day once for the whole report)."""
    if series.expr is not None:
        t = series.table(engine)
        if not series.dated:
            return EngineRows(t, int(_day_counts(engine, series, source).get(None, 0)))
        counts = _day_counts(engine, series, source)
        return EngineRows(in_period(t, period, series, source), int(sum(counts.get(d, 0) for d in period.days)))
    if series.days is None:
        return series.frame
    keep = mask(series.days, period)
    if series.kind == "moments":
        keep &= persona_rows(source, series.frame)
    return series.frame[keep]


def _day_counts(engine, s: Series, source: ReportSource) -> dict:
    """Day -> rows (None -> all rows when undated), in one query per series."""
    found = s.daily.get("rows")
    if found is None:
        t = scoped(s.table(engine), s, source)
        if not s.dated:
            found = {None: engine.scalar(t.count())}
        else:
            t = t.filter(t.__day.notnull())
            got = engine.run(t.group_by("__day").aggregate(n=t.count()))
            found = {pd.Timestamp(d).date(): int(n) for d, n in zip(got["__day"], got["n"])}
        s.daily["rows"] = found
    return found


def headline(source: ReportSource) -> list[str]:
    """The tiles of every period: the kinds' headline metrics, then any other targeted metric."""
    available = available_metrics(source)
    names = [n for kind in HEADLINE for n in HEADLINE[kind] if n in available]
    return names + [n for n in source.targets if n not in names and n in available]


# Computing --------------------------------------------------------------------------------
def all_series(source: ReportSource) -> dict[str, Series]:
    series = dict(source.series)
    cal = calendar_series(source)
    if cal is not None:
        series["calendar"] = cal
    return series


def compute(project: "Project", source: ReportSource, period: Period,
            series: dict[str, Series] | None = None) -> PeriodNumbers:
    """The numbers of ``period``; ``series`` may be passed when computing many periods."""
    series = series if series is not None else all_series(source)
    out = PeriodNumbers(source, period)
    prev = period.previous()
    span = source.span()
    has_previous = span is not None and prev.end >= span[0]  # the first period is compared with nothing
    engine = project.data.engine
    now_rows = {k: rows_in(s, period, source, engine) for k, s in series.items()}
    prev_rows = {k: rows_in(s, prev, source, engine) if has_previous else s.frame.iloc[:0] for k, s in series.items()}
    names = headline(source)
    now_values = _values(engine, series, source, period, names, now_rows)
    prev_values = _values(engine, series, source, prev, names, prev_rows) if has_previous else {}
    for name in names:
        m = source.metrics[name]
        cur, before = now_rows.get(m.kind), prev_rows.get(m.kind)
        missing = cur is None or cur.empty
        prev_missing = has_previous and (before is None or before.empty)
        out.figures.append(Figure(m, math.nan if missing else now_values[name],
                                  prev_values[name] if has_previous and not prev_missing else math.nan,
                                  missing, prev_missing, source.targets.get(name)))
    for kind, s in source.series.items():
        out.sections.append(_section(source, s, period, now_rows[kind], prev_rows[kind], engine))
        note = _coverage(s, period, now_rows[kind])
        if note:
            out.coverage.append(note)
    if "calendar" in series:
        out.plan = _plan(source, now_rows["calendar"], series["calendar"], period, engine)
        out.findings = period_findings(project, source, period)
    if "moments" in source.series:
        out.posts_missing = now_rows["moments"].empty
        out.top_posts, out.bottom_posts = _posts(source, now_rows["moments"], engine)
    if "orders" in source.series and not now_rows["orders"].empty:
        out.cohort = _cohort(source.series["orders"], period, engine)
    return out


def _values(engine, series: dict[str, Series], source: ReportSource, period: Period, names: list[str],
            rows: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The headline metrics over ``period``, from every period's numbers (:func:`per_period`)."""
    out: dict[str, float] = {n: math.nan for n in names}
    for kind, s in series.items():
        wanted = [source.metrics[n] for n in names if source.metrics[n].kind == kind]
        if not wanted or rows[kind].empty:
            continue
        if not s.dated:  # no dates (a funnel): the whole data in every period
            got = kpi.values(s.table(engine), wanted, engine=engine)
            found = {m.name: float(got[m.name].iloc[0]) for m in wanted}
        else:
            found = per_period(engine, s, source, wanted).get(period.start, {})
        for m in wanted:
            out[m.name] = found.get(m.name, math.nan)
    return out


def per_period(engine, s: Series, source: ReportSource, metrics: list) -> dict:
    """Period start -> metric -> value for every week/month of the series: one query for the
    whole report (computed once per series and metrics; each period reads its row)."""
    key = f"period:{source.kind}:" + ",".join(m.name for m in metrics)
    found = s.daily.get(key)
    if found is None:
        t = scoped(s.table(engine), s, source)
        t = t.filter(t.__day.notnull())
        t = t.mutate(__period=kpi.period_expr(t.__day, "W" if source.kind == "week" else "M"))
        got = kpi.values(t, metrics, ["__period"], engine)
        found = {pd.Timestamp(p).date(): {m.name: float(v) for m, v in zip(metrics, row)}
                 for p, *row in got[["__period", *(m.name for m in metrics)]].itertuples(index=False)}
        s.daily[key] = found
    return found


def _coverage(s: Series, period: Period, rows: pd.DataFrame) -> str:
    """'联系客户统计数据截至 11月22日': said when the data stops (or starts) inside the period."""
    if not s.dated or rows.empty or s.first is None:
        return ""
    label = s.label or s.kind
    if s.last < period.end and period.contains(s.last):
        return f"{label}数据截至 {s.last.month}月{s.last.day}日，本期数据不完整"
    if s.first > period.start and period.contains(s.first):
        return f"{label}数据自 {s.first.month}月{s.first.day}日起，本期数据不完整"
    return ""


def daily(s: Series, m: kpi.Metric, period: Period, engine=None) -> list[float]:
    """``m`` on each day of ``period`` (NaN on days without rows: a gap, not a zero).

    One grouped query per series and metric, for every day at once: every week is compared
    with the one before, so each day would otherwise be computed twice.
    """
    values = s.daily.get(m.name)
    if values is None:
        from studio.data.engine import Engine

        engine = engine or Engine()
        t = s.table(engine)
        t = t.filter(t.__day.notnull())
        got = engine.run(kpi.definition(m).table(t, ["__day"]))
        values = {pd.Timestamp(d).date(): float(v) for d, v in zip(got["__day"], got[kpi.VALUE])}
        s.daily[m.name] = values
    return [values.get(d, math.nan) for d in period.days]


def compare_days(s: Series, now: pd.DataFrame, before: pd.DataFrame, name: str, period: Period,
                 engine=None) -> ChartData:
    m = kpi.BY_NAME[name]
    prev = period.previous()
    x = [period.day_label(d) for d in period.days]
    traces = [Trace(period.this, x, daily(s, m, period, engine))]
    if not before.empty:
        y = daily(s, m, prev, engine)
        traces.append(Trace(period.before, x, (y + [math.nan] * len(x))[: len(x)]))
    return ChartData("line", "日期（按" + ("星期" if period.kind == "week" else "日") + "对齐）", m.label, m.format, traces)


def by_period(engine, s: Series, source: ReportSource, m, column: str) -> dict:
    """Period start -> value of ``column`` -> ``m``, for every period of the series in one query."""
    key = f"by:{source.kind}:{m.name}:{column}"
    found = s.daily.get(key)
    if found is None:
        t = scoped(s.table(engine), s, source)
        t = t.filter(t.__day.notnull() & t[column].notnull())
        t = t.mutate(__period=kpi.period_expr(t.__day, "W" if source.kind == "week" else "M"),
                     __by=t[column].cast("string"))
        got = engine.run(kpi.definition(m).table(t, ["__period", "__by"]))
        found = {}
        for p, k, v in zip(got["__period"], got["__by"], got[kpi.VALUE]):
            found.setdefault(pd.Timestamp(p).date(), {})[str(k)] = float(v)
        s.daily[key] = found
    return found


def compare_by(now: pd.DataFrame, before: pd.DataFrame, name: str, column: str, label: str,
               period: Period, rename: dict[str, str] | None = None, engine=None,
               tables: tuple = (None, None), series: Series | None = None,
               source: ReportSource | None = None) -> ChartData:
    """``name`` per value of ``column`` in this period and the one before (``tables``: their
    engine rows), one grouped query each."""
    m = kpi.BY_NAME[name]
    rename = rename or {}

    def by(rows: pd.DataFrame, t) -> dict[str, float]:
        if rows.empty:
            return {}
        t = t.filter(t[column].notnull())
        t = t.mutate(__by=t[column].cast("string"))
        got = engine.run(kpi.definition(m).table(t, ["__by"]))
        return {str(k): float(v) for k, v in sorted(zip(got["__by"], got[kpi.VALUE]))}

    if series is not None:  # every period at once, each reads its own
        grouped = by_period(engine, series, source, m, column)
        cur = dict(sorted(grouped.get(period.start, {}).items())) if not now.empty else {}
        old = dict(sorted(grouped.get(period.previous().start, {}).items())) if not before.empty else {}
    else:
        cur, old = by(now, tables[0]), by(before, tables[1])
    keys = sorted(cur, key=lambda k: -np.nan_to_num(cur[k], nan=-math.inf))
    keys += [k for k in sorted(old) if k not in cur]
    x = [rename.get(k, k) for k in keys]
    traces = [Trace(period.this, x, [cur.get(k, math.nan) for k in keys])]
    if old:
        traces.append(Trace(period.before, x, [old.get(k, math.nan) for k in keys]))
    return ChartData("bar", label, m.label, m.format, traces)


def _section(source: ReportSource, s: Series, period: Period, now: pd.DataFrame, before: pd.DataFrame,
             engine=None) -> Section:
    title = SECTION_TITLES[s.kind]
    sec = Section(s.kind, title, missing=now.empty)
    if sec.missing:
        return sec
    if engine is None:
        from studio.data.engine import Engine

        engine = Engine()
    p = period
    t = s.table(engine)
    tables = (in_period(t, period, s, source), in_period(t, period.previous(), s, source))

    def _compare_days(s, now, before, name, p):
        return compare_days(s, now, before, name, p, engine)

    def _compare_by(now, before, name, column, label, p, rename=None):
        return compare_by(now, before, name, column, label, p, rename, engine, tables, s, source)

    cols = set(s.frame.columns)
    names = source.persona_names
    if s.kind == "contacts":
        sec.charts.append(Chart(f"每日净增客户（{p.this}与{p.before}）", _compare_days(s, now, before, "net_new_contacts", p)))
        if "reply_percentage" in cols:
            sec.charts.append(Chart(f"每日回复率（{p.this}与{p.before}）", _compare_days(s, now, before, "reply_rate", p),
                                    "按聊天数加权；没有聊天的日期不计"))
    elif s.kind == "groups":
        sec.charts.append(Chart(f"每日群活跃度（{p.this}与{p.before}）", _compare_days(s, now, before, "group_activity", p),
                                "群活跃度 = 发过消息的群成员数 ÷ 客户群总人数"))
        if "new_member_cnt" in cols:
            sec.charts.append(Chart(f"每日新增入群人数（{p.this}与{p.before}）",
                                    _compare_days(s, now, before, "new_group_members", p)))
    elif s.kind == "moments":
        sec.charts.append(Chart(f"各内容类型条均互动（{p.this}与{p.before}）",
                                _compare_by(now, before, "engagement_per_post", "pillar", "内容类型", p),
                                "条均互动 = (点赞 + 评论) ÷ 发布条数"))
        if _distinct(now, "persona", engine) > 1:
            sec.charts.append(Chart(f"各人设发布条数（{p.this}与{p.before}）",
                                    _compare_by(now, before, "posts", "persona", "人设", p, names)))
    elif s.kind == "orders":
        sec.charts.append(Chart(f"每日 GMV（{p.this}与{p.before}）", _compare_days(s, now, before, "gmv", p)))
        if "channel" in cols:
            sec.charts.append(Chart(f"各渠道 GMV（{p.this}与{p.before}）",
                                    _compare_by(now, before, "gmv", "channel", "渠道", p)))
    elif s.kind == "funnel":
        steps = kpi.funnel_steps(tables[0], engine)
        sec.charts.append(Chart("转化漏斗", ChartData("funnel", "环节", "人数", "number",
                                                  [Trace("", [str(x) for x in steps["stage"]],
                                                         [float(v) for v in steps["count"]])]),
                                "括号内为相对第一环的转化率"))
        if not s.dated:
            sec.dated = False
            sec.note = "漏斗导出没有日期列：显示的是整份数据，不分周期。"
    return sec


def _plan(source: ReportSource, rows: pd.DataFrame, s: Series, period: Period, engine=None) -> list[PlanRow]:
    """Plan against actual per persona and channel: the calendar metrics, grouped, in the engine
    (every period of the report in one query, computed once)."""
    if rows.empty:
        return []
    if engine is None:
        from studio.data.engine import Engine

        engine = Engine()
    found = s.daily.get("plan")
    if found is None:
        t = s.table(engine)
        t = t.filter(t.__day.notnull())
        t = t.mutate(__period=kpi.period_expr(t.__day, "W" if period.kind == "week" else "M"),
                     __persona=t.persona.cast("string").fill_null(""))
        by = ["__period", "__persona", "channel"]
        got = kpi.values(t, [plan_entries, plan_published], by, engine)
        rest = t.filter(t.status != "published")
        left = engine.run(rest.group_by([*by, "status"]).aggregate(n=rest.count()))
        found = s.daily["plan"] = {"got": got, "left": left}
    got, left = found["got"], found["left"]
    start = pd.Timestamp(period.start)
    got = got[pd.to_datetime(got["__period"]) == start]
    left = left[pd.to_datetime(left["__period"]) == start]
    out = []
    names = source.persona_names
    for persona, channel, planned, published in got.sort_values(["__persona", "channel"])[
            ["__persona", "channel", "plan_entries", "plan_published"]].itertuples(index=False):
        mine = left[(left["__persona"] == persona) & (left["channel"] == channel)]
        mine = mine.sort_values(["n", "status"], ascending=[False, True])
        statuses = " · ".join(f"{STATUS_LABELS.get(k, k)} {int(v)}" for k, v in zip(mine["status"], mine["n"]))
        out.append(PlanRow(persona or None, names.get(persona, persona) if persona else "（未指定）", channel,
                           int(planned), int(published), statuses))
    return out


def period_findings(project: "Project", source: ReportSource, period: Period) -> list["Finding"]:
    """Playbook findings of the report's calendars that lie inside the period."""
    found = project.extras.get(FINDINGS, {})
    wanted = set(source.model.personas)
    out = []
    for cal in source.calendars:
        for f in found.get(cal.slug, []):
            if wanted and f.persona and f.persona not in wanted:
                continue
            span = finding_span(f.when)
            if span and period.start <= span[0] and span[1] <= period.end:
                out.append(f)
    return out


def finding_span(when: str):
    """First and last day a finding's ``when`` covers: a day, a week, a month or 'a–b'."""
    import datetime as dt

    text = str(when).strip()
    if not text:
        return None
    if "–" in text:
        a, _, b = text.partition("–")
        try:
            return dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
        except ValueError:
            return None
    try:
        d = dt.date.fromisoformat(text)
        return d, d
    except ValueError:
        pass
    try:
        p = parse_period(text)
    except ValueError:
        return None
    return p.start, p.end


def _distinct(rows, column: str, engine) -> int:
    """How many values ``column`` takes in a period's rows."""
    if isinstance(rows, EngineRows):
        return int(engine.scalar(rows.t[column].nunique())) if column in rows.t.columns else 0
    return int(rows[column].nunique()) if column in rows else 0


def _posts(source: ReportSource, rows, engine=None) -> tuple[list[Post], list[Post]]:
    """The most and the least engaging posts (likes + comments); apart when there are few."""
    if rows.empty:
        return [], []
    total = rows.count if isinstance(rows, EngineRows) else len(rows)
    n = min(TOP_POSTS, total // 2)
    if isinstance(rows, EngineRows):  # the engine sends the few posts shown, not the period
        rows = _post_rows(rows, max(n, 1), n, engine)
    likes, comments = rows["likes"].fillna(0).astype(int), rows["comments"].fillna(0).astype(int)
    order = np.lexsort((rows["date"].to_numpy(), -(likes + comments).to_numpy()))
    names = source.persona_names
    titles = rows["title"].fillna("").astype(str) if "title" in rows else pd.Series("", index=rows.index)

    def post(i: int) -> Post:
        persona = str(rows["persona"].iloc[i])
        return Post(f"{pd.Timestamp(rows['date'].iloc[i]):%m-%d}", names.get(persona, persona),
                    str(rows["pillar"].iloc[i]), titles.iloc[i], int(likes.iloc[i]), int(comments.iloc[i]))

    top = [post(i) for i in order[: max(n, 1)]]
    bottom = [post(i) for i in order[::-1][:n]]
    return top, bottom


def _post_rows(rows: EngineRows, top: int, bottom: int, engine) -> pd.DataFrame:
    """The period's ``top`` most and ``bottom`` least engaging posts, from the engine."""
    import ibis  # the engine's own import: only data that lives there gets here

    t = rows.t
    keep = [c for c in ("date", "persona", "pillar", "title", "likes", "comments") if c in t.columns]
    t = t.mutate(__score=t.likes.fill_null(0) + t.comments.fill_null(0))
    parts = [engine.run(t.order_by([ibis.desc("__score"), "date"]).limit(top).select(*keep))]
    if bottom:
        parts.append(engine.run(t.order_by(["__score", ibis.desc("date")]).limit(bottom).select(*keep)))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _report_periods(s: Series, period: Period) -> list[Period]:
    """Every period of the series' span, of ``period``'s kind."""
    from .periods import periods_between

    if s.first is None:
        return [period]
    return periods_between(s.first, s.last, period.kind)


def _cohort(s: Series, period: Period, engine=None) -> ChartData | None:
    """Monthly cohort retention of orders up to the period's end, the last few cohorts
    (every period's, computed together once per series: ``kpi.retention_until``)."""
    from studio.data.engine import Engine

    engine = engine or Engine()
    key = f"cohort:{COHORT_MONTHS}"
    tables = s.daily.get(key)
    if tables is None or period.end not in tables:
        ends = sorted({p.end for p in _report_periods(s, period)} | {period.end})
        tables = kpi.retention_until(s.table(engine), ends, COHORT_MONTHS, engine, day_column="__day")
        s.daily[key] = tables
    data = cohort_chart(tables[period.end], "retention")
    if data.z is None or not data.z:
        return None
    data = replace(data, z=data.z[-COHORT_MONTHS:], z_rows=data.z_rows[-COHORT_MONTHS:])
    return data
