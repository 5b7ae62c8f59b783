"""The PII guard over a project: every Markdown page and every data file that feeds the site.

Runs as a project loader, so ``studio build``, ``studio serve`` and ``studio check`` all
report the same findings: pages as ``file:line:column``, data files as ``file:line`` and
the column header as written. Values only ever appear masked.

Authors resolve a finding by removing the value, by declaring a data column ``mask:`` or
``drop:`` (front matter ``pii:`` of the page that uses the file, or the plugin options),
or by allowing a public value (a brand hotline) with ``allow:``.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from collections import defaultdict
from itertools import accumulate
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import yaml
from pydantic import ValidationError

from studio.errors import StudioError, did_you_mean
from studio.guard import pii, safeyaml
from studio.guard.options import ColumnRules, PiiOptions

if TYPE_CHECKING:
    import pandas as pd

    from studio.project import Project

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".txt", ".yml", ".yaml", ".json", ".ics"}
DATA_SUFFIXES = TABLE_SUFFIXES | TEXT_SUFFIXES

# Columns that hold a personal name or a custom WeChat ID by their header alone.
NAME_HEADERS = {"姓名", "客户姓名", "真实姓名", "收货人", "收件人", "联系人", "昵称", "客户昵称", "微信昵称",
                "customer_name", "real_name", "receiver", "receiver_name", "nickname"}
WECHAT_HEADERS = {"微信号", "微信id", "微信账号", "wechat", "wechat_id", "wechatid", "wxid", "wx_id", "微信"}
_LABELS = {**pii.LABELS, "name": "personal name (姓名)"}
# Long numbers in an order or payment-reference column are not bank cards, Luhn or not.
_ORDER_HEADER = re.compile(r"订单|单号|流水|交易号|order|trade|transaction|txn", re.IGNORECASE)

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

    def add(self, rules: ColumnRules) -> None:
        self.mask |= set(rules.mask)
        self.drop |= set(rules.drop)
        self.allow += rules.allow

    def declared(self, header: str, canonical: str | None = None) -> str | None:
        """'mask' or 'drop' when the column (by header or canonical name) is declared."""
        for action, names in (("drop", self.drop), ("mask", self.mask)):
            if any(column_matches(n, header, canonical) for n in names):
                return action
        return None


# The rules of the project loaded last, by resolved data path, for :func:`protect`.
_ACTIVE: dict[str, Rules] = {}


def column_matches(declared: str, header: str, canonical: str | None = None) -> bool:
    """A declared column names a header as written, or its canonical name (customer_id)."""
    from studio.data.kinds import header_key, kinds, strip_unit

    key = header_key(declared)
    if key in (header_key(header), header_key(strip_unit(header))) or (canonical and key == header_key(canonical)):
        return True
    for kind in kinds().values():
        col = kind.column(str(declared))
        if col is not None and header_key(strip_unit(header)) in {header_key(a) for a in col.names()}:
            return True
    return False


# Finding the files -------------------------------------------------------------------------
def _walk(base: Path, suffixes: set[str]) -> Iterator[Path]:
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).parts
        if path.is_file() and path.suffix.lower() in suffixes and not any(p.startswith(".") for p in rel):
            yield path


def _roots(project: "Project") -> list[Path]:
    return [project.config.content_path, project.config.case_studies_path]


def _page_rules(project: "Project", problems: list[StudioError]) -> dict[Path, ColumnRules]:
    """Front matter ``pii:`` of each page, validated (errors name the line)."""
    out: dict[Path, ColumnRules] = {}
    for doc in project.documents:
        raw = doc.source.meta.get("pii")
        if raw is None:
            continue
        try:
            out[doc.path.resolve()] = ColumnRules.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ("pii", *err["loc"])
                problems.append(StudioError(
                    f"{'.'.join(map(str, loc))}: {err['msg']}", file=doc.path, line=doc.source.line_of(*loc),
                    hint="write e.g. 'pii: {mask: [手机号], drop: [收货人], allow: [400-820-8820]}'"))
    return out


def _data_refs(project: "Project") -> dict[Path, list[Path]]:
    """Data file -> the pages that use it (front matter ``datasets``, blocks' ``data:``)."""
    from studio.render.blocks import _OPEN, find_blocks

    uses: dict[Path, list[Path]] = defaultdict(list)
    for doc in project.documents:
        refs = list(doc.source.meta.get("datasets") or []) if isinstance(doc.source.meta.get("datasets"), list) else []
        # Any fenced block with a 'data:' key: block types are added by features over time.
        names = {m.group("info").strip("{}").lstrip(".") for line in doc.source.body.split("\n")
                 if (m := _OPEN.match(line))}
        for block in find_blocks(doc.source.body, names):
            try:
                data = safeyaml.load(block.raw)
            except yaml.YAMLError:  # the block itself reports it
                continue
            if isinstance(data, dict):
                value = data.get("data")
                refs += value if isinstance(value, list) else [value] if value else []
        for ref in refs:
            if isinstance(ref, str) and ref.strip():
                target = (doc.path.parent / ref.strip()).resolve()
                if target.is_file():
                    uses[target].append(doc.path.resolve())
    return uses


# Scanning --------------------------------------------------------------------------------
def guard_project(project: "Project") -> None:
    """Project loader: add a problem for every piece of personal information found.

    Also records the column rules of every data file, which :func:`protect` applies
    whenever a block reads the file, even with detection turned off.
    """
    options: PiiOptions = project.config.pii
    problems: list[StudioError] = []
    page_rules = _page_rules(project, problems)
    uses = _data_refs(project)
    data_files = {p.resolve() for root in _roots(project) for p in _walk(root, DATA_SUFFIXES)} | set(uses)
    _ACTIVE.clear()
    _ACTIVE[""] = Rules()
    _ACTIVE[""].add(options)
    headers_seen: dict[Path, list[str]] = {}
    for path in sorted(data_files):
        rules = Rules()
        rules.add(options)
        for page in uses.get(path, []):
            if page in page_rules:
                rules.add(page_rules[page])
        _ACTIVE[str(path)] = rules
        if options.enabled:
            problems += scan_data_file(path, rules, options, headers_seen)
    if options.enabled:
        for root in _roots(project):
            for path in _walk(root, {".md"}):
                rules = page_rules.get(path.resolve())
                problems += scan_page(path, list(options.allow) + (rules.allow if rules else []), options)
        problems += _unused_declarations(project, page_rules, uses, headers_seen)
    for p in problems:
        if p.rule == "pii" and p.severity == "error":
            p.severity = options.severity
    project.diagnostics.extend(problems)


def _kinds(options: PiiOptions, email: bool) -> list[str]:
    return [k for k in options.detect if k != "email" or email]


def scan_page(path: Path, allow: Iterable[str], options: PiiOptions) -> list[StudioError]:
    """Findings in a Markdown file (front matter included), as ``file:line:column``."""
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
                   headers_seen: dict[Path, list[str]] | None = None) -> list[StudioError]:
    """Findings in a data file: one problem per column and kind, at its first line."""
    kinds = _kinds(options, options.data_email)
    try:
        table = read_cells(path)
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
            col_kinds = [k for k in kinds if k != "bank_card"] if _ORDER_HEADER.search(header) else kinds
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
    return problems


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
    from studio.data.kinds import header_key, strip_unit

    key = header_key(strip_unit(header))
    if key in {header_key(h) for h in NAME_HEADERS}:
        return "name"
    if key in {header_key(h) for h in WECHAT_HEADERS}:
        return "wechat"
    return None


def _unused_declarations(project: "Project", page_rules: dict[Path, ColumnRules], uses: dict[Path, list[Path]],
                         headers_seen: dict[Path, list[str]]) -> list[StudioError]:
    """A page's ``pii: {mask: [X]}`` where none of its data files has X is probably a typo."""
    problems = []
    files_of: dict[Path, list[Path]] = defaultdict(list)
    for data, pages in uses.items():
        for page in pages:
            files_of[page].append(data)
    for doc in project.documents:
        rules = page_rules.get(doc.path.resolve())
        if rules is None:
            continue
        headers = [h for f in files_of.get(doc.path.resolve(), []) for h in headers_seen.get(f, [])]
        for action in ("mask", "drop"):
            for i, name in enumerate(getattr(rules, action)):
                if not any(column_matches(name, h) for h in headers):
                    problems.append(StudioError(
                        f"pii.{action}: no column '{name}' in the data files this page uses"
                        f"{did_you_mean(name, headers)}",
                        file=doc.path, line=doc.source.line_of("pii", action, i), severity="warning",
                        hint="columns: " + (", ".join(dict.fromkeys(headers)) or "none (the page uses no data file)")))
    return problems


# Reading cells as written ---------------------------------------------------------------
def _read_text(path: Path) -> str:
    from studio.content.frontmatter import read_text

    return read_text(path)


def decode(data: bytes) -> str | None:
    """Text of a data file in the encodings exports use, or None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for enc in ("utf-8-sig", "gbk", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


@dataclass
class Grid:
    """A table file as written: header, and each column's cells with the file line of each row."""

    header_line: int
    headers: list[str]
    lines: list[int]
    columns: list[list[str]]


def read_cells(path: Path) -> Grid | None:
    """The cells of a CSV/TSV/Excel file as text; None for other or unreadable files.

    Raw text, not typed values: a phone number must not become 1.38e10 before it is checked.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _excel_cells(path)
    if suffix not in (".csv", ".tsv"):
        return None
    try:
        text = decode(path.read_bytes())
    except OSError:
        return None
    if text is None:
        return None
    head = text[:20000].split("\n")[:20]
    if suffix == ".tsv":
        sep = "\t"
    else:
        counts = {d: sum(line.count(d) for line in head) for d in (",", "\t", ";", "，")}
        sep = max(counts, key=counts.get) if any(counts.values()) else ","
    if '"' not in text:  # one record per line: pandas' C parser, fast on big exports
        import pandas as pd

        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c").fillna("")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            frame = None  # ragged rows: the csv module copes
        if frame is not None:
            at = _header_at(frame.head(20).to_numpy().tolist())
            headers = _headers(frame.iloc[at].tolist(), frame.shape[1])
            return Grid(at + 1, headers, list(range(at + 2, len(frame) + 1)),
                        [frame.iloc[at + 1:, j].tolist() for j in range(frame.shape[1])])
    lines, rows = [], []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        start = 1
        for cells in reader:
            lines.append(start)
            rows.append(cells)
            start = reader.line_num + 1
    except csv.Error:
        return None
    return _grid(lines, rows)


def _excel_cells(path: Path) -> Grid | None:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a broken workbook: the reader explains when a page uses it
        return None
    try:
        rows = []
        for ws in book.worksheets[:1]:
            for row in ws.iter_rows(values_only=True):
                rows.append(["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)
                             for v in row])
    except Exception:
        return None
    finally:
        book.close()
    return _grid(list(range(1, len(rows) + 1)), rows)


def _grid(lines: list[int], rows: list[list[str]]) -> Grid | None:
    """Split off the header (the first row with two cells or more, as the reader does)."""
    if not rows:
        return None
    at = _header_at(rows[:20])
    body = rows[at + 1:]
    width = max([len(rows[at])] + [len(r) for r in body])
    columns = [[(str(r[j]) if j < len(r) else "") for r in body] for j in range(width)]
    return Grid(lines[at], _headers(rows[at], width), lines[at + 1:], columns)


def _header_at(rows: list[list]) -> int:
    return next((i for i, cells in enumerate(rows) if sum(1 for c in cells if str(c).strip()) >= 2), 0)


def _headers(cells: list, width: int) -> list[str]:
    names = [str(c).replace("\ufeff", "").strip() for c in cells] + [""] * (width - len(cells))
    return [n or f"column {j + 1}" for j, n in enumerate(names)]


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


def rules_for(path: Path) -> Rules | None:
    """Rules of a data file of the project loaded last (the plugin's rules for other files)."""
    return _ACTIVE.get(str(Path(path).resolve())) or _ACTIVE.get("")


def protect(table):
    """A :class:`studio.data.reader.Table` with declared columns masked or dropped.

    The reader calls this on every table it returns, so no block can show a column the
    page or the plugin options declared ``drop:``, nor a ``mask:`` column unmasked.
    """
    rules = rules_for(table.path)
    if rules is None or not (rules.mask or rules.drop):
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


from studio.content.registry import register_loader  # noqa: E402  (after guard_project exists)

register_loader(guard_project)
