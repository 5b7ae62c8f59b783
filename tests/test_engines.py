"""One site on any engine: MkDocs, ProperDocs and Zensical (issue 13).

The sample site is built with each engine. Every engine must publish the same pages, no
data file, the charts, the Chinese search and the sanitised HTML; the output guard stops a
build — keeping the previous site — when an engine (or its theme) publishes a data file or
an unmasked phone number, whatever the engine.
"""

from __future__ import annotations

import re
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from conftest import STUDIO, copy_project, run_studio, serve_dir
from test_search_queries import rank_all

DATA_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xls", ".yml", ".yaml"}


def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def published_data(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.suffix.lower() in DATA_SUFFIXES
                  or (p.suffix == ".ics" and not p.relative_to(site).as_posix().startswith("calendars/ics/")))


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> Path:
    proj = copy_project(tmp_path_factory.mktemp("zensical") / "project")
    run_studio("build", "--strict", "--engine", "zensical", cwd=proj, check=True)
    return proj / "site"


@pytest.fixture(scope="session")
def properdocs_site(tmp_path_factory) -> Path:
    proj = copy_project(tmp_path_factory.mktemp("properdocs") / "project")
    run_studio("build", "--strict", "--engine", "properdocs", cwd=proj, check=True)
    return proj / "site"


@pytest.fixture(scope="session")
def zensical_url(zensical_site: Path):
    server = serve_dir(zensical_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def generator(site: Path) -> str:
    m = re.search(r'<meta name="generator" content="([^"]+)"', (site / "index.html").read_text(encoding="utf-8"))
    return m.group(1) if m else ""


# Every engine builds the same site ---------------------------------------------------------
def test_properdocs_builds_the_same_site_as_mkdocs(properdocs_site, site):
    assert "ProperDocs" in generator(properdocs_site) and "ProperDocs" not in generator(site)
    assert html_pages(properdocs_site) == html_pages(site)
    strip = lambda p: re.sub(r'<meta name="generator" content="[^"]+">', "", p.read_text(encoding="utf-8"))  # noqa: E731
    assert strip(properdocs_site / "case_studies/luckin/index.html") == strip(site / "case_studies/luckin/index.html")
    assert published_data(properdocs_site) == []


def test_zensical_builds_every_page_and_no_data_file(zensical_site, site):
    assert generator(zensical_site).startswith("zensical")
    assert html_pages(zensical_site) == html_pages(site)
    assert published_data(zensical_site) == []
    assert (zensical_site / "calendars/ics/2026-11.ics").is_file()  # Studio's feeds are published
    assert (zensical_site / "search/pagefind/pagefind-entry.json").is_file()  # Studio's Chinese index


def test_zensical_pages_hold_rendered_blocks_and_fact_boxes(zensical_site):
    luckin = (zensical_site / "case_studies/luckin/index.html").read_text(encoding="utf-8")
    assert "studio-facts" in luckin and 'class="studio-chart' in luckin
    assert "```chart" not in luckin and "data: " not in luckin  # no block left as code
    assert "assets/studio/charts.js" in luckin and "studio.css" in luckin
    period = (zensical_site / "reports/team-weekly/2026-W47/index.html").read_text(encoding="utf-8")
    assert 'data-metric="net_new_contacts"' in period
    plain = (zensical_site / "playbook/funnel/index.html").read_text(encoding="utf-8")
    assert "charts.js" not in plain


def test_zensical_navigation_follows_studio(zensical_site):
    home = (zensical_site / "index.html").read_text(encoding="utf-8")
    home = home[home.index('class="md-tabs'):]  # the tabs: one per top-level section
    for title in ("私域打法", "人设库", "品牌拆解", "内容日历", "数据看板", "运营报告", "培训课程", "术语表"):
        assert title in home
    assert home.index("人设库") < home.index("品牌拆解") < home.index("培训课程")
    assert ">2026-W47<" not in home  # period pages are left out of the navigation


@pytest.mark.browser
def test_zensical_site_draws_charts_and_asks_nothing_outside(visit, zensical_url):
    for path in ("case_studies/luckin/", "reports/team-weekly/2026-W47/", "dashboards/luckin-orders/"):
        v = visit(zensical_url + path)
        charts = v.page.locator("figure.studio-chart")
        assert charts.count() > 0, path
        for i in range(charts.count()):  # each is drawn as it scrolls into view
            charts.nth(i).scroll_into_view_if_needed()
            charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached", timeout=15_000)
        assert v.outside_requests() == [], path
        assert v.console_errors == [], path


def zensical_search(page, query: str, site_url: str) -> list[str]:
    """Type ``query`` into Zensical's search dialog; the result pages, best first."""
    box = page.locator("input[role=combobox]")
    if not box.is_visible():
        page.keyboard.press("Control+k")
        box.wait_for(state="visible")
    status = page.locator("[role=status]").filter(has_text=re.compile(r"\d+ results?$"))
    options = page.locator("ol[role=listbox] a[role=option]")
    box.fill("")
    options.first.wait_for(state="detached")  # the previous answer is gone
    box.fill(query)
    status.first.wait_for(timeout=15_000)  # the worker's answer to this query
    pages: list[str] = []
    for h in options.evaluate_all("els => els.map(e => e.href)"):
        p = h.split("#")[0].split("?")[0].removeprefix(site_url)
        if p not in pages:
            pages.append(p)
    return pages


@pytest.mark.browser
def test_zensical_search_finds_chinese_queries(visit, zensical_url):
    v = visit(zensical_url)
    ranks = rank_all(zensical_search, v.page, zensical_url)
    missing = {q: r for q, r in ranks.items() if r is None or r > 5}
    assert not missing, f"expected page not in the top 5 on Zensical: {missing}"
    assert v.outside_requests() == []


# Sanitising and the output guard on every engine -------------------------------------------
HOSTILE = """# 活动页

<div class="promo" onclick="alert(1)">扫码领券</div>
<script>document.title = "pwned"</script>
<a href="javascript:alert(2)">点我</a>
"""


@pytest.mark.parametrize("engine", ["zensical", "properdocs"])
def test_page_html_is_sanitised_on_every_engine(tmp_path, engine):
    proj = copy_project(tmp_path / "p")
    (proj / "content/playbook/promo.md").write_text(HOSTILE, encoding="utf-8")
    proc = run_studio("build", "--engine", engine, cwd=proj)
    assert proc.returncode == 0, proc.stderr
    html = (proj / "site/playbook/promo/index.html").read_text(encoding="utf-8")
    article = html[html.index("md-content__inner"):]
    assert "扫码领券" in article and "onclick" not in article and "pwned" not in article
    assert "javascript:" not in article
    assert "removed" in proc.stderr and "promo.md" in proc.stderr  # the author is told, with the file


def previous_site(proj: Path, engine: str) -> str:
    run_studio("build", "--engine", engine, cwd=proj, check=True)
    return (proj / "site/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_output_guard_stops_an_unmasked_phone_number_from_any_engine(tmp_path, engine):
    """The site description reaches every page's <meta> without passing any content check."""
    proj = copy_project(tmp_path / "p")
    before = previous_site(proj, engine)
    config = proj / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "site_description: ", "site_description: 客服热线 13812345678 · ", 1), encoding="utf-8")
    proc = run_studio("build", "--engine", engine, cwd=proj)
    assert proc.returncode == 1
    assert "the built site shows mobile number" in proc.stderr and "138****5678" in proc.stderr
    assert "13812345678" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert (proj / "site/index.html").read_text(encoding="utf-8") == before  # the previous site stays


def test_output_guard_stops_a_data_file_another_plugin_publishes(tmp_path):
    """A hook (or any other plugin) writes an export into the site after Studio's steps."""
    proj = copy_project(tmp_path / "p")
    before = previous_site(proj, "mkdocs")
    (proj / "hooks.py").write_text(
        "from pathlib import Path\n\n\ndef on_post_build(config):\n"
        "    Path(config.site_dir, 'members.csv').write_text('客户ID,实付金额\\nc1,10\\n', encoding='utf-8')\n",
        encoding="utf-8")
    config = proj / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - hooks.py\n", encoding="utf-8")
    proc = run_studio("build", cwd=proj)
    assert proc.returncode == 1
    assert "the built site holds a data file: members.csv" in proc.stderr
    assert (proj / "site/index.html").read_text(encoding="utf-8") == before
    assert not (proj / "site/members.csv").exists()


def test_the_engine_option_chooses_the_engine(tmp_path):
    proj = copy_project(tmp_path / "p")
    config = proj / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - studio:\n", "  - studio:\n      engine: zensical\n"),
                      encoding="utf-8")
    run_studio("build", cwd=proj, check=True)
    assert generator(proj / "site").startswith("zensical")
    proc = run_studio("build", "--engine", "mkdocs", cwd=proj, check=True)  # the command line wins
    assert proc.returncode == 0 and generator(proj / "site").startswith("mkdocs")


def test_an_unknown_engine_is_a_clear_error(tmp_path):
    proj = copy_project(tmp_path / "p")
    config = proj / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - studio:\n", "  - studio:\n      engine: zensicl\n"),
                      encoding="utf-8")
    proc = run_studio("build", cwd=proj)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "unknown engine 'zensicl' (did you mean 'zensical'?)" in proc.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_zensical_serve_prints_its_url_and_serves_the_site(tmp_path):
    proj = copy_project(tmp_path / "p")
    port = free_port()
    proc = subprocess.Popen([*STUDIO, "serve", "--engine", "zensical", "-a", f"127.0.0.1:{port}"], cwd=proj,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed once the first build is served
        assert f"serving on http://127.0.0.1:{port}/" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/case_studies/luckin/", timeout=30) as r:
            assert "瑞幸" in r.read().decode("utf-8")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_zensical_serve_on_a_busy_port_is_one_line(tmp_path):
    proj = copy_project(tmp_path / "p")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([*STUDIO, "serve", "--engine", "zensical", "-a", f"127.0.0.1:{port}"], cwd=proj,
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in proc.stderr and f"-a 127.0.0.1:{port + 1}" in proc.stderr
