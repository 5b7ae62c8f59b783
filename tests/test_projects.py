"""Two projects in one process keep their own rules, options and features (issue 13).

The PII rules used to live in a module global holding "the project loaded last": loading a
second project made the first one's dropped column reappear. Now they belong to each
project's data door, like its options and its registry.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from studio.config import StudioConfig
from studio.core.feature import Feature
from studio.core.pipeline import render_page
from studio.features.builtin import FEATURES, load_project

ORDERS = "客户ID,下单时间,实付金额,手机号\nc1,2024-05-01,10,13812345678\nc2,2024-05-02,12,13998765432\n"


def project(root: Path, front_matter: str = "", options: dict | None = None) -> StudioConfig:
    (root / "content" / "data").mkdir(parents=True)
    (root / "content" / "data" / "orders.csv").write_text(ORDERS, encoding="utf-8")
    page = textwrap.dedent(f"""\
        ---
        {front_matter}
        ---
        # 订单

        ```kpi
        data: data/orders.csv
        metrics: [buyers]
        period: all
        ```
        """)
    (root / "content" / "index.md").write_text(page, encoding="utf-8")
    return StudioConfig(root=root, **(options or {}))


def test_each_project_keeps_its_own_pii_rules(tmp_path):
    a = load_project(project(tmp_path / "a", "pii: {drop: [手机号]}"))
    b = load_project(project(tmp_path / "b", "title: 订单", {"pii": {"severity": "warning"}}))
    a_file, b_file = a.config.content_path / "data/orders.csv", b.config.content_path / "data/orders.csv"
    # A loaded first, B after it: A's page still drops the column, B's never did
    assert list(a.data.read(a_file).frame.columns) == ["customer_id", "order_time", "amount"]
    assert "手机号" in b.data.read(b_file).frame.columns
    # and in the other order of reading, once more after a third project
    load_project(project(tmp_path / "c", "pii: {mask: [手机号]}"))
    assert "手机号" in b.data.read(b_file).frame.columns
    assert list(b.data.read(b_file).frame["手机号"]) == [13812345678, 13998765432]  # unmasked: B declared nothing
    assert "手机号" not in a.data.read(a_file).frame.columns


def test_each_project_keeps_its_own_options_and_findings(tmp_path):
    strict = load_project(project(tmp_path / "a", "", {"strict": True, "pii": {"severity": "warning"}}))
    lax = load_project(project(tmp_path / "b", "", {"pii": {"enabled": False}}))
    assert strict.config.strict and not lax.config.strict
    assert any(p.rule == "pii" for p in strict.diagnostics.items)  # the phone numbers of the CSV
    assert not any(p.rule == "pii" for p in lax.diagnostics.items)


def test_a_feature_added_to_one_project_is_not_seen_by_another(tmp_path):
    extra = Feature(name="hello", blocks={"hello": lambda ctx: "<p>你好</p>"})
    with_hello = load_project(project(tmp_path / "a"), (*FEATURES, extra))
    plain = load_project(project(tmp_path / "b"))
    assert "hello" in with_hello.registry.blocks and "hello" not in plain.registry.blocks
    text, _ = render_page(with_hello, "x.md", "```hello\n```\n", tmp_path / "a" / "content" / "x.md")
    assert "你好" in text
    text, _ = render_page(plain, "x.md", "```hello\n```\n", tmp_path / "b" / "content" / "x.md")
    assert "你好" not in text


def test_metrics_exist_without_importing_anything_first(tmp_path):
    """What exists no longer depends on what was imported: the report's calendar metrics are
    in every project's registry."""
    p = load_project(project(tmp_path / "a"))
    assert {"plan_entries", "plan_published", "plan_completion"} <= set(p.registry.metrics_of("calendar"))
    assert "calendar" in p.registry.kinds and "orders" in p.registry.kinds
