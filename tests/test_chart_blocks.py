"""```chart and ```kpi blocks: what they render, and how their mistakes are reported."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from studio.config import StudioConfig
from studio.errors import StudioError
from studio.features.builtin import new_project
from studio.core.blocks import render_blocks

ORDERS = ("客户ID,下单时间,实付金额,渠道\n"
          "secret-a,2024-01-05,10,社群\nsecret-a,2024-02-01,20,社群\nsecret-b,2024-01-20,30,门店\n"
          "secret-c,2024-02-03,40,社群\nsecret-c,2024-02-10,50,门店\nsecret-c,2024-04-01,60,社群\n"
          "secret-d,2024-03-03,70,门店\n")


@pytest.fixture
def page(tmp_path: Path):
    """``page(body)`` renders a page in content/ beside orders.csv; returns (html, needs)."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "orders.csv").write_text(ORDERS, encoding="utf-8")
    project = new_project(StudioConfig(root=tmp_path))

    def _render(body: str, first_line: int = 1):
        return render_blocks(project, None, content / "page.md", body, first_line)

    _render.dir = content
    _render.project = project
    return _render


def block(name: str, body: str) -> str:
    return f"# 标题\n\n```{name}\n{body.strip()}\n```\n"


def figure_of(text: str) -> dict:
    m = re.search(r'<script type="application/json" class="studio-chart__figure">(.*?)</script>', text, re.S)
    assert m, text
    return json.loads(m.group(1))


def tiles_of(text: str) -> dict[str, dict[str, str]]:
    out = {}
    for m in re.finditer(r'<div class="studio-kpi [^"]*"([^>]*)>', text):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))
        out[attrs["data-metric"]] = attrs
    return out


def test_chart_block_renders_a_figure_with_data_table(page):
    text, needs = page(block("chart", "data: orders.csv\ntype: bar\ny: gmv\nfreq: M\ntitle: 月度 GMV"))
    assert needs == {"plotly"}
    assert '<figure class="studio-chart"' in text and "```" not in text
    fig = figure_of(text)
    trace = fig["data"][0]
    assert trace["type"] == "bar"
    assert trace["x"] == ["2024年1月", "2024年2月", "2024年3月", "2024年4月"]
    assert trace["customdata"] == ["¥40.00", "¥110.00", "¥70.00", "¥60.00"]  # yuan and fen, as everywhere
    assert fig["layout"]["title"]["text"] == "月度 GMV"
    # accessible fallback: a caption and a table of what is plotted
    assert "<figcaption" in text and "查看图表数据" in text
    assert "<th scope=\"row\">2024年2月</th><td class=\"studio-num\">¥110.00</td>" in text


def test_chart_never_shows_customer_ids(page):
    for spec in ("type: line\ny: [buyers, orders]", "type: cohort", "type: ltv", "type: pie\nx: 渠道\ny: gmv",
                 "type: bar\nx: channel\ny: customer_id\nagg: nunique"):
        text, _ = page(block("chart", "data: orders.csv\n" + spec))
        assert "secret-" not in text, spec


def test_chart_types(page):
    kinds = {"line": "scatter", "area": "scatter", "pie": "pie", "cohort": "heatmap", "ltv": "scatter"}
    for chart_type, trace_type in kinds.items():
        extra = "\nx: channel" if chart_type == "pie" else ""
        fig = figure_of(page(block("chart", f"data: orders.csv\ntype: {chart_type}{extra}"))[0])
        assert fig["data"][0]["type"] == trace_type, chart_type


def test_grouped_and_multiple_series(page):
    fig = figure_of(page(block("chart", "data: orders.csv\ntype: bar\ny: amount\ngroup: 渠道\nfreq: M"))[0])
    assert sorted(t["name"] for t in fig["data"]) == ["社群", "门店"]
    fig = figure_of(page(block("chart", "data: orders.csv\ny: [buyers, orders]"))[0])
    assert [t["name"] for t in fig["data"]] == ["购买人数", "订单数"]


def test_funnel_and_scatter(page):
    (page.dir / "funnel.csv").write_text("环节,人数\n曝光,1000\n添加,200\n首单,50\n", encoding="utf-8")
    text, _ = page(block("chart", "data: funnel.csv\ntype: funnel"))
    fig = figure_of(text)
    assert fig["data"][0]["type"] == "funnel" and list(fig["data"][0]["y"]) == ["曝光", "添加", "首单"]
    assert "25.0%" in text  # 添加 → 首单 step conversion in the table
    (page.dir / "m.csv").write_text("日期,人设,内容类型,点赞数,评论数\n2024-05-01,a,生活,3,1\n2024-05-01,a,促销,5,2\n",
                                    encoding="utf-8")
    fig = figure_of(page(block("chart", "data: m.csv\ntype: scatter\nx: likes\ny: 评论数"))[0])
    assert fig["data"][0]["mode"] == "markers"


def test_empty_data_draws_a_no_data_figure(page):
    (page.dir / "empty.csv").write_text("客户ID,下单时间,实付金额\n", encoding="utf-8")
    text, needs = page(block("chart", "data: empty.csv\ntype: bar\ny: gmv"))
    assert needs == {"plotly"} and "studio-chart--empty" in text
    assert figure_of(text)["layout"]["annotations"][0]["text"] == "暂无数据"
    text, _ = page(block("kpi", "data: empty.csv\nmetrics: [gmv, aov]"))
    assert tiles_of(text)["aov"]["data-value"] == "NaN" and "—" in text


def test_kpi_tiles_hold_exact_values(page):
    text, needs = page(block("kpi", "data: orders.csv\nmetrics: [buyers, orders, gmv, aov, repurchase_rate]\nperiod: all"))
    assert needs == set()
    tiles = tiles_of(text)
    assert list(tiles) == ["buyers", "orders", "gmv", "aov", "repurchase_rate"]
    assert float(tiles["gmv"]["data-value"]) == 280 and float(tiles["aov"]["data-value"]) == 40
    assert float(tiles["repurchase_rate"]["data-value"]) == 0.5
    assert "复购率" in text and "50.0%" in text and "¥280" in text


def test_kpi_period_shows_change_against_previous_period(page):
    text, _ = page(block("kpi", "data: orders.csv\nmetrics: [gmv, repurchase_rate]\nperiod: month"))
    tiles = tiles_of(text)
    assert float(tiles["gmv"]["data-value"]) == 60  # April
    assert float(tiles["gmv"]["data-change"]) == pytest.approx(-1 / 7)
    assert "2024年4月" in text and "较上月" in text and "-14.3%" in text
    assert "个百分点" in text  # rates change in points


def test_large_numbers_use_wan(page):
    (page.dir / "big.csv").write_text("客户ID,下单时间,实付金额\na,2024-05-01,1.2万\nb,2024-05-01,\"123,456\"\n",
                                      encoding="utf-8")
    text, _ = page(block("kpi", "data: big.csv\nmetrics: [gmv]\nperiod: all"))
    assert "¥13.55万" in text and tiles_of(text)["gmv"]["data-value"] == "135456.0"


# Errors ------------------------------------------------------------------------------------------
def error_of(page, body: str, first_line: int = 1) -> StudioError:
    with pytest.raises(StudioError) as err:
        page(body, first_line)
    return err.value


def test_unknown_column_names_page_line_and_suggests(page):
    e = error_of(page, block("chart", "data: orders.csv\ntype: bar\nx: chanel\ny: gmv"), first_line=5)
    # block opens on body line 3 = file line 7; 'x:' is two lines below
    assert Path(e.file).name == "page.md" and e.line == 10
    assert "did you mean 'channel'" in e.message


def test_unknown_metric_and_type_suggest(page):
    e = error_of(page, block("kpi", "data: orders.csv\nmetrics: [gmv, repurchase]"))
    assert "did you mean 'repurchase_rate'" in e.message and e.line == 5
    e = error_of(page, block("chart", "data: orders.csv\ntype: lines"))
    assert "did you mean 'line'" in e.message and e.line == 5
    e = error_of(page, block("chart", "data: orders.csv\ntitel: x"))
    assert "did you mean 'title'" in e.message
    e = error_of(page, block("chart", "data: orders.csv\noptions: {hieght: 3}"))
    assert "did you mean 'height'" in e.message


def test_metric_of_another_kind_is_explained(page):
    e = error_of(page, block("kpi", "data: orders.csv\nmetrics: [reply_rate]"))
    assert "needs contacts data" in e.message


def test_missing_data_file_is_an_error_on_the_page(page):
    e = error_of(page, block("chart", "type: bar\ndata: order.csv"))
    assert Path(e.file).name == "page.md" and e.line == 5
    assert "not found" in e.message and "did you mean 'orders.csv'" in e.message


def test_data_error_names_the_data_file_line_and_column(page):
    (page.dir / "bad.csv").write_text("客户ID,下单时间,实付金额\na,2024-05-01,1\nb,2024-05-01,一百\n", encoding="utf-8")
    page(block("chart", "data: bad.csv"))  # drawn from the good rows; the bad one is an error
    [e] = [p for p in page.project.diagnostics.items if p.severity == "error"]
    assert Path(e.file).name == "bad.csv" and (e.line, e.column) == (3, "实付金额")
    assert "row left out" in e.message
    assert "page.md:3" in e.hint  # and which block read it


def test_cohort_needs_orders(page):
    (page.dir / "funnel.csv").write_text("环节,人数\n曝光,10\n", encoding="utf-8")
    e = error_of(page, block("chart", "data: funnel.csv\ntype: cohort"))
    assert "needs orders data" in e.message


def test_errors_reach_the_cli_with_file_and_line(project, tmp_path):
    from conftest import run_studio

    page_md = project / "content" / "dashboards" / "index.md"
    text = page_md.read_text(encoding="utf-8")
    page_md.write_text(text + "\n```chart\ndata: ../data/team-moments.csv\ny: likez\n```\n", encoding="utf-8")
    line = text.count("\n") + 4
    proc = run_studio("build", cwd=project)
    assert proc.returncode == 1
    assert f"content/dashboards/index.md:{line}: error: chart block: unknown column 'likez'" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_missing_dataset_in_front_matter_is_reported_by_check(project):
    from conftest import run_studio

    index = project / "case_studies" / "popmart" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("orders.csv", "order.csv", 1), encoding="utf-8")
    proc = run_studio("check", cwd=project)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert re.search(r"case_studies/popmart/index.md:\d+: error: dataset not found: order.csv", out)
    assert "did you mean 'orders.csv'" in out


# The built sample site ----------------------------------------------------------------------------
DATASETS = {"luckin": ["orders", "contacts", "groups", "moments", "funnel"],
            "popmart": ["orders", "contacts", "groups", "moments", "funnel"]}


def test_every_dataset_gets_a_dashboard_page(site):
    for slug, names in DATASETS.items():
        for name in names:
            page_html = (site / "dashboards" / f"{slug}-{name}" / "index.html").read_text(encoding="utf-8")
            assert 'class="studio-kpi' in page_html, (slug, name)
            assert 'class="studio-chart' in page_html, (slug, name)
    assert (site / "dashboards" / "metrics" / "index.html").is_file()
    assert (site / "dashboards" / "index.html").is_file()


def test_raw_data_files_stay_out_of_the_site(site, built_project):
    leaked = [p for p in site.rglob("*") if p.suffix.lower() in {".csv", ".tsv", ".xlsx", ".xls"}]
    assert leaked == []
    # nor do the customer IDs they hold, on any page
    ids = [line.split(",")[1] for line in (built_project / "case_studies/popmart/orders.csv")
           .read_text(encoding="utf-8").splitlines()[1:40]]
    pages = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in site.rglob("*.html"))
    pages += (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert not [i for i in set(ids) if i in pages]


def test_plotly_is_studios_partial_bundle_and_loaded_only_where_needed(site):
    from importlib import resources

    bundled = (resources.files("studio") / "assets" / "plotly" / "plotly-studio.min.js").read_bytes()
    assert (site / "assets" / "studio" / "plotly.min.js").read_bytes() == bundled
    full = (resources.files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    assert full.split("\n")[1].split()[2] in bundled.decode()[:200]  # same plotly.js version as Python's plotly
    assert (site / "assets" / "studio" / "plotly.js.LICENSE.txt").is_file()
    chart_page = (site / "dashboards" / "luckin-orders" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script src="[./]*assets/studio/charts\.js" defer></script>', chart_page)  # it loads plotly.js
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "plotly" not in home
    assert "plotly" not in html.unescape((site / "playbook" / "index.html").read_text(encoding="utf-8"))


def test_figures_follow_plotly_schema(page):
    """Figures are plain dicts for speed; plotly itself checks they are valid."""
    import plotly.graph_objects as go

    (page.dir / "funnel.csv").write_text("环节,人数\n曝光,1000\n添加,200\n", encoding="utf-8")
    (page.dir / "empty.csv").write_text("客户ID,下单时间,实付金额\n", encoding="utf-8")
    specs = ["type: bar\ny: gmv", "type: line\ny: [buyers, orders]", "type: area\ny: amount\ngroup: channel",
             "type: pie\nx: channel", "type: cohort", "type: cohort\noptions: {value: ltv}", "type: ltv",
             "type: scatter\nx: amount\ny: amount", "type: bar\nx: channel\ny: gmv\noptions: {horizontal: true}"]
    texts = [page(block("chart", "data: orders.csv\n" + s))[0] for s in specs]
    texts += [page(block("chart", "data: funnel.csv\ntype: funnel"))[0], page(block("chart", "data: empty.csv"))[0]]
    for text in texts:
        go.Figure(figure_of(text))  # raises on any unknown property or bad value


def test_generic_weekly_sheet_is_plotted_by_week(page):
    (page.dir / "weeks.csv").write_text("周,目标,实际\n2024-05-06,100,90\n2024-05-13,110,120\n2024-05-20,120,100\n",
                                        encoding="utf-8")
    fig = figure_of(page(block("chart", "data: weeks.csv\nx: 周\ny: [目标, 实际]"))[0])
    assert fig["data"][0]["x"] == ["5月6日当周", "5月13日当周", "5月20日当周"]
    assert fig["data"][1]["y"] == [90, 120, 100]


def test_series_named_by_wecom_userid_show_the_persona_name(project):
    """A persona's `userid:` (the account id WeCom exports) labels its series with its name."""
    from conftest import run_studio

    run_studio("build", cwd=project, check=True)
    html = (project / "site" / "dashboards" / "index.html").read_text(encoding="utf-8")
    assert "福利官小鹿" in html and "咖啡研究员阿杰" in html
    assert '"lucky"' not in html and '"koc-xiaoyu"' not in html  # no account id left in a figure
