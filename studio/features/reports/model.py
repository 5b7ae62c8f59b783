"""Periodic reports (``type: report``): the front matter, and the loader that reads their data.

A report page declares what to report on; Studio writes one page per period::

    ---
    type: report
    title: 私域周报
    period: week                    # week (ISO, Monday first) or month, Asia/Shanghai
    datasets: [../data/team-contacts.csv, data/contacts-2026-11.csv, ../calendars/groups-2026-11.csv]
    calendar: 2026-11               # optional: content calendar(s) for plan against actual
    personas: [store-lucky]         # optional: only these personas' plans and posts
    targets: {group_activity: ≥ 20%, net_new_contacts: ≥ 1000}
    end: 2026-11-22                 # optional: first/last day reported (start:, end:)
    ---

Several files of one kind are one series (WeCom exports at most 30 days at a time), so
a month's export is added by listing it. The loader reads every file when the project
loads, so ``studio check`` reports bad cells as ``file:line`` + column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from studio.core.model import FrontMatter
from studio.data import kpi
from studio.data.engine import ROW
from studio.errors import StudioError, did_you_mean
from studio.features.calendars.model import BROKEN as BROKEN_CALENDARS

from .periods import local_days

if TYPE_CHECKING:
    from studio.core.project import Document, Project
    from studio.data.kpi import Metric
    from studio.features.calendars.model import Calendar

REPORTS = "reports"  # project.extras key: list[ReportSource]
KINDS = ("contacts", "groups", "moments", "orders", "funnel")  # dataset kinds a report understands
PERIOD_ALIASES = {"weekly": "week", "周": "week", "周报": "week", "monthly": "month", "月": "month", "月报": "month"}
_TARGET = re.compile(r"^\s*(?P<op>≥|>=|>|≤|<=|<|至少|不低于|不少于|至多|不超过|不高于)?\s*"
                     r"(?P<num>[+-]?\d+(?:\.\d+)?)\s*(?P<unit>%|万|个百分点)?\s*$")
_AT_MOST = {"≤", "<=", "<", "至多", "不超过", "不高于"}


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int)) else value


def _period(value: Any) -> Any:
    text = str(value).strip().lower() if value is not None else value
    return PERIOD_ALIASES.get(text, text)


_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ENV_NAME = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def env_name(value: str) -> str | None:
    """``${STUDIO_REPORT_TO}`` → ``STUDIO_REPORT_TO``; None for a literal address."""
    m = _ENV_NAME.match(value.strip())
    return m.group(1) if m else None


class Notify(BaseModel):
    """Where ``studio notify report`` sends each period: ``notify: {wecom: true, email: [...]}``.

    Addresses may be written ``${ENV_NAME}`` (the variable may hold several, comma-separated),
    so that they stay out of the repository; the robot's webhook always comes from the
    environment (plugin option ``notify.wecom_env``).
    """

    model_config = ConfigDict(extra="forbid")

    wecom: bool = False  # the WeCom group robot (群机器人)
    email: Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])] = []
    attach: Annotated[Literal["pdf", "html", "none"],
                      BeforeValidator(lambda v: "none" if v in (None, False) else v)] = "none"

    @field_validator("email")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        for v in values:
            if not (env_name(v) or _ADDRESS.match(v.strip())):
                raise ValueError(f"'{v}' is neither an e-mail address nor ${{ENV_NAME}}")
        return [v.strip() for v in values]


class Report(FrontMatter):
    """Front matter of a report page; its body is shown above the list of periods."""

    kind: ClassVar[str] = "report"
    hint: ClassVar[str] = "see README, section 'Reports' (运营报告字段说明)"

    type: Literal["report"]
    title: str
    period: Annotated[Literal["week", "month"], BeforeValidator(_period)]
    datasets: list[str] = Field(min_length=1)
    calendar: Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])] = []
    personas: Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])] = []
    # metric name -> "≥ 20%", ">= 1000", "≤ 5 分钟" … (a bare number means "at least")
    targets: dict[str, str | float] = {}
    start: dt.date | None = None
    end: dt.date | None = None
    description: str = ""
    notify: Notify | None = None  # channels of `studio notify report` (studio/notify)


@dataclass(frozen=True)
class Target:
    """A goal for one metric: at least (``op`` ≥) or at most (≤) ``value``."""

    metric: str
    op: str  # "≥" | "≤"
    value: float

    def met(self, value: float) -> bool | None:
        if value is None or math.isnan(value):
            return None
        return value >= self.value - 1e-12 if self.op == "≥" else value <= self.value + 1e-12


def parse_target(metric: "Metric", spec: str | float) -> Target:
    """``≥ 20%``, ``>= 0.2``, ``20`` (a rate over 1 is read as percent), ``≤ 5``, ``1.2万``; ValueError otherwise."""
    text = str(spec).replace("，", ",").replace(",", "")
    m = _TARGET.match(text)
    if not m:
        raise ValueError(f"cannot read target '{spec}'; write e.g. '≥ 20%', '>= 1000' or '≤ 5'")
    value = float(m.group("num"))
    unit = m.group("unit")
    if unit in ("%", "个百分点"):
        value /= 100
    elif unit == "万":
        value *= 1e4
    elif metric.format == "percent" and abs(value) > 1:
        value /= 100  # 'group_activity: 20' means 20%
    return Target(metric.name, "≤" if m.group("op") in _AT_MOST else "≥", value)


@dataclass
class Series:
    """All rows of one dataset kind in a report, with the Shanghai day of each row."""

    kind: str
    frame: pd.DataFrame
    days: np.ndarray | None  # datetime64[D] per row; None for data without dates (a funnel)
    files: list[Path] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    daily: dict[str, dict[dt.date, float]] = field(default_factory=dict)  # metric -> value per day, computed once
    label: str = ""  # the kind's Chinese name (联系客户统计 …)
    version: str | None = None  # data version of its files (the engine's result cache), None: unknown
    # Data that lives in the engine (Parquet, a warehouse source): its Ibis table with ``__day``;
    # then ``frame`` holds no rows (only the columns) and ``days`` is None.
    expr: Any = None
    time_column: str | None = None
    _with_days: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def dated(self) -> bool:
        """Whether rows have a day, so the series is cut into periods (a funnel may not)."""
        return self.days is not None or (self.expr is not None and self.time_column is not None)

    def table(self, engine):
        """The series in the query engine, with each row's Shanghai day in ``__day``."""
        if self.expr is not None:
            return self.expr
        if self._with_days is None:
            days = self.days if self.days is not None else np.full(len(self.frame), np.datetime64("NaT"), "datetime64[D]")
            self._with_days = self.frame.assign(__day=pd.to_datetime(days))
        return engine.table(self._with_days, self.version and f"series:{self.version}")


@dataclass
class ReportSource:
    """A report page with its data loaded and checked."""

    doc: "Document"
    model: Report
    series: dict[str, Series] = field(default_factory=dict)
    calendars: list["Calendar"] = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)
    persona_names: dict[str, str] = field(default_factory=dict)  # slug -> name, of every persona guide
    metrics: dict[str, "Metric"] = field(default_factory=dict)  # the project's metrics, by name

    @property
    def slug(self) -> str:
        return self.doc.slug

    @property
    def kind(self) -> str:
        return self.model.period

    @property
    def folder(self) -> str:
        """Where the period pages go: beside the report page, in a folder named after it."""
        uri = self.doc.uri
        if uri.endswith("/index.md") or uri == "index.md":
            return uri.rsplit("/", 1)[0] if "/" in uri else ""
        return uri[: -len(".md")]

    def page(self, name: str) -> str:
        return f"{self.folder}/{name}.md" if self.folder else f"{name}.md"

    def span(self) -> tuple[dt.date, dt.date] | None:
        """First and last reported day: the dated data's span, bounded by start/end."""
        firsts = [s.first for s in self.series.values() if s.first]
        lasts = [s.last for s in self.series.values() if s.last]
        if not firsts:
            return None
        lo, hi = min(firsts), max(lasts)
        if self.model.start:
            lo = max(lo, self.model.start) if self.model.start <= hi else self.model.start
        if self.model.end:
            hi = min(hi, self.model.end)
        return (lo, hi) if lo <= hi else None


def _read(project: "Project", doc: "Document", index: int, rel: str) -> tuple[Path, Any] | None:
    """One dataset file as a Table, through the project's data door; problems go to the
    project's diagnostics."""
    line = doc.source.line_of("datasets", index)
    try:
        path = project.data.resolve(rel, doc.path, line=line, what="dataset")
        table = project.data.read(path)
    except StudioError as problem:
        problem.hint = (problem.hint + " " if problem.hint else "") + f"(dataset of the report {doc.uri})"
        project.diagnostics.add(problem)
        return None
    if table.kind not in KINDS:
        what = f"a {table.kind} table" if table.kind else "a table of no known kind"
        project.diagnostics.error(
            f"dataset '{rel}' is {what}; a report reads {', '.join(KINDS)} exports", file=doc.path, line=line,
            hint="name the columns as the export does (see 数据看板 → 指标口径 for each kind's columns)")
        return None
    return path, table


def _series(kind: str, tables: list[tuple[Path, Any]], doc: "Document", project: "Project") -> Series:
    if any(getattr(t, "expr", None) is not None for _, t in tables):
        return _engine_series(kind, tables, doc, project)
    frame = pd.concat([t.frame for _, t in tables], ignore_index=True) if len(tables) > 1 else tables[0][1].frame
    col = kpi.TIME_COLUMN.get(kind) or _date_column(frame)
    schema = tables[0][1].schema
    s = Series(kind, frame, None, [p for p, _ in tables], label=schema.label if schema else kind, time_column=col)
    versions = [project.data.engine.version_of(t.frame) for _, t in tables]
    s.version = None if None in versions else "|".join(versions)
    if col is None:
        return s
    s.days = local_days(frame[col])
    ok = s.days[~np.isnat(s.days)]
    if len(ok):
        s.first, s.last = ok.min().astype(dt.date), ok.max().astype(dt.date)
    spans = []
    for path, t in tables:  # two exports of the same days would be counted twice
        d = local_days(t.frame[col])
        d = d[~np.isnat(d)]
        if len(d):
            spans.append((d.min().astype(dt.date), d.max().astype(dt.date), path))
    _overlaps(kind, spans, doc, project)
    return s


def _engine_series(kind: str, tables: list[tuple[Path, Any]], doc: "Document", project: "Project") -> Series:
    """A series whose data lives in the engine (Parquet, a warehouse table, or files beside
    them): the tables are united there, each row's day computed there, and only the span of
    days comes back — never the rows."""
    engine = project.data.engine
    exprs = [engine.table(t) for _, t in tables]
    first = exprs[0]
    common = [c for c in first.columns if c != ROW and all(c in e.columns for e in exprs[1:])]
    types = first.schema()
    exprs = [e.select(*[e[c].cast(types[c]) for c in common]) for e in exprs]
    frame = tables[0][1].frame.iloc[:0][[c for c in common if c in tables[0][1].frame.columns]]
    col = kpi.TIME_COLUMN.get(kind) or next((c for c in common if types[c].is_timestamp() or types[c].is_date()), None)
    if col is not None and col not in common:
        col = None

    def with_day(e):
        if col is None:
            return e.mutate(__day=_no_day())
        return e.mutate(__day=e[col].cast("timestamp").cast("date").cast("timestamp"))  # naive times: Beijing time

    dayed = [with_day(e) for e in exprs]
    united = dayed[0]
    for e in dayed[1:]:
        united = united.union(e, distinct=False)
    schema = tables[0][1].schema
    s = Series(kind, frame, None, [p for p, _ in tables], label=schema.label if schema else kind, expr=united,
               time_column=col)
    if col is None:
        return s
    spans = []
    for (path, _), e in zip(tables, dayed):
        got = engine.run(e.aggregate(lo=e.__day.min(), hi=e.__day.max()))
        lo, hi = got["lo"].iloc[0], got["hi"].iloc[0]
        if not pd.isna(lo):
            spans.append((pd.Timestamp(lo).date(), pd.Timestamp(hi).date(), path))
    if spans:
        s.first, s.last = min(a for a, _, _ in spans), max(b for _, b, _ in spans)
    _overlaps(kind, sorted(spans), doc, project)
    return s


def _no_day():
    import ibis  # the engine's own import: only data that lives there gets here

    return ibis.null("timestamp")


def _overlaps(kind: str, spans: list, doc: "Document", project: "Project") -> None:
    spans.sort()
    for (a0, a1, pa), (b0, b1, pb) in zip(spans, spans[1:]):
        if b0 <= a1:
            i = _index_of(doc, pb)
            project.diagnostics.warn(
                f"datasets '{pa.name}' and '{pb.name}' both hold {kind} rows from {b0} to {min(a1, b1)}; "
                "those days are counted twice", file=doc.path, line=doc.source.line_of("datasets", i),
                hint="list each day's export once (e.g. one file per month)")


def _index_of(doc: "Document", path: Path) -> int:
    for i, rel in enumerate(doc.model.datasets):
        if (doc.path.parent / rel).resolve() == path:
            return i
    return 0


def _date_column(frame: pd.DataFrame) -> str | None:
    """A funnel export may carry a date per row; then it is cut into periods too."""
    for c in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            return str(c)
    return None


# Metrics that need an optional column of their export.
REQUIRES = {"reply_rate": "reply_percentage", "avg_reply_time": "avg_reply_time",
            "lost_contacts": "negative_feedback_cnt", "new_group_members": "new_member_cnt",
            "messages_per_active_member": "msg_total", "moments_gmv": "gmv"}


def available_metrics(source: ReportSource) -> list[str]:
    """Headline metrics this report can show, given the columns of its exports."""
    out = []
    kinds = list(source.series)
    if source.model.calendar:
        kinds.append("calendar")
    for kind in kinds:
        if kind == "funnel":
            continue
        columns = set(source.series[kind].frame.columns) if kind in source.series else {"status"}
        for name in (n for n, m in source.metrics.items() if m.kind == kind):
            need = REQUIRES.get(name)
            if need is None or need in columns:
                out.append(name)
    return out


def _targets(source: ReportSource, project: "Project") -> None:
    doc, model = source.doc, source.model
    known = available_metrics(source)
    for name, spec in model.targets.items():
        line = doc.source.line_of("targets", name)
        m = source.metrics.get(str(name))
        if m is None:
            project.diagnostics.error(f"targets: unknown metric '{name}'{did_you_mean(name, source.metrics)}",
                                      file=doc.path, line=line,
                                      hint="metrics of this report's data: " + (", ".join(known) or "none"))
            continue
        if name not in known:
            project.diagnostics.error(f"targets: metric '{name}' needs {m.kind} data, which this report does not list",
                                      file=doc.path, line=line,
                                      hint="add the export to 'datasets', or target one of: " + ", ".join(known))
            continue
        try:
            source.targets[name] = parse_target(m, spec)
        except ValueError as exc:
            project.diagnostics.error(f"targets.{name}: {exc}", file=doc.path, line=line)


def load_reports(project: "Project") -> None:
    """Read every report's datasets and resolve its calendars, personas and targets."""
    found: list[ReportSource] = []
    calendars = {c.slug: c for c in project.extras.get("calendars", [])}
    personas = {d.slug: d.model.name for d in project.of_kind("persona")}
    for doc in project.of_kind("report"):
        model: Report = doc.model  # type: ignore[assignment]
        source = ReportSource(doc, model, persona_names=personas, metrics=project.registry.metrics)
        by_kind: dict[str, list] = {}
        for i, rel in enumerate(model.datasets):
            got = _read(project, doc, i, rel)
            if got is not None:
                by_kind.setdefault(got[1].kind, []).append(got)
        for kind in KINDS:
            if kind in by_kind:
                source.series[kind] = _series(kind, by_kind[kind], doc, project)
        for i, slug in enumerate(model.calendar):
            cal = calendars.get(slug)
            if cal is None and slug in project.extras.get(BROKEN_CALENDARS, ()):
                continue  # every row was bad, and each was reported
            if cal is None:
                project.diagnostics.error(
                    f"calendar: no content calendar '{slug}'{did_you_mean(slug, calendars)}",
                    file=doc.path, line=doc.source.line_of("calendar", i),
                    hint="calendars are files in content/calendars/, named by file name without extension: "
                         + (", ".join(sorted(calendars)) or "none yet"))
                continue
            source.calendars.append(cal)
        for i, slug in enumerate(model.personas):
            if slug not in personas:
                by_name = {name: s for s, name in personas.items()}
                if slug in by_name:
                    model.personas[i] = by_name[slug]
                    continue
                if project.failed("persona", slug):
                    continue  # its own error was reported
                project.diagnostics.error(
                    f"personas: no persona '{slug}'{did_you_mean(slug, list(personas) + list(by_name))}",
                    file=doc.path, line=doc.source.line_of("personas", i),
                    hint="use the slug of a persona guide in content/personas/: " + (", ".join(sorted(personas)) or "none yet"))
        if model.start and model.end and model.end < model.start:
            project.diagnostics.error(f"end ({model.end}) is before start ({model.start})",
                                      file=doc.path, line=doc.source.line_of("end"))
        _targets(source, project)
        if source.series and source.span() is None:
            project.diagnostics.warn("no dated rows of this report's data fall between start and end",
                                     file=doc.path, line=doc.source.line_of("datasets"),
                                     hint="check start:/end: against the dates in the datasets")
        found.append(source)
    project.extras[REPORTS] = found

