"""Hostile and broken data: bounded work, numbers that are not numbers, duplicate keys,
refunds, ICS injection and personal data in disguise.

Each case asserts what a user sees: the exit code and a ``path:line[:col]: error:`` message
without a traceback (``studio check``/``studio build`` run as a subprocess), or the values
on the built page. The alias bomb and the million-column CSV also stay within a memory
bound (max RSS of the studio process, measured by a wrapper process of its own).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from conftest import STUDIO, run_studio
from studio.data import kpi
from studio.data.reader import read_table
from studio.features.calendars import ics
from studio.guard import pii

MAX_RSS_MB = 500
from test_malformed import PERSONA, TEARDOWN as BASE_TEARDOWN, write  # noqa: E402  (the same minimal project)

TEARDOWN = BASE_TEARDOWN.replace("---\n# 拆解", "figures:\n  - {label: 私域用户, value: 1800000, unit: 人}\n---\n# 拆解")
ORDERS = "客户ID,下单时间,实付金额\nc1,2024-05-01,10\nc2,2024-05-02,12\n"
KPI_PAGE = "# 页\n\n```kpi\ndata: o.csv\nmetrics: [gmv]\n```\n"
# Valid-looking fakes (checksums computed, none is anyone's).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fake_id(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def fake_card(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if pii.luhn_ok(prefix + d))


def studio(root: Path, command: str = "check", timeout: int = 120) -> tuple[int, str]:
    proc = run_studio(command, cwd=root, timeout=timeout)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    return proc.returncode, out


def errors(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": error" in line]


def assert_error(out: str, place: str, *fragments: str) -> str:
    """An error line starting at ``place`` (``path:line[:col]``) that holds every fragment."""
    for line in errors(out):
        if line.startswith(place + ": error") and all(f in line for f in fragments):
            return line
    raise AssertionError(f"no error at {place} with {fragments}:\n{out}")


MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.monotonic()\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stdout.write(p.stdout + p.stderr)\n"
    "print(f'@@ {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {time.monotonic() - t:.2f}')\n"
    "sys.exit(p.returncode)\n"
)


def measured(root: Path, command: str, timeout: int = 60) -> tuple[int, str, float, float]:
    """Exit code, output, max RSS (MB) and seconds of one studio run, in a process of its own."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, *STUDIO, command], cwd=root, capture_output=True,
                          text=True, timeout=timeout)
    out, _, last = proc.stdout.rstrip().rpartition("\n")
    _, rss_kb, seconds = last.split()
    assert "Traceback" not in out, out
    return proc.returncode, out, int(rss_kb) / 1024, float(seconds)


# 1. Bounded work ---------------------------------------------------------------------------
def alias_bomb(levels: int = 11) -> str:
    """'Billion laughs': 11 levels of 9 aliases each expand to 9^11 values (99 aliases in all)."""
    lines = ["lol0: &lol0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_front_matter_fails_fast_within_memory(tmp_path):
    root = write(tmp_path, {"content/p.md": "---\ntitle: 页\n" + alias_bomb() + "---\n# 页\n"})
    code, out, rss, seconds = measured(root, "build")
    assert code == 1, out
    # placed on the line whose value the aliases blow up (lol5: 9^6 values)
    assert_error(out, "content/p.md:8", "invalid YAML front matter", "aliases (*name) expand this value past 100,000")
    assert rss < MAX_RSS_MB and seconds < 30, (rss, seconds)


def test_too_many_aliases_in_a_calendar_are_refused_at_their_line(tmp_path):
    rows = "\n".join(f"  - {{<<: *row, date: 2026-11-{1 + i % 28:02d}, title: t{i}}}" for i in range(1002))
    text = "title: 日历\nbase: &row {channel: 朋友圈}\nentries:\n" + rows + "\n"
    root = write(tmp_path, {"content/calendars/c.yaml": text})
    code, out = studio(root)
    assert code == 1
    # the 1,001st alias is on line 3 + 1001
    assert_error(out, "content/calendars/c.yaml:1004", "more than 1,000 aliases")


def test_alias_inside_its_own_anchor_is_an_error_not_a_hang(tmp_path):
    root = write(tmp_path, {"content/p.md": "# 页\n\n```kpi\ndata: &a [o.csv, *a]\nmetrics: [gmv]\n```\n",
                            "content/o.csv": ORDERS})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/p.md:4", "contain itself")


def test_front_matter_over_two_megabytes_is_refused(tmp_path):
    big = "---\ntitle: 页\ntags:\n" + "  - 标签标签标签标签\n" * 120_000 + "---\n# 页\n"
    root = write(tmp_path, {"content/p.md": big})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/p.md:2", "Studio reads at most 2 MB of YAML")


def test_calendar_yaml_over_two_megabytes_is_refused_before_it_is_parsed(tmp_path):
    row = "  - {date: 2026-11-02, channel: 朋友圈, title: 晨跑打卡晨跑打卡}\n"
    root = write(tmp_path, {"content/calendars/big.yaml": "title: 大\nentries:\n" + row * 40_000})
    start = time.monotonic()
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/calendars/big.yaml:1", "calendar YAML is", "at most 2 MB")
    assert time.monotonic() - start < 30


def test_million_column_csv_fails_at_its_header_within_memory(tmp_path):
    n = 1_000_000
    wide = ",".join(f"c{i}" for i in range(n)) + "\n" + ",".join(["1"] * n) + "\n"
    root = write(tmp_path, {"content/p.md": "# 页\n\n```chart\ndata: wide.csv\ntype: bar\nx: c0\ny: c1\n```\n",
                            "content/wide.csv": wide})
    code, out, rss, seconds = measured(root, "build")
    assert code == 1, out
    assert_error(out, "content/wide.csv:1", "file has 1,000,000 columns; Studio reads at most 2,000")
    assert rss < MAX_RSS_MB and seconds < 30, (rss, seconds)


def test_wide_csv_below_a_title_row_names_the_header_line(tmp_path):
    wide = "客户数据导出\n" + ",".join(f"列{i}" for i in range(2_500)) + "\n" + ",".join(["1"] * 2_500) + "\n"
    root = write(tmp_path, {"content/p.md": "# 页\n\n```chart\ndata: wide.csv\ntype: bar\nx: 列0\ny: 列1\n```\n",
                            "content/wide.csv": wide})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/wide.csv:2", "file has 2,500 columns")


def test_excel_sheet_with_too_many_columns_is_refused(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([f"c{i}" for i in range(2_100)])
    sheet.append(list(range(2_100)))
    root = write(tmp_path, {"content/p.md": "# 页\n\n```chart\ndata: wide.xlsx\ntype: bar\nx: c0\ny: c1\n```\n"})
    book.save(root / "content" / "wide.xlsx")
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/wide.xlsx:1", "file has 2,100 columns; Studio reads at most 2,000")


# 2. Numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize("cell,message", [
    ("1e999", "'1e999' is not a finite number"),
    ("-1e999", "'-1e999' is not a finite number"),
    ("inf", "'inf' is not a finite number"),
    ("1e20", "'1e20' is out of range"),
    ("¥1.2e17", "is out of range"),
])
def test_number_out_of_range_is_an_error_at_its_cell(tmp_path, cell, message):
    root = write(tmp_path, {"content/p.md": KPI_PAGE, "content/o.csv": ORDERS.replace(",12\n", f",{cell}\n")})
    code, out = studio(root, "build")
    assert code == 1
    assert_error(out, "content/o.csv:3:实付金额", message)
    assert "OverflowError" not in out


def test_huge_count_is_an_error_not_an_int64_overflow(tmp_path):
    data = "客户ID,下单时间,实付金额,数量\nc1,2024-05-01,10,1\nc2,2024-05-02,12,1e30\n"
    root = write(tmp_path, {"content/p.md": KPI_PAGE, "content/o.csv": data})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/o.csv:3:数量", "'1e30' is out of range")


def test_infinite_number_in_a_generic_table_is_an_error_at_its_cell(tmp_path):
    data = "门店,销量\n北京,10\n上海,1e999\n"
    root = write(tmp_path, {"content/p.md": "# 页\n\n```chart\ndata: t.csv\ntype: bar\nx: 门店\ny: 销量\n```\n",
                            "content/t.csv": data})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/t.csv:3:销量", "'1e999' is not a finite number")


def test_eighteen_digit_ids_in_a_generic_table_stay_text(tmp_path):
    (tmp_path / "t.csv").write_text("编号,销量\n202405011230450001,1\n202405011230450002,2\n", encoding="utf-8")
    table = read_table(tmp_path / "t.csv")
    assert table.frame["编号"].tolist() == ["202405011230450001", "202405011230450002"]  # no digit lost


@pytest.mark.parametrize("value", ["1.0e+999", ".inf", "-.inf", ".nan"])
def test_non_finite_teardown_figure_names_its_line(tmp_path, value):
    text = TEARDOWN.replace("value: 1800000", f"value: {value}")
    root = write(tmp_path, {"case_studies/b/index.md": text})
    code, out = studio(root, "build")
    assert code == 1
    assert_error(out, "case_studies/b/index.md:11", "is not a finite number")


def test_non_finite_teardown_figure_written_as_text_names_its_line(tmp_path):
    root = write(tmp_path, {"case_studies/b/index.md": TEARDOWN.replace("value: 1800000", "value: 1e999")})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "case_studies/b/index.md:11", "figures.0.value", "'1e999' is not a finite number")


def test_duplicate_key_in_front_matter_names_both_lines(tmp_path):
    root = write(tmp_path, {"content/personas/a.md": PERSONA.replace("role: sales\n", "role: sales\nrole: expert\n")})
    code, out = studio(root, "build")
    assert code == 1
    assert_error(out, "content/personas/a.md:5", "duplicate key 'role' (first at line 4)")


def test_duplicate_key_in_calendar_yaml_names_both_lines(tmp_path):
    text = ("title: 日历\nentries:\n  - date: 2026-11-02\n    channel: 朋友圈\n    title: 早安\n"
            "    channel: 社群\n")
    root = write(tmp_path, {"content/calendars/c.yaml": text})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/calendars/c.yaml:6", "duplicate key 'channel' (first at line 4)")


def test_duplicate_key_in_a_block_names_both_lines(tmp_path):
    root = write(tmp_path, {"content/p.md": "# 页\n\n```kpi\ndata: o.csv\nmetrics: [gmv]\ndata: p.csv\n```\n",
                            "content/o.csv": ORDERS})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/p.md:6", "duplicate key 'data' (first 2 lines above)")


BLANK_TIMES = "客户ID,下单时间,实付金额\nc1,2024-05-01,10\nc2,,12\nc3,2024-06-01,5\nc4,,7\n"


def test_blank_order_times_give_one_warning_and_leave_period_kpis(tmp_path):
    (tmp_path / "o.csv").write_text(BLANK_TIMES, encoding="utf-8")
    table = read_table(tmp_path / "o.csv")
    assert [w.format().splitlines()[0] for w in table.warnings] == [
        f"{tmp_path / 'o.csv'}:3:下单时间: warning: 2 rows have no 下单时间 (first at line 3); "
        "left out of KPIs by day, week or month, cohorts and LTV"]
    assert kpi.gmv(table.frame) == 34  # the whole file counts them
    monthly = kpi.series(table.frame, kpi.gmv, "M")
    assert monthly["value"].tolist() == [10, 5]  # periods cannot place them
    assert int(kpi.cohort_retention(table.frame)["size"].sum()) == 2


def test_blank_order_times_warning_reaches_the_user(tmp_path):
    root = write(tmp_path, {"content/p.md": KPI_PAGE, "content/o.csv": BLANK_TIMES})
    code, out = studio(root)
    assert code == 0
    assert [w for w in out.splitlines() if "rows have no 下单时间" in w] == [
        "content/o.csv:3:下单时间: warning: 2 rows have no 下单时间 (first at line 3); "
        "left out of KPIs by day, week or month, cohorts and LTV"]


REFUNDS = pd.DataFrame({
    "customer_id": pd.Categorical(["a", "a", "b", "b", "c", "d"]),
    "order_time": pd.to_datetime(["2024-05-01", "2024-05-03", "2024-05-02", "2024-06-02", "2024-05-04",
                                  "2024-05-05"]),
    "amount": [100.0, -30.0, 50.0, 20.0, 40.0, 60.0],
    "status": pd.Categorical(["已完成", "退款", "已完成", "已完成", "已退款", "交易成功"]),
})


def test_refunds_are_netted_from_gmv_and_are_no_orders_buyers_or_repurchases():
    f = REFUNDS  # a: order + refund; b: two orders; c: refunded (status); d: one order
    assert kpi.refunds(f).tolist() == [False, True, False, False, True, False]
    assert kpi.gmv(f) == 100 - 30 + 50 + 20 - 40 + 60
    assert kpi.orders(f) == 4
    assert kpi.buyers(f) == 3  # c has only a refund
    assert kpi.repurchase_rate(f) == pytest.approx(1 / 3)  # b; a's refund is no second order
    assert kpi.purchase_frequency(f) == pytest.approx(4 / 3)
    assert kpi.aov(f) == pytest.approx(160 / 4)
    assert kpi.gmv_per_buyer(f) == pytest.approx(160 / 3)
    retention = kpi.cohort_retention(f)
    assert retention["size"].tolist() == [3] and retention[1].tolist() == [pytest.approx(1 / 3)]
    ltv = kpi.cohort_ltv(f)
    assert ltv.loc[pd.Timestamp("2024-05-01"), 0] == pytest.approx((100 - 30 + 50 + 60) / 3)
    assert ltv.loc[pd.Timestamp("2024-05-01"), 1] == pytest.approx((100 - 30 + 50 + 60 + 20) / 3)


def test_refunds_on_the_built_page_and_their_formulas(tmp_path):
    data = ("订单号,客户ID,下单时间,实付金额,订单状态\n1,a,2024-05-01,100,已完成\n2,a,2024-05-03,-30,退款\n"
            "3,b,2024-05-02,50,已完成\n4,c,2024-05-04,40,refund\n")
    page = "# 页\n\n```kpi\ndata: o.csv\nmetrics: [gmv, orders, buyers, aov]\nperiod: all\n```\n"
    root = write(tmp_path, {"content/p.md": page, "content/o.csv": data})
    code, out = studio(root, "build")
    assert code == 0, out
    html = (root / "site" / "p" / "index.html").read_text(encoding="utf-8")
    values = dict(re.findall(r'data-metric="(\w+)" data-value="([^"]*)"', html))
    assert values == {"gmv": "80.0", "orders": "2.0", "buyers": "2.0", "aov": "40.0"}
    metrics = next((root / "site").rglob("metrics/index.html")).read_text(encoding="utf-8")
    assert "GMV = Σ 实付金额 − Σ 退款金额" in metrics and "退款行" in metrics


# 3. ICS ------------------------------------------------------------------------------------
def test_calendar_with_crlf_link_and_multiline_description_builds_a_valid_feed(tmp_path):
    csv_rows = ('date,channel,title,link\n2026-11-02,朋友圈,早安,"https://evil.example/a\r\nX-INJECTED:1"\n'
                '2026-11-03,社群,"标题\r\n第二行;逗号,分号",https://ok.example/p?a=1,2\n')
    yaml_text = ("title: 十一月\ndescription: |\n  第一行\n  第二行\r\n  BEGIN:VEVENT\ndata: rows.csv\n")
    root = write(tmp_path, {"content/calendars/c.yaml": yaml_text,
                            "content/calendars/rows.csv": csv_rows.replace("https://ok.example/p?a=1,2",
                                                                           '"https://ok.example/p?a=1,2"').encode()})
    code, out = studio(root, "build")
    assert code == 0, out
    data = (root / "site" / "calendars" / "ics" / "c.ics").read_bytes()
    assert b"\r\nX-INJECTED" not in data and data.split(b"\r\n").count(b"BEGIN:VEVENT") == 2
    for line in data.split(b"\r\n"):  # no bare CR/LF, no control character, folded at 75 octets
        assert b"\n" not in line and b"\r" not in line and len(line) <= 75
        assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", line)
    cal = icalendar.Calendar.from_ical(data)
    assert "X-WR-CALDESC:第一行\\n第二行\\nBEGIN:VEVENT\r\n".encode() in data  # three lines, escaped
    evs = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(evs) == {"朋友圈｜早安", "社群｜标题 第二行;逗号,分号"}
    assert "url" not in evs["朋友圈｜早安"]  # a link with CR/LF is not a URL
    assert "链接：https://evil.example/a X-INJECTED:1" in str(evs["朋友圈｜早安"]["description"])
    assert str(evs["社群｜标题 第二行;逗号,分号"]["url"]) == "https://ok.example/p?a=1,2"


def test_ics_text_and_url_refuse_control_characters():
    assert ics.text("a\x00b\x07c\u202ed\r\ne\u2028f") == "abcd\ne\nf"
    assert ics.text("a\r\nb\rc", one_line=True) == "a b c"
    assert ics.text("x" * 5000).endswith("…") and len(ics.text("x" * 5000)) == ics.MAX_TEXT
    for link in ("https://a.example/x\r\nX-EVIL:1", "https://a.example/x y", "javascript:alert(1)",
                 "www.example.com", "https://"):
        assert ics.url(link) is None, link
    assert ics.url(" https://a.example/x?y=1;z ") == "https://a.example/x?y=1;z"
    event = icalendar.Event()
    event.add("summary", ics.text("a;b,c\\d"))
    assert b"SUMMARY:a\\;b\\,c\\\\d" in event.to_ical()


# 4. Personal data --------------------------------------------------------------------------
def test_full_width_mobile_in_a_page_is_found_at_its_column(tmp_path):
    root = write(tmp_path, {"content/p.md": "# 联系\n\n店长：１３８１２３４５６７８\n"})
    code, out = studio(root)
    assert code == 1
    line = assert_error(out, "content/p.md:3:4", "mobile number", "138****5678")
    assert "１３８" not in out and "5678" not in line.replace("138****5678", "")


@pytest.mark.parametrize("written", ["138 1234 5678", "138-1234-5678", "138.1234.5678", "１３８１２３４５６７８",
                                     "１３８－１２３４－５６７８"])
def test_mobile_numbers_with_separators_or_full_width_digits_are_found_in_data(tmp_path, written):
    root = write(tmp_path, {"content/o.csv": f"客户ID,备注\nc1,请联系 {written} 取件\n"})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/o.csv:2:备注", "mobile number", "first 138****5678")


def test_mobile_numbers_as_headers_of_a_wide_export_are_found_at_the_header_line(tmp_path):
    data = "统计项,13812345678,13912345678,１３７１２３４５６７８\n下单次数,3,1,2\n"
    root = write(tmp_path, {"content/data/wide.csv": data})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/data/wide.csv:1:2", "mobile number", "in the header row: 3 header(s)",
                 "first 138****5678")
    assert "13812345678" not in out


def test_wide_export_too_wide_for_a_grid_is_still_scanned(tmp_path):
    header = ",".join(["统计项"] + [f"1381234{i:04d}" for i in range(3_000)])
    root = write(tmp_path, {"content/data/wide.csv": header + "\n" + ",".join(["1"] * 3_001) + "\n"})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/data/wide.csv:1:5", "mobile number", "138****0000")


def test_order_numbers_timestamps_and_prices_are_not_personal_data(tmp_path):
    order_no = fake_id("11010519900307123")  # an 18-digit 订单号 whose checksum passes as a resident ID
    assert pii.find(order_no)[0].kind == "id_card"
    txn = fake_card("622202000000000000")
    data = ("订单号,交易单号,流水号,客户ID,下单时间,支付时间,实付金额,单价\n"
            f"{order_no},{txn},13812345678,c1,1714537845000,20240501123045,13812345678.00,13912345678\n")
    root = write(tmp_path, {"content/o.csv": data,
                            "content/p.md": "# 页\n\n```kpi\ndata: o.csv\nmetrics: [orders]\nperiod: all\n```\n"})
    code, out = studio(root, "build")
    assert code == 0, out
    assert "[pii]" not in out


def test_a_mobile_column_is_still_scanned_whatever_else_its_header_says(tmp_path):
    data = "订单号,下单手机号,客户ID\n1001,13812345678,c1\n"
    root = write(tmp_path, {"content/o.csv": data})
    code, out = studio(root)
    assert code == 1
    assert_error(out, "content/o.csv:2:下单手机号", "mobile number")
    assert pii.find("订单号 13812345678")  # outside a table, the text itself still counts


def test_full_width_offsets_and_masks_are_those_of_the_original_text():
    text = "ａｂ电话１３８ １２３４ ５６７８。"
    [f] = pii.find(text)
    assert (f.kind, text[f.start:f.end], f.masked) == ("mobile", "１３８ １２３４ ５６７８", "138****5678")
    assert pii.redact(text) == "ａｂ电话138****5678。"
    assert pii.allowed(f, ["13812345678"])


def test_dates_and_times_are_placed_by_the_reader_not_mistaken_for_ids(tmp_path):
    (tmp_path / "o.csv").write_text("客户ID,下单时间,实付金额\nc1,1714537845000,10\n", encoding="utf-8")
    table = read_table(tmp_path / "o.csv")
    assert table.frame["order_time"].iloc[0] == pd.Timestamp("2024-05-01 12:30:45")
    assert table.warnings == []
    assert dt.date(2024, 5, 1) == table.frame["order_time"].iloc[0].date()
