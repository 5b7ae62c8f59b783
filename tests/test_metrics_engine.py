"""Every metric as the query engine runs it, on embedded DuckDB.

The checks are written against an ``engine`` fixture, so ``tests/test_spark_metrics.py`` runs
the very same ones on Apache Spark (local mode): one set of definitions, two engines, the
same numbers. Hand-worked figures as in ``tests/test_kpi_formulas.py``, plus period edges in
Beijing time, refunds, empty periods and the engine's result cache.
"""

from __future__ import annotations

import math
import os

import pandas as pd
import pytest

from studio.data import kpi
from studio.data.engine import Engine
from studio.features.reports.periods import local_times

# Four customers. a: Jan 10, Feb 20 · b: Jan 30 · c: Feb 40, Feb 50, Apr 60 · d: Mar 70; a refund of c in Apr.
ORDERS = pd.DataFrame({
    "customer_id": ["a", "a", "b", "c", "c", "c", "d", "c"],
    "order_time": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-20", "2024-02-03", "2024-02-10",
                                  "2024-04-01", "2024-03-03", "2024-04-02"]),
    "amount": [10.0, 20, 30, 40, 50, 60, 70, 15],
    "status": ["已完成"] * 7 + ["退款"],
})
CONTACTS = pd.DataFrame({
    "stat_time": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-03"]),
    "new_contact_cnt": [10, 5, 7], "negative_feedback_cnt": [2, 1, 0], "chat_cnt": [4, 0, 6],
    "message_cnt": [10, 0, 20], "reply_percentage": [0.5, math.nan, 0.8], "avg_reply_time": [2.0, math.nan, 4.0],
})
GROUPS = pd.DataFrame({
    "stat_time": pd.to_datetime(["2024-05-01", "2024-05-02"]), "chat_total": [3, 4],
    "member_total": [100, 200], "member_has_msg": [10, 30], "msg_total": [50, 90], "new_member_cnt": [5, 100],
})
MOMENTS = pd.DataFrame({"date": pd.to_datetime(["2024-05-01"] * 3), "likes": [10, 20, 0], "comments": [2, 3, 1],
                        "gmv": [0, 99.5, 0]})
FUNNEL = pd.DataFrame({"stage": ["曝光", "添加", "首单"], "count": [1000, 200, 50]})


@pytest.fixture(scope="module")
def engine():
    return Engine()


def values(engine, frame, *names):
    row = kpi.values(frame, [kpi.BY_NAME[n] for n in names], engine=engine)
    return [float(row[n].iloc[0]) for n in names]


def test_order_metrics_net_refunds(engine):
    orders, buyers, gmv, aov, rep, freq, per = values(
        engine, ORDERS, "orders", "buyers", "gmv", "aov", "repurchase_rate", "purchase_frequency", "gmv_per_buyer")
    assert (orders, buyers, gmv) == (7, 4, 265)  # the refund is no order and nets 15 from GMV
    assert aov == pytest.approx(265 / 7) and freq == 1.75 and per == pytest.approx(265 / 4)
    assert rep == 0.5  # a and c ordered twice or more: 2 / 4


def test_order_metrics_per_group_share_one_query_and_keep_the_blank_group(engine):
    """Every order metric per channel in one query (one pass over the customers for buyers and
    repurchase); rows without a channel are a group of their own, rows without a customer are
    orders but no buyer."""
    frame = ORDERS.assign(channel=["社群", "社群", None, "私聊", "私聊", "私聊", None, "私聊"])
    frame = pd.concat([frame, pd.DataFrame({"customer_id": [None], "order_time": pd.to_datetime(["2024-05-01"]),
                                            "amount": [5.0], "status": ["已完成"], "channel": ["社群"]})],
                      ignore_index=True)
    names = ["orders", "buyers", "gmv", "repurchase_rate", "purchase_frequency", "gmv_per_buyer"]
    fresh = Engine(backend=engine.con) if engine.dialect != "duckdb" else Engine()
    got = kpi.values(frame, [kpi.BY_NAME[n] for n in names], ["channel"], engine=fresh)
    assert fresh.queries == 1
    rows = {(None if pd.isna(ch) else ch): r for ch, r in zip(got["channel"], got.to_dict("records"))}
    assert set(rows) == {"社群", "私聊", None}
    assert [rows["社群"][n] for n in names[:4]] == [3, 1, 35, 1.0]  # a twice, plus an order of nobody
    assert rows["社群"]["purchase_frequency"] == 3 and rows["社群"]["gmv_per_buyer"] == 35
    assert [rows["私聊"][n] for n in names[:4]] == [3, 1, 135, 1.0]  # c's refund: no order, −15
    assert [rows[None][n] for n in names[:4]] == [2, 2, 100, 0.0]


def test_the_embedded_engine_caps_its_memory(tmp_path):
    """DuckDB would take 80% of the machine; Studio's engine caps it and spills to disk."""
    engine = Engine(memory_limit="1GB", spill_dir=tmp_path / "spill")
    limit, spill = engine.con.con.sql(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    assert limit.replace(" ", "") in ("953.6MiB", "1.0GB", "1GB")
    assert spill == str(tmp_path / "spill" / str(os.getpid()))  # a folder per process: builds side by side


def test_a_query_larger_than_the_memory_cap_spills_and_completes(tmp_path):
    """Past the cap DuckDB writes to the spill folder, which it cannot make itself when its
    parent is missing (a fresh checkout has no .cache/duckdb): the query must still finish."""
    engine = Engine(memory_limit="64MB", spill_dir=tmp_path / "not-yet" / "duckdb")
    engine.con.con.execute("SET threads = 1")
    rows = engine.con.con.sql("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(3000000) t(i) "
                              "ORDER BY h)").fetchall()
    assert rows == [(3000000,)]



def _orders_parquet(path, customers=2000, orders=3000):
    """Orders of many customers (some refunds only, some rows without a customer) as Parquet."""
    rows = [{"customer_id": None if i % 97 == 0 else f"M{(i * 7919) % customers:05d}",
             "order_time": pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i), "amount": float(5 + i % 300),
             "status": "退款" if i % 13 == 0 else "已完成"} for i in range(orders)]
    pd.DataFrame(rows).to_parquet(path)
    return path


def test_a_large_files_customers_are_reduced_in_parts_with_the_same_numbers(tmp_path):
    """Past the rows one hash aggregation reduces under the memory cap, the customers of a
    Parquet file are reduced in parts by customer hash, one after the other (100M orders: no
    spill); every order metric is the same to the last digit as in one pass, for
    all rows and for a month, with refund-only customers and rows without a customer."""
    path = _orders_parquet(tmp_path / "orders.parquet")
    names = ["orders", "buyers", "repeat_buyers", "gmv", "aov", "repurchase_rate", "purchase_frequency",
             "gmv_per_buyer"]
    metrics = [kpi.BY_NAME[n] for n in names]
    results = {}
    for per in (None, 1000):  # None: from the 1.5 GB cap, one part for 3,000 rows
        engine = Engine(rows_per_part=per)
        t = engine.parquet(path)
        month = t.filter((t.order_time >= "2024-02-01") & (t.order_time < "2024-03-01"))
        results[per] = (engine.customer_parts(t), kpi.summary(t, "orders", engine=engine, metrics=metrics),
                        kpi.summary(month, "orders", engine=engine, metrics=metrics))
    assert results[None][0] == 1 and results[1000][0] == 3
    assert results[1000][1:] == results[None][1:]
    # The parts are ranges of IDs cut at a sample's quantiles (read as the file is read); by a
    # hash of the ID, where no cut is known: the same numbers either way
    engine = Engine(rows_per_part=1000)
    t = engine.parquet(path)
    bounds = engine.customer_bounds(t, 3)
    assert len(bounds) == 2 and bounds[0] < bounds[1]
    assert engine.customer_bounds(t.rename({"客户": "customer_id"}).rename({"customer_id": "客户"}), 3) == bounds
    hashed = engine.run(kpi.plan(t, metrics, parts=3))
    assert "HASH(" in engine.sql(kpi.plan(t, metrics, parts=3))
    assert "HASH(" not in engine.sql(kpi.plan(t, metrics, parts=3, bounds=bounds))
    assert {n: float(hashed[n].iloc[0]) for n in names} == results[None][1]
    # A month of the file is read once, as hand-written SQL reads it: its row metrics (orders,
    # GMV) ride in the parts, which share the month's rows; the whole file is not read again.
    engine = Engine(rows_per_part=1000)
    t = engine.parquet(path)
    month = t.filter((t.order_time >= "2024-02-01") & (t.order_time < "2024-03-01"))
    assert engine.sql(kpi.plan(month, metrics, parts=3)).count(t.op().name) == 1
    assert "HASH(" in engine.sql(kpi.plan(month, metrics, parts=3, bounds=bounds))  # ranges would read it per part
    # All rows, even renamed (Chinese headers) and masked: a separate pass for orders and GMV
    # keeps the state per customer small, and the masked rows the parts share are read again
    # by each part, not kept in memory (DuckDB materialises a CTE: 100M rows, spilled)
    import ibis

    whole = t.rename({"客户": "customer_id"}).rename({"customer_id": "客户"}).mutate(channel=ibis.literal("***"))
    sql = engine.sql(kpi.plan(whole, metrics, parts=3))
    assert sql.count(t.op().name) == 2 and "AS NOT MATERIALIZED (" in sql
    assert "MATERIALIZED" not in engine.sql(kpi.plan(month, metrics, parts=3))  # the month: read once
    assert kpi.summary(whole, "orders", engine=engine, metrics=metrics) == results[None][1]
    whole = results[None][1]
    assert whole["buyers"] > whole["repeat_buyers"] > 0 and 0 < whole["repurchase_rate"] < 1


def test_parts_only_for_additive_customer_metrics_and_only_on_duckdb(tmp_path):
    """A customer metric that is not a count or sum (a ratio over customers) cannot be added
    from parts: the plan keeps one pass. Without a cap, one part (Spark: test_spark_metrics)."""
    import ibis

    share = kpi.metric("share_repeat", "复购占比", "orders", "复购人数 ÷ 客户数", "percent", step="customers")(
        lambda c: c.count(where=c.__orders >= 2) / c.count())
    t = Engine().parquet(_orders_parquet(tmp_path / "orders.parquet"))
    one, split = (ibis.to_sql(kpi.plan(t, [share], parts=n), dialect="duckdb") for n in (1, 3))
    assert split == one and "HASH(" not in split
    counted = ibis.to_sql(kpi.plan(t, [kpi.BY_NAME["buyers"]], parts=3), dialect="duckdb")
    assert counted.count("HASH(") == 3
    uncapped = Engine(memory_limit=None)  # nothing to stay under
    assert uncapped.customer_parts(uncapped.parquet(tmp_path / "orders.parquet")) == 1


def test_repurchase_by_month(engine):
    s = kpi.series(ORDERS, kpi.BY_NAME["repurchase_rate"], "M", engine=engine)
    assert list(s["value"]) == [0.0, 0.5, 0.0, 0.0]  # Feb: a once, c twice; the Apr refund is no second order
    assert s["change"].iloc[1] == pytest.approx(0.5)  # points


def test_monthly_series_keeps_empty_periods(engine):
    s = kpi.series(ORDERS[ORDERS["order_time"].dt.month != 3], kpi.BY_NAME["gmv"], "M", engine=engine)
    assert [p.month for p in s["period"]] == [1, 2, 3, 4]
    assert list(s["value"]) == [40, 110, 0, 45]


def test_weeks_start_on_monday_in_the_engine(engine):
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "amount": [1.0, 2, 4],
                          "order_time": pd.to_datetime(["2024-05-01 00:00:00", "2024-05-05 23:59:59", "2024-05-06 00:00:00"])})
    s = kpi.series(frame, kpi.BY_NAME["gmv"], "W", engine=engine)
    assert [p.strftime("%m-%d") for p in s["period"]] == ["04-29", "05-06"]
    assert list(s["value"]) == [3, 4]


def test_period_edges_in_beijing_time(engine):
    """16:30 UTC on Sunday 29 Nov is 00:30 on Monday 30 Nov in Beijing: next week, next month."""
    utc = pd.Series(pd.to_datetime(["2026-11-29T16:30:00Z", "2026-11-29T15:59:59Z", "2026-11-30T16:00:00Z"]))
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "amount": [1.0, 2, 4], "order_time": local_times(utc)})
    weeks = kpi.series(frame, kpi.BY_NAME["gmv"], "W", engine=engine)
    assert [p.strftime("%m-%d") for p in weeks["period"]] == ["11-23", "11-30"]
    assert list(weeks["value"]) == [2, 5]
    months = kpi.series(frame, kpi.BY_NAME["gmv"], "M", engine=engine)
    assert [p.month for p in months["period"]] == [11, 12] and list(months["value"]) == [3, 4]


def test_reading_is_the_last_period(engine):
    r = kpi.reading(ORDERS, kpi.BY_NAME["gmv"], "M", engine=engine)
    assert (r.value, r.period, r.previous_label) == (45, "2024年4月", "上月")
    assert r.change == pytest.approx((45 - 70) / 70)
    found = kpi.readings(ORDERS, [kpi.BY_NAME["gmv"], kpi.BY_NAME["buyers"]], "M", engine=engine)
    assert found["gmv"].value == 45 and found["buyers"].value == 1


def test_cohort_retention(engine):
    t = kpi.cohort_retention(ORDERS, engine=engine)
    assert list(t["size"]) == [2, 1, 1]  # Jan: a, b · Feb: c · Mar: d
    jan, feb, mar = (t.iloc[i].drop("size").tolist() for i in range(3))
    assert jan == [1.0, 0.5, 0.0, 0.0]
    assert feb[:3] == [1.0, 0.0, 1.0] and math.isnan(feb[3])
    assert mar[:2] == [1.0, 0.0] and all(math.isnan(v) for v in mar[2:])


def test_retention_as_of_each_cutoff_matches_a_cut_table(engine):
    cutoffs = [pd.Timestamp("2024-02-05"), pd.Timestamp("2024-03-31"), pd.Timestamp("2024-12-31")]
    found = kpi.retention_until(ORDERS, cutoffs, 12, engine)
    for cutoff in cutoffs:
        cut = kpi.cohort_retention(ORDERS[ORDERS["order_time"] <= cutoff + pd.Timedelta(days=1, seconds=-1)],
                                   engine=engine)
        pd.testing.assert_frame_equal(found[cutoff], cut, check_dtype=False, check_names=False)


def test_cohort_ltv_and_curve(engine):
    t = kpi.cohort_ltv(ORDERS, engine=engine)
    assert t.iloc[0].drop("size").tolist() == [20, 30, 30, 30]  # (10+30)/2, +20/2
    assert t.iloc[1].drop("size").tolist()[:3] == [90, 90, 135]  # c: 90, then 60 − 15 refunded in Apr
    curve = kpi.ltv_curve(ORDERS, engine=engine)
    assert curve["ltv"].tolist() == pytest.approx([50, 55, 65, 30])
    assert curve["customers"].tolist() == [4, 4, 3, 2]


def test_contact_metrics(engine):
    new, lost, net, chats, msgs, reply, wait = values(
        engine, CONTACTS, "new_contacts", "lost_contacts", "net_new_contacts", "chats", "messages", "reply_rate",
        "avg_reply_time")
    assert (new, lost, net, chats, msgs) == (22, 3, 19, 10, 30)
    assert reply == pytest.approx((0.5 * 4 + 0.8 * 6) / 10)
    assert wait == pytest.approx((2 * 4 + 4 * 6) / 10)


def test_group_metrics(engine):
    act, per, members, count, new = values(engine, GROUPS, "group_activity", "messages_per_active_member",
                                           "group_members", "group_count", "new_group_members")
    assert act == pytest.approx(40 / 300) and per == pytest.approx(140 / 40)
    assert (members, count, new) == (200, 4, 105)  # the last day's totals, not sums


def test_moments_and_funnel_metrics(engine):
    assert values(engine, MOMENTS, "posts", "likes", "comments", "engagement_per_post", "moments_gmv") == \
        [3, 30, 6, 12, 99.5]
    assert values(engine, FUNNEL, "funnel_conversion", "funnel_entries") == [0.05, 1000]
    steps = kpi.funnel_steps(FUNNEL, engine)
    assert steps["stage"].tolist() == ["曝光", "添加", "首单"] and steps["overall_rate"].tolist() == [1.0, 0.2, 0.05]


def test_empty_data_gives_nan_not_errors(engine):
    empty = ORDERS.iloc[:0]
    orders, buyers, aov, rep = values(engine, empty, "orders", "buyers", "aov", "repurchase_rate")
    assert (orders, buyers) == (0, 0) and math.isnan(aov) and math.isnan(rep)
    assert kpi.cohort_retention(empty, engine=engine).empty and kpi.ltv_curve(empty, engine=engine).empty


def test_money_sums_are_exact(engine):
    frame = pd.DataFrame({"customer_id": list("abc"), "order_time": pd.to_datetime(["2024-05-01"] * 3),
                          "amount": [0.1, 0.2, 0.3]})
    assert values(engine, frame, "gmv") == [0.6]  # not 0.6000000000000001


def test_a_repeated_query_runs_once():
    engine = Engine()
    frame = ORDERS.copy()
    kpi.series(frame, kpi.BY_NAME["gmv"], "M", engine=engine)
    ran = engine.queries
    kpi.series(frame, kpi.BY_NAME["gmv"], "M", engine=engine)
    assert engine.queries == ran


def test_results_are_cached_across_builds_by_data_version(tmp_path):
    from studio.cache import Cache

    frame = ORDERS.copy()
    first = Engine(cache=Cache(tmp_path, "queries"))
    first.expect(frame, "orders.csv@v1")
    expected = kpi.summary(frame, "orders", engine=first)
    assert first.queries > 0
    again = Engine(cache=Cache(tmp_path, "queries"))  # the next build: a new process, same data
    again.expect(frame, "orders.csv@v1")
    assert kpi.summary(frame, "orders", engine=again) == expected and again.queries == 0
    changed = Engine(cache=Cache(tmp_path, "queries"))
    changed.expect(frame, "orders.csv@v2")  # the file changed: its queries run again
    kpi.summary(frame, "orders", engine=changed)
    assert changed.queries > 0


def test_masked_and_dropped_columns_are_absent_from_every_result(engine):
    """PII rules in the query: no result of any metric, series, cohort or chart holds a dropped
    column or a masked value (the same check runs on Spark)."""
    from pathlib import Path

    from studio.data.kinds import ORDERS as ORDERS_KIND
    from studio.data.sources import protect
    from studio.data.tables import EngineTable, empty_frame
    from studio.features.datasets.charts import build

    phones = [f"139{i:08d}" for i in range(len(ORDERS))]
    frame = ORDERS.assign(phone=phones, receiver=[f"张{c}" for c in ORDERS["customer_id"]],
                          channel=["社群", "门店"] * 4)
    t = protect(engine.table(frame), drop=["receiver"], mask=["phone"])
    assert "receiver" not in t.columns
    seen = []
    execute = engine._execute
    engine._execute = lambda expr, sql: seen.append(execute(expr, sql)) or seen[-1]
    try:
        kpi.values(t, [m for m in kpi.METRICS if m.kind == "orders"], engine=engine)
        kpi.readings(t, [kpi.BY_NAME["gmv"], kpi.BY_NAME["repurchase_rate"]], "W", engine=engine)
        kpi.cohort_retention(t, engine=engine)
        kpi.ltv_curve(t, engine=engine)
        table = EngineTable(Path("orders"), empty_frame(t), {c: c for c in t.columns}, [], "", "orders",
                            schema=ORDERS_KIND, expr=t)
        for spec, kind in (({"x": "phone", "y": "gmv"}, "bar"), ({"x": "channel", "y": "phone", "agg": "nunique"}, "bar"),
                           ({"x": "channel", "y": "phone", "agg": "count"}, "bar"), ({"y": "gmv", "group": "phone"}, "line"),
                           ({}, "cohort"), ({}, "ltv")):
            build(table, spec, kind, kpi.BY_NAME, engine)
    finally:
        del engine._execute
    assert seen
    for result in seen:
        assert "receiver" not in result.columns
        cells = [str(c) for c in result.to_numpy().ravel().tolist()]
        assert not any(p in c for c in cells for p in phones) and not any("张" in c for c in cells)
