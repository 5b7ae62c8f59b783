"""Malformed input of every kind: exit 1, a ``file:line`` message, and no traceback.

Each case is one line of ``CASES``: an id, the files to write into a small project, and
the fragment the report must contain. Both ``studio check`` and ``studio build`` run on
every case (in-process, so the suite stays fast).
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli import main

PERSONA = """---
type: persona
name: 福利官小鹿
role: sales
channels: [企业微信, 朋友圈]
life_tags: [咖啡]
work_tags: [门店]
tone: 亲切
post_mix: {生活: 30, 工作: 20, 促销: 30, 互动: 20}
owner: 运营组
---
# 小鹿
"""
TEARDOWN = """---
type: teardown
brand: 某品牌
brand_en: Brand
industry: 咖啡
ticket: low
frequency: high
touchpoints: [社群]
funnel: {引流: a, 承接: b, 转化: c, 复购: d}
---
# 拆解
"""
ORDERS = "客户ID,下单时间,实付金额\nc1,2024-05-01,10\nc2,2024-05-02,12\n"


def persona(**changes: str) -> str:
    text = PERSONA
    for old, new in changes.items():
        text = text.replace(old, new, 1)
    return text


def page(block: str, first: str = "# 页\n\n") -> str:
    return first + block.strip("\n") + "\n"


# (id, files to write, fragment the report must contain)
CASES: list[tuple[str, dict[str, str | bytes], str]] = [
    # Front matter ----------------------------------------------------------------------------
    ("fm-unclosed-list", {"content/p.md": "---\ntitle: [未闭合\n---\n# x\n"}, "content/p.md:2"),
    ("fm-bad-indent", {"content/p.md": "---\ntitle: x\n  tags: [a]\n---\n# x\n"}, "content/p.md:3"),
    ("fm-tab-indent", {"content/p.md": "---\ntags:\n\t- a\n---\n# x\n"}, "content/p.md:3"),
    ("fm-not-a-mapping", {"content/p.md": "---\n- a\n- b\n---\n# x\n"}, "content/p.md:2"),
    ("fm-colon-in-value", {"content/p.md": "---\ntitle: 标题: 副标题\n---\n"}, "content/p.md:2"),
    ("fm-impossible-date", {"content/personas/a.md": persona(**{"owner: 运营组": "owner: 运营组\nupdated: 2024-02-30"})},
     "content/personas/a.md:11"),
    ("fm-python-tag", {"content/p.md": "---\ntitle: !!python/object/apply:os.system [ls]\n---\n"}, "content/p.md:2"),
    ("fm-control-char", {"content/p.md": "---\ntitle: a\x07b\n---\n"}, "content/p.md:2"),
    ("fm-never-closed", {"content/p.md": "---\ntitle: x\n# 标题\n正文: [\n"}, "content/p.md:"),
    ("fm-not-utf8", {"content/p.md": "---\ntitle: 标题\n---\n".encode("gbk")}, "content/p.md:2"),
    ("fm-unknown-type", {"content/p.md": "---\ntype: persnoa\n---\n"}, "content/p.md:2"),
    ("persona-missing-name", {"content/personas/a.md": persona(**{"name: 福利官小鹿\n": ""})}, "content/personas/a.md:2"),
    ("persona-mix-not-100", {"content/personas/a.md": persona(**{"互动: 20": "互动: 25"})}, "content/personas/a.md:9"),
    ("persona-bad-channel", {"content/personas/a.md": persona(**{"[企业微信, 朋友圈]": "[企业微信, 脉脉]"})},
     "content/personas/a.md:5"),
    ("persona-bad-role", {"content/personas/a.md": persona(**{"role: sales": "role: boss"})}, "content/personas/a.md:4"),
    ("persona-too-many-posts", {"content/personas/a.md": persona(**{"owner: 运营组": "owner: 运营组\ndaily_posts: 100"})},
     "content/personas/a.md:11"),
    ("teardown-bad-level", {"case_studies/b/index.md": TEARDOWN.replace("ticket: low", "ticket: medium")},
     "case_studies/b/index.md:6"),
    ("teardown-funnel-stage", {"case_studies/b/index.md": TEARDOWN.replace(", 复购: d", "")},
     "case_studies/b/index.md:9"),
    ("pii-rules-invalid", {"content/p.md": "---\npii:\n  mask: 手机号\n  hide: [x]\n---\n"}, "content/p.md:4"),
    # Blocks -----------------------------------------------------------------------------------
    ("block-invalid-yaml", {"content/p.md": page("```teardown\nteardown: [b\n```")}, "content/p.md:4"),
    ("block-not-mapping", {"content/p.md": page("```teardown\n- b\n```")}, "content/p.md:3"),
    ("block-control-char", {"content/p.md": page("```persona\npersona: a\x00\n```")}, "content/p.md:4"),
    ("block-unknown-key", {"content/p.md": page("```teardown\nteardown: b\ncolour: red\n```"),
                           "case_studies/b/index.md": TEARDOWN}, "content/p.md:5"),
    ("block-unknown-slug", {"content/p.md": page("```persona\npersona: nobody\n```")}, "content/p.md:4"),
    ("block-impossible-date", {"content/p.md": page("```kpi\ndata: o.csv\nperiod: 2024-13-01\n```"),
                               "content/o.csv": ORDERS}, "content/p.md:"),
    ("chart-missing-file", {"content/p.md": page("```chart\ndata: nope.csv\ntype: bar\ny: amount\n```")},
     "content/p.md:"),
    ("chart-unknown-column", {"content/p.md": page("```chart\ndata: o.csv\ntype: bar\ny: amuont\n```"),
                              "content/o.csv": ORDERS}, "content/p.md:"),
    ("chart-unknown-agg", {"content/p.md": page("```chart\ndata: o.csv\ntype: bar\ny: amount\nagg: median-ish\n```"),
                           "content/o.csv": ORDERS}, "content/p.md:"),
    ("kpi-unknown-metric", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [gvm]\n```"),
                            "content/o.csv": ORDERS}, "content/p.md:"),
    # Data files -------------------------------------------------------------------------------
    ("csv-bad-number", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [gmv]\n```"),
                        "content/o.csv": ORDERS.replace("c2,2024-05-02,12", "c2,2024-05-02,十二")},
     "content/o.csv:3:实付金额"),
    ("csv-bad-date", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [orders]\n```"),
                      "content/o.csv": ORDERS.replace("2024-05-02", "昨天")}, "content/o.csv:3:下单时间"),
    ("csv-missing-column", {"content/p.md": page("```kpi\ndata: o.csv\nkind: orders\nmetrics: [gmv]\n```"),
                            "content/o.csv": "客户ID,下单时间\nc1,2024-05-01\n"}, "content/o.csv:1"),
    ("csv-ragged-row", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [gmv]\n```"),
                        "content/o.csv": ORDERS + "c3,2024-05-03,1,extra,cells\n"}, "content/o.csv:4"),
    ("csv-empty", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [gmv]\n```"), "content/o.csv": ""},
     "content/o.csv:1"),
    ("csv-unclosed-quote", {"content/p.md": page("```kpi\ndata: o.csv\nmetrics: [gmv]\n```"),
                            "content/o.csv": ORDERS + 'c3,"2024-05-03,1\n'}, "content/o.csv:"),
    ("xlsx-not-a-workbook", {"content/p.md": page("```kpi\ndata: o.xlsx\nmetrics: [gmv]\n```"),
                             "content/o.xlsx": b"PK\x03\x04 not really a zip"}, "content/o.xlsx:1"),
    # Personal data ------------------------------------------------------------------------------
    ("pii-page-mobile", {"content/p.md": "# 联系\n\n店长 13812345678\n"}, "content/p.md:3:4"),
    ("pii-front-matter-email", {"content/p.md": "---\ntitle: 作者 wxid_abcd1234\n---\n"}, "content/p.md:2:11"),
    ("pii-data-mobile", {"content/o.csv": "客户ID,手机\nc1,13812345678\n"}, "content/o.csv:2:手机"),
    ("pii-calendar-owner", {"content/calendars/c.csv": "date,channel,title,owner\n2024-05-01,朋友圈,早安,13812345678\n"},
     "content/calendars/c.csv:2:owner"),
    # Courses and calendars ------------------------------------------------------------------------
    ("course-invalid-yaml", {"content/courses/c/course.yml": "title: 课\nlessons: [01.md\n",
                             "content/courses/c/01.md": "---\ntype: lesson\ntitle: 一\n---\n# 一\n"},
     "content/courses/c/course.yml:"),
    ("calendar-yaml-bad-date", {"content/calendars/c.yaml": "title: 日历\nentries:\n  - {date: 2024-02-30, channel: 朋友圈}\n"},
     "content/calendars/c.yaml:3"),
]


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("site_name: t\ndocs_dir: content\nplugins:\n  - studio\n", encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    if not any(k.endswith("index.md") and k.startswith("content/") for k in files):
        (root / "content" / "index.md").write_text("# 首页\n", encoding="utf-8")
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "-f", str(root / "mkdocs.yml")])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("traceback:\n" + "".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("files,expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
@pytest.mark.parametrize("command", ["check", "build"])
def test_malformed_input_gives_exit_1_and_file_line(tmp_path, files, expected, command):
    root = write(tmp_path, files)
    code, out = run(root, command)
    assert code == 1, out
    # The fragment sits in the place of an error line, and that place has a line number.
    places = [line.split(": ")[0] + ":" for line in out.splitlines() if ": error" in line]
    assert any(expected in p and re.search(r"\.\w+:\d+(:|$)", p) for p in places), out
