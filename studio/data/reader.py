"""Reading CSV and Excel exports as typed tables that remember where each row came from.

Teams export from WeCom, SCRM tools and mini-program back-ends and open the files in
Excel or WPS, so the reader accepts what those tools write: UTF-8 (with or without BOM),
GBK/GB18030, UTF-16 "Unicode text"; comma or tab; Chinese or English headers; ``1,234``,
``12.5%``, ``¥1,234.00``, ``1.2万``; ``2024/5/1``, ``2024年5月1日``, ``20240501`` and epoch
seconds. Every bad cell becomes a :class:`StudioError` naming ``file:line`` and the column
as written in the file, so the user can find it in Excel.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from studio.data.kinds import BUILTIN_KINDS, TYPES, Column, Kind, header_key, infer_kind, strip_unit
from studio.data.kpi import TIME_COLUMN
from studio.errors import StudioError, did_you_mean

# The one set of data-file suffixes: tables (read here) and Excel workbooks among them.
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
TEXT_TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
TABLE_SUFFIXES = EXCEL_SUFFIXES | TEXT_TABLE_SUFFIXES | {".xls"}
# Files the PII scan reads as data: tables, YAML and JSON sources, calendar feeds.
DATA_SUFFIXES = TABLE_SUFFIXES | {".yml", ".yaml", ".json", ".ics"}
# Sources that never reach the site as files (Studio's own generated ICS feeds aside).
PRIVATE_SUFFIXES = (TABLE_SUFFIXES - {".txt"}) | {".yml", ".yaml", ".ics"}
# WeCom's stat_time is 0:00 Beijing time, in epoch seconds.
TIMEZONE = "Asia/Shanghai"
_TOTAL_ROW = {"合计", "总计", "总和", "合计：", "total", "Total", "TOTAL", "sum", "Sum"}
_BUILTIN = {k.name: k for k in BUILTIN_KINDS}
# Bounds on what one file may make Studio do: a hostile export fails fast with a place.
MAX_COLUMNS = 2_000
# Numbers beyond ±10^15 are no amount, count or rate a team reports (they are IDs or typos),
# and beyond ±1.8e308 a float is infinite: both are refused at their cell.
MAX_NUMBER = 1e15
_INFINITE = "'{v}' is not a finite number (Studio reads numbers up to ±10^15)"
_OUT_OF_RANGE = "'{v}' is out of range (Studio reads numbers up to ±10^15)"
_RANGE_HINT = ("check the cell: an ID, a formula result or a typo? Write amounts and counts as plain numbers "
               "such as 1234.5; a column of IDs is text (数值超出范围)")


@dataclass
class Table:
    """A dataset read from one file; row ``i`` of ``frame`` came from file line ``lines[i]``."""

    path: Path
    frame: pd.DataFrame  # columns renamed to canonical names, values parsed to types
    headers: dict[str, str]  # canonical name -> header as written in the file
    lines: list[int]  # 1-based file line (CSV) or sheet row (Excel) of each row
    encoding: str
    kind: str | None
    header_line: int = 1
    notes: list[str] = field(default_factory=list)  # what the reader skipped, for humans
    schema: Kind | None = None  # the kind itself, for labels
    # Problems that do not stop a read (rows without a time); whoever reports the file's
    # diagnostics shows them once.
    warnings: list[StudioError] = field(default_factory=list)
    # Bad cells of a file read with ``keep_good_rows``: their rows are left out and each is
    # an error, so one run lists every bad row and the file's good rows still count.
    problems: list[StudioError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    def header(self, name: str) -> str:
        """The column as the user wrote it (falls back to the canonical name)."""
        return self.headers.get(name, name)

    def place(self, row: int, column: str | None = None) -> tuple[int, str | None]:
        """(file line, header as written) of a row position and canonical column."""
        return self.lines[row], (self.header(column) if column else None)

    def error(self, message: str, row: int | None = None, column: str | None = None,
              hint: str | None = None, severity: str = "error") -> StudioError:
        line = self.lines[row] if row is not None else self.header_line
        return StudioError(message, file=self.path, line=line,
                           column=self.header(column) if column else None, hint=hint, severity=severity)

    def label(self, name: str) -> str:
        """Chinese label of a column for charts: the kind's label, else the header."""
        col = self.schema.column(name) if self.schema else None
        return col.label if col else self.header(name)


def read_table(path: Path, kind: str | None = None, columns: dict[str, str] | None = None,
               *, types: dict[str, str] | None = None, sheet: str | None = None,
               kinds: Mapping[str, Kind] | None = None, keep_good_rows: bool = False) -> Table:
    """Read ``path`` as a table of ``kind`` (inferred from the headers when None).

    ``columns`` maps a canonical column name to the header used in this file, for headers
    no alias covers. ``types`` declares column types (``int``, ``float``, ``percent``,
    ``money``, ``date``, ``datetime``, ``str``) for generic tables or extra columns.
    ``kinds`` are the kinds known (a project's registry; the built-in ones by default).
    Raises StudioError for unreadable files, missing columns and bad cells — or, with
    ``keep_good_rows``, leaves the rows of bad cells out and lists them in ``Table.problems``.

    This reads the file every time and applies no PII rule: pages go through the project's
    data door (``studio.core.datafiles``), which caches tables and masks/drops columns.
    """
    path = Path(path)
    if not path.is_file():
        raise StudioError("data file not found", file=path,
                          hint="check the path; it is relative to the page (数据文件不存在)")
    return _read(path, kind, columns or {}, types or {}, sheet, _BUILTIN if kinds is None else kinds,
                 _BadCells() if keep_good_rows else None)


def _read(path: Path, kind_name: str | None, columns: dict[str, str], types: dict[str, str],
          sheet: str | None, kinds: Mapping[str, Kind], bad: "_BadCells | None" = None) -> Table:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        raw, lines, header_line, encoding = _read_excel(path, sheet)
    elif suffix == ".xls":
        raise StudioError("old Excel .xls files are not supported", file=path, line=1,
                          hint="open it in Excel/WPS and save as .xlsx or CSV (另存为 .xlsx)")
    else:
        raw, lines, header_line, encoding = _read_text(path)
    raw.columns = [str(c).replace("\ufeff", "").strip() for c in raw.columns]
    _check_headers(path, list(raw.columns), header_line)
    raw, lines, notes = _drop_empty_and_totals(raw, lines)

    headers_in_file = list(raw.columns)
    if kind_name is None:
        kind = infer_kind(headers_in_file, kinds) if not columns else _infer_with(headers_in_file, columns, kinds)
    else:
        kind = kinds.get(kind_name)
        if kind is None and kind_name not in ("generic", "table"):
            raise StudioError(f"unknown dataset kind '{kind_name}'{did_you_mean(kind_name, kinds)}",
                              file=path, hint="kinds: " + ", ".join(sorted(kinds)) + ", generic")
    mapping = _map_columns(path, kind, headers_in_file, columns, header_line)

    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    headers: dict[str, str] = {}
    ints: list[str] = []
    header_to_name = {h: n for n, h in mapping.items()}
    for h in headers_in_file:
        name = header_to_name.get(h, h)
        if name in headers:  # a duplicate header: keep the first
            continue
        col = kind.column(name) if kind else None
        declared = types.get(name) or types.get(h)
        if declared is not None and declared not in TYPES:
            raise StudioError(f"unknown column type '{declared}' for '{h}'{did_you_mean(declared, TYPES)}",
                              file=path, line=header_line, column=h, hint="types: " + ", ".join(TYPES))
        ctype = declared or (col.type if col else None)
        headers[name] = h
        values = _parse_column(raw[h], ctype, path, lines, h, bad)
        if col is not None and col.category and ctype == "str":
            values = _category(values)
        frame[name] = values
        if ctype == "int":
            ints.append(name)
    problems: list[StudioError] = []
    if bad is not None and bad.rows:
        keep = np.ones(len(frame), dtype=bool)
        keep[sorted(bad.rows)] = False
        frame = frame[keep].reset_index(drop=True)
        lines = [line for line, k in zip(lines, keep) if k]
        for name in ints:  # whole numbers again once the bad cells' rows are gone
            if frame[name].dtype == "float64" and not frame[name].isna().any():
                frame[name] = frame[name].round().astype(np.int64)
        problems = bad.problems
    warnings = _untimed_rows(path, kind, frame, headers, lines)
    return Table(path, frame, headers, lines, encoding, kind.name if kind else None, header_line, notes, kind,
                 warnings, problems)


def _untimed_rows(path: Path, kind: Kind | None, frame: pd.DataFrame, headers: dict[str, str],
                  lines: list[int]) -> list[StudioError]:
    """One warning for the rows of a kind whose time cell is blank: periods cannot place them."""
    column = TIME_COLUMN.get(kind.name) if kind is not None else None
    if column is None or column not in frame or not len(frame):
        return []
    blank = frame[column].isna().to_numpy()
    if not blank.any():
        return []
    n = int(blank.sum())
    first = lines[int(np.flatnonzero(blank)[0])]
    label = headers.get(column, column)
    rows = "1 row has" if n == 1 else f"{n:,} rows have"
    return [StudioError(f"{rows} no {label} (first at line {first}); left out of KPIs by day, week or month, "
                        "cohorts and LTV", file=path, line=first, column=label, severity="warning",
                        hint=f"fill in the {label} of these rows, or remove them (缺少时间的行不计入按周期的指标)")]


def _category(values: pd.Series) -> pd.Series:
    """A categorical in order of appearance (sorting a million IDs costs); blank -> missing."""
    codes, uniques = pd.factorize(values)
    empty = np.flatnonzero(np.asarray(uniques) == "")
    if len(empty):
        i = int(empty[0])
        codes = np.where(codes == i, -1, np.where(codes > i, codes - 1, codes))
        uniques = uniques.delete(i)
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniques), index=values.index)


# Files ------------------------------------------------------------------------------------
def read_text(path: Path) -> str:
    """A text export in the encodings exports use (UTF-8, GBK/GB18030, UTF-16); StudioError if none."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudioError(f"cannot read file: {exc.strerror}", file=path) from None
    return _decode(path, data)[0]


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    for enc in ("gbk", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
    raise StudioError("cannot decode file: not UTF-8, GBK or GB18030", file=path, line=line,
                      hint="save it as CSV UTF-8 (在 Excel/WPS 中另存为 “CSV UTF-8”)")


def _sniff_delimiter(path: Path, first_lines: list[str]) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    sample = "\n".join(first_lines)
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header_index(rows: list[list[str]]) -> int:
    """Skip title rows above the header (e.g. "客户联系数据统计"): the first row with 2+ cells."""
    for i, row in enumerate(rows):
        if sum(1 for c in row if str(c).strip()) >= 2:
            return i
    return 0


def _read_text(path: Path) -> tuple[pd.DataFrame, list[int], int, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudioError(f"cannot read data file: {exc.strerror}", file=path) from None
    text, encoding = _decode(path, data)
    if not text.strip():
        raise StudioError("data file is empty", file=path, line=1,
                          hint="add a header row, e.g. '客户ID,下单时间,实付金额'")
    head = text[:20000].splitlines()[:20]
    sep = _sniff_delimiter(path, head)
    skip = _header_index(list(csv.reader(head, delimiter=sep)))
    _check_width(path, text, sep, skip)
    try:
        # From the file, not from `text`: pandas' C reader is faster on a file handle.
        raw = pd.read_csv(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, sep=sep, dtype=str,
                          keep_default_na=False, skip_blank_lines=False, skiprows=skip, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise StudioError(f"row has {m.group(3)} cells but the header has {m.group(1)}",
                              file=path, line=int(m.group(2)),
                              hint="a cell probably holds the separator; quote it or remove it") from None
        m = re.search(r"row (\d+)", str(exc))  # pandas counts rows from 0, the header first
        raise StudioError(f"cannot parse CSV: {exc}", file=path, line=skip + 1 + int(m.group(1)) if m else 1,
                          hint="a quote (\") is probably not closed") from None
    except pd.errors.EmptyDataError:
        raise StudioError("data file has no header row", file=path, line=1) from None
    if raw.shape[1] and raw.iloc[:, -1].isna().any():  # short rows leave trailing cells missing
        raw = raw.fillna("")
    header_line = skip + 1
    lines = _row_lines(text, sep, skip, len(raw))
    return raw, lines, header_line, encoding


def _line_at(text: str, index: int) -> str:
    """Line ``index`` (0-based) of ``text``, found without splitting the whole text."""
    start = 0
    for _ in range(index):
        nl = text.find("\n", start)
        if nl < 0:
            return ""
        start = nl + 1
    end = text.find("\n", start)
    return text[start:] if end < 0 else text[start:end]


def _width(line: str, sep: str) -> int:
    """Cells in one CSV line: separators counted, quoted ones parsed only when it matters."""
    n = line.count(sep) + 1
    if n > MAX_COLUMNS and '"' in line:
        n = len(next(csv.reader([line], delimiter=sep), []))
    return n


def _too_wide(path: Path, n: int | None, line: int) -> StudioError:
    count = f"{n:,}" if n else f"more than {MAX_COLUMNS:,}"
    return StudioError(f"file has {count} columns; Studio reads at most {MAX_COLUMNS:,}", file=path, line=line,
                       hint="export only the columns you need, or split the file (列数过多)")


def _check_width(path: Path, text: str, sep: str, skip: int) -> None:
    """Refuse a header of more than MAX_COLUMNS cells before pandas builds a column for each."""
    n = _width(_line_at(text, skip), sep)
    if n > MAX_COLUMNS:
        raise _too_wide(path, n, skip + 1)


def _row_lines(text: str, sep: str, skip: int, n: int) -> list[int]:
    """File line of each record; exact also when quoted cells span lines."""
    first = skip + 2
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if physical == skip + 1 + n or '"' not in text:  # one record per line (blank lines are rows)
        return list(range(first, first + n))
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts = []
    line = 1
    try:
        for i, _ in enumerate(reader):
            if i > skip:
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error:  # e.g. a stray carriage return: fall back to one record per line
        return list(range(first, first + n))
    return starts[:n] if len(starts) >= n else list(range(first, first + n))


def _read_excel(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[int], int, str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise StudioError(f"cannot open Excel file: {exc}", file=path, line=1,
                          hint="save it again from Excel/WPS as .xlsx") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise StudioError(f"no sheet named '{sheet}'{did_you_mean(sheet, book.sheetnames)}",
                                  file=path, hint="sheets: " + ", ".join(book.sheetnames))
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        # At most one column past the limit is read: a 16,384-column sheet stays cheap.
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)]
        sheet_width = ws.max_column
    finally:
        book.close()
    if not rows:
        raise StudioError("Excel sheet is empty", file=path, line=1)
    skip = _header_index(rows[:20])
    header = rows[skip]
    width = max(i + 1 for i, c in enumerate(header) if c.strip()) if any(c.strip() for c in header) else 0
    if width == 0:
        raise StudioError("Excel sheet has no header row", file=path, line=skip + 1)
    if width > MAX_COLUMNS:
        raise _too_wide(path, sheet_width if (sheet_width or 0) > MAX_COLUMNS else None, skip + 1)
    body = [(r + [""] * width)[:width] for r in rows[skip + 1 :]]
    raw = pd.DataFrame(body, columns=header[:width], dtype=object).astype(str) if body else \
        pd.DataFrame(columns=header[:width], dtype=str)
    lines = list(range(skip + 2, skip + 2 + len(body)))
    return raw, lines, skip + 1, "xlsx"


def _cell_text(value) -> str:
    """Excel cells as the text a CSV export would hold; the column parser does the rest."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _check_headers(path: Path, headers: list[str], line: int) -> None:
    for i, h in enumerate(headers):
        if not h or h.startswith("Unnamed:"):
            raise StudioError(f"column {i + 1} has no header", file=path, line=line,
                              hint="give every column a name in the first row (表头不能为空)")


def _drop_empty_and_totals(raw: pd.DataFrame, lines: list[int]) -> tuple[pd.DataFrame, list[int], list[str]]:
    """Drop blank rows (Excel leaves ',,,' lines) and a trailing 合计/总计 row."""
    notes: list[str] = []
    if raw.empty:
        return raw.reset_index(drop=True), lines, notes
    first = raw.iloc[:, 0]
    filled = (first != "").to_numpy().copy()
    maybe = np.flatnonzero(~filled)  # only rows with an empty first cell can be blank rows
    if len(maybe):
        rest = raw.iloc[maybe, 1:]
        filled[maybe] = (rest != "").to_numpy().any(axis=1) if rest.shape[1] else False
    total = first.isin(_TOTAL_ROW).to_numpy()
    if total.any():
        notes.append(f"skipped total row(s) at line(s) {', '.join(str(lines[i]) for i in np.flatnonzero(total))}")
    keep = filled & ~total
    if keep.all():
        return raw, lines, notes
    idx = np.flatnonzero(keep)
    return raw.iloc[idx].reset_index(drop=True), [lines[i] for i in idx], notes


# Cells as written (for the PII scan) --------------------------------------------------------
@dataclass
class Grid:
    """A table file as written: header, and each column's cells with the file line of each row."""

    header_line: int
    headers: list[str]
    lines: list[int]
    columns: list[list[str]]


def read_cells(path: Path, max_bytes: int | None = None) -> Grid | None:
    """The cells of a CSV/TSV/Excel file as text; None for other or unreadable files.

    Raw text, not typed values: a phone number must not become 1.38e10 before it is checked.
    Same decoding, separator and header detection as :func:`read_table`; ragged rows are
    kept (the scan must read what :func:`read_table` would refuse). A CSV with a row of
    more than MAX_COLUMNS cells gives None too: the scan reads it as text, line by line.
    ``max_bytes``: only the first rows of a large CSV (whole lines within that many bytes).
    """
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _excel_cells(path)
    if suffix not in (".csv", ".tsv", ".txt"):
        return None
    try:
        if max_bytes is None:
            data = path.read_bytes()
        else:
            with path.open("rb") as f:
                data = f.read(max_bytes)
            data = data[: data.rfind(b"\n") + 1] or data
        text, _ = _decode(path, data)
    except (OSError, StudioError):
        return None
    sep = _sniff_delimiter(path, text[:20000].split("\n")[:20])
    if suffix == ".txt" and sep not in text.split("\n", 1)[0]:
        return None  # prose, not a table: scanned line by line
    if any(_width(_line_at(text, i), sep) > MAX_COLUMNS for i in range(20)):
        return None  # pandas would build a column for every cell of the first line
    if '"' not in text:  # one record per line: pandas' C parser, fast on big exports
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                                skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c").fillna("")
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            frame = None  # ragged rows: the csv module copes
        if frame is not None:
            at = _header_index(frame.head(20).to_numpy().tolist())
            headers = _grid_headers(frame.iloc[at].tolist(), frame.shape[1])
            return Grid(at + 1, headers, list(range(at + 2, len(frame) + 1)),
                        [frame.iloc[at + 1:, j].tolist() for j in range(frame.shape[1])])
    lines, rows = [], []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        start = 1
        for cells in reader:
            if len(cells) > MAX_COLUMNS:
                return None
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
        rows = [[_cell_text(v) for v in row] for ws in book.worksheets[:1] for row in ws.iter_rows(values_only=True)]
    except Exception:
        return None
    finally:
        book.close()
    return _grid(list(range(1, len(rows) + 1)), rows)


def _grid(lines: list[int], rows: list[list[str]]) -> Grid | None:
    """Split off the header (the first row with two cells or more, as the reader does)."""
    if not rows:
        return None
    at = _header_index(rows[:20])
    body = rows[at + 1:]
    width = max([len(rows[at])] + [len(r) for r in body])
    columns = [[(str(r[j]) if j < len(r) else "") for r in body] for j in range(width)]
    return Grid(lines[at], _grid_headers(rows[at], width), lines[at + 1:], columns)


def _grid_headers(cells: list, width: int) -> list[str]:
    names = [str(c).replace("\ufeff", "").strip() for c in cells] + [""] * (width - len(cells))
    return [n or f"column {j + 1}" for j, n in enumerate(names)]


# Columns ----------------------------------------------------------------------------------
def _infer_with(headers: list[str], columns: dict[str, str], kinds: Mapping[str, Kind]) -> Kind | None:
    renamed = [next((n for n, h2 in columns.items() if h2 == h), h) for h in headers]
    return infer_kind(renamed, kinds)


def _map_columns(path: Path, kind: Kind | None, headers: list[str], columns: dict[str, str],
                 line: int) -> dict[str, str]:
    """Canonical name -> header, from explicit ``columns`` first, then aliases."""
    mapping: dict[str, str] = {}
    keyed = {header_key(h): h for h in headers}
    for name, written in columns.items():
        h = keyed.get(header_key(written))
        if h is None:
            raise StudioError(f"no column '{written}' in the file{did_you_mean(written, headers)}",
                              file=path, line=line, hint="columns in the file: " + ", ".join(headers))
        mapping[name] = h
    if kind is None:
        return mapping
    rest = [h for h in headers if h not in mapping.values()]
    for name, h in kind.match(rest).items():
        mapping.setdefault(name, h)
    for col in kind.required:
        if col.name not in mapping:
            raise StudioError(
                f"missing required column '{col.name}' ({col.label}) for kind '{kind.name}'"
                + _closest(col, [h for h in headers if h not in mapping.values()]),
                file=path, line=line,
                hint=f"name a column {' / '.join(col.names()[:5])}, or map it in the block: "
                     f"columns: {{{col.name}: <your header>}}",
            )
    return mapping


def _closest(col: Column, headers: list[str]) -> str:
    keys = {header_key(strip_unit(h)): h for h in headers}
    for alias in col.names():
        hint = did_you_mean(header_key(alias), keys)
        if hint:
            match = re.search(r"'(.*)'", hint).group(1)
            return f" (did you mean '{keys[match]}'?)"
    return ""


# Cells ------------------------------------------------------------------------------------
_NUM_JUNK = re.compile(r"[,\s¥$]|^rmb|^cny|(元|人|次|个|单|件|条)$")
_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$")


def _parse_column(s: pd.Series, ctype: str | None, path: Path, lines: list[int], header: str,
                  bad: "_BadCells | None" = None) -> pd.Series:
    # No blanket strip: it costs a second per million cells. read_csv drops leading spaces;
    # the slow paths below strip only the cells the fast parsers reject.
    if ctype is None:
        return _infer_column(s.str.strip(), path, lines, header)
    if ctype == "str":
        return s
    if ctype in ("date", "datetime"):
        parsed, blank = _parse_dates(s)
        _fail(parsed.isna().to_numpy() & ~blank, s, path, lines, header, "cannot read '{v}' as a date",
              "write dates as 2024-05-01, 2024/5/1, 2024年5月1日, 20240501 or epoch seconds", bad)
        return parsed.dt.normalize() if ctype == "date" else parsed
    values, pct, blank = _parse_numbers(s)
    _fail(np.isnan(values) & ~blank, s, path, lines, header, "cannot read '{v}' as a number",
          "write numbers as 1234, 1,234, 12.5%, ¥1,234.00 or 1.2万", bad)
    _fail(np.isinf(values), s, path, lines, header, _INFINITE, _RANGE_HINT, bad)
    _fail(_out_of_range(values), s, path, lines, header, _OUT_OF_RANGE, _RANGE_HINT, bad)
    if ctype == "percent":
        # A percent column stores a fraction. '12.5%' is 0.125; bare numbers are read as
        # 0-100 (WeCom reply_percentage) when any exceeds 1, else as fractions.
        bare = ~pct & ~np.isnan(values)
        if bare.any() and np.nanmax(np.abs(values[bare])) > 1:
            values = np.where(bare, values / 100, values)
        values = np.where(pct, values / 100, values)
    elif pct.any():
        i = int(np.flatnonzero(pct)[0])
        raise StudioError(f"'{_excerpt(s.iloc[i])}' is a percentage in a column of {ctype} values",
                          file=path, line=lines[i], column=header,
                          hint="remove the % sign, or declare the column as percent")
    if ctype == "int":
        frac = ~np.isnan(values) & (np.abs(values - np.round(values)) > 1e-9)
        _fail(frac, s, path, lines, header, "'{v}' is not a whole number", "counts are whole numbers", bad)
        if not np.isnan(values).any():
            return pd.Series(np.round(values).astype(np.int64), index=s.index)
    return pd.Series(values, index=s.index, dtype="float64")


def _out_of_range(values: np.ndarray) -> np.ndarray:
    """Infinite values (1e999 overflows) and finite ones beyond ±MAX_NUMBER; NaN is not."""
    with np.errstate(invalid="ignore"):
        return np.abs(values) > MAX_NUMBER


def _excerpt(value, limit: int = 40) -> str:
    """A cell as a message shows it: one line, bounded (messages never echo a file at length)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BadCells:
    """Bad cells of one read: the rows to leave out, and an error for each (bounded per column)."""

    PER_COLUMN = 20  # then one line with the lines of the rest

    def __init__(self) -> None:
        self.rows: set[int] = set()
        self.problems: list[StudioError] = []

    def add(self, bad: np.ndarray, s: pd.Series, path: Path, lines: list[int], header: str, message: str,
            hint: str) -> None:
        where = np.flatnonzero(bad)
        self.rows.update(int(i) for i in where)
        for i in where[: self.PER_COLUMN]:
            self.problems.append(StudioError(message.format(v=_excerpt(s.iloc[int(i)])) + "; row left out",
                                             file=path, line=lines[int(i)], column=header, hint=hint))
        rest = where[self.PER_COLUMN:]
        if len(rest):
            shown = ", ".join(str(lines[int(i)]) for i in rest[:30]) + (", …" if len(rest) > 30 else "")
            self.problems.append(StudioError(
                f"{len(rest):,} more bad cells in this column (lines {shown}); rows left out", file=path,
                line=lines[int(rest[0])], column=header, hint=hint))


def _fail(bad: np.ndarray, s: pd.Series, path: Path, lines: list[int], header: str, message: str,
          hint: str, sink: _BadCells | None = None) -> None:
    if sink is not None:
        if bad.any():
            sink.add(bad, s, path, lines, header, message, hint)
        return
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        more = int(bad.sum()) - 1
        extra = f" ({more} more bad cell{'s' if more > 1 else ''} in this column)" if more else ""
        raise StudioError(message.format(v=_excerpt(s.iloc[i])) + extra, file=path, line=lines[i], column=header,
                          hint=hint)


def _blanks(s: pd.Series, idx: np.ndarray, blank: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Mark blank (or whitespace) cells among ``idx``; return the rest and their stripped text.

    Only cells the fast parser rejected are looked at: a full-column comparison costs
    a tenth of a second per million rows, and most columns have no blanks at all.
    """
    t = s.iloc[idx].fillna("").str.normalize("NFKC").str.strip()
    empty = (t == "").to_numpy()
    blank[idx[empty]] = True
    return idx[~empty], t[~empty]


def _parse_numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Float values (NaN for blank/bad), which cells carried a % sign, and blank cells."""
    values = np.array(pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    pct = np.zeros(len(s), dtype=bool)
    blank = np.zeros(len(s), dtype=bool)
    nan = np.isnan(values)
    if not nan.any():
        return values, pct, blank
    idx, t = _blanks(s, np.flatnonzero(nan), blank)
    if not len(idx):
        return values, pct, blank
    t = t.str.lower().str.replace(_NUM_JUNK, "", regex=True)
    scale = np.ones(len(t))
    for suffix, factor in (("%", 0.01), ("万", 1e4), ("亿", 1e8), ("w", 1e4), ("k", 1e3)):
        has = t.str.endswith(suffix).to_numpy()
        if has.any():
            t = t.where(~has, t.str[: -len(suffix)])
            if suffix == "%":
                pct[idx[has]] = True
            else:
                scale = np.where(has, factor, scale)
    neg = t.str.match(r"^\(.*\)$").to_numpy()  # accounting negatives: (1234) -> -1234
    t = t.str.strip("()")
    parsed = pd.to_numeric(t.where(t.str.match(_NUMERIC)), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    values[idx] = np.where(neg, -parsed, parsed) * scale
    return values, pct, blank


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def _iso(values: pd.Series) -> pd.Series:
    """pandas' fast ISO-8601 parser (also 2024/5/1, 20240501); local naive times out."""
    try:
        out = pd.to_datetime(values, format="ISO8601", errors="coerce")
    except ValueError:  # mixed UTC offsets
        out = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    return out.astype("datetime64[us]")


def _parse_dates(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes (NaT for blank/bad) and blank cells; cells the ISO parser rejects get a slow path."""
    out = _iso(s)
    blank = np.zeros(len(s), dtype=bool)
    nat = out.isna().to_numpy()
    if not nat.any():
        return out, blank
    idx, t = _blanks(s, np.flatnonzero(nat), blank)
    if not len(idx):
        return out, blank
    u = t.reset_index(drop=True)
    got = pd.Series(pd.NaT, index=u.index, dtype="datetime64[us]")
    digits = u.str.fullmatch(r"\d+")
    if digits.any():
        d = u[digits]
        n = d.str.len()
        for length, unit in ((10, "s"), (9, "s"), (13, "ms")):  # epoch (WeCom stat_time)
            m = n == length
            if m.any():
                stamps = pd.to_datetime(d[m].astype("int64"), unit=unit, utc=True)
                got[d.index[m]] = stamps.dt.tz_convert(TIMEZONE).dt.tz_localize(None).astype("datetime64[us]")
    rest = u[~digits]
    if len(rest):
        # 2024年5月1日 14:30 -> 2024-5-1 14:30 ; 2024/5/1 -> 2024-5-1
        rest = (rest.str.replace(r"\s*[年月]\s*", "-", regex=True).str.replace(r"\s*[日号]\s*", " ", regex=True)
                .str.replace(r"[/.](?=\d)", "-", regex=True).str.replace(r"(\d)T(\d)", r"\1 \2", regex=True)
                .str.replace(r"(\d{1,2}:\d{2}(:\d{2})?)\.\d+$", r"\1", regex=True).str.strip())
        left = rest
        for fmt in _DATE_FORMATS:
            if not len(left):
                break
            parsed = pd.to_datetime(left, format=fmt, errors="coerce")
            ok = parsed.notna()
            got[left.index[ok]] = parsed[ok].astype("datetime64[us]")
            left = left[~ok]
    values = out.to_numpy().copy()
    values[idx] = got.to_numpy()
    return pd.Series(values, index=s.index, dtype="datetime64[us]"), blank


def _infer_column(s: pd.Series, path: Path, lines: list[int], header: str) -> pd.Series:
    """Generic columns: numbers when every non-blank cell is one, dates likewise, else text.

    An infinite number (1e999) in a column of numbers is an error at its cell; a column
    with numbers beyond ±10^15 (18-digit IDs) stays text, so that no digit is lost.
    """
    blank = (s == "").to_numpy()
    if blank.all():
        return s
    values, pct, blank = _parse_numbers(s)
    if not (np.isnan(values) & ~blank).any():
        _fail(np.isinf(values), s, path, lines, header, _INFINITE, _RANGE_HINT)
        if _out_of_range(values).any():
            return s
        values = np.where(pct, values / 100, values)
        whole = not np.isnan(values).any() and bool((np.abs(values - np.round(values)) < 1e-9).all())
        if not whole:
            return pd.Series(values, index=s.index, dtype="float64")
        if not _looks_like_dates(s, blank):
            return pd.Series(np.round(values).astype(np.int64), index=s.index)
    dates, blank = _parse_dates(s)
    if not (dates.isna().to_numpy() & ~blank).any():
        return dates
    return s


def _looks_like_dates(s: pd.Series, blank: np.ndarray) -> bool:
    """Whole numbers of 8 digits (20240501) or 10 (epoch seconds) in a generic column are dates."""
    cells = s[~blank]
    lengths = cells.str.len()
    ymd = (lengths == 8) & cells.str.match(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
    epoch = (lengths == 10) & cells.str.startswith("1")
    return bool(ymd.all() or epoch.all())
