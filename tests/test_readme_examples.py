"""Every block example of the README builds as written (issue 19): an author copies them."""

from __future__ import annotations

import re
import shutil

from conftest import ROOT, copy_project, run_studio

EXAMPLES = re.findall(r"````markdown\n(.*?)````", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_block_examples():
    assert len(EXAMPLES) >= 2 and any("```chart" in e for e in EXAMPLES) and any("```kpi" in e for e in EXAMPLES)


def test_every_readme_block_example_builds_as_written(tmp_path):
    proj = copy_project(tmp_path / "p")
    folder = proj / "content/examples"
    folder.mkdir()
    shutil.copy(proj / "case_studies/luckin/orders.csv", folder / "orders.csv")  # the examples' data: orders.csv
    (folder / "index.md").write_text("# README 示例\n\n" + "\n\n".join(EXAMPLES), encoding="utf-8")
    proc = run_studio("build", "--strict", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    page = (proj / "site/examples/index.html").read_text(encoding="utf-8")
    assert page.count('class="studio-chart') >= 1 and 'data-metric="buyers"' in page and "瑞幸" in page


def test_a_column_may_be_named_as_written_by_alias_or_canonically(tmp_path):
    proj = copy_project(tmp_path / "p")
    page = proj / "content/examples.md"
    blocks = [f"```chart\ndata: ../case_studies/luckin/orders.csv\ntype: bar\nx: {x}\ny: gmv\n```" for x in
              ("channel", "渠道", "下单渠道", "source")]
    page.write_text("# 列名\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    proc = run_studio("build", "--strict", cwd=proj)
    assert proc.returncode == 0, proc.stderr
    page.write_text("# 列名\n\n```chart\ndata: ../case_studies/luckin/orders.csv\ntype: bar\nx: 下单渠\ny: gmv\n```\n",
                    encoding="utf-8")
    proc = run_studio("build", cwd=proj)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "content/examples.md:6: error: chart block: unknown column '下单渠'" in proc.stderr
    assert "did you mean" in proc.stderr
