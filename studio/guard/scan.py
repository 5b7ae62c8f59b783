"""Finding personal information in pages and data files, and masking what pages may show.

Pure functions over text and tables; the project-wide scan that walks every page and data
file is the ``pii`` feature (``studio.features.pii``), and the rules that mask or drop
columns are applied by the project's data door (``studio.core.datafiles``). Values only
ever appear masked.

Authors resolve a finding by removing the value, by declaring a data column ``mask:`` or
``drop:`` (front matter ``pii:`` of the page that uses the file, or the plugin options),
or by allowing a public value (a brand hotline) with ``allow:``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from itertools import accumulate
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from studio.data.kinds import Kind, header_key, strip_unit
from studio.data.reader import read_cells, read_text
from studio.errors import StudioError
from studio.guard import pii
from studio.guard.options import ColumnRules, PiiOptions

if TYPE_CHECKING:
    import pandas as pd

    from studio.data.reader import Table

# Columns that hold a personal name or a custom WeChat ID by their header alone.
NAME_HEADERS = {"姓名", "客户姓名", "真实姓名", "收货人", "收件人", "联系人", "昵称", "客户昵称", "微信昵称",
                "customer_name", "real_name", "receiver", "receiver_name", "nickname"}
WECHAT_HEADERS = {"微信号", "微信id", "微信账号", "wechat", "wechat_id", "wechatid", "wxid", "wx_id", "微信"}
_LABELS = {**pii.LABELS, "name": "personal name (姓名)"}
# Columns whose header says they hold numbers that only look like personal ones: order and
# payment references (an 18-digit 订单号 may pass the resident-ID checksum, a 流水号 Luhn),
# times (epoch ms, 20240501123045) and amounts. No ID, card or mobile number is looked for
# in them...
_NUMBER_HEADER = re.compile(
    r"订单|单号|流水|交易号|order|trade|transaction|txn|serial"
    r"|时间|日期|时刻|时间戳|time|date|stamp|epoch|_at$|^ts$"
    r"|金额|价格|单价|总价|售价|实付|价$|amount|price|gmv|(?<![a-z])(total|cost|fee)(?![a-z])|[(（]元[)）]",
    re.IGNORECASE)
# ...unless the header also names a contact or identity column (下单手机号, 身份证号, card_no).
_PERSONAL_HEADER = re.compile(r"手机|电话|联系方式|身份证|证件|银行卡|卡号|mobile|phone|(?<![a-z])tel(?![a-z])"
                              r"|id_?card|card|bank", re.IGNORECASE)
_NUMBER_KINDS = frozenset({"id_card", "bank_card", "mobile"})

_HINT_PAGE = ("remove it, or write it masked (e.g. 138****5678); a public value such as a brand hotline "
              "can be allowed with 'pii: {allow: [...]}' in the page's front matter or the studio plugin "
              "options (页面不得公开个人信息)")
_HINT_DATA = ("declare the column in the front matter of the page that uses the file, or in the studio "
              "plugin options: 'pii: {{mask: [{col}]}}' shows values masked, 'pii: {{drop: [{col}]}}' "
              "removes the column; public values can be allowed with 'pii: {{allow: [...]}}' "
              "(数据文件中的个人信息须脱敏或删除)")


@dataclass
class Rules:
    """Column rules in force for one data file: the plugin's plus those of pages using it."""

    mask: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)
    allow: list[str] = field(default_factory=list)
    kinds: tuple[Kind, ...] = ()  # the project's dataset kinds: a rule may name a canonical column

    def add(self, rules: ColumnRules) -> None:
        self.mask |= set(rules.mask)
        self.drop |= set(rules.drop)
        self.allow += rules.allow

    def declared(self, header: str, canonical: str | None = None) -> str | None:
        """'mask' or 'drop' when the column (by header or canonical name) is declared."""
        for action, names in (("drop", self.drop), ("mask", self.mask)):
            if any(column_matches(n, header, canonical, self.kinds) for n in names):
                return action
        return None


def column_matches(declared: str, header: str, canonical: str | None = None, kinds: Iterable[Kind] = ()) -> bool:
    """A declared column names a header as written, or its canonical name (customer_id)."""
    key = header_key(declared)
    if key in (header_key(header), header_key(strip_unit(header))) or (canonical and key == header_key(canonical)):
        return True
    for kind in kinds:
        col = kind.column(str(declared))
        if col is not None and header_key(strip_unit(header)) in {header_key(a) for a in col.names()}:
            return True
    return False


def _kinds(options: PiiOptions, email: bool) -> list[str]:
    return [k for k in options.detect if k != "email" or email]


def scan_page(path: Path, allow: Iterable[str], options: PiiOptions, text: str | None = None) -> list[StudioError]:
    """Findings in a Markdown file (front matter included), as ``file:line:column``; ``text``
    is the file's text when the caller has read it already."""
    if text is None:
        try:
            text = _read_text(path)
        except StudioError:
            return []  # the loader already reports unreadable pages
    kinds = _kinds(options, options.page_email)
    return scan_text_lines(path, text, list(allow), kinds, options.max_per_file, "the page")


def scan_text_lines(path: Path, text: str, allow: list[str], kinds: list[str], limit: int,
                    where: str = "a data file") -> list[StudioError]:
    """Findings in text, line by line, as ``file:line:column``; at most ``limit`` listed."""
    problems: list[StudioError] = []
    more, more_line = 0, 0
    for lineno, line in enumerate(text.split("\n"), 1):
        for f in pii.find(line, kinds):
            if pii.allowed(f, allow):
                continue
            if len(problems) >= limit:
                more += 1
                more_line = more_line or lineno
                continue
            problems.append(StudioError(f"{f.label} {f.masked} in {where}", file=path, line=lineno,
                                        column=f.start + 1, hint=_HINT_PAGE, rule="pii"))
    if more:
        problems.append(StudioError(f"and {more} more piece(s) of personal information from here on",
                                    file=path, line=more_line, rule="pii", hint=_HINT_PAGE))
    return problems


def scan_data_file(path: Path, rules: Rules, options: PiiOptions,
                   headers_seen: dict[Path, list[str]] | None = None, max_bytes: int | None = None) -> list[StudioError]:
    """Findings in a data file: one problem per column and kind, at its first line.
    ``max_bytes``: a sample — the first rows — of a file too large to read whole."""
    kinds = _kinds(options, options.data_email)
    try:
        table = read_cells(path, max_bytes)
    except StudioError:
        return []  # unreadable: the reader reports it when a page uses the file
    if table is None:
        try:
            text = _read_text(path)
        except StudioError:
            return []
        return scan_text_lines(path, text, rules.allow, kinds, options.max_per_file)
    headers = table.headers
    if headers_seen is not None:
        headers_seen[path] = headers
    problems: list[StudioError] = []
    lines = table.lines
    for header, values in zip(headers, table.columns):
        if rules.declared(header):
            continue
        first: dict[str, tuple[int, str]] = {}
        counts: dict[str, int] = defaultdict(int)
        special = header_class(header)
        if special in kinds:  # the header says what every value is
            for line, value in zip(lines, values):
                if value and _looks_like(special, value) and value.strip() not in rules.allow:
                    counts[special] += 1
                    if special not in first:
                        first[special] = (line, mask_value(value, special))
        else:
            # One regex pass over the whole column, mapped back to rows: fast on big exports.
            col_kinds = column_kinds(header, kinds)
            text = "\n".join(values)
            if text.count("\n") != len(values) - 1:  # a quoted cell spans lines
                text = "\n".join(v.replace("\n", " ") for v in values)
            starts: list[int] | None = None
            for f in pii.find(text, col_kinds):
                if rules.allow and pii.allowed(f, rules.allow):
                    continue
                counts[f.kind] += 1
                if f.kind not in first:
                    if starts is None:
                        starts = list(accumulate(map(len, values), lambda a, n: a + n + 1, initial=0))
                    first[f.kind] = (lines[bisect_right(starts, f.start) - 1], mask_value(f.value, f.kind))
        for kind, n in counts.items():
            lineno, masked = first[kind]
            problems.append(StudioError(
                f"{_LABELS[kind]} in column '{header}': {n} value(s), first {masked}",
                file=path, line=lineno, column=header, hint=_HINT_DATA.format(col=header), rule="pii"))
    return _scan_headers(path, table.header_line, table.headers, rules, kinds) + problems


_HINT_HEADER = ("a wide export with a column per customer puts personal data in its header row: export one "
                "row per customer instead, or remove those columns (表头中的个人信息也不得发布)")


def _scan_headers(path: Path, line: int, headers: list[str], rules: Rules, kinds: list[str]) -> list[StudioError]:
    """Personal data written as column headers: one problem per kind, at the header line."""
    first: dict[str, tuple[int, str]] = {}
    counts: dict[str, int] = defaultdict(int)
    for j, header in enumerate(headers):
        if rules.declared(header):  # a column dropped or masked: its header goes with it
            continue
        for f in pii.find(header, kinds):
            if rules.allow and pii.allowed(f, rules.allow):
                continue
            counts[f.kind] += 1
            first.setdefault(f.kind, (j + 1, f.masked))
    return [StudioError(f"{_LABELS[kind]} in the header row: {n} header(s), first {masked} (column {column})",
                        file=path, line=line, column=column, hint=_HINT_HEADER, rule="pii")
            for kind, n in counts.items() for column, masked in [first[kind]]]


def column_kinds(header: str, kinds: list[str]) -> list[str]:
    """The kinds looked for in a data column: no ID, card or mobile number in a column of
    order numbers, payment references, times or amounts (by its header)."""
    if _PERSONAL_HEADER.search(header):
        return kinds
    if _NUMBER_HEADER.search(strip_unit(header)) or _NUMBER_HEADER.search(header):
        return [k for k in kinds if k not in _NUMBER_KINDS]
    return kinds


_BLANKS = {"无", "空", "未知", "暂无", "null", "none", "n/a", "na", "-", "--", "/", "nan"}


_SHAPES = {
    "wechat": re.compile(r"^(wxid_[0-9a-z_-]{4,}|[a-z][-_a-z0-9]{5,19})$", re.IGNORECASE),
    "name": re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z·. ]{0,29}$"),
}
_NOT_NAMES = {"是", "否", "有", "无", "男", "女", "未知", "匿名", "游客", "yes", "no", "true", "false", "unknown"}


def _looks_like(kind: str, value: str) -> bool:
    """A value in a 姓名/微信号 column that is one (not 是/否, - or 暂无)."""
    value = value.strip()
    return value.lower() not in _BLANKS | _NOT_NAMES and bool(_SHAPES[kind].match(value))


def header_class(header: str) -> str | None:
    """'name' or 'wechat' when the header alone says what the column holds."""
    key = header_key(strip_unit(header))
    if key in {header_key(h) for h in NAME_HEADERS}:
        return "name"
    if key in {header_key(h) for h in WECHAT_HEADERS}:
        return "wechat"
    return None


def _read_text(path: Path) -> str:
    """A page or text export as text (UTF-8, GBK, UTF-16 …); unreadable files are reported by
    whoever loads them."""
    return read_text(path)


# Applying mask / drop to tables that reach pages ------------------------------------------
def mask_value(value, kind: str | None = None):
    """A cell as it may appear on a page: personal information masked, blanks kept."""
    if value is None or (isinstance(value, float) and value != value):
        return value
    text = str(value)
    if not text.strip():
        return value
    if kind in pii.KINDS:
        return pii.mask(kind, text)
    redacted = pii.redact(text)
    if redacted != text:
        return redacted
    if len(text) <= 2:
        return text[0] + "*"
    return text[0] + "*" * min(len(text) - 2, 6) + text[-1]


def mask_series(values: "pd.Series") -> "pd.Series":
    """Masked values that stay distinct (138****5678, 138****5678·2), so that counts of buyers
    and repurchase rates computed on a masked column are unchanged."""
    mapping, used = {}, defaultdict(int)
    for v in values.dropna().unique():
        m = mask_value(v)
        used[m] += 1
        mapping[v] = m if used[m] == 1 else f"{m}·{used[m]}"
    return values.map(mapping).astype(object).where(values.notna(), None)


def apply_rules(table: "Table", rules: Rules) -> "Table":
    """``table`` with the columns ``rules`` declare masked or dropped (a new table)."""
    if not (rules.mask or rules.drop):
        return table
    import dataclasses

    drop, masked = [], []
    for name in table.frame.columns:
        action = rules.declared(table.headers.get(name, str(name)), str(name))
        if action == "drop":
            drop.append(name)
        elif action == "mask":
            masked.append(name)
    if not drop and not masked:
        return table
    frame = table.frame.drop(columns=drop)
    for name in masked:
        frame[name] = mask_series(frame[name])
    headers = {k: v for k, v in table.headers.items() if k not in drop}
    return dataclasses.replace(table, frame=frame, headers=headers)
