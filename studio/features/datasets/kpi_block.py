"""The ```kpi block: headline numbers from a data file, as tiles.

Each tile carries ``data-metric`` (the canonical metric name) and ``data-value`` (the
unrounded number) so that tests and scripts read the exact figure, while people read a
Chinese label, a formatted value (万/亿) and the change against the previous period.
"""

from __future__ import annotations

import math
from typing import Mapping

from studio.core.blocks import BlockContext, check_keys
from studio.data import kpi
from studio.data.format import change as fmt_change, value as format_value
from studio.data.reader import Table
from studio.errors import StudioError, did_you_mean, display_path

PERIODS = {"month": "M", "week": "W", "day": "D", "all": None, "M": "M", "W": "W", "D": "D",
           "月": "M", "周": "W", "日": "D", "全部": None}
DEFAULT_METRICS = {
    "orders": ["buyers", "orders", "gmv", "aov", "repurchase_rate", "purchase_frequency"],
    "contacts": ["new_contacts", "lost_contacts", "net_new_contacts", "reply_rate", "avg_reply_time"],
    "groups": ["group_members", "group_count", "group_activity", "messages_per_active_member"],
    "moments": ["posts", "likes", "comments", "engagement_per_post"],
    "funnel": ["funnel_entries", "funnel_conversion"],
}


def format_change(change: float, metric: kpi.Metric) -> str:
    """The change in the metric's own terms: percentage points for rates, percent otherwise."""
    return fmt_change(change, points=metric.change == "points")


def trend(change: float) -> str:
    if change is None or math.isnan(change) or abs(change) < 1e-12:
        return "flat"
    return "up" if change > 0 else "down"


def mood(trend_: str, direction: str) -> str:
    """``good``, ``bad`` or ``flat``: a change judged by the metric's good direction, so
    more 删除/拉黑 reads as bad though it went up."""
    if trend_ not in ("up", "down"):
        return "flat"
    return "good" if trend_ == (direction or "up") else "bad"


def load(ctx: BlockContext) -> Table:
    """Read the block's ``data`` file through the project's data door (PII rules applied);
    a missing file is an error on the block's ``data:`` line."""
    if not str(ctx.data.get("data", "")).strip():
        raise ctx.error("missing required key 'data'", hint="e.g. 'data: orders.csv' (relative to this page)")
    path = ctx.data_file("data")
    kind = ctx.data.get("kind")
    columns = ctx.data.get("columns") or None
    types = ctx.data.get("types") or None
    for key, value in (("columns", columns), ("types", types)):
        if value is not None and not isinstance(value, dict):
            raise ctx.error(f"'{key}' must be a mapping, e.g. {key}: {{amount: 实付款}}", key=key)
    where = f"read by the {ctx.name} block at {display_path(ctx.page_path)}:{ctx.line}"
    try:
        return ctx.project.data.read(path, kind=str(kind) if kind else None, by=where.removeprefix("read by "),
                                     columns={str(k): str(v) for k, v in (columns or {}).items()} or None,
                                     types={str(k): str(v) for k, v in (types or {}).items()} or None,
                                     sheet=str(ctx.data["sheet"]) if ctx.data.get("sheet") else None)
    except StudioError as problem:
        problem.hint = f"{problem.hint} ({where})" if problem.hint else where
        raise


def resolve_metric(ctx: BlockContext, table: Table, name: str, key: str) -> kpi.Metric:
    registry = ctx.project.registry
    m = registry.metric(name)
    if m is None:
        known = list(registry.metrics_of(table.kind)) if table.kind else list(registry.metrics)
        raise ctx.error(f"unknown metric '{name}'{did_you_mean(name, registry.metrics)}", key=key,
                        hint="metrics for this data: " + ", ".join(known) + " (see 数据看板 → 指标口径)")
    if m.kind != table.kind:
        what = f"a {table.kind} table" if table.kind else "a table of no known kind"
        raise ctx.error(f"metric '{name}' needs {m.kind} data, but {table.path.name} is {what}", key=key,
                        hint=f"metrics for this data: {', '.join(registry.metrics_of(table.kind)) or 'none'}; "
                             f"or declare 'kind: {m.kind}' and map columns")
    return m


def tiles(table: Table, names: list[str], freq: str | None, metrics: Mapping[str, kpi.Metric],
          engine=None) -> list[dict]:
    """The view of each tile; ``freq`` None gives totals over the whole file. Every tile's
    number comes from one query on the project's engine (``project.data.engine``)."""
    out = []
    found = kpi.readings(table, [metrics[n] for n in names], freq, engine=engine)
    for name in names:
        m = metrics[name]
        r = found[name]
        out.append({
            "name": m.name, "label": m.label, "formula": m.formula,
            "value": "NaN" if math.isnan(r.value) else repr(float(r.value)),
            "text": format_value(r.value, m.format),
            "period": r.period, "previous": r.previous_label,
            "change": "" if math.isnan(r.change) else repr(float(r.change)),
            "change_text": format_change(r.change, m) if r.previous_label else "",
            "trend": trend(r.change),
            "mood": mood(trend(r.change), getattr(m, "direction", "up")),
        })
    return out


def kpi_block(ctx: BlockContext) -> str:
    check_keys(ctx, {"data", "metrics", "period", "kind", "columns", "types", "sheet", "title"}, {"data"})
    table = load(ctx)
    names = ctx.data.get("metrics")
    if names is None:
        names = DEFAULT_METRICS.get(table.kind or "", [])
        if not names:
            raise ctx.error("missing required key 'metrics'", hint="e.g. metrics: [buyers, gmv, aov]")
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        raise ctx.error("'metrics' must be a list, e.g. metrics: [buyers, gmv]", key="metrics")
    for name in names:
        resolve_metric(ctx, table, str(name), "metrics")
    period = ctx.data.get("period", "month")
    if str(period) not in PERIODS:
        raise ctx.error(f"unknown period '{period}'{did_you_mean(period, ['month', 'week', 'day', 'all'])}",
                        key="period", hint="use month, week, day or all")
    freq = PERIODS[str(period)]
    if table.kind not in kpi.TIME_COLUMN:
        freq = None
    return ctx.project.render("kpi_tiles.html.j2", title=ctx.data.get("title"),
                              tiles=tiles(table, [str(n) for n in names], freq, ctx.project.registry.metrics,
                                          ctx.project.data.engine))
