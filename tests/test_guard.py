"""The PII guard over a project: pages and data files, masked reports, mask/drop/allow.

Every project here is a small temporary one written by the test; fake personal data
never lives in content/.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run_studio
from studio.cli import main
from studio.config import StudioConfig
from studio.features.builtin import load_project
from test_pii import fake_card, fake_id

MOBILE = "13812345678"
MOBILE2 = "13998765432"


def write(root: Path, files: dict[str, str | bytes], options: str = "") -> Path:
    """A minimal project: mkdocs.yml with the studio plugin (``options`` indented below it)."""
    root.mkdir(parents=True, exist_ok=True)
    plugin = "  - studio" + (":\n" + textwrap.indent(textwrap.dedent(options).strip("\n"), "      ") if options else "")
    (root / "mkdocs.yml").write_text(f"site_name: t\ndocs_dir: content\nplugins:\n{plugin}\n", encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data).lstrip("\n"), encoding="utf-8")
    return root


def check(root: Path):
    result = CliRunner().invoke(main, ["check", "-f", str(root / "mkdocs.yml")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


ORDERS = f"客户ID,下单时间,实付金额,手机号,收货人\nc1,2024-05-01,10,{MOBILE},张三\nc2,2024-05-02,12,{MOBILE2},李四\n"


def test_page_finding_names_file_line_column_and_is_masked(tmp_path):
    root = write(tmp_path, {"content/index.md": f"""
        # 首页

        门店福利官电话：{MOBILE}，欢迎咨询。
        """})
    code, out = check(root)
    assert code == 1
    assert "content/index.md:3:9: error [pii]: mobile number" in out
    assert "138****5678" in out and MOBILE not in out
    assert "pii: {allow:" in out  # says how to fix it


@pytest.mark.parametrize("value,kind", [
    (MOBILE, "mobile number"), (fake_id(), "resident ID number"), (fake_card(), "bank card number"),
    ("wxid_q1w2e3r4t5", "WeChat ID"),
])
def test_every_kind_fails_the_build_from_a_page_and_never_prints_in_full(tmp_path, value, kind):
    root = write(tmp_path, {"content/index.md": f"# 客户\n\n资料：{value}\n"})
    proc = run_studio("build", cwd=root)
    assert proc.returncode == 1
    assert f"content/index.md:3:4: error [pii]: {kind}" in proc.stderr
    assert value not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr
    assert not (root / "site").exists()  # nothing was published


def test_email_in_pages_is_off_by_default_and_can_be_turned_on(tmp_path):
    files = {"content/index.md": "# 联系\n\n运营组邮箱 ops.team@example.com\n"}
    assert check(write(tmp_path / "a", files))[0] == 0
    code, out = check(write(tmp_path / "b", files, "pii: {page_email: true}"))
    assert code == 1 and "content/index.md:3:7: error [pii]: e-mail address" in out
    assert "o***@example.com" in out


def test_data_file_finding_names_line_and_column_header(tmp_path):
    root = write(tmp_path, {"content/index.md": "# 首页\n", "content/data/orders.csv": ORDERS})
    code, out = check(root)
    assert code == 1
    assert "content/data/orders.csv:2:手机号: error [pii]: mobile number (手机号) in column '手机号': 2 value(s), first 138****5678" in out
    assert "content/data/orders.csv:2:收货人: error [pii]: personal name" in out
    assert "pii: {mask: [手机号]}" in out and "pii: {drop: [手机号]}" in out
    assert MOBILE not in out and MOBILE2 not in out and "张三" not in out


def test_data_email_and_gbk_and_tsv(tmp_path):
    root = write(tmp_path, {
        "content/data/a.csv": "客户ID,邮箱\nc1,li.si@example.com\n".encode("gbk"),
        "content/data/b.tsv": f"id\tcard\tnote\n1\t{fake_card()}\tx\n",
    })
    code, out = check(root)
    assert code == 1
    assert "content/data/a.csv:2:邮箱: error [pii]: e-mail address" in out
    assert "content/data/b.tsv:2:card: error [pii]: bank card number" in out


def test_xlsx_cells_are_scanned_as_written(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    root = write(tmp_path, {"content/index.md": "# x\n"})
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["客户ID", "身份证"])
    ws.append(["c1", fake_id()])
    ws.append(["c2", int(MOBILE)])  # a number cell, as Excel stores phone numbers
    (root / "content/data").mkdir()
    book.save(root / "content/data/members.xlsx")
    code, out = check(root)
    assert "content/data/members.xlsx:2:身份证: error [pii]: resident ID number" in out
    assert "content/data/members.xlsx:3:身份证: error [pii]: mobile number" in out


def test_order_numbers_dates_and_prices_in_data_do_not_fire(tmp_path):
    cards = [fake_card(f"62220200000000{i:04d}") for i in range(1, 6)]  # Luhn-valid, but order numbers
    rows = "\n".join(f"{c},2024050{i}1234567890,2024-05-0{i},1714{i}92800,\"¥13,81{i}.00\"" for i, c in enumerate(cards, 1))
    root = write(tmp_path, {"content/data/orders.csv": "订单号,交易单号,日期,stat_time,金额\n" + rows + "\n"})
    assert check(root) == (0, "studio: ok (0 errors, 0 warnings, 0 playbook findings)\n")


def test_columns_declared_mask_in_the_page_pass_and_reach_blocks_masked(tmp_path):
    root = write(tmp_path, {
        "content/index.md": """
            ---
            datasets: [data/orders.csv]
            pii:
              mask: [手机号]
              drop: [收货人]
            ---
            # 订单
            """,
        "content/data/orders.csv": ORDERS,
    })
    assert check(root)[0] == 0
    project = load_project(StudioConfig(root=root))
    table = project.data.read(root / "content/data/orders.csv")  # what every block reads
    assert "收货人" not in table.frame.columns and "收货人" not in table.headers.values()
    assert list(table.frame["手机号"]) == ["138****5678", "139****5432"]
    assert list(table.frame["customer_id"]) == ["c1", "c2"]  # undeclared columns untouched


def test_masked_values_stay_distinct_so_counts_do_not_change(tmp_path):
    csv = "客户ID,下单时间,实付金额\n13812345678,2024-05-01,1\n13899995678,2024-05-02,2\n13812345678,2024-05-03,3\n"
    root = write(tmp_path, {"content/data/orders.csv": csv}, "pii: {mask: [customer_id]}")
    assert check(root)[0] == 0
    project = load_project(StudioConfig(root=root, pii={"mask": ["customer_id"]}))
    ids = project.data.read(root / "content/data/orders.csv").frame["customer_id"]
    assert ids.nunique() == 2 and ids.iloc[0] == ids.iloc[2] == "138****5678"
    assert ids.iloc[1].startswith("138****5678·")


def test_columns_declared_drop_in_plugin_options_pass(tmp_path):
    root = write(tmp_path, {"content/data/orders.csv": ORDERS}, "pii: {drop: [手机号, 收货人]}")
    assert check(root)[0] == 0


def test_a_public_hotline_can_be_allowed(tmp_path):
    files = {"content/index.md": "# 服务\n\n品牌客服：138 1234 5678（工作日）\n"}
    assert check(write(tmp_path / "a", files))[0] == 1
    assert check(write(tmp_path / "b", files, 'pii: {allow: ["+86-138-1234-5678"]}'))[0] == 0
    page_allow = {"content/index.md": "---\npii: {allow: ['13812345678']}\n---\n# 服务\n\n品牌客服：138 1234 5678\n"}
    assert check(write(tmp_path / "c", page_allow))[0] == 0


def test_mistyped_declared_column_gets_a_warning_with_did_you_mean(tmp_path):
    root = write(tmp_path, {
        "content/index.md": "---\ndatasets: [data/orders.csv]\npii:\n  mask: [手机]\n  drop: [收货人]\n---\n# x\n",
        "content/data/orders.csv": ORDERS,
    })
    code, out = check(root)
    assert "content/index.md:4: warning: pii.mask: no column '手机'" in out
    assert "did you mean '手机号'" in out


def test_invalid_pii_front_matter_names_its_line(tmp_path):
    root = write(tmp_path, {"content/index.md": "---\ntitle: x\npii:\n  hide: [手机号]\n---\n# x\n"})
    code, out = check(root)
    assert code == 1 and "content/index.md:4: error: pii.hide: unknown key" in out


def test_severity_warning_reports_without_failing(tmp_path):
    root = write(tmp_path, {"content/index.md": f"# x\n\n{MOBILE}\n"}, "pii: {severity: warning}")
    code, out = check(root)
    assert code == 0 and "warning [pii]" in out


def test_unknown_pii_option_is_an_error(tmp_path):
    root = write(tmp_path, {"content/index.md": "# x\n"}, "pii: {alow: [x]}")
    code, out = check(root)
    assert code == 1 and "plugins.studio.pii.alow" in out


def test_sample_site_builds_with_the_guard_on(built_project):
    # The session build is strict: reaching here means no finding in the sample content.
    assert (built_project / "site" / "index.html").is_file()


def test_long_lists_are_capped_and_still_name_a_line(tmp_path):
    page = "# 名单\n\n" + "\n".join(f"- 客户 1381234{i:04d}" for i in range(30)) + "\n"
    root = write(tmp_path, {"content/index.md": page}, "pii: {max_per_file: 5}")
    code, out = check(root)
    assert out.count("error [pii]: mobile number") == 5
    assert "content/index.md:8: error [pii]: and 25 more piece(s) of personal information from here on" in out


def test_name_and_wechat_columns_count_only_values_that_look_like_one(tmp_path):
    csv = "客户ID,微信,昵称,备注\nc1,是,-,a\nc2,否,暂无,b\nc3,,男,c\n"
    assert check(write(tmp_path / "a", {"content/data/c.csv": csv}))[0] == 0
    code, out = check(write(tmp_path / "b", {"content/data/c.csv": csv + "c4,lucky_2024,小王,d\n"}))
    assert "content/data/c.csv:5:微信: error [pii]: WeChat ID (微信号) in column '微信': 1 value(s), first lu****24" in out
    assert "content/data/c.csv:5:昵称: error [pii]: personal name" in out and "小王" not in out
