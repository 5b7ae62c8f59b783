"""Every KPI formula against numbers worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from studio.core.feature import Registry
from studio.data import kpi
from studio.features.builtin import FEATURES

# Four customers. a: Jan 10, Feb 20 · b: Jan 30 · c: Feb 40, Feb 50, Apr 60 · d: Mar 70.
ORDERS = pd.DataFrame({
    "customer_id": ["a", "a", "b", "c", "c", "c", "d"],
    "order_time": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20", "2024-02-03", "2024-02-10",
                                  "2024-04-01", "2024-03-03"]),
    "amount": [10.0, 20, 30, 40, 50, 60, 70],
})


@pytest.fixture(params=["str", "category"])
def orders(request):
    """The same orders with customer IDs as text and as a category (how the reader stores them)."""
    return ORDERS.astype({"customer_id": request.param})


def value(name: str, frame: pd.DataFrame) -> float:
    return kpi.BY_NAME[name].fn(frame)


def test_order_metrics(orders):
    assert value("orders", orders) == 7
    assert value("buyers", orders) == 4
    assert value("gmv", orders) == 280
    assert value("aov", orders) == 40  # 280 / 7
    assert value("repurchase_rate", orders) == 0.5  # a and c ordered twice or more: 2 / 4
    assert value("purchase_frequency", orders) == 1.75  # 7 / 4
    assert value("gmv_per_buyer", orders) == 70  # 280 / 4


def test_monthly_series_and_change(orders):
    s = kpi.series(orders, kpi.BY_NAME["gmv"], "M")
    assert list(s["period"].dt.month) == [1, 2, 3, 4]
    assert list(s["value"]) == [40, 110, 70, 60]
    assert s["change"].iloc[1] == pytest.approx((110 - 40) / 40)
    assert math.isnan(s["change"].iloc[0])


def test_rates_change_in_points(orders):
    s = kpi.series(orders, kpi.BY_NAME["repurchase_rate"], "M")
    # Jan: a, b once each -> 0; Feb: a once, c twice -> 1/2.
    assert list(s["value"])[:2] == [0.0, 0.5]
    assert s["change"].iloc[1] == pytest.approx(0.5)  # +50 points, not +inf%


def test_empty_periods_are_kept():
    frame = ORDERS[ORDERS["order_time"].dt.month != 3]
    s = kpi.series(frame, kpi.BY_NAME["gmv"], "M")
    assert list(s["value"]) == [40, 110, 0, 60]


def test_weeks_start_on_monday():
    keys = kpi.period_key(pd.Series(pd.to_datetime(["2024-05-01", "2024-05-05", "2024-05-06"])), "W")
    assert [k.strftime("%m-%d") for k in keys] == ["04-29", "04-29", "05-06"]


def test_reading_is_the_last_period_with_its_change(orders):
    r = kpi.reading(orders, kpi.BY_NAME["gmv"], "M")
    assert (r.value, r.period, r.previous_label) == (60, "2024年4月", "上月")
    assert r.change == pytest.approx((60 - 70) / 70)
    assert kpi.reading(orders, kpi.BY_NAME["gmv"], None).value == 280


def test_cohort_retention(orders):
    t = kpi.cohort_retention(orders)
    assert list(t["size"]) == [2, 1, 1]  # Jan: a, b · Feb: c · Mar: d
    jan, feb, mar = (t.iloc[i].drop("size").tolist() for i in range(3))
    assert jan == [1.0, 0.5, 0.0, 0.0]
    assert feb[:3] == [1.0, 0.0, 1.0] and math.isnan(feb[3])  # May not reached yet
    assert mar[:2] == [1.0, 0.0] and all(math.isnan(v) for v in mar[2:])


def test_cohort_ltv_and_curve(orders):
    t = kpi.cohort_ltv(orders)
    assert t.iloc[0].drop("size").tolist() == [20, 30, 30, 30]  # (10+30)/2, +20/2
    assert t.iloc[1].drop("size").tolist()[:3] == [90, 90, 150]
    curve = kpi.ltv_curve(orders)
    assert curve["ltv"].tolist() == pytest.approx([50, 55, 70, 30])
    # month 2: Jan (2 people, 30) and Feb (1 person, 150) reached it: (60 + 150) / 3
    assert curve["customers"].tolist() == [4, 4, 3, 2]


CONTACTS = pd.DataFrame({
    "stat_time": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-03"]),
    "new_contact_cnt": [10, 5, 7], "negative_feedback_cnt": [2, 1, 0], "chat_cnt": [4, 0, 6],
    "message_cnt": [10, 0, 20], "reply_percentage": [0.5, math.nan, 0.8], "avg_reply_time": [2.0, math.nan, 4.0],
})


def test_contact_metrics():
    assert value("new_contacts", CONTACTS) == 22
    assert value("lost_contacts", CONTACTS) == 3
    assert value("net_new_contacts", CONTACTS) == 19  # new_contact_cnt - negative_feedback_cnt
    assert value("chats", CONTACTS) == 10 and value("messages", CONTACTS) == 30
    # weighted by chats; the day without chats has no reply figure and drops out
    assert value("reply_rate", CONTACTS) == pytest.approx((0.5 * 4 + 0.8 * 6) / 10)
    assert value("avg_reply_time", CONTACTS) == pytest.approx((2 * 4 + 4 * 6) / 10)


GROUPS = pd.DataFrame({
    "stat_time": pd.to_datetime(["2024-05-01", "2024-05-02"]), "chat_total": [3, 4],
    "member_total": [100, 200], "member_has_msg": [10, 30], "msg_total": [50, 90], "new_member_cnt": [5, 100],
})


def test_group_metrics():
    assert value("group_activity", GROUPS) == pytest.approx(40 / 300)  # member_has_msg / member_total
    assert value("messages_per_active_member", GROUPS) == pytest.approx(140 / 40)
    assert value("group_members", GROUPS) == 200  # the last day's total, not a sum
    assert value("group_count", GROUPS) == 4
    assert value("new_group_members", GROUPS) == 105


def test_moments_metrics():
    m = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 3), "likes": [10, 20, 0], "comments": [2, 3, 1],
                      "gmv": [0, 99.5, 0]})
    assert value("posts", m) == 3 and value("likes", m) == 30 and value("comments", m) == 6
    assert value("engagement_per_post", m) == 12  # (30 + 6) / 3
    assert value("moments_gmv", m) == 99.5


def test_funnel_steps_and_overall_conversion():
    f = pd.DataFrame({"stage": ["曝光", "添加", "首单"], "count": [1000, 200, 50]})
    steps = kpi.funnel_steps(f)
    assert math.isnan(steps["step_rate"].iloc[0])
    assert steps["step_rate"].tolist()[1:] == [0.2, 0.25]
    assert steps["overall_rate"].tolist() == [1.0, 0.2, 0.05]
    assert value("funnel_conversion", f) == 0.05
    assert value("funnel_entries", f) == 1000


def test_empty_frames_give_nan_not_errors():
    empty = ORDERS.iloc[:0]
    assert value("orders", empty) == 0 and value("buyers", empty) == 0
    assert math.isnan(value("aov", empty)) and math.isnan(value("repurchase_rate", empty))
    assert kpi.cohort_retention(empty).empty and kpi.ltv_curve(empty).empty


def test_every_metric_documents_its_formula():
    for m in Registry(FEATURES).metrics.values():
        assert m.label and "=" in m.formula, m.name
