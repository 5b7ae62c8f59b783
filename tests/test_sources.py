"""Warehouse sources (``sources:`` option): blocks name ``data: dw:orders`` and the numbers are
computed in the warehouse — here a real DuckDB database file standing in for one.

What a team sees: the tiles and charts of a source table equal those of the same rows in a
file; the URL (and its password) never reaches a page, an error or a cache key; a missing
variable, an unreachable source, a missing table or column is a file:line error with a hint;
PII rules hold inside the query; an unchanged rebuild runs no query.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from studio.config import StudioConfig
from studio.core.blocks import render_blocks
from studio.data import kpi
from studio.errors import StudioError
from studio.features.builtin import new_project

ORDERS = ("客户ID,下单时间,实付金额,渠道\n"
          "a,2024-01-05,10,社群\na,2024-02-01,20,社群\nb,2024-01-20,30,门店\n"
          "c,2024-02-03,40,社群\nc,2024-02-10,50,门店\nc,2024-04-01,60,社群\nd,2024-03-03,70,门店\n")
PHONES = ["13812345678", "13987654321", "13600001111", "13700002222", "13500003333", "13400004444", "13300005555"]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A DuckDB database with ``ods.orders_di``: the warehouse's own column names, a phone
    column the options mask and a receiver column they drop."""
    path = tmp_path / "dw.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA ods")
    con.execute("CREATE TABLE ods.orders_di (member_id VARCHAR, order_time TIMESTAMP, amount DOUBLE, "
                "channel VARCHAR, phone VARCHAR, receiver VARCHAR)")
    rows = [line.split(",") for line in ORDERS.strip().split("\n")[1:]]
    for (cid, day, amount, channel), phone in zip(rows, PHONES):
        con.execute("INSERT INTO ods.orders_di VALUES (?, ?, ?, ?, ?, ?)",
                    [cid, f"{day} 10:00:00", float(amount), channel, phone, f"张{cid}"])
    con.close()
    return path


def make(tmp_path: Path, url: str = "${DW_URL}", **source) -> tuple:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    (content / "orders.csv").write_text(ORDERS, encoding="utf-8")
    options = {"url": url, "tables": {"orders": "ods.orders_di"}, "columns": {"orders": {"customer_id": "member_id"}},
               "refresh": "1h", **source}
    config = StudioConfig(root=tmp_path, sources={"dw": options}, pii={"mask": ["phone"], "drop": ["receiver"]},
                          cache={"dir": ".cache"})
    project = new_project(config)

    def render(body: str):
        return render_blocks(project, None, content / "page.md", body, 1)[0]
    return project, render


def block(name: str, body: str) -> str:
    return f"# 标题\n\n```{name}\n{body.strip()}\n```\n"


def tiles(text: str) -> dict[str, str]:
    return dict(re.findall(r'data-metric="(\w+)"[^>]*?data-value="([^"]*)"', text))


def test_a_source_table_gives_the_numbers_of_the_same_rows_in_a_file(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    project, render = make(tmp_path)
    from_source = tiles(render(block("kpi", "data: dw:orders\nmetrics: [gmv, orders, buyers, repurchase_rate]\n"
                                            "period: all")))
    from_file = tiles(render(block("kpi", "data: orders.csv\nmetrics: [gmv, orders, buyers, repurchase_rate]\n"
                                          "period: all")))
    assert from_source == from_file and float(from_source["gmv"]) == 280
    chart = render(block("chart", "data: dw:orders\ntype: bar\nx: channel\ny: gmv"))
    assert "社群" in chart and "门店" in chart
    cohort = render(block("chart", "data: dw:orders\ntype: cohort"))
    assert "2024年1月（2人）" in cohort


def test_the_url_and_its_password_never_reach_a_page_or_a_key(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    project, render = make(tmp_path)
    text = render(block("chart", "data: dw:orders\ny: gmv"))
    assert str(warehouse) not in text and "duckdb://" not in text
    cached = b"".join(p.read_bytes() for p in (tmp_path / ".cache").rglob("*") if p.is_file())
    assert str(warehouse).encode() not in cached


def test_masked_and_dropped_columns_never_leave_the_warehouse(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    project, render = make(tmp_path)
    table = project.data.read(project.data.resolve("dw:orders", tmp_path / "content" / "page.md"))
    assert "receiver" not in table.expr.columns and "receiver" not in table.frame.columns
    seen = []
    for engine in [project.data.engine, *[e for k, e in project.data._backends.items() if k.startswith("engine:")]]:
        execute = engine._execute
        engine._execute = lambda expr, sql, execute=execute: seen.append(execute(expr, sql)) or seen[-1]
    for body in ("type: bar\nx: phone\ny: gmv", "type: bar\nx: channel\ny: phone\nagg: nunique",
                 "type: cohort", "type: ltv", "y: gmv\nfreq: W"):
        text = render(block("chart", "data: dw:orders\n" + body))
        assert not any(p in text for p in PHONES)
    render(block("kpi", "data: dw:orders\nperiod: all"))
    assert seen
    for result in seen:
        assert "receiver" not in result.columns
        cells = [str(c) for c in result.to_numpy().ravel().tolist()]
        assert not any(p in c or "张" in c for c in cells for p in PHONES)


def test_a_missing_variable_is_a_file_line_error_without_the_url(tmp_path, monkeypatch):
    monkeypatch.delenv("DW_URL", raising=False)
    project, render = make(tmp_path)
    with pytest.raises(StudioError) as err:
        render(block("kpi", "data: dw:orders"))
    e = err.value
    assert Path(e.file).name == "page.md" and e.line == 4
    assert "DW_URL is not set" in e.message and "export DW_URL" in e.hint


def test_an_unreachable_source_names_the_source_not_the_password(tmp_path, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{tmp_path}/missing-dir/dw.duckdb?user=u&password=hunter2")
    project, render = make(tmp_path)
    with pytest.raises(StudioError) as err:
        render(block("chart", "data: dw:orders\ny: gmv"))
    e = err.value
    assert "source 'dw'" in e.message and e.line == 4
    assert "hunter2" not in str(e) + (e.hint or "") and "missing-dir" not in str(e)


def test_a_missing_table_or_column_is_a_file_line_error(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    project, render = make(tmp_path)
    with pytest.raises(StudioError) as err:
        render(block("kpi", "data: dw:order"))
    assert "has no table 'order'" in err.value.message and "did you mean 'orders'" in err.value.message
    project, render = make(tmp_path, columns={"orders": {"customer_id": "member"}})
    with pytest.raises(StudioError) as err:
        render(block("kpi", "data: dw:orders"))
    assert "column 'member' not found" in err.value.message and err.value.line == 4


def test_an_unchanged_rebuild_runs_no_query(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    body = block("kpi", "data: dw:orders\nperiod: month")
    first, render = make(tmp_path, version={"orders": "max(order_time)"})
    text = render(body)
    remote = first.data._backends["engine:dw"]
    assert remote.queries > 0
    again, render = make(tmp_path, version={"orders": "max(order_time)"})  # the next build
    assert render(body) == text
    assert again.data._backends["engine:dw"].queries == 0


def test_the_pii_scan_samples_a_source_table(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    content = tmp_path / "content"
    content.mkdir()
    config = StudioConfig(root=tmp_path, sources={"dw": {"url": "${DW_URL}", "tables": {"orders": "ods.orders_di"},
                                                         "columns": {"orders": {"customer_id": "member_id"}}}})
    project = new_project(config)
    project.data.resolve("dw:orders", content / "page.md", line=3)
    found = [p for p in project.diagnostics.items if "personal data" in p.message]
    assert found and "phone" in found[0].message and found[0].line == 3


def test_file_metrics_and_source_metrics_share_definitions(warehouse):
    """The same Ibis definitions, bound to the warehouse's backend: no second implementation."""
    import ibis

    from studio.data.engine import Engine

    con = ibis.connect(f"duckdb://{warehouse}")
    t = con.table("orders_di", database="ods").rename({"customer_id": "member_id"})
    assert kpi.summary(t, "orders", engine=Engine(backend=con))["gmv"] == 280


def test_parquet_beside_a_page_is_read_by_the_engine(tmp_path, monkeypatch):
    """A Parquet export with Chinese headers: the same tiles as the CSV, read by DuckDB itself."""
    project, render = make(tmp_path)
    content = tmp_path / "content"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv_auto('{content / 'orders.csv'}')) TO '{content / 'orders.parquet'}'")
    body = "metrics: [gmv, orders, buyers, repurchase_rate]\nperiod: month"
    from_parquet = tiles(render(block("kpi", "data: orders.parquet\n" + body)))
    from_csv = tiles(render(block("kpi", "data: orders.csv\n" + body)))
    assert from_parquet == from_csv and float(from_parquet["gmv"]) == 60
    table = project.data.read(content / "orders.parquet")
    assert table.kind == "orders" and len(table.frame) == 0  # no row reached pandas
    chart = render(block("chart", "data: orders.parquet\ntype: bar\nx: 渠道\ny: gmv"))
    assert "社群" in chart


def test_a_report_over_a_source_table_equals_the_report_over_the_file(tmp_path, warehouse, monkeypatch):
    """`datasets: [dw:orders]`: the report's numbers are computed in the warehouse, the same as
    over the same rows in a file."""
    from studio.features.reports.pages import numbers_of, period_markdown

    monkeypatch.setenv("DW_URL", f"duckdb://{warehouse}")
    make(tmp_path)  # writes content/orders.csv
    content = tmp_path / "content"
    for name, data in (("file", "orders.csv"), ("dw", "dw:orders")):
        (content / f"r-{name}.md").write_text(f"---\ntype: report\ntitle: 订单月报\nperiod: month\n"
                                              f"datasets: [\"{data}\"]\n---\n\n# 订单月报\n", encoding="utf-8")
    from studio.features.builtin import load_project

    options = {"url": "${DW_URL}", "tables": {"orders": "ods.orders_di"},
               "columns": {"orders": {"customer_id": "member_id"}}, "refresh": "1h"}
    project = load_project(StudioConfig(root=tmp_path, sources={"dw": options}, pii={"mask": ["phone"]},
                                        cache={"dir": ".cache"}))
    assert not [p for p in project.diagnostics.items if p.level == "error"], [p.format() for p in project.diagnostics.items]
    pages = {}
    for source in project.extras["reports"]:
        pages[source.slug] = [re.sub(r"studio-chart-\d+|`[^`]*`", "", period_markdown(project, nb, None))
                              for nb in numbers_of(project, source)]
    assert len(pages["r-file"]) == 4 and pages["r-dw"] == pages["r-file"]
    assert "¥40.00" in pages["r-dw"][0] and "13812345678" not in "".join(pages["r-dw"])  # January: a 10 + b 30


def test_a_large_clean_csv_is_read_by_the_engine_and_a_messy_one_by_the_reader(tmp_path):
    """Past `queries.large_csv_mb` a clean CSV goes straight to DuckDB (no pandas frame of its
    rows); one with 1.2万 or GBK is still read by Studio's reader. Both give the same tiles."""
    content = tmp_path / "content"
    content.mkdir()
    rows = [f"c{i % 700},2024-0{1 + i % 9}-{10 + i % 18} 10:00:00,{10 + i % 50}.5,{'社群' if i % 3 else '门店'}"
            for i in range(3000)]
    clean = "客户ID,下单时间,实付金额,渠道\n" + "\n".join(rows) + "\n"
    (content / "clean.csv").write_text(clean, encoding="utf-8")
    (content / "gbk.csv").write_bytes(clean.encode("gbk"))
    (content / "wan.csv").write_text(clean.replace(",10.5,", ",1.2万,", 1), encoding="utf-8")
    config = StudioConfig(root=tmp_path, queries={"large_csv_mb": 0.05}, cache={"enabled": False})
    project = new_project(config)
    assert project.data.in_engine(content / "clean.csv")
    clean_t, gbk_t, wan_t = (project.data.read(content / n) for n in ("clean.csv", "gbk.csv", "wan.csv"))
    assert clean_t.expr is not None and len(clean_t.frame) == 0  # its rows stay in the engine
    assert getattr(gbk_t, "expr", None) is None and len(gbk_t.frame) == 3000
    assert getattr(wan_t, "expr", None) is None and wan_t.frame["amount"].iloc[0] == 12000
    metrics = [kpi.BY_NAME[n] for n in ("orders", "buyers", "gmv", "repurchase_rate")]
    engine_row = kpi.values(clean_t, metrics, engine=project.data.engine)
    reader_row = kpi.values(gbk_t, metrics, engine=project.data.engine)
    assert engine_row.round(9).to_dict() == reader_row.round(9).to_dict()
    assert engine_row["orders"].iloc[0] == 3000

    def render(body: str):
        return render_blocks(project, None, content / "page.md", body, 1)[0]
    assert tiles(render(block("kpi", "data: clean.csv\nmetrics: [gmv, buyers]\nperiod: all"))) == \
        tiles(render(block("kpi", "data: gbk.csv\nmetrics: [gmv, buyers]\nperiod: all")))


def test_parquet_times_with_a_zone_are_cut_at_beijing_midnight(tmp_path):
    """Spark writes UTC instants: an order at 2024-01-31 20:00 UTC is 2月1日 04:00 in Beijing,
    so it is February's, in the engine's periods as in the reader's."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from studio.data.engine import Engine

    times = pd.to_datetime(["2024-01-15T02:00:00Z", "2024-01-31T20:00:00Z", "2024-02-10T01:00:00Z"])
    frame = pd.DataFrame({"customer_id": ["a", "b", "a"], "order_time": times, "amount": [10.0, 20.0, 30.0]})
    path = tmp_path / "orders.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    engine = Engine()
    t = engine.parquet(path)
    assert t.schema()["order_time"].timezone is not None
    got = kpi.series(t, kpi.BY_NAME["gmv"], "M", engine=engine)
    assert [(p.month, v) for p, v in zip(got["period"], got["value"])] == [(1, 10.0), (2, 50.0)]
