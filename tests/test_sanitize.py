"""Safe HTML: scripts, event handlers, javascript: URLs and outside resources leave pages;
layout HTML stays; downloads cannot carry spreadsheet formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import copy_project, run_studio
from studio.guard.formulas import neutralise, neutralise_frame, to_csv_bytes
from studio.guard.html import clean_page, removals, seal
from studio.guard.options import HtmlOptions

DEFAULT = HtmlOptions()
HOSTILE = (
    '<p onclick="steal()">hi <a href="javascript:alert(1)">j</a> <a href=" JaVaScRiPt:alert(2)">k</a></p>'
    '<img src="x.png" onerror="steal()"><svg onload="steal()"><circle r="1"/></svg>'
    '<script>steal()</script><iframe src="https://evil.example/"></iframe>'
    '<img src="https://evil.example/pixel.gif"><div style="background:url(//evil.example/a.png)">d</div>'
    '<form action="https://evil.example/"><button formaction="javascript:x()">b</button></form>'
    '<object data="https://evil.example/x.swf"></object><base href="https://evil.example/">'
    '<style>@import url(https://evil.example/x.css); body{background:url(//evil.example/b.png)}</style>'
)


def test_hostile_html_is_neutralised():
    out = clean_page(HOSTILE, DEFAULT).lower()
    for bad in ("onclick", "onerror", "onload", "javascript:", "<script", "steal()", "<iframe", "evil.example",
                "<object", "<base", "<form"):
        assert bad not in out, bad
    assert "hi" in out and "<svg" in out  # the text and harmless markup stay


def test_layout_html_keeps_working():
    layout = (
        '<div class="grid cards" style="display:flex;gap:1rem" data-x="1" aria-label="卡片">'
        '<details open><summary>展开</summary><p>内容</p></details>'
        '<table><tr><td colspan="2" rowspan="1">格</td></tr></table>'
        '<input type="checkbox" checked disabled><label for="t">任务</label>'
        '<img src="../assets/a.png" alt="图" width="120">'
        '<a href="../personas/" target="_blank" rel="noopener">人设</a><a href="#top" class="headerlink">¶</a>'
        '<svg viewBox="0 0 24 24"><path d="M1 1L2 2"/></svg><mark>重点</mark><kbd>Ctrl</kbd></div>'
        '<style>.grid > .card:has(#f:not(:checked)) { display: none }</style>'
    )
    out = clean_page(layout, DEFAULT)
    for kept in ('class="grid cards"', 'style="display:flex;gap:1rem"', 'data-x="1"', 'aria-label="卡片"',
                 "<details open", 'colspan="2"', 'type="checkbox"', 'for="t"', 'src="../assets/a.png"',
                 'target="_blank"', 'href="#top"', 'viewBox="0 0 24 24"', 'd="M1 1L2 2"', "<mark>", "<kbd>",
                 "<style>.grid > .card:has(#f:not(:checked)) { display: none }</style>"):
        assert kept in out, kept
    assert removals(layout, DEFAULT) == []


def test_studio_block_output_keeps_its_script_but_not_handlers():
    block = seal('<figure class="studio-chart"><div id="c1" onmouseover="x()"></div>'
                 '<script type="text/javascript">Plotly.newPlot("c1", {"t": "a < b"})</script></figure>')
    out = clean_page("<p>前</p>" + block + "<p>后</p>", DEFAULT)
    assert '<script type="text/javascript">Plotly.newPlot("c1", {"t": "a < b"})</script>' in out
    assert "onmouseover" not in out and "studio-block" not in out and "studio-slot" not in out
    assert out.index("前") < out.index("Plotly") < out.index("后")


def test_authors_cannot_forge_the_seal():
    forged = "<!--studio-block:0000000000000000-->\n<script>steal()</script>\n<!--/studio-block:0000000000000000-->"
    forged += '<studio-slot data-slot="0000000000000000-0"></studio-slot>'
    assert "steal" not in clean_page(forged, DEFAULT)


def test_config_can_allow_what_is_removed_by_default():
    allow = HtmlOptions(allow_tags=["script", "iframe"], allow_attributes={"*": ["onclick"], "iframe": ["src"]},
                        allow_url_schemes=["javascript"], allow_external=True)
    out = clean_page(HOSTILE, allow)
    assert "<script>steal()</script>" in out and 'onclick="steal()"' in out
    assert 'href="javascript:alert(1)"' in out and '<iframe src="https://evil.example/">' in out
    assert clean_page(HOSTILE, HtmlOptions(sanitize=False)) == HOSTILE


def test_removals_say_what_was_removed():
    found = {r.what for r in removals(HOSTILE, DEFAULT)}
    assert "<script> element" in found and "event handler 'onclick' on <p>" in found
    assert "javascript: URL on <a>" in found and "<style> element that loads url()/@import" in found
    assert any(w.startswith("outside resource src= on <img>") for w in found)


@pytest.mark.parametrize("cell,safe", [
    ("=HYPERLINK(\"http://x\",\"点我\")", "'=HYPERLINK(\"http://x\",\"点我\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("-12.5", "-12.5"), ("+86", "+86"), ("普通文本", "普通文本"), (12, 12), (None, None),
])
def test_spreadsheet_formulas_are_neutralised(cell, safe):
    assert neutralise(cell) == safe


def test_download_csv_is_safe_and_excel_friendly():
    frame = pd.DataFrame({"昵称": ["=1+1", "小王"], "金额": [-3.5, 2.0]})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'=1+1" in text and "-3.5" in text
    assert neutralise_frame(frame)["金额"].tolist() == [-3.5, 2.0]


# The plugin: a build sanitises pages and reports what it removed -------------------------
HOSTILE_PAGE = """# 活动页

<div class="banner" onmouseover="steal()">福利</div>

<script>window.__pwned = 1</script>

<a href="javascript:window.__pwned=2">点我</a>

<img src="https://evil.example/pixel.gif" alt="t">

```html
<script>这是代码示例，不会运行</script>
```
"""


HOSTILE_DATA_PAGE = """# 数据页

```chart
data: hostile.csv
type: bar
x: 渠道
y: 人数
title: "<img src=x onerror=window.__pwned=6>标题"
```
"""
# Customer-controlled text (nicknames, channel names) in an export: chart labels and table cells.
HOSTILE_CSV = "渠道,人数\n<img src=x onerror=window.__pwned=5>,3\n<script>window.__pwned=7</script>,4\n=HYPERLINK(\"x\"),5\n"


def _hostile_project(root: Path) -> Path:
    copy_project(root)
    (root / "content" / "playbook" / "hostile.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    (root / "content" / "playbook" / "hostile-data.md").write_text(HOSTILE_DATA_PAGE, encoding="utf-8")
    (root / "content" / "playbook" / "hostile.csv").write_text(HOSTILE_CSV, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The sample project plus hostile content, built once: every kind of generated page."""
    root = _hostile_project(tmp_path_factory.mktemp("hostile") / "p")
    teardown = root / "case_studies" / "luckin" / "index.md"
    text = teardown.read_text(encoding="utf-8")
    # Hostile values in front matter reach fact boxes, indexes and the quadrant.
    text = text.replace("brand: 瑞幸咖啡", 'brand: "瑞幸<img src=x onerror=window.__pwned=3>"', 1)
    text = text.replace("sources:\n", "sources:\n  - {title: 恶意来源, url: \"javascript:window.__pwned=4\"}\n", 1)
    teardown.write_text(text, encoding="utf-8")
    proc = run_studio("build", cwd=root, check=True)
    BUILD_LOG["stderr"] = proc.stderr
    return root / "site"


BUILD_LOG: dict[str, str] = {}


def test_build_sanitises_pages_and_warns_with_file_and_line(hostile_site):
    html = (hostile_site / "playbook" / "hostile" / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    assert "__pwned" not in article and "onmouseover" not in article and "evil.example" not in article
    assert 'class="banner"' in article and "福利" in article
    assert "这是代码示例" in article and "<script" not in article  # code samples still show, escaped
    log = BUILD_LOG["stderr"]
    assert "content/playbook/hostile.md:5: warning [html]: removed <script> element" in log
    assert "content/playbook/hostile.md:3: warning [html]: removed event handler 'onmouseover'" in log
    assert "content/playbook/hostile.md:7: warning [html]: removed javascript: URL" in log


def test_strict_build_fails_on_removed_html(tmp_path):
    root = tmp_path / "p"
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\ndocs_dir: content\nplugins:\n  - studio\n", encoding="utf-8")
    (root / "content" / "index.md").write_text(HOSTILE_PAGE, encoding="utf-8")
    strict = run_studio("build", "--strict", cwd=root)
    assert strict.returncode == 1 and "content/index.md:5: warning [html]" in strict.stderr
    assert "Traceback" not in strict.stderr and not (root / "site").exists()


def test_hostile_front_matter_is_escaped(hostile_site):
    html = (hostile_site / "case_studies" / "luckin" / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in html and "<img src=x onerror" not in html


def test_hostile_data_is_escaped_in_charts_and_tables(hostile_site):
    html = (hostile_site / "playbook" / "hostile-data" / "index.html").read_text(encoding="utf-8")
    assert 'class="studio-chart' in html
    assert "<img src=x" not in html and "<script>window" not in html
    assert "&lt;img src=x onerror=window.__pwned=5&gt;" in html  # shown as text in the data table


@pytest.mark.browser
def test_no_page_requests_outside_or_runs_content_scripts(hostile_site, visit):
    """Every page of the built site, of every generated kind: no outside request, no content script."""
    from conftest import serve_dir

    server = serve_dir(hostile_site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
        assert len(pages) >= 10 and {"playbook/hostile/index.html", "playbook/hostile-data/index.html"} <= set(pages)
        v = visit(base, wait="load")  # one tab for all pages: its requests are all recorded
        dialogs: list[str] = []
        v.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in pages:
            v.page.goto(base + rel, wait_until="load")
            state = v.page.evaluate("""() => ({
                pwned: window.__pwned,
                handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
                    .filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
                jsLinks: [...document.querySelectorAll('a[href]')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
            })""")
            assert state == {"pwned": None, "handlers": [], "jsLinks": 0}, rel
            if rel == "playbook/hostile-data/index.html":  # the sanitiser left Studio's chart working
                v.page.wait_for_selector(".studio-chart svg", timeout=15000)
        v.page.wait_for_load_state("networkidle")
        assert v.outside_requests() == []
        assert dialogs == []
        assert any("/playbook/hostile/index.html" in u for u in v.requests)
    finally:
        server.shutdown()
