"""Tables that live in the query engine rather than in a pandas frame.

A Parquet file beside a page, a table of a ``sources:`` warehouse, or the rows of a report
period are queried where they are. They still look like a reader :class:`Table` to blocks
and pages (path, kind, headers, labels), so one code path serves files and warehouses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .reader import Table


@dataclass
class EngineTable(Table):
    """``frame`` holds no rows, only the columns and their types; ``expr`` is the Ibis table."""

    expr: Any = None


def empty_frame(t) -> pd.DataFrame:
    """A zero-row pandas frame with the columns and types of an Ibis table (no query runs)."""
    from .engine import ROW

    schema = t.schema()
    columns = {name: pd.Series([], dtype=_dtype(dtype)) for name, dtype in schema.items() if name != ROW}
    return pd.DataFrame(columns)


def _dtype(dtype) -> str:
    if dtype.is_timestamp() or dtype.is_date():
        return "datetime64[us]"
    if dtype.is_boolean():
        return "bool"
    if dtype.is_integer():
        return "Int64"
    if dtype.is_floating() or dtype.is_decimal():
        return "float64"
    return "object"
