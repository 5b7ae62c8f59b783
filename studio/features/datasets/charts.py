"""The ```chart block: an interactive plotly chart built in Python from a data file.

The figure is computed at build time (pandas + plotly); the page gets its JSON, a caption
and a collapsible table of exactly what is plotted, so the chart reads without script and
prints. ``charts.js`` draws it with the local plotly.js and Material's light/dark colours.
Only aggregates reach the page: raw rows (customer IDs) never do, except for scatter
charts, which plot two numeric columns and nothing else.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np
import pandas as pd

from studio.cache import Cache, file_hash, key_of, portable
from studio.core.blocks import BlockContext, check_keys
from studio.core.project import Project
from studio.data import kpi
from studio.data.engine import ROW, Engine
from studio.data.format import tick as format_tick, value as format_value
from studio.data.kinds import header_key, strip_unit
from studio.data.reader import Table
from studio.errors import StudioError, did_you_mean
from studio.guard.html import seal

from .kpi_block import load

TYPES = ("line", "bar", "area", "pie", "funnel", "cohort", "scatter", "ltv")
TYPE_ALIASES = {"heatmap": "cohort", "cohort heatmap": "cohort", "column": "bar", "donut": "pie", "折线": "line",
                "柱状": "bar", "饼图": "pie", "漏斗": "funnel", "散点": "scatter"}
AGGS = ("sum", "mean", "median", "min", "max", "count", "nunique", "last")
AGG_LABELS = {"sum": "合计", "mean": "平均", "median": "中位数", "min": "最小", "max": "最大",
              "count": "计数", "nunique": "去重数", "last": "期末"}
OPTIONS = {"height", "stacked", "table", "months", "value", "format", "top", "sort", "horizontal"}
KEYS = {"data", "kind", "type", "x", "y", "group", "agg", "freq", "title", "options", "columns", "types",
        "sheet", "caption"}
DEFAULT_FREQ = {"orders": "M", "contacts": "W", "groups": "W", "moments": "W"}
DEFAULT_Y = {"orders": "gmv", "contacts": "net_new_contacts", "groups": "group_activity", "moments": "likes",
             "funnel": "count"}
MAX_POINTS = 5000  # scatter points drawn; the table shows at most MAX_ROWS
MAX_ROWS = 200


@dataclass
class Trace:
    name: str
    x: list
    y: list


@dataclass
class ChartData:
    """What a chart plots, in plain lists: the figure and the fallback table share it."""

    kind: str  # line | bar | area | pie | funnel | cohort | scatter
    x_label: str
    y_label: str
    fmt: str  # number | money | percent | ratio | minutes
    traces: list[Trace] = field(default_factory=list)
    z: list[list] | None = None  # cohort heatmap rows
    z_rows: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def empty(self) -> bool:
        if self.z is not None:
            return not self.z
        return not any(len(t.x) for t in self.traces)


# Figures ----------------------------------------------------------------------------------------
def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1-2-5 steps), for Chinese tick labels."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while True:  # up to the first tick at or above hi, so the highest point is never clipped
        ticks.append(round(v, 10))
        if v >= hi - step * 1e-9:
            return ticks
        v += step


def _finite(values) -> list[float]:
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def _axis(values: list[float], fmt: str, stacked_total: list[float] | None = None) -> dict:
    vals = _finite(stacked_total or values)
    if not vals:
        return {}
    if fmt == "percent":
        return {"tickformat": ".0%", "rangemode": "tozero"}
    ticks = nice_ticks(min(vals), max(vals))
    tick_fmt = fmt if fmt in ("money", "number") else "number"  # ticks: 1.5, not 1.50 or 1.5 分钟
    return {"tickvals": ticks, "ticktext": [format_tick(t, tick_fmt) for t in ticks], "range": [ticks[0], ticks[-1]]}


def _hover(data: ChartData, name: bool) -> str:
    head = "%{fullData.name}<br>" if name else ""
    return head + "%{x}：%{customdata}<extra></extra>"


def figure(data: ChartData, title: str, height: int, options: dict) -> dict:
    """The plotly figure of ``data`` as plotly's JSON schema (``{"data", "layout"}``).

    Plain dicts rather than ``plotly.graph_objects``: validating every figure cost most of
    a build's chart time; ``tests/test_chart_blocks.py`` validates them with plotly instead.
    Colours are left to the browser, which takes them from Material's palette.
    """
    traces: list[dict] = []
    xaxis: dict = {}
    yaxis: dict = {}
    layout: dict = {}
    multi = len(data.traces) > 1
    if data.empty:
        layout["annotations"] = [{"text": "暂无数据", "showarrow": False, "font": {"size": 18},
                                  "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}]
        xaxis = {"visible": False}
        yaxis = {"visible": False}
    elif data.kind == "pie":
        t = data.traces[0]
        traces.append({"type": "pie", "labels": t.x, "values": t.y, "hole": 0.45, "sort": False,
                       "textinfo": "label+percent", "customdata": [format_value(v, data.fmt) for v in t.y],
                       "hovertemplate": "%{label}：%{customdata}（%{percent}）<extra></extra>"})
    elif data.kind == "funnel":
        t = data.traces[0]
        first = t.y[0] if t.y and t.y[0] else None
        text = [f"{format_value(v, data.fmt)}（{format_value(v / first, 'percent') if first else '—'}）" for v in t.y]
        traces.append({"type": "funnel", "y": t.x, "x": t.y, "text": text, "textinfo": "text",
                       "hoverinfo": "skip", "connector": {"line": {"width": 1}}})
    elif data.kind == "cohort":
        z = [[None if _missing(v) else v for v in row] for row in data.z]
        text = [["" if v is None else format_value(v, data.fmt) for v in row] for row in z]
        traces.append({"type": "heatmap", "z": z, "x": data.traces[0].x if data.traces else None, "y": data.z_rows,
                       "text": text, "texttemplate": "%{text}", "hovertemplate": "%{y} · %{x}：%{text}<extra></extra>",
                       "colorscale": "Teal", "showscale": False, "xgap": 2, "ygap": 2, "hoverongaps": False,
                       "textfont": {"size": 11}})  # never shrunk to 7 px: a phone scrolls the chart instead
        xaxis = {"side": "top", "type": "category"}
        yaxis = {"autorange": "reversed", "type": "category"}
    elif data.kind == "scatter":
        for t in data.traces:
            traces.append({"type": "scatter", "x": t.x, "y": t.y, "name": t.name, "mode": "markers",
                           "marker": {"opacity": 0.7},
                           "hovertemplate": ("%{fullData.name}<br>" if multi else "")
                           + f"{data.x_label}：%{{x}}<br>{data.y_label}：%{{y}}<extra></extra>"})
        xaxis = {"title": {"text": data.x_label}}
        yaxis = {"title": {"text": data.y_label}}
    else:
        stacked = bool(options.get("stacked")) or data.kind == "area"
        horizontal = bool(options.get("horizontal")) and data.kind == "bar"
        for t in data.traces:
            custom = [format_value(v, data.fmt) for v in t.y]
            if data.kind == "bar":
                traces.append({"type": "bar", "x": t.y if horizontal else t.x, "y": t.x if horizontal else t.y,
                               "name": t.name, "customdata": custom, "orientation": "h" if horizontal else "v",
                               "hovertemplate": ("%{fullData.name}<br>" if multi else "")
                               + ("%{y}" if horizontal else "%{x}") + "：%{customdata}<extra></extra>"})
            else:
                trace = {"type": "scatter", "x": t.x, "y": t.y, "name": t.name, "customdata": custom,
                         "mode": "lines+markers", "hovertemplate": _hover(data, multi), "connectgaps": False}
                if data.kind == "area":
                    trace["stackgroup"] = "one"
                traces.append(trace)
        totals = None
        if stacked and multi:
            totals = [sum(0.0 if _missing(tr.y[i]) else float(tr.y[i]) for tr in data.traces)
                      for i in range(len(data.traces[0].y))]
        values = {**_axis([v for tr in data.traces for v in tr.y], data.fmt, totals), "title": {"text": data.y_label}}
        labels = {"type": "category", "title": {"text": data.x_label}}
        if horizontal:
            xaxis, yaxis = values, {**labels, "autorange": "reversed"}
        else:
            xaxis, yaxis = labels, values
        if data.kind == "bar":
            layout["barmode"] = "stack" if stacked else "group"
    if data.kind != "pie" and not data.empty:  # the funnel too: its stage names are long
        xaxis["automargin"] = True
        yaxis["automargin"] = True
    layout.update({
        "height": height,
        "margin": {"l": 56, "r": 16, "t": (96 if data.kind == "cohort" else 64) if title else 24, "b": 48},
        "showlegend": multi or data.kind == "pie",
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"}
        if data.kind != "pie" else {"orientation": "v"},
        "hovermode": "closest", "separators": ".,",
        "font": {"family": "-apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    })
    if title:
        layout["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}}
    if xaxis:
        layout["xaxis"] = xaxis
    if yaxis:
        layout["yaxis"] = yaxis
    return {"data": traces, "layout": layout}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _json_safe(value):
    """NaN/inf become null (plotly draws a gap); numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def figure_json(fig: dict) -> str:
    """Figure JSON safe inside a <script> element."""
    text = json.dumps(_json_safe(fig), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# The table of what is plotted ---------------------------------------------------------------
def data_table(data: ChartData) -> tuple[list[str], list[list[str]], str]:
    """Header, rows and a note for the collapsible fallback table."""
    if data.empty:
        return [], [], "暂无数据"
    if data.kind == "cohort":
        header = [data.x_label or "首单月份"] + [str(x) for x in data.traces[0].x]
        rows = [[label] + ["" if v is None or (isinstance(v, float) and math.isnan(v)) else format_value(v, data.fmt)
                           for v in row] for label, row in zip(data.z_rows, data.z)]
        return header, rows, data.note
    if data.kind == "scatter":
        header = ([""] if len(data.traces) > 1 else []) + [data.x_label, data.y_label]
        rows = [([t.name] if len(data.traces) > 1 else []) + [_cell(x), _cell(y)]
                for t in data.traces for x, y in zip(t.x, t.y)]
        note = data.note
        if len(rows) > MAX_ROWS:
            note = (note + " " if note else "") + f"表中仅列出前 {MAX_ROWS} 行（共 {len(rows)} 行）。"
            rows = rows[:MAX_ROWS]
        return header, rows, note
    xs: list = []
    for t in data.traces:
        for x in t.x:
            if x not in xs:
                xs.append(x)
    header = [data.x_label] + [t.name or data.y_label for t in data.traces]
    lookup = [dict(zip(t.x, t.y)) for t in data.traces]
    rows = [[str(x)] + [format_value(lk.get(x), data.fmt) for lk in lookup] for x in xs]
    if data.kind == "funnel" and data.traces:
        header.append("较上一环")
        ys = data.traces[0].y
        for i, row in enumerate(rows):
            row.append(format_value(ys[i] / ys[i - 1], "percent") if i and ys[i - 1] else "—")
    return header, rows[:MAX_ROWS], data.note


def _cell(v) -> str:
    if isinstance(v, float):
        return format_value(v, "number")
    return str(v)


def summary_text(data: ChartData) -> str:
    """One sentence for screen readers: range and extremes of what is plotted."""
    if data.empty:
        return "暂无数据"
    if data.kind == "cohort":
        return f"{len(data.z_rows)} 个首单月份的{data.y_label}"
    if data.kind == "scatter":
        n = sum(len(t.x) for t in data.traces)
        return f"{n} 个点，横轴为{data.x_label}，纵轴为{data.y_label}"
    parts = []
    for t in data.traces:
        pairs = [(x, y) for x, y in zip(t.x, t.y) if y is not None and not (isinstance(y, float) and math.isnan(y))]
        if not pairs:
            continue
        hi = max(pairs, key=lambda p: p[1])
        lo = min(pairs, key=lambda p: p[1])
        name = t.name or data.y_label
        if data.kind in ("pie", "funnel"):
            parts.append(f"{name}：{len(pairs)} 项，最大为{hi[0]}（{format_value(hi[1], data.fmt)}）")
        else:
            parts.append(f"{name}：{pairs[0][0]}至{pairs[-1][0]}，最高{format_value(hi[1], data.fmt)}（{hi[0]}），"
                         f"最低{format_value(lo[1], data.fmt)}（{lo[0]}）")
    return "；".join(parts)


def chart_id(project: Project) -> str:
    """A page-unique element id: one counter per project (charts of reports, blocks, dashboards)."""
    n = project.extras["charts:ids"] = project.extras.get("charts:ids", 0) + 1
    return f"studio-chart-{n}"


def persona_names(project: Project) -> dict[str, str]:
    """Persona slug and WeCom userid -> name: data files group by the account (lucky), readers
    know the persona (福利官小鹿)."""
    names = {}
    for d in project.of_kind("persona"):
        if getattr(d.model, "name", None):
            names.update({uid: str(d.model.name) for uid in getattr(d.model, "userid", [])})
            names[d.slug] = str(d.model.name)
    return names


def _named(data: ChartData, names: dict[str, str]) -> ChartData:
    """``data`` with persona slugs in series names and categories replaced by persona names."""
    def name(v):
        return names.get(v, v) if isinstance(v, str) else v

    if not names or not any(t.name in names or any(isinstance(x, str) and x in names for x in t.x)
                            for t in data.traces):
        return data
    return replace(data, traces=[Trace(name(t.name), [name(x) for x in t.x], t.y) for t in data.traces])


def render_chart(project: Project, data: ChartData, title: str, caption: str = "", height: int = 360,
                 options: dict | None = None, table: bool = True) -> str:
    options = options or {}
    data = _named(data, persona_names(project))
    fig = figure(data, title, height, options)
    header, rows, note = data_table(data)
    # Sealed: the page sanitiser keeps this figure's JSON <script> (studio.guard.html).
    return seal(project.render("chart_figure.html.j2", id=chart_id(project), title=title,
                       caption=caption, summary=summary_text(data), fig=figure_json(fig), height=height,
                       header=header, rows=rows, note=note, table=table, empty=data.empty,
                       wide=data.kind == "cohort"))


# From a table to chart data ------------------------------------------------------------------
class ChartError(Exception):
    """A problem with the block's keys; the block turns it into a StudioError on ``key``."""

    def __init__(self, message: str, key: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.key, self.hint = key, hint


def column_of(table: Table, name: str, key: str, metrics: Mapping[str, kpi.Metric] | None = None) -> str:
    """Canonical column for ``name``: the canonical name (channel), the header as written in
    the file (下单渠道) or any alias of the kind's column (渠道, source) — authors write what
    they see, in Chinese or English."""
    if name in table.frame.columns:
        return name
    wanted = header_key(strip_unit(name))
    for canonical, header in table.headers.items():
        if header == name or header_key(strip_unit(header)) == wanted:
            return canonical
    aliases: dict[str, str] = {}  # every spelling the kind knows -> canonical column in this table
    if table.schema is not None:
        for col in table.schema.columns:
            if col.name in table.frame.columns:
                for alias in col.names():
                    aliases.setdefault(header_key(alias), col.name)
    if wanted in aliases:
        return aliases[wanted]
    known = list(dict.fromkeys([*table.headers.values(), *table.frame.columns,
                                *(a for c in (table.schema.columns if table.schema else []) if c.name in table.frame
                                  for a in c.aliases)]))
    metric_names = [n for n, m in (metrics or {}).items() if m.kind == table.kind] if table.kind else []
    raise ChartError(f"unknown column '{name}' in {table.path.name}{did_you_mean(name, known + metric_names)}", key,
                     "columns: " + ", ".join(f"{table.header(c)} ({c})" if table.header(c) != c else c
                                             for c in table.frame.columns)
                     + (("; metrics: " + ", ".join(metric_names)) if metric_names else ""))


def is_time(s: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(s)


def _x_labels(keys: list, freq: str | None) -> list[str]:
    if freq is None:
        return [str(k) for k in keys]
    years = {k.year for k in keys if not pd.isna(k)}
    return [kpi.period_label(k, freq, with_year=len(years) > 1 or freq == "M") for k in keys]


def _aggregate(t, column: str, agg: str):
    """The Ibis reduction of a column for ``agg`` (sum/mean/…/last: the last value in file order)."""
    col = t[column]
    if agg == "last":
        return col.argmax(t[ROW] if ROW in t.columns else t[column], where=col.notnull())
    if agg == "sum":
        return kpi.exact_sum(col)
    if agg == "nunique":
        return col.nunique()
    return getattr(col, agg)()


def build(table: Table, spec: dict, chart_type: str, metrics: Mapping[str, kpi.Metric] | None = None,
          engine: Engine | None = None) -> ChartData:
    """Chart data from a table and the block's keys (``spec``); raises ChartError.

    ``metrics`` are the project's, for ``y: gmv``; every number is an aggregate computed by
    ``engine`` (the project's, ``project.data.engine``), so the table may live in a warehouse.
    """
    metrics = metrics or {}
    engine = engine or Engine()
    frame = table.frame  # column names and types (rows are the engine's)
    kind = table.kind
    options = spec.get("options") or {}
    if chart_type == "cohort":
        return _cohort(table, options, engine)
    if chart_type == "ltv":
        return _ltv(table, options, engine)
    if chart_type == "scatter":
        return _scatter(table, spec, engine)
    t = engine.table(table)
    if kind == "orders":
        t = kpi.flagged(t)  # each row's refund flag once, read by every order metric
    if chart_type == "funnel" and kind == "funnel" and not spec.get("x"):
        steps = kpi.funnel_steps(t, engine)
        return ChartData("funnel", table.label("stage"), table.label("count"), "number",
                         [Trace("", [str(s) for s in steps["stage"]], [float(v) for v in steps["count"]])])

    # x: a time column (cut into periods) or a category column
    x_name = spec.get("x") or kpi.TIME_COLUMN.get(kind or "")
    if not x_name:
        raise ChartError("missing key 'x' (the column along the horizontal axis)", None,
                         "columns: " + ", ".join(frame.columns))
    x_col = column_of(table, str(x_name), "x", metrics)
    freq = None
    if is_time(frame[x_col]):
        try:
            freq = kpi.freq_of(spec.get("freq"), DEFAULT_FREQ.get(kind or "") or _spacing(t, x_col, engine))
        except ValueError:
            raise ChartError(f"unknown freq '{spec.get('freq')}'", "freq", "use D (day), W (week) or M (month)")
        if chart_type in ("pie", "funnel"):
            freq = freq or "M"
    elif spec.get("freq"):
        raise ChartError(f"'freq' needs a date column on x, but '{x_name}' holds no dates", "freq")

    ys = spec.get("y", DEFAULT_Y.get(kind or ""))
    agg = str(spec.get("agg", "")).strip() or None
    if agg is not None and agg not in AGGS:
        raise ChartError(f"unknown agg '{agg}'{did_you_mean(agg, AGGS)}", "agg", "use one of: " + ", ".join(AGGS))
    if ys is None:
        ys, agg = [x_col], "count"
    if isinstance(ys, str):
        ys = [ys]
    if not isinstance(ys, list) or not ys:
        raise ChartError("'y' must be a column or metric, or a list of them", "y")
    group = spec.get("group")
    if group is not None and len(ys) > 1:
        raise ChartError("use either several 'y' or one 'y' with 'group', not both", "group")
    group_col = column_of(table, str(group), "group", metrics) if group is not None else None

    data = t.filter(t[x_col].notnull())
    data = data.mutate(__key=kpi.period_expr(data[x_col], freq) if freq else data[x_col])
    if freq:
        span = engine.run(data.aggregate(lo=data.__key.min(), hi=data.__key.max()))
        lo, hi = span["lo"].iloc[0], span["hi"].iloc[0]
        order = kpi.all_periods(pd.Timestamp(lo), pd.Timestamp(hi), freq) if not pd.isna(lo) else []
    else:  # categories in the order the file first shows them
        seen = engine.run(data.group_by("__key").aggregate(
            __first=data[ROW].min() if ROW in data.columns else data.__key.min()).order_by(["__first", "__key"]))
        order = list(dict.fromkeys(str(k) for k in seen["__key"]))
    by = ["__key"]
    if group_col is not None:
        data = data.filter(data[group_col].notnull())
        by = [group_col, "__key"]

    def keyed(result: pd.DataFrame) -> pd.DataFrame:
        result = result.copy()
        result["__key"] = [pd.Timestamp(k) for k in result["__key"]] if freq else [str(k) for k in result["__key"]]
        return result

    traces: list[Trace] = []
    fmt = "number"
    y_labels = []
    for y in ys:
        y = str(y)
        m = metrics.get(y) if y not in frame.columns and y not in table.headers.values() else None
        if m is not None:
            if m.kind != kind:
                raise ChartError(f"metric '{y}' needs {m.kind} data, but {table.path.name} is "
                                 f"{'a ' + kind + ' table' if kind else 'a table of no known kind'}", "y")
            fmt = m.format
            label = m.label
            result = keyed(engine.run(kpi.definition(m).table(data, by)))
            empty_value = None  # the metric over no rows, computed only if a point lacks rows
        else:
            y_col = column_of(table, y, "y", metrics)
            how = agg or ("count" if not pd.api.types.is_numeric_dtype(frame[y_col]) else "sum")
            if how not in ("count", "nunique") and not pd.api.types.is_numeric_dtype(frame[y_col]):
                raise ChartError(f"column '{y}' holds text; agg '{how}' needs numbers", "agg",
                                 "use agg: count or agg: nunique, or pick a numeric column")
            fmt = _column_format(table, y_col, how)
            label = table.label(y_col) + ("" if how == "sum" else f"（{AGG_LABELS[how]}）")
            value = _aggregate(data, y_col, how).cast("float64")
            result = keyed(engine.run(data.group_by(by).aggregate(value=value)))
            empty_value = 0.0 if how in ("sum", "count", "nunique") else math.nan
        y_labels.append(label)
        parts = ([(label, result)] if group_col is None else
                 [(str(g), result[result[group_col] == g]) for g in sorted(result[group_col].unique(), key=_sort_key)])
        for name, part in parts:
            values = dict(zip(part["__key"], part["value"]))
            if empty_value is None and any(k not in values for k in order):
                empty_value = kpi.empty_value(m, t, engine)
            traces.append(Trace(name, order, [_num(values[k] if k in values else empty_value) for k in order]))

    if freq is None and options.get("sort") in ("desc", "asc") and traces:
        pairs = sorted(zip(traces[0].x, *(t.y for t in traces)), key=lambda p: (np.nan_to_num(p[1], nan=-math.inf)),
                       reverse=options["sort"] == "desc")
        for i, tr in enumerate(traces):
            tr.x = [p[0] for p in pairs]
            tr.y = [p[i + 1] for p in pairs]
    top = options.get("top")
    note = ""
    if top and freq is None:
        for tr in traces:
            if len(tr.x) > int(top):
                note = f"仅显示前 {int(top)} 项（共 {len(tr.x)} 项）。"
            tr.x, tr.y = tr.x[: int(top)], tr.y[: int(top)]
    labels = _x_labels(traces[0].x if traces else [], freq)
    for tr in traces:
        tr.x = labels
    if chart_type in ("pie", "funnel"):
        traces = traces[:1]
    x_label = table.label(x_col) if not freq else f"{table.label(x_col)}（按{kpi.FREQ_LABELS[freq]}）"
    return ChartData(chart_type, x_label, "、".join(y_labels) if len(y_labels) < 3 else "", 
                     str(options.get("format", fmt)), traces, note=note)


def _sort_key(value):
    """Groups in their natural order (numbers as numbers), whatever their type."""
    return (0, value, "") if isinstance(value, (int, float, np.number)) else (1, 0, str(value))


def _spacing(t, column: str, engine: Engine) -> str:
    """D, W or M from the usual gap between dates: a weekly sheet is plotted by week."""
    days = t.filter(t[column].notnull()).select(day=t[column].cast("date")).distinct()
    got = engine.run(days.order_by("day"))
    days = pd.Series(pd.to_datetime(got["day"])).sort_values()
    if len(days) < 2:
        return "D"
    gap = days.diff().dropna().median().days
    return "M" if gap >= 28 else "W" if gap >= 7 else "D"


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def _column_format(table: Table, column: str, how: str) -> str:
    if how in ("count", "nunique"):
        return "number"
    col = table.schema.column(column) if table.schema else None
    if col is not None and col.type in ("money", "percent"):
        return col.type
    return "number"


def _cohort(table: Table, options: dict, engine: Engine | None = None) -> ChartData:
    if table.kind != "orders":
        raise ChartError(f"a cohort chart needs orders data, but {table.path.name} is "
                         f"{'a ' + table.kind + ' table' if table.kind else 'a table of no known kind'}", "type",
                         "declare 'kind: orders' and map customer_id, order_time and amount")
    months = int(options.get("months", 12))
    value = str(options.get("value", "retention"))
    if value not in ("retention", "ltv"):
        raise ChartError(f"unknown cohort value '{value}'", "options", "use value: retention or value: ltv")
    engine = engine or Engine()
    t = engine.table(table)
    matrix = kpi.cohort_retention(t, months, engine) if value == "retention" else kpi.cohort_ltv(t, months, engine)
    return cohort_chart(matrix, value)


def cohort_chart(matrix: pd.DataFrame, value: str = "retention") -> ChartData:
    """A cohort matrix (``kpi.cohort_retention``/``cohort_ltv``) as a heatmap's data."""
    if matrix.empty:
        return ChartData("cohort", "首单月份", "留存率", "percent", [], z=[])
    cols = [c for c in matrix.columns if c != "size"]
    x = [f"第{c}月" for c in cols]
    rows = [f"{kpi.period_label(c, 'M')}（{int(n)}人）" for c, n in zip(matrix.index, matrix["size"])]
    z = [[_num(v) for v in matrix.loc[c, cols]] for c in matrix.index]
    label = "留存率" if value == "retention" else "累计人均消费（LTV）"
    return ChartData("cohort", "首单月份", label, "percent" if value == "retention" else "money",
                     [Trace("", x, [])], z=z, z_rows=rows,
                     note="留存率 = 当月有下单的客户 ÷ 该月首单客户数；空白为尚未到达的月份。" if value == "retention"
                     else "LTV = 首单后累计实付金额 ÷ 该月首单客户数；空白为尚未到达的月份。")


def _ltv(table: Table, options: dict, engine: Engine | None = None) -> ChartData:
    if table.kind != "orders":
        raise ChartError(f"an LTV chart needs orders data, but {table.path.name} is "
                         f"{'a ' + table.kind + ' table' if table.kind else 'a table of no known kind'}", "type")
    engine = engine or Engine()
    curve = kpi.ltv_curve(engine.table(table), int(options.get("months", 12)), engine)
    return ChartData("line", "首单后月数", "累计人均消费（LTV）", "money",
                     [Trace("LTV", [f"第{int(m)}月" for m in curve["month"]], [float(v) for v in curve["ltv"]])],
                     note="每个点为已到达该月的首单月份客户的加权平均。")


def _scatter(table: Table, spec: dict, engine: Engine | None = None) -> ChartData:
    """Two numeric columns, point by point: the one chart whose rows leave the engine, at
    most MAX_POINTS of them (a fixed sample of larger tables), and no other column."""
    if not spec.get("x") or not spec.get("y") or isinstance(spec.get("y"), list):
        raise ChartError("a scatter chart needs one numeric column on 'x' and one on 'y'", "y")
    x_col = column_of(table, str(spec["x"]), "x")
    y_col = column_of(table, str(spec["y"]), "y")
    frame = table.frame
    for key, col in (("x", x_col), ("y", y_col)):
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise ChartError(f"column '{spec[key]}' is not numeric; a scatter chart plots numbers", key)
    wanted = [x_col, y_col] + ([column_of(table, str(spec["group"]), "group")] if spec.get("group") else [])
    engine = engine or Engine()
    t = engine.table(table)
    points = t.filter(t[x_col].notnull() & t[y_col].notnull())
    order = points[ROW] if ROW in points.columns else points[x_col]
    points = points.select(*dict.fromkeys(wanted), __order=order)
    total = int(engine.scalar(points.count()))
    note = ""
    if total > MAX_POINTS:
        note = f"共 {total} 个点，图中随机抽取 {MAX_POINTS} 个。"
        points = points.order_by(points.__order.hash()).limit(MAX_POINTS)
    data = engine.run(points.order_by("__order"))
    traces = []
    if spec.get("group"):
        g_col = wanted[2]
        data = data[data[g_col].notna()]
        for g in sorted(data[g_col].unique(), key=_sort_key):
            part = data[data[g_col] == g]
            traces.append(Trace(str(g), part[x_col].tolist(), part[y_col].tolist()))
    else:
        traces.append(Trace(table.label(y_col), data[x_col].tolist(), data[y_col].tolist()))
    return ChartData("scatter", table.label(x_col), table.label(y_col), "number", traces, note=note)


def default_title(data: ChartData, chart_type: str) -> str:
    if chart_type == "cohort":
        return f"首单月份同期群 · {data.y_label}"
    if data.kind in ("line", "bar", "area") and data.y_label:
        return f"{data.y_label} · {data.x_label}"
    return data.y_label or ""


_ID = re.compile(r'id="studio-chart-\d+"')


def chart_block(ctx: BlockContext) -> str:
    """A chart, from the build cache when its block, page, data file, options and Studio are
    unchanged (``studio.cache``); computed and stored otherwise."""
    key = _cache_key(ctx)
    cache = chart_cache(ctx.project)
    html = cache.get(key) if key else None
    if html is not None:  # a stored chart gets this build's next id: ids stay unique on the page
        html = _ID.sub(lambda _: f'id="{chart_id(ctx.project)}"', html, count=1)
    else:  # computing it took the next id already, so a cold and a warm build give the same page
        html = _unsealed(_chart_html(ctx))  # the seal's nonce is per process: never stored
        if key and not ctx.project.data.has_bad_rows(ctx.data_file("data")):  # bad rows: reported each build
            cache.put(key, html)
    ctx.needs.add("plotly")
    ctx.project.extras["charts:rendered"] = ctx.project.extras.get("charts:rendered", 0) + 1  # progress
    return seal(html)


def _unsealed(html: str) -> str:
    head, tail = seal("\0").split("\0")
    if html.startswith(head) and html.endswith(tail):
        return html[len(head):-len(tail)]
    return html


def chart_cache(project) -> Cache:
    if "cache:charts" not in project.extras:
        project.extras["cache:charts"] = Cache.for_project(project.config, "charts")
    return project.extras["cache:charts"]


def _cache_key(ctx: BlockContext) -> str | None:
    """Everything a chart is computed from; None (no caching) when its data file is missing."""
    try:
        path = ctx.data_file("data")
    except StudioError:
        return None  # the block reports it when rendered
    rules = ctx.project.data.rules_for(path)  # columns masked or dropped by any page or option
    rules = [sorted(rules.mask), sorted(rules.drop), sorted(rules.allow)]
    config = ctx.project.config.model_dump(mode="json", exclude={"root"})
    for source in config.get("sources", {}).values():
        source.pop("url", None)  # never a URL (or its secret) in a key
    meta = ctx.document.source.meta if ctx.document is not None else None
    data = ctx.project.data
    version = data.source_version(path) if data.is_source(path) else file_hash(path)
    root = ctx.project.config.root  # paths relative to it: the key holds on any machine (CI caches)
    return key_of("chart", ctx.raw, portable(ctx.page_path, root), portable(path, root), version, config, rules, meta,
                  persona_names(ctx.project))  # series are labelled with persona names


def _chart_html(ctx: BlockContext) -> str:
    check_keys(ctx, KEYS, {"data"})
    raw_type = str(ctx.data.get("type", "line")).strip()
    chart_type = TYPE_ALIASES.get(raw_type, raw_type)
    if chart_type not in TYPES:
        raise ctx.error(f"unknown chart type '{raw_type}'{did_you_mean(raw_type, TYPES)}", key="type",
                        hint="types: " + ", ".join(TYPES))
    options = ctx.data.get("options") or {}
    if not isinstance(options, dict):
        raise ctx.error("'options' must be a mapping, e.g. options: {height: 320}", key="options")
    for key in options:
        if key not in OPTIONS:
            raise ctx.error(f"unknown option '{key}'{did_you_mean(key, OPTIONS)}", key="options",
                            hint="options: " + ", ".join(sorted(OPTIONS)))
    table = load(ctx)
    try:
        data = build(table, ctx.data, chart_type, ctx.project.registry.metrics, ctx.project.data.engine)
    except ChartError as exc:
        raise ctx.error(str(exc), key=exc.key, hint=exc.hint) from None
    title = str(ctx.data.get("title") or default_title(data, chart_type))
    try:
        height = int(options.get("height", 420 if chart_type == "cohort" else 360))
    except (TypeError, ValueError):
        raise ctx.error("option 'height' must be a number of pixels", key="options") from None
    ctx.needs.add("plotly")
    return render_chart(ctx.project, data, title, str(ctx.data.get("caption") or ""), height, options,
                        table=options.get("table", True) is not False)
