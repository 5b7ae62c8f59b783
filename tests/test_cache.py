"""The build cache (.cache/) never leaves a stale chart or search result.

A chart is reused only while its data file, its block, Studio's options and Studio's own
code and templates are unchanged; search pages only while their text and the dictionary are.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_studio
from studio import cache as studio_cache
from studio.cache import Cache, fingerprint_of, key_of

MKDOCS = """\
site_name: 缓存测试
docs_dir: content
theme:
  name: material
  language: zh
  font: false
plugins:
  - search:
      lang: zh
  - studio{options}
"""
PAGE = """\
# 渠道销量

```chart
data: sales.csv
type: bar
x: 渠道
y: 数量
title: 各渠道销量
```
"""


def small_project(path: Path, options: str = "") -> Path:
    (path / "content").mkdir(parents=True)
    (path / "mkdocs.yml").write_text(MKDOCS.format(options=options), encoding="utf-8")
    (path / "content" / "index.md").write_text(PAGE, encoding="utf-8")
    (path / "content" / "sales.csv").write_text("渠道,数量\n小程序,1234\n门店,88\n", encoding="utf-8")
    return path


def chart_cells(site: Path) -> list[str]:
    html = (site / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<td class="studio-num">([^<]*)</td>', html)


def entries(project: Path, namespace: str) -> set[str]:
    base = project / ".cache" / namespace
    return {p.name for p in base.glob("*/*")} if base.is_dir() else set()


def build(project: Path) -> None:
    run_studio("build", "--strict", cwd=project, check=True)


def test_changed_csv_never_leaves_a_stale_chart(tmp_path):
    project = small_project(tmp_path / "p")
    build(project)
    assert chart_cells(project / "site") == ["1,234", "88"]
    first = entries(project, "charts")
    assert len(first) == 1 and entries(project, "search")

    build(project)  # nothing changed: the same entry serves the chart
    assert chart_cells(project / "site") == ["1,234", "88"]
    assert entries(project, "charts") == first

    (project / "content" / "sales.csv").write_text("渠道,数量\n小程序,4321\n门店,99\n", encoding="utf-8")
    build(project)
    assert chart_cells(project / "site") == ["4,321", "99"]
    assert entries(project, "charts").isdisjoint(first)  # the stale entry is gone too


def test_pii_rule_added_to_a_page_is_never_hidden_by_the_cache(tmp_path):
    project = small_project(tmp_path / "p")
    build(project)
    assert "小程序" in (project / "site" / "index.html").read_text(encoding="utf-8")
    page = project / "content" / "index.md"
    page.write_text("---\npii: {mask: [渠道]}\n---\n" + PAGE, encoding="utf-8")
    build(project)
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "小程序" not in html and chart_cells(project / "site") == ["1,234", "88"]


def test_changed_plugin_option_recomputes_charts_and_search(tmp_path):
    project = small_project(tmp_path / "p")
    build(project)
    charts, search = entries(project, "charts"), entries(project, "search")
    (project / "mkdocs.yml").write_text(
        MKDOCS.format(options=":\n      search:\n        dictionary: [渠道销量]"), encoding="utf-8")
    build(project)
    assert entries(project, "charts").isdisjoint(charts)
    assert entries(project, "search") - search  # pages cut again with the new dictionary
    assert chart_cells(project / "site") == ["1,234", "88"]


def test_changed_template_changes_every_key(tmp_path):
    """Studio's templates and code are part of every key: an edited template is a new key."""
    tree = tmp_path / "studio"
    shutil.copytree(ROOT / "studio" / "features" / "datasets" / "templates", tree / "templates")
    before = fingerprint_of(tree)
    template = tree / "templates" / "chart_figure.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("查看图表数据", "查看数据"), encoding="utf-8")
    assert fingerprint_of(tree) != before


def test_chart_recomputed_when_studio_changes(tmp_path, monkeypatch):
    """The chart block's cache is keyed on Studio's fingerprint (its code and templates)."""
    from studio.config import StudioConfig
    from studio.features.builtin import new_project
    from studio.core.blocks import render_blocks

    project_dir = small_project(tmp_path / "p")
    project = new_project(StudioConfig(root=project_dir))
    page = project_dir / "content" / "index.md"

    def render() -> Cache:
        project.extras.pop("cache:charts", None)
        text, needs = render_blocks(project, None, page, PAGE)
        assert needs == {"plotly"} and "各渠道销量" in text
        return project.extras["cache:charts"]

    assert render().misses == 1
    assert render().hits == 1
    studio_cache.code_fingerprint.cache_clear()
    monkeypatch.setattr(studio_cache, "code_fingerprint", lambda: "another studio")
    assert render().misses == 1


def test_cache_survives_garbage_and_can_be_off(tmp_path):
    cache = Cache(tmp_path / ".cache", "charts")
    key = key_of("x")
    cache.put(key, {"a": 1})
    assert cache.get(key) == {"a": 1}
    (tmp_path / ".cache" / "charts" / key[:2] / key).write_bytes(b"half-writ")
    assert cache.get(key, "miss") == "miss"  # a broken entry is a miss, not an error
    off = Cache(None, "charts")
    off.put(key, 1)
    assert off.get(key) is None and not off.enabled


@pytest.mark.parametrize("env", [{"CI": "1"}, {}])
def test_build_output_has_no_progress_bars_outside_a_terminal(tmp_path, env, monkeypatch):
    from studio.engine.progress import BuildProgress

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert BuildProgress().enabled is False  # pytest's stderr is not a terminal; CI never shows them
    project = small_project(tmp_path / "p")
    proc = run_studio("build", cwd=project, check=True)
    assert "页面" not in proc.stderr and "\x1b[" not in proc.stderr


def test_a_cache_restored_in_another_folder_is_still_hit(tmp_path):
    """CI restores .cache/ into a fresh checkout at another path: keys hold no absolute path.

    A build prunes the entries it did not use, so the same entries after the second build
    mean every chart and sanitised page was reused, none computed again under a new key.
    """
    first = small_project(tmp_path / "runner-1" / "repo")
    build(first)
    charts, pages = entries(first, "charts"), entries(first, "pages")
    assert charts and pages
    second = tmp_path / "runner-2" / "checkout"
    shutil.copytree(first, second)  # the checkout plus the restored cache, nothing else
    build(second)
    assert entries(second, "charts") == charts and entries(second, "pages") == pages
    assert chart_cells(second / "site") == chart_cells(first / "site")
