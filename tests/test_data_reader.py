"""Reading exports as teams get them: encodings, separators, headers, numbers, dates, blanks."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from studio.data.kinds import BUILTIN_KINDS, Column, Kind
from studio.data.reader import read_table
from studio.errors import StudioError

ORDERS_ZH = "客户ID,下单时间,实付金额\nc1,2024-05-01,35\nc2,2024-05-02,20\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# Encodings and separators ----------------------------------------------------------------------
@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("utf-16", "utf-16"),
])
def test_encodings_are_detected(tmp_path, encoding, expected):
    table = read_table(write(tmp_path, "o.csv", ORDERS_ZH, encoding))
    assert table.encoding == expected
    assert table.kind == "orders"
    assert list(table.frame["customer_id"]) == ["c1", "c2"]
    assert table.headers["customer_id"] == "客户ID"  # no BOM left in the header


def test_gb18030_only_characters(tmp_path):
    text = "客户ID,下单时间,实付金额,渠道\nc1,2024-05-01,35,𠀀店\n"  # U+20000 is not in GBK
    table = read_table(write(tmp_path, "o.csv", text, "gb18030"))
    assert table.encoding == "gb18030"
    assert table.frame["channel"].iloc[0] == "𠀀店"


def test_tab_separated_with_english_headers(tmp_path):
    text = "customer_id\torder_time\tamount\nc1\t2024-05-01\t35\n"
    table = read_table(write(tmp_path, "o.tsv", text))
    assert table.kind == "orders"
    assert table.frame["amount"].tolist() == [35.0]


def test_tab_separated_txt_is_sniffed(tmp_path):
    table = read_table(write(tmp_path, "o.csv", "客户ID\t下单时间\t实付金额\nc1\t2024-05-01\t1,234\n"))
    assert table.frame["amount"].tolist() == [1234.0]


def test_unreadable_bytes_name_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("客户ID,下单时间,实付金额\n".encode() + b"c1,2024-05-01,\x81\xff\xfe\n")
    with pytest.raises(StudioError) as err:
        read_table(path)
    assert err.value.line == 2 and "UTF-8" in err.value.hint


# Numbers ----------------------------------------------------------------------------------------
def test_number_formats(tmp_path):
    text = 'customer_id,order_time,amount\na,2024-05-01,"1,234"\nb,2024-05-01,¥1,234.00\nc,2024-05-01,1.2万\n' \
           'd,2024-05-01,￥35.50\ne,2024-05-01,(12)\nf,2024-05-01,2亿\n'
    text = text.replace("¥1,234.00", '"¥1,234.00"')
    table = read_table(write(tmp_path, "o.csv", text))
    assert table.frame["amount"].tolist() == [1234.0, 1234.0, 12000.0, 35.5, -12.0, 2e8]


def test_percent_column_holds_fractions(tmp_path):
    text = "stat_time,new_contact_cnt,chat_cnt,reply_percentage\n2024-05-01,1,2,12.5%\n2024-05-02,1,2,80\n"
    table = read_table(write(tmp_path, "c.csv", text))
    assert table.frame["reply_percentage"].tolist() == [0.125, 0.8]


def test_percent_sign_in_a_money_column_is_an_error(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "o.csv", "客户ID,下单时间,实付金额\nc1,2024-05-01,12%\n"))
    assert (err.value.line, err.value.column) == (2, "实付金额")


def test_blank_cells_are_missing_not_errors(tmp_path):
    # WeCom omits reply figures on days without chats.
    text = ("stat_time,new_contact_cnt,chat_cnt,reply_percentage,avg_reply_time\n"
            "1714492800,3,0,,\n1714579200,4,5,90,2.5\n")
    f = read_table(write(tmp_path, "c.csv", text)).frame
    assert math.isnan(f["reply_percentage"].iloc[0]) and math.isnan(f["avg_reply_time"].iloc[0])
    assert f["reply_percentage"].iloc[1] == 0.9


def test_bad_number_names_file_line_and_column(tmp_path):
    text = "客户ID,下单时间,实付金额\nc1,2024-05-01,35\n\nc2,2024-05-02,三十\n"
    path = write(tmp_path, "o.csv", text)
    with pytest.raises(StudioError) as err:
        read_table(path)
    e = err.value
    assert (Path(e.file), e.line, e.column) == (path, 4, "实付金额")
    assert "三十" in e.message
    assert e.format().startswith(f"{path}:4:实付金额: error:") or ":4:实付金额: error:" in e.format()


def test_count_column_rejects_fractions(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "c.csv", "stat_time,new_contact_cnt,chat_cnt\n2024-05-01,1.5,2\n"))
    assert err.value.column == "new_contact_cnt" and err.value.line == 2


# Dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["2024-05-01", "2024/5/1", "2024年5月1日", "20240501", "1714492800", "2024.5.1"])
def test_date_formats(tmp_path, cell):
    text = f"stat_time,new_contact_cnt,chat_cnt\n{cell},1,1\n"
    f = read_table(write(tmp_path, "c.csv", text)).frame
    assert f["stat_time"].iloc[0] == pd.Timestamp("2024-05-01")


def test_epoch_seconds_are_beijing_days(tmp_path):
    # WeCom stat_time is 0:00 in Beijing: 2024-05-01 00:00 +08:00 = 1714492800.
    f = read_table(write(tmp_path, "c.csv", "stat_time,new_contact_cnt,chat_cnt\n1714492800,1,1\n1714579200,1,1\n")).frame
    assert list(f["stat_time"].dt.strftime("%Y-%m-%d")) == ["2024-05-01", "2024-05-02"]


def test_datetimes_keep_their_time(tmp_path):
    text = "客户ID,下单时间,实付金额\nc1,2024/5/1 8:05,1\nc2,2024年5月1日 14:30:15,1\nc3,2024-05-01T21:00:00,1\n"
    f = read_table(write(tmp_path, "o.csv", text)).frame
    assert [t.strftime("%H:%M") for t in f["order_time"]] == ["08:05", "14:30", "21:00"]


def test_bad_date_names_line_and_column(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "o.csv", "客户ID,下单时间,实付金额\nc1,2024-05-01,1\nc2,下周一,1\n"))
    assert (err.value.line, err.value.column) == (3, "下单时间")


# Headers and kinds ------------------------------------------------------------------------------
@pytest.mark.parametrize("headers,kind", [
    ("客户ID,下单时间,实付金额", "orders"),
    ("openid,支付时间,支付金额", "orders"),
    ("stat_time,new_apply_cnt,new_contact_cnt,chat_cnt,negative_feedback_cnt", "contacts"),
    ("日期,客户群总人数,发过消息的群成员数,客户群消息总数", "groups"),
    ("发布日期,人设,内容类型,点赞数,评论数", "moments"),
    ("环节,人数", "funnel"),
    ("周,目标,实际", None),
])
def test_kind_is_inferred_from_headers(tmp_path, headers, kind):
    n = len(headers.split(","))
    row = {"orders": "c1,2024-05-01,1", "contacts": "2024-05-01,1,1,1,0", "groups": "2024-05-01,10,2,5",
           "moments": "2024-05-01,lucky,生活,3,1", "funnel": "曝光,100", None: "2024-05-01,1,2"}[kind]
    assert len(row.split(",")) == n
    assert read_table(write(tmp_path, "x.csv", f"{headers}\n{row}\n")).kind == kind


def test_units_in_headers_are_ignored(tmp_path):
    table = read_table(write(tmp_path, "o.csv", "客户ID,下单时间,实付金额(元)\nc1,2024-05-01,3\n"))
    assert table.headers["amount"] == "实付金额(元)"


def test_missing_required_column_suggests_the_header(tmp_path):
    path = write(tmp_path, "o.csv", "客户ID,下单时间,实付金颜\nc1,2024-05-01,3\n")
    with pytest.raises(StudioError) as err:
        read_table(path, kind="orders")
    assert err.value.line == 1
    assert "amount" in err.value.message and "did you mean '实付金颜'" in err.value.message


def test_explicit_column_mapping(tmp_path):
    path = write(tmp_path, "o.csv", "买家,时间,钱\nc1,2024-05-01,3\n")
    table = read_table(path, kind="orders", columns={"customer_id": "买家", "order_time": "时间", "amount": "钱"})
    assert table.frame["amount"].tolist() == [3.0]
    assert table.headers["amount"] == "钱"


def test_unknown_kind_is_an_error(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "o.csv", ORDERS_ZH), kind="order")
    assert "did you mean 'orders'" in err.value.message


def test_generic_table_types_inferred_and_declared(tmp_path):
    text = "周,目标,完成率,备注\n2024-05-06,100,95%,ok\n2024-05-13,120,101.5%,\n"
    table = read_table(write(tmp_path, "t.csv", text))
    f = table.frame
    assert table.kind is None
    assert f["周"].dtype.kind == "M" and f["目标"].tolist() == [100, 120]
    assert f["完成率"].tolist() == [0.95, 1.015]
    declared = read_table(write(tmp_path, "t2.csv", "编号,金额\n20240501,1\n"), types={"编号": "str", "金额": "money"})
    assert declared.frame["编号"].tolist() == ["20240501"]


def test_a_kind_passed_to_the_reader_is_used_and_no_other_reader_sees_it(tmp_path):
    visits = Kind("test_visits", label="到店", columns=[
        Column("store", ["门店"], "str", True), Column("visits", ["到店人数"], "int", True)])
    path = write(tmp_path, "v.csv", "门店,到店人数\n国贸店,120\n")
    table = read_table(path, kinds={k.name: k for k in (*BUILTIN_KINDS, visits)})
    assert table.kind == "test_visits" and table.frame["visits"].tolist() == [120]
    assert read_table(path).kind is None  # nothing was registered anywhere


# Rows and lines ---------------------------------------------------------------------------------
def test_title_rows_blank_rows_and_totals_are_skipped_with_lines_kept(tmp_path):
    text = "客户联系数据统计\n\n日期,新增客户数,聊天总数\n2024-05-01,3,4\n\n2024-05-02,5,6\n,,\n合计,8,10\n"
    table = read_table(write(tmp_path, "c.csv", text))
    assert table.header_line == 3
    assert table.lines == [4, 6]
    assert table.frame["new_contact_cnt"].tolist() == [3, 5]
    assert table.notes and "8" in table.notes[0]


def test_quoted_cells_spanning_lines_keep_line_numbers(tmp_path):
    text = 'order_id,customer_id,order_time,amount\n1,"c\n1",2024-05-01,1\n2,c2,2024-05-01,x\n'
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "o.csv", text))
    assert err.value.line == 4


def test_ragged_row_names_its_line(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "o.csv", "客户ID,下单时间,实付金额\nc1,2024-05-01,1\nc2,2024-05-01,1,234\n"))
    assert err.value.line == 3


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(StudioError) as err:
        read_table(tmp_path / "nope.csv")
    assert "not found" in err.value.message
    with pytest.raises(StudioError) as err:
        read_table(write(tmp_path, "empty.csv", ""))
    assert "empty" in err.value.message


def test_header_only_file_is_an_empty_table(tmp_path):
    table = read_table(write(tmp_path, "o.csv", "客户ID,下单时间,实付金额\n"))
    assert table.kind == "orders" and len(table) == 0


# Excel ------------------------------------------------------------------------------------------
def test_xlsx_with_title_row_dates_and_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["朋友圈发布记录"])
    ws.append(["发布日期", "人设", "内容类型", "点赞数", "评论数"])
    ws.append([dt.date(2024, 5, 1), "lucky", "生活", 12, 3])
    ws.append(["2024年5月2日", "lucky", "促销", "1,200", None])
    ws.append([dt.datetime(2024, 5, 3, 9, 0), "lucky", "互动", 5.0, "x"])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    with pytest.raises(StudioError) as err:
        read_table(path)
    assert (err.value.line, err.value.column) == (5, "评论数")  # the sheet's row number
    ws["E5"] = 2
    wb.save(path)
    table = read_table(path)
    assert table.kind == "moments" and table.encoding == "xlsx"
    assert table.lines == [3, 4, 5]
    assert table.frame["likes"].tolist() == [12, 1200, 5]
    assert table.frame["date"].dt.day.tolist() == [1, 2, 3]


def test_sample_files_cover_the_formats():
    root = Path(__file__).resolve().parent.parent
    gbk = read_table(root / "case_studies/luckin/orders.csv")
    assert gbk.encoding == "gbk" and gbk.kind == "orders" and gbk.headers["customer_id"] == "会员ID"
    english = read_table(root / "case_studies/luckin/contacts.csv")
    assert english.encoding == "utf-8" and english.kind == "contacts" and english.headers["stat_time"] == "stat_time"


def test_whitespace_cells_are_blank_and_blank_ids_are_not_buyers(tmp_path):
    text = "客户ID,下单时间,实付金额,数量\nc1,2024-05-01,35, \n,2024-05-02,20,1\n"
    f = read_table(write(tmp_path, "o.csv", text)).frame
    assert math.isnan(f["quantity"].iloc[0])
    assert f["customer_id"].isna().tolist() == [False, True]
    from studio.data import kpi

    assert kpi.BY_NAME["buyers"].fn(f) == 1


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{:,}", "¥{:,}.00", "{}", "￥{:,}", "{:,}元"]))
def test_written_amounts_read_back(tmp_path_factory, n, style):
    path = tmp_path_factory.mktemp("n") / "o.csv"
    path.write_text(f'客户ID,下单时间,实付金额\nc1,2024-05-01,"{style.format(n)}"\n', encoding="utf-8")
    assert read_table(path).frame["amount"].iloc[0] == n
