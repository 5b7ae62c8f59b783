"""Warehouse sources: tables queried where they live (Spark/Hive, ClickHouse, PostgreSQL …).

The plugin option ``sources:`` names each source once::

    sources:
      dw:
        url: "${DW_URL}"                  # what ibis.connect accepts, secrets from the environment
        tables: {orders: ods.orders_di}   # the name pages use -> the warehouse table
        columns: {orders: {customer_id: member_id}}   # Studio's column -> the table's
        refresh: 1h                       # data version: a new one every hour …
        version: {orders: max(order_time)}  # … or the value of a cheap query

and blocks, dataset pages and reports name ``data: dw:orders``. The URL is expanded from the
environment only when connecting and never kept anywhere else: errors, logs and cache keys
name the source (``dw``), never its URL. Metrics run on the source's own engine through Ibis;
only aggregates come back. PII rules apply in the query (:func:`protect`): dropped columns
are not selected, masked ones are replaced before any aggregate sees them.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
SCAN_ROWS = 1000  # rows of a warehouse table the PII scan samples (never the whole table)
MASKED = "****"  # what a masked column holds in every query


class SourceOptions(BaseModel):
    """One entry of the ``sources:`` option."""

    model_config = ConfigDict(extra="forbid")

    url: str  # e.g. "${DW_URL}", "duckdb:///data/dw.duckdb", "pyspark://…" — anything ibis.connect takes
    tables: dict[str, str] = Field(default_factory=dict)  # page name -> [database.]table
    columns: dict[str, dict[str, str]] = Field(default_factory=dict)  # page name -> {canonical: column}
    kinds: dict[str, str] = Field(default_factory=dict)  # page name -> kind (orders, contacts …) when not its name
    refresh: str | None = None  # 30m, 1h, 1d: how long a query result stays valid
    version: dict[str, str] = Field(default_factory=dict)  # page name -> SQL expression, e.g. max(order_time)


class SourceError(Exception):
    """A problem with a source, worded without its URL or any secret."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def expand(url: str) -> str:
    """``${VAR}`` replaced from the environment; SourceError naming the variable when unset."""
    def one(m: re.Match) -> str:
        value = os.environ.get(m.group(1))
        if value is None or not value.strip():
            raise SourceError(f"environment variable {m.group(1)} is not set",
                              f"export {m.group(1)}=… before building (the URL stays out of mkdocs.yml)")
        return value
    return _VAR.sub(one, url)


def secrets_of(url: str) -> list[str]:
    """The values a message must never show: the expanded URL and each variable's value."""
    from urllib.parse import parse_qsl, urlsplit

    out = [v for v in (os.environ.get(n) for n in _VAR.findall(url)) if v]
    try:
        full = expand(url)
    except SourceError:
        return out
    out.append(full)
    try:  # and each part of it: a driver's message may quote the host, path or user alone
        parts = urlsplit(full)
        out += [parts.netloc, parts.path, parts.username or "", parts.password or "", parts.hostname or ""]
        out += [v for _, v in parse_qsl(parts.query)]
    except ValueError:
        pass
    return [s for s in out if len(s) >= 3]


def scrub(text: str, secrets: list[str]) -> str:
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, "***")
    return re.sub(r"://[^@/\s]*@", "://***@", text)  # user:password@ of any URL left


def connect(name: str, options: SourceOptions):
    """The source's Ibis backend (``ibis.connect``); SourceError without the URL otherwise."""
    import ibis

    url = expand(options.url)
    try:
        return ibis.connect(url)
    except Exception as exc:  # any driver's error: unreachable, refused, unknown scheme …
        reason = scrub(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, secrets_of(options.url))
        raise SourceError(f"cannot connect to source '{name}': {reason[:200]}",
                          "check the URL in the environment variable and that the warehouse is reachable") from None


def table(backend, name: str, options: SourceOptions, alias: str):
    """The warehouse table behind ``alias``, its columns renamed to Studio's canonical names."""
    qualified = options.tables.get(alias)
    if qualified is None:
        raise SourceError(f"source has no table '{alias}'", "tables: " + ", ".join(options.tables))
    database, _, tname = qualified.rpartition(".")
    try:
        t = backend.table(tname, database=database or None)
    except Exception:
        raise SourceError(f"table '{qualified}' of source '{name}' not found",
                          f"check sources.{name}.tables.{alias} in mkdocs.yml") from None
    mapping = options.columns.get(alias, {})
    missing = [c for c in mapping.values() if c not in t.columns]
    if missing:
        raise SourceError(f"column '{missing[0]}' not found in '{qualified}' of source '{name}'",
                          "its columns: " + ", ".join(t.columns[:30]))
    if mapping:
        t = t.rename({canonical: column for canonical, column in mapping.items()})
    return t


def version(backend, t, options: SourceOptions, alias: str, now: float | None = None) -> str:
    """The table's data version: a version query's value, or the current ``refresh`` window."""
    query = options.version.get(alias)
    if query:
        sql = f"SELECT {query} AS v FROM ({backend.compile(t)}) AS t"
        try:
            result = backend.raw_sql(sql)
            rows = result.fetchall() if hasattr(result, "fetchall") else result.collect()
        except Exception:
            raise SourceError(f"version query '{query}' failed", "write an expression such as max(order_time)") from None
        return f"q:{rows[0][0] if rows else None}"
    if options.refresh:
        m = _INTERVAL.match(options.refresh)
        if not m:
            raise SourceError(f"cannot read refresh '{options.refresh}'", "write e.g. 30m, 1h or 1d")
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return f"r:{int((now if now is not None else time.time()) // seconds)}"
    return f"b:{int(now if now is not None else time.time())}"  # neither: valid for this build only


def protect(t, drop: list[str], mask: list[str]):
    """PII rules in the query: dropped columns are gone, masked ones hold :data:`MASKED`."""
    import ibis

    drop = [c for c in drop if c in t.columns]
    if drop:
        t = t.drop(*drop)
    masked = {c: ibis.literal(MASKED) for c in mask if c in t.columns}
    return t.mutate(**masked) if masked else t


def sample(t, rows: int = SCAN_ROWS) -> Any:
    """At most ``rows`` rows of a warehouse table as pandas, for the PII scan."""
    return t.limit(rows).to_pandas()
