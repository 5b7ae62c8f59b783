"""The KPI engine: pure functions from a typed frame to numbers teams report on.

Each :class:`Metric` holds its Chinese label, its formula (shown on the generated 指标口径
page) and a function ``fn(frame) -> float``. Period views (day/week/month with the change
against the previous period) and cohort tables are built on top, so a KPI tile, a chart
and a report always compute a number the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import pandas as pd

# Time column of each kind: periods are cut on it.
TIME_COLUMN = {"orders": "order_time", "contacts": "stat_time", "groups": "stat_time", "moments": "date"}
FREQS = {"D": "D", "W": "W", "M": "M", "day": "D", "week": "W", "month": "M", "日": "D", "周": "W", "月": "M"}
FREQ_LABELS = {"D": "日", "W": "周", "M": "月"}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str
    fn: Callable[[pd.DataFrame], float]
    formula: str
    format: str = "number"  # number | money | percent | minutes | ratio
    note: str = ""
    # How a change is shown: relative (+12%) for amounts, points (+1.2个百分点) for rates.
    change: str = "relative"
    # Which way is good: "up" (more is better) or "down" (删除/拉黑, reply time). Tile colours
    # and report wording follow it, never the sign of the change alone.
    direction: str = "up"

    def __call__(self, frame: pd.DataFrame) -> float:
        return self.fn(frame)


def metric(name: str, label: str, kind: str, formula: str, format: str = "number", note: str = "",
           change: str | None = None, direction: str = "up") -> Callable[[Callable[[pd.DataFrame], float]], Metric]:
    """Turn ``fn(frame) -> float`` into a :class:`Metric` (still callable on a frame).

    Nothing is registered: a feature lists the metrics it contributes (``METRICS`` below for
    the data library's own), and each project's registry collects them.
    """
    def wrap(fn: Callable[[pd.DataFrame], float]) -> Metric:
        return Metric(name, label, kind, fn, formula, format, note,
                      change or ("points" if format == "percent" else "relative"), direction)
    return wrap


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else math.nan


def _sum(frame: pd.DataFrame, column: str) -> float:
    return float(frame[column].sum()) if column in frame else math.nan


# Orders: each row is one order, or a refund ---------------------------------------------------
# A refund is a row with a negative amount, or whose status/type cell says so (退款 …):
# netted from GMV, and no order, no buyer, no repurchase.
REFUND_WORDS = frozenset({"退款", "已退款", "退款成功", "全额退款", "退货退款", "已退货", "退货", "refund", "refunded",
                          "returned"})
_REFUND_NOTE = "退款行（金额为负，或订单状态/类型为退款、已退款、refund）"


def refunds(f: pd.DataFrame) -> np.ndarray:
    """Which rows are refunds: a negative amount, or a status/type of 退款/已退款/refund."""
    mask = np.zeros(len(f), dtype=bool)
    if "amount" in f:
        with np.errstate(invalid="ignore"):
            mask |= f["amount"].to_numpy(dtype="float64", na_value=np.nan) < 0
    if "status" in f:
        status = f["status"]
        if isinstance(status.dtype, pd.CategoricalDtype):
            hit = np.array([_is_refund(c) for c in status.cat.categories] + [False], dtype=bool)
            mask |= hit[status.cat.codes.to_numpy()]  # code -1 (blank) reads the last: False
        else:
            mask |= status.map(_is_refund, na_action="ignore").fillna(False).to_numpy(dtype=bool)
    return mask


def _is_refund(value) -> bool:
    return str(value).strip().lower() in REFUND_WORDS


def paid(f: pd.DataFrame) -> pd.DataFrame:
    """The rows that are orders (refunds left out)."""
    mask = refunds(f)
    return f[~mask] if mask.any() else f


@metric("orders", "订单数", "orders", f"订单数 = 订单行数（每行一笔订单；{_REFUND_NOTE}不计）")
def orders(f: pd.DataFrame) -> float:
    return float(len(f) - refunds(f).sum())


def customer_codes(f: pd.DataFrame) -> np.ndarray:
    """Integer code per order's customer (-1 for blank); fast for categorical ids."""
    ids = f["customer_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        return ids.cat.codes.to_numpy()
    return pd.factorize(ids)[0]


def _orders_per_customer(f: pd.DataFrame) -> np.ndarray:
    """Orders of each buyer (refunds left out)."""
    codes = customer_codes(f)
    codes = codes[(codes >= 0) & ~refunds(f)]
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return counts[counts > 0]


@metric("buyers", "购买人数", "orders", "购买人数 = 有订单的去重客户ID数（只有退款的客户不计）")
def buyers(f: pd.DataFrame) -> float:
    return float(len(_orders_per_customer(f)))


@metric("gmv", "GMV", "orders", f"GMV = Σ 实付金额 − Σ 退款金额（{_REFUND_NOTE}的金额按负数计入）", "money")
def gmv(f: pd.DataFrame) -> float:
    amount = f["amount"].to_numpy(dtype="float64", na_value=np.nan)
    mask = refunds(f)
    if mask.any():
        amount = np.where(mask, -np.abs(amount), amount)
    return float(np.nansum(amount))


@metric("aov", "客单价", "orders", "客单价 AOV = GMV（已扣退款）÷ 订单数（不含退款行）", "money")
def aov(f: pd.DataFrame) -> float:
    return _ratio(gmv(f), orders(f))


@metric("repurchase_rate", "复购率", "orders", "复购率 = 下单 ≥ 2 次的客户数 ÷ 购买人数（退款行不算下单）", "percent",
        "按所选周期内的订单计算；整体口径为数据中的全部订单")
def repurchase_rate(f: pd.DataFrame) -> float:
    counts = _orders_per_customer(f)
    return _ratio((counts >= 2).sum(), len(counts))


@metric("purchase_frequency", "购买频次", "orders", "购买频次 = 订单数 ÷ 购买人数（均不含退款行）", "ratio")
def purchase_frequency(f: pd.DataFrame) -> float:
    return _ratio(orders(f), buyers(f))


@metric("gmv_per_buyer", "人均消费", "orders", "人均消费 = GMV（已扣退款）÷ 购买人数", "money")
def gmv_per_buyer(f: pd.DataFrame) -> float:
    return _ratio(gmv(f), buyers(f))


# Contacts (联系客户统计): a row per day (and member) ------------------------------------------
@metric("new_contacts", "新增客户数", "contacts", "新增客户数 = Σ new_contact_cnt")
def new_contacts(f: pd.DataFrame) -> float:
    return _sum(f, "new_contact_cnt")


@metric("lost_contacts", "删除/拉黑客户数", "contacts", "删除/拉黑客户数 = Σ negative_feedback_cnt",
        direction="down")
def lost_contacts(f: pd.DataFrame) -> float:
    return _sum(f, "negative_feedback_cnt") if "negative_feedback_cnt" in f else 0.0


@metric("net_new_contacts", "净增客户数", "contacts",
        "净增客户数 = Σ new_contact_cnt − Σ negative_feedback_cnt")
def net_new_contacts(f: pd.DataFrame) -> float:
    return new_contacts(f) - lost_contacts(f)


@metric("chats", "聊天总数", "contacts", "聊天总数 = Σ chat_cnt")
def chats(f: pd.DataFrame) -> float:
    return _sum(f, "chat_cnt")


@metric("messages", "发送消息数", "contacts", "发送消息数 = Σ message_cnt")
def messages(f: pd.DataFrame) -> float:
    return _sum(f, "message_cnt")


def _chat_weighted(f: pd.DataFrame, column: str) -> float:
    """Mean of a per-day figure weighted by that day's chats; days without chats drop out."""
    if column not in f:
        return math.nan
    ok = f[column].notna() & (f["chat_cnt"] > 0)
    return _ratio((f.loc[ok, column] * f.loc[ok, "chat_cnt"]).sum(), f.loc[ok, "chat_cnt"].sum())


@metric("reply_rate", "回复率", "contacts",
        "回复率 = Σ(已回复聊天占比 × chat_cnt) ÷ Σ chat_cnt（按聊天数加权；无聊天的日期不计）", "percent",
        "企业微信在没有聊天的日期不返回 reply_percentage")
def reply_rate(f: pd.DataFrame) -> float:
    return _chat_weighted(f, "reply_percentage")


@metric("avg_reply_time", "平均首次回复时长", "contacts",
        "平均首次回复时长 = Σ(avg_reply_time × chat_cnt) ÷ Σ chat_cnt（分钟）", "minutes", change="relative",
        direction="down")
def avg_reply_time(f: pd.DataFrame) -> float:
    return _chat_weighted(f, "avg_reply_time")


# Groups (客户群统计): a row per day -------------------------------------------------------------
@metric("group_activity", "群活跃度", "groups",
        "群活跃度 = Σ member_has_msg ÷ Σ member_total（每日发言成员占群成员的比例，按人数加权）", "percent",
        "非企业微信官方指标，是常用的衍生指标")
def group_activity(f: pd.DataFrame) -> float:
    return _ratio(f["member_has_msg"].sum(), f["member_total"].sum())


@metric("messages_per_active_member", "人均发言数", "groups",
        "人均发言数 = Σ msg_total ÷ Σ member_has_msg（每位发言成员的消息数）", "ratio")
def messages_per_active_member(f: pd.DataFrame) -> float:
    return _ratio(_sum(f, "msg_total"), f["member_has_msg"].sum())


def _last(f: pd.DataFrame, column: str) -> float:
    if column not in f or f[column].dropna().empty:
        return math.nan
    return float(f.sort_values("stat_time")[column].dropna().iloc[-1])


@metric("group_members", "群成员总数", "groups", "群成员总数 = 周期最后一天的 member_total")
def group_members(f: pd.DataFrame) -> float:
    return _last(f, "member_total")


@metric("group_count", "客户群总数", "groups", "客户群总数 = 周期最后一天的 chat_total")
def group_count(f: pd.DataFrame) -> float:
    return _last(f, "chat_total")


@metric("new_group_members", "新增群人数", "groups", "新增群人数 = Σ new_member_cnt")
def new_group_members(f: pd.DataFrame) -> float:
    return _sum(f, "new_member_cnt")


# Moments (朋友圈): a row per post -------------------------------------------------------------
@metric("posts", "发布条数", "moments", "发布条数 = 朋友圈行数")
def posts(f: pd.DataFrame) -> float:
    return float(len(f))


@metric("likes", "点赞数", "moments", "点赞数 = Σ 点赞")
def likes(f: pd.DataFrame) -> float:
    return _sum(f, "likes")


@metric("comments", "评论数", "moments", "评论数 = Σ 评论")
def comments(f: pd.DataFrame) -> float:
    return _sum(f, "comments")


@metric("engagement_per_post", "条均互动", "moments", "条均互动 = (Σ 点赞 + Σ 评论) ÷ 发布条数", "ratio")
def engagement_per_post(f: pd.DataFrame) -> float:
    return _ratio(likes(f) + comments(f), posts(f))


@metric("moments_gmv", "朋友圈成交额", "moments", "朋友圈成交额 = Σ 成交额（导出中有该列时）", "money")
def moments_gmv(f: pd.DataFrame) -> float:
    return _sum(f, "gmv")


# Funnel: ordered stages ----------------------------------------------------------------------
@metric("funnel_conversion", "整体转化率", "funnel", "整体转化率 = 最后一环人数 ÷ 第一环人数", "percent")
def funnel_conversion(f: pd.DataFrame) -> float:
    if f.empty:
        return math.nan
    return _ratio(f["count"].iloc[-1], f["count"].iloc[0])


@metric("funnel_entries", "漏斗入口人数", "funnel", "漏斗入口人数 = 第一环人数")
def funnel_entries(f: pd.DataFrame) -> float:
    return float(f["count"].iloc[0]) if len(f) else math.nan


def funnel_steps(f: pd.DataFrame) -> pd.DataFrame:
    """Each stage with its count, step conversion (÷ previous stage) and overall (÷ first)."""
    out = f[["stage", "count"]].reset_index(drop=True).copy()
    counts = out["count"].astype("float64")
    out["step_rate"] = counts / counts.shift(1)
    out["overall_rate"] = counts / counts.iloc[0] if len(out) and counts.iloc[0] else np.nan
    return out


# Periods -------------------------------------------------------------------------------------
def freq_of(value: str | None, default: str = "M") -> str:
    if value is None:
        return default
    f = FREQS.get(str(value).strip()) or FREQS.get(str(value).strip().lower())
    if f is None:
        raise ValueError(value)
    return f


def period_key(times: pd.Series, freq: str) -> pd.Series:
    """The start of the day/week (Monday)/month each timestamp falls in."""
    times = pd.to_datetime(times)
    if freq == "D":
        return times.dt.normalize()
    if freq == "W":
        day = times.dt.normalize()
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return times.dt.to_period("M").dt.to_timestamp()


def period_label(start: pd.Timestamp, freq: str, with_year: bool = True) -> str:
    if pd.isna(start):
        return "—"
    if freq == "M":
        return f"{start.year}年{start.month}月" if with_year else f"{start.month}月"
    text = f"{start.month}月{start.day}日"
    if with_year:
        text = f"{start.year}年" + text
    return text + ("当周" if freq == "W" else "")


def series(frame: pd.DataFrame, m: Metric, freq: str, time_column: str | None = None) -> pd.DataFrame:
    """``m`` per period: columns ``period`` (start), ``value``, ``previous``, ``change``.

    Every period between the first and the last is present (empty periods give 0 for sums,
    NaN for rates) so that a gap in activity shows as a gap, not as a jump.
    """
    col = time_column or TIME_COLUMN.get(m.kind)
    if col is None or col not in frame:
        raise KeyError(col)
    frame = frame[frame[col].notna()]
    if frame.empty:
        return pd.DataFrame({"period": pd.Series([], dtype="datetime64[us]"), "value": [], "previous": [], "change": []})
    keys = period_key(frame[col], freq)
    values = {k: m.fn(g) for k, g in frame.groupby(keys, sort=True)}
    index = _all_periods(min(values), max(values), freq)
    empty = frame.iloc[:0]
    vals = [values[k] if k in values else m.fn(empty) for k in index]
    out = pd.DataFrame({"period": index, "value": np.array(vals, dtype="float64")})
    out["previous"] = out["value"].shift(1)
    out["change"] = [change(v, p, m) for v, p in zip(out["value"], out["previous"])]
    return out


def _all_periods(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> list[pd.Timestamp]:
    step = {"D": "D", "W": "7D", "M": "MS"}[freq]
    return list(pd.date_range(first, last, freq=step))


def change(value: float, previous: float, m: Metric) -> float:
    """Relative change (0.12 = +12%) or, for rates, the difference in points (0.012 = +1.2pt)."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous):
        return math.nan
    if m.change == "points":
        return float(value - previous)
    return relative_change(value, previous)


def relative_change(value: float, previous: float) -> float:
    """(value − previous) ÷ |previous|: 0.12 = +12%; NaN without a previous value (reports use it for every metric)."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous) or not previous:
        return math.nan
    return float((value - previous) / abs(previous))


@dataclass
class Reading:
    """One KPI value for a tile: the value, its period and the change against the previous one."""

    metric: Metric
    value: float
    period: str = ""  # human label, e.g. 2024年5月
    previous_label: str = ""  # e.g. 上月
    change: float = math.nan


def reading(frame: pd.DataFrame, m: Metric, freq: str | None, time_column: str | None = None) -> Reading:
    """The metric over the whole frame (``freq`` None) or over its last period."""
    col = time_column or TIME_COLUMN.get(m.kind)
    if freq is None or col is None or col not in frame:
        return Reading(m, m.fn(frame))
    s = series(frame, m, freq, col)
    if s.empty:
        return Reading(m, math.nan)
    last = s.iloc[-1]
    return Reading(m, float(last["value"]), period_label(last["period"], freq),
                   {"D": "前一日", "W": "上周", "M": "上月"}[freq], float(last["change"]))


# Cohorts and LTV -----------------------------------------------------------------------------
def _months_since_first(f: pd.DataFrame) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Cohort (first order month), months since it, customer code and refund flag of each row
    of a customer with an order, and which rows those are: refunds join their buyer's cohort,
    a customer with refunds only has none."""
    codes = customer_codes(f)
    times = f["order_time"]
    ordinal = (times.dt.year * 12 + times.dt.month - 1).to_numpy()
    refund = refunds(f)
    if refund.any():
        first = pd.Series(np.where(refund, np.nan, ordinal.astype("float64"))).groupby(codes).transform("min").to_numpy()
        keep = ~np.isnan(first)
        first, ordinal, codes, refund = first[keep].astype("int64"), ordinal[keep], codes[keep], refund[keep]
    else:
        first = pd.Series(ordinal).groupby(codes).transform("min").to_numpy()
        keep = np.ones(len(f), dtype=bool)
    index = f.index[keep]
    cohort = pd.to_datetime({"year": first // 12, "month": first % 12 + 1, "day": 1})
    return (pd.Series(cohort.to_numpy(), index=index), pd.Series(ordinal - first, index=index), codes, refund,
            keep)


def cohort_retention(f: pd.DataFrame, max_months: int = 12) -> pd.DataFrame:
    """Monthly cohorts (first order month) × months since: share of the cohort ordering again.

    Index: cohort month start; column 0 is always 1.0; columns run to ``max_months``.
    Cells a cohort has not reached yet are NaN. Column ``size`` holds the cohort size.
    Refund rows are no order: they neither start a cohort nor count as ordering again.
    """
    f = f[f["order_time"].notna()]
    if f.empty:
        return pd.DataFrame(columns=["size"])
    cohort, k, codes, refund, _ = _months_since_first(f)
    if not len(codes):
        return pd.DataFrame(columns=["size"])
    last = f["order_time"].max().to_period("M").to_timestamp()
    active = pd.DataFrame({"cohort": cohort, "k": k, "c": codes})
    if refund.any():
        active = active[~refund]
    active = active[active["k"] <= max_months].drop_duplicates()
    counts = active.groupby(["cohort", "k"]).size().unstack("k")
    counts = counts.reindex(columns=_month_columns(counts.index, last, max_months)).fillna(0)
    size = counts[0]
    table = _mask_future(counts.div(size, axis=0), last)
    table.insert(0, "size", size.astype("int64"))
    return table


def cohort_ltv(f: pd.DataFrame, max_months: int = 12) -> pd.DataFrame:
    """Cumulative GMV per cohort customer by months since first order (same shape as retention).

    GMV as the ``gmv`` metric counts it: a refund is netted in the month it happened.
    """
    f = f[f["order_time"].notna()]
    if f.empty:
        return pd.DataFrame(columns=["size"])
    cohort, k, codes, refund, keep = _months_since_first(f)
    if not len(codes):
        return pd.DataFrame(columns=["size"])
    last = f["order_time"].max().to_period("M").to_timestamp()
    amount = f["amount"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    if refund.any():
        amount = np.where(refund, -np.abs(amount), amount)
    frame = pd.DataFrame({"cohort": cohort, "k": k, "amount": amount, "c": codes}, index=cohort.index)
    first_orders = frame[(frame["k"] == 0) & ~refund] if refund.any() else frame[frame["k"] == 0]
    size = first_orders.groupby("cohort")["c"].nunique()
    frame = frame[frame["k"] <= max_months]
    gmv_k = frame.groupby(["cohort", "k"])["amount"].sum().unstack("k")
    gmv_k = gmv_k.reindex(columns=_month_columns(gmv_k.index, last, max_months)).fillna(0.0)
    table = gmv_k.cumsum(axis=1).div(size, axis=0)
    table = _mask_future(table, last)
    table.insert(0, "size", size.astype("int64"))
    return table


def _month_columns(cohorts: pd.Index, last: pd.Timestamp, max_months: int) -> list[int]:
    """0 … the months the oldest cohort has had (at most ``max_months``)."""
    first = min(cohorts)
    reach = (last.year - first.year) * 12 + (last.month - first.month)
    return list(range(0, min(reach, max_months) + 1))


def _mask_future(table: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """Blank the cells a cohort has not lived yet (the triangle's lower right)."""
    table = table.astype("float64")
    reached = {c: (last.year - c.year) * 12 + (last.month - c.month) for c in table.index}
    for cohort, months in reached.items():
        table.loc[cohort, [k for k in table.columns if k > months]] = np.nan
    return table


def ltv_curve(f: pd.DataFrame, max_months: int = 12) -> pd.DataFrame:
    """Cumulative GMV per customer by months since first order, over cohorts that reached it.

    Each month k averages the cohorts observed for at least k months, weighted by cohort size.
    Columns: ``month`` (k), ``ltv``, ``customers`` (customers behind the point).
    """
    table = cohort_ltv(f, max_months)
    if table.empty:
        return pd.DataFrame({"month": [], "ltv": [], "customers": []})
    size = table["size"]
    rows = []
    for k in [c for c in table.columns if c != "size"]:
        ok = table[k].notna()
        n = int(size[ok].sum())
        rows.append((int(k), float((table.loc[ok, k] * size[ok]).sum() / n) if n else math.nan, n))
    return pd.DataFrame(rows, columns=["month", "ltv", "customers"])


def summary(frame: pd.DataFrame, kind: str) -> dict[str, float]:
    """Every metric of ``kind`` over the whole frame (used by reports and the benchmark)."""
    return {m.name: m.fn(frame) for m in METRICS if m.kind == kind}


# Every metric defined here, in the order the 指标口径 page lists them.
METRICS: tuple[Metric, ...] = (
    orders, buyers, gmv, aov, repurchase_rate, purchase_frequency, gmv_per_buyer, new_contacts,
    lost_contacts, net_new_contacts, chats, messages, reply_rate, avg_reply_time, group_activity,
    messages_per_active_member, group_members, group_count, new_group_members, posts, likes,
    comments, engagement_per_post, moments_gmv, funnel_conversion, funnel_entries,
)
# The same, by name (read-only): for code that names a metric of this module.
BY_NAME: Mapping[str, Metric] = MappingProxyType({m.name: m for m in METRICS})
