"""The same metric definitions on Apache Spark (local mode) as on DuckDB: the same numbers.

A team whose orders sit in a Spark/Hive warehouse gets the figures its Studio site shows
from files. Every check of ``tests/test_metrics_engine.py`` runs again here on a Spark
engine (imported below, so pytest collects them with this module's ``engine``), and every
metric, period series, cohort table and LTV curve of the sample data is compared between
the two engines to 1e-9.

One SparkSession for the module, ``local[2]``, UI off, generous start-up: the JVM takes a
while on a busy two-core machine. Spark needs Java 17 (``make test`` installs Debian's
``openjdk-17-jre-headless`` when ``java`` is missing).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from studio.data import kpi
from studio.data.engine import Engine
from studio.data.reader import read_table

from test_metrics_engine import *  # noqa: F401,F403  (the DuckDB checks, collected again on Spark)
from test_metrics_engine import test_a_repeated_query_runs_once as _not_on_spark  # noqa: F401
from test_metrics_engine import test_results_are_cached_across_builds_by_data_version as _cache_only  # noqa: F401
from test_metrics_engine import _orders_parquet
from test_metrics_engine import test_a_large_files_customers_are_reduced_in_parts_with_the_same_numbers as _d1  # noqa: F401
from test_metrics_engine import test_parts_only_for_additive_customer_metrics_and_only_on_duckdb as _d2  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "content/reports/data/team-orders.csv", ROOT / "content/reports/data/contacts-2026-11.csv",
           ROOT / "content/reports/data/groups-2026-08-10.csv", ROOT / "content/reports/data/moments-2026-11.csv",
           ROOT / "case_studies/luckin/orders.csv", ROOT / "case_studies/luckin/funnel.csv",
           ROOT / "case_studies/popmart/orders.csv"]

# The engine-neutral checks only: these two are about DuckDB's own result cache, the next two
# about how embedded DuckDB splits a large file's customers.
del test_a_repeated_query_runs_once, test_results_are_cached_across_builds_by_data_version  # noqa: F821
del test_a_large_files_customers_are_reduced_in_parts_with_the_same_numbers  # noqa: F821
del test_parts_only_for_additive_customer_metrics_and_only_on_duckdb  # noqa: F821


@pytest.fixture(scope="module")
def spark():
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("studio-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC")  # naive Beijing wall-clock times stay as they are
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.network.timeout", "600s").config("spark.executor.heartbeatInterval", "60s")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engine(spark):
    import ibis

    return Engine(backend=ibis.pyspark.connect(spark))


@pytest.fixture(scope="module")
def duck():
    return Engine()


def close(a: float, b: float) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def test_spark_plans_its_own_aggregations(engine, duck, tmp_path):
    """Spark is never asked to reduce customers in parts (it shuffles by key itself); its
    numbers for a Parquet file are embedded DuckDB's."""
    path = _orders_parquet(tmp_path / "orders.parquet")
    on_spark = Engine(backend=engine.con, rows_per_part=1)
    t = on_spark.parquet(path)
    assert on_spark.customer_parts(t) == 1
    metrics = [kpi.BY_NAME[n] for n in ("orders", "buyers", "repeat_buyers", "repurchase_rate", "gmv")]
    got = kpi.summary(t, "orders", engine=on_spark, metrics=metrics)
    want = kpi.summary(duck.parquet(path), "orders", engine=duck, metrics=metrics)
    assert all(close(got[m.name], want[m.name]) for m in metrics)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_metric_of_the_samples_is_the_same_on_both_engines(path, engine, duck):
    table = read_table(path)
    metrics = [m for m in kpi.METRICS if m.kind == table.kind]
    on_spark = kpi.values(table.frame, metrics, engine=engine)
    on_duck = kpi.values(table.frame, metrics, engine=duck)
    for m in metrics:
        assert close(float(on_spark[m.name].iloc[0]), float(on_duck[m.name].iloc[0])), m.name
    col = kpi.TIME_COLUMN.get(table.kind)
    if col is None:
        return
    for freq in ("W", "M"):
        t_spark, t_duck = engine.table(table.frame), duck.table(table.frame)
        by = {}
        for name, eng, t in (("spark", engine, t_spark), ("duck", duck, t_duck)):
            dated = t.filter(t[col].notnull())
            dated = dated.mutate(__period=kpi.period_expr(dated[col], freq))
            by[name] = kpi.values(dated, metrics, ["__period"], eng).sort_values("__period").reset_index(drop=True)
        assert [pd.Timestamp(p) for p in by["spark"]["__period"]] == [pd.Timestamp(p) for p in by["duck"]["__period"]]
        for m in metrics:
            assert all(close(float(a), float(b)) for a, b in zip(by["spark"][m.name], by["duck"][m.name])), (m.name, freq)


@pytest.mark.parametrize("path", [p for p in SAMPLES if p.name == "orders.csv" or "orders" in p.name],
                         ids=lambda p: f"{p.parent.name}-{p.name}")
def test_cohorts_and_ltv_are_the_same_on_both_engines(path, engine, duck):
    frame = read_table(path).frame
    for fn in (kpi.cohort_retention, kpi.cohort_ltv):
        a, b = fn(frame, 6, engine), fn(frame, 6, duck)
        assert list(a.index) == list(b.index)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_names=False, rtol=1e-9, atol=1e-9)
    a, b = kpi.ltv_curve(frame, 6, engine), kpi.ltv_curve(frame, 6, duck)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, atol=1e-9)
