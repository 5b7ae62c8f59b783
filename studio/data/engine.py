"""The query engine: where every number is computed, as Ibis expressions run by a backend.

Metrics (``studio.data.kpi``), chart aggregations and report numbers are Ibis expressions;
an :class:`Engine` runs them on one backend connection — embedded DuckDB by default (no
server), or any Ibis backend (Apache Spark, a warehouse) when the data is a table there.
Only aggregates come back to Python: a query's result is the handful of rows a tile, chart
or report shows.

Data reaches the engine three ways:

- a table read by Studio's reader (messy exports: GBK, Chinese headers, 1.2万 …) is handed
  over as Arrow, with its row order kept in :data:`ROW` (a funnel's stages, "first seen"
  category order);
- a Parquet file (or a large clean CSV) is read by the backend itself, never by pandas;
- a table of a source (``sources:`` option) is named, not copied.

Results are memoised per engine, and kept in the build cache when every table a query reads
has a data version (a file's hash, a source table's refresh/version): the key is the
compiled SQL plus those versions, so a rebuild with unchanged data runs no query. An engine
belongs to one project (``project.data.engine``); nothing here is module state.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

ROW = "__studio_row"  # a file's row order, kept beside its columns
SLOW = 1.0  # seconds: a query running longer shows a progress line in a terminal
# Embedded DuckDB's memory: by default DuckDB takes 80% of the machine, which a build shares
# with the browser, the site generator and CI; past this, large aggregations spill to disk.
MEMORY_LIMIT = "1.5GB"
# Rows of a table per GB of that cap whose customers one hash aggregation reduces without
# spilling (Engine.customer_parts; 1.5 GB: 52.5M rows). Measured with bench/engine_bench.py's
# orders (8 orders per customer): under 1.5 GB, the customers of 100M rows in one pass spilled
# (RSS 1.53 GB, 18.5 s), in two passes of 50M rows each they did not (1.03 GB, 14.1 s).
ROWS_PER_GB = 35_000_000


def _ibis():
    import ibis  # imported on first use: a site without data never pays for it

    return ibis


class Engine:
    """One backend connection and what ran on it; ``backend`` None = a fresh embedded DuckDB."""

    def __init__(self, backend: Any = None, cache: Any = None, on_slow: Callable[[str, float], None] | None = None,
                 memory_limit: str | None = MEMORY_LIMIT, spill_dir: Path | None = None,
                 rows_per_part: int | None = None):
        self._backend = backend
        # rows per part of a per-customer aggregation: None = from the memory cap
        self.rows_per_part = rows_per_part
        self._rows: dict[str, int] = {}  # a file's table name -> its rows (when known for free)
        self._parquet: dict[str, Path] = {}  # a Parquet file's table name -> its path (customer_bounds)
        self._bounds: dict[tuple, tuple] = {}
        self.memory_limit = memory_limit  # embedded DuckDB only: past it, aggregations spill to disk
        self.spill_dir = spill_dir
        self.cache = cache  # studio.cache.Cache or None: results kept across builds
        self.on_slow = on_slow  # progress for long queries (studio.engine.progress)
        self._frames: dict[int, tuple[Any, Any]] = {}  # id(frame) -> (frame, ibis table); frame kept alive
        self._expected: dict[int, tuple[Any, str]] = {}  # id(frame) -> (frame, data version), not yet registered
        self._versions: dict[str, str | None] = {}  # registered name -> data version (None: this build only)
        self._memo: dict[str, pd.DataFrame] = {}
        self._sql: dict[Any, str] = {}
        self._shapes: dict[str, tuple[str, list[str]]] = {}  # shape without table names -> (SQL, its names)
        self._remotes: dict[str, "Engine"] = {}  # table name -> the engine it lives on
        self._empty: dict[tuple, float] = {}
        self.queries = 0  # queries that reached the backend (tests: an unchanged rebuild runs none)
        self._n = 0

    # the connection ---------------------------------------------------------------------
    @property
    def con(self):
        if self._backend is None:
            import duckdb
            from ibis.backends.duckdb import Backend  # not ibis.duckdb: no entry-point scan

            # DuckDB's own progress bar would print into logs and pipes: Studio's is terminal-only.
            raw = duckdb.connect(":memory:")
            raw.execute("SET enable_progress_bar = false")
            if self.memory_limit:
                import os
                import tempfile

                # one folder per process: DuckDB names its spill files alike in every process
                spill = (self.spill_dir or Path(tempfile.gettempdir()) / "studio-duckdb") / str(os.getpid())
                try:  # DuckDB makes the last folder only, and only once it spills
                    spill.parent.mkdir(parents=True, exist_ok=True)
                except OSError:
                    pass  # a read-only place: DuckDB's own error says so if it ever spills
                raw.execute(f"SET memory_limit = '{self.memory_limit}'")
                quoted = str(spill).replace("'", "''")
                raw.execute(f"SET temp_directory = '{quoted}'")
            self._backend = Backend.from_connection(raw)
            # Days, weeks and months are Beijing's: a Parquet time with a zone (Spark writes
            # UTC instants) is cut into periods at Beijing midnight, as the reader's times are
            # (after Ibis' own set-up, which sets UTC).
            raw.execute("SET TimeZone = 'Asia/Shanghai'")
        return self._backend

    @property
    def dialect(self) -> str:
        return self.con.name

    # tables ----------------------------------------------------------------------------
    def expect(self, frame: pd.DataFrame, version: str) -> None:
        """Say the data version of a frame that may be queried later (registered on first use)."""
        self._expected[id(frame)] = (frame, version)

    def version_of(self, frame: pd.DataFrame) -> str | None:
        """The data version said of a frame (:meth:`expect`), None when unknown."""
        found = self._expected.get(id(frame))
        return found[1] if found is not None and found[0] is frame else None

    def table(self, data: Any, version: str | None = None):
        """An Ibis table for ``data``: a pandas frame, a reader ``Table`` or an Ibis table."""
        ibis = _ibis()
        if isinstance(data, ibis.Table):
            return data
        expr = getattr(data, "expr", None)  # a table that lives in the engine (Parquet, a source)
        if expr is not None:
            return expr
        frame = getattr(data, "frame", data)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"cannot query {type(data).__name__}")
        found = self._frames.get(id(frame))
        if found is not None and found[0] is frame:
            return found[1]
        if version is None:
            version = self.version_of(frame)
        if version is not None:
            name = "studio_" + hashlib.sha256(version.encode()).hexdigest()[:20]
        else:
            self._n += 1
            name = f"studio_mem_{id(self):x}_{self._n}"  # unique on a shared backend session
        t = self._register(name, to_arrow(frame))
        self._versions[name] = version
        self._frames[id(frame)] = (frame, t)
        return t

    def _register(self, name: str, arrow):
        con = self.con
        if con.name == "duckdb":
            con.con.register(name, arrow)  # zero-copy view of the Arrow table
            # Queries on DuckDB run as compiled SQL (``_execute``): the table needs its name and
            # schema only, which Arrow already knows (no DESCRIBE round trip).
            return _ibis().table(_ibis().Schema.from_pyarrow(arrow.schema), name=name)
        session = getattr(con, "_session", None)
        if con.name == "pyspark" and session is not None:  # a temporary view of the session
            from ibis.backends.pyspark.datatypes import PySparkSchema

            schema = PySparkSchema.from_ibis(_ibis().Schema.from_pyarrow(arrow.schema))  # also for no rows
            session.createDataFrame(arrow.to_pandas(), schema=schema).createOrReplaceTempView(name)
            return con.table(name)
        return con.create_table(name, arrow, overwrite=True)

    def parquet(self, path: Path, version: str | None = None):
        """A Parquet file (or a clean CSV) read by the backend itself, never by pandas."""
        name = "studio_file_" + hashlib.sha256(f"{path}|{version}".encode()).hexdigest()[:16]
        con = self.con
        if con.name == "duckdb":
            scan = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv_auto"
            quoted = str(path).replace("'", "''")
            con.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {scan}('{quoted}')")
            schema = con.con.sql(f"SELECT * FROM {name} LIMIT 0").to_arrow_table().schema
            t = _ibis().table(_ibis().Schema.from_pyarrow(schema), name=name)
            if scan == "read_parquet":  # the footer says it: no rows are read
                self._rows[name] = int(con.con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0])
                self._parquet[name] = path
        else:
            reader = con.read_parquet if path.suffix.lower() == ".parquet" else con.read_csv
            t = reader(str(path), table_name=name)
        self._versions[name] = version
        return t

    def clean_csv(self, path: Path, version: str | None = None):
        """A large CSV read by embedded DuckDB itself when it is clean — UTF-8, a header row,
        every row parsed (checked by one counting pass, which also proves the whole file reads);
        None otherwise, or on another backend."""
        con = self.con
        if con.name != "duckdb":
            return None
        import duckdb

        name = "studio_file_" + hashlib.sha256(f"{path}|{version}".encode()).hexdigest()[:16]
        quoted = str(path).replace("'", "''")
        try:
            con.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_csv('{quoted}', header = true, "
                            "encoding = 'utf-8', strict_mode = true)")
            schema = con.con.sql(f"SELECT * FROM {name} LIMIT 0").to_arrow_table().schema
            rows = con.con.sql(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        except duckdb.Error:
            con.con.execute(f"DROP VIEW IF EXISTS {name}")
            return None
        self._versions[name] = version
        self._rows[name] = int(rows)
        return _ibis().table(_ibis().Schema.from_pyarrow(schema), name=name)

    def customer_parts(self, t) -> int:
        """In how many parts :func:`studio.data.kpi.plan` reduces the customers of ``t``.

        More than one only on capped embedded DuckDB, for files of more rows than one hash
        aggregation reduces under the cap: past it DuckDB spills the table to disk (the
        customers of 100M orders: 18.5 s under 1.5 GB, 11.5 s uncapped). Parts are hashed apart by
        customer and reduced one after the other, each in memory. Other engines plan their
        own aggregations (Spark, a warehouse): one part.
        """
        if self._backend is not None and self.con.name != "duckdb":
            return 1
        per = self.rows_per_part
        if per is None:
            if not self.memory_limit:
                return 1  # no cap: nothing to stay under
            from pydantic import ByteSize, TypeAdapter  # DuckDB's units: KB = 1000, KiB = 1024

            per = int(ROWS_PER_GB * TypeAdapter(ByteSize).validate_python(self.memory_limit) / 1e9)
        if not any(rows > per for rows in self._rows.values()):
            return 1  # no large file: the expression need not be walked
        _, names = fingerprint(t)
        rows = max((self._rows.get(n, 0) for n in names), default=0)
        return max(1, math.ceil(rows / max(per, 1)))

    def customer_bounds(self, t, parts: int) -> tuple:
        """Customer IDs that cut ``t``'s customers into ``parts`` ranges of about equal size,
        or () when unknown (then :func:`studio.data.kpi.plan` cuts them by a hash of the ID).

        A range is a filter the Parquet reader applies as it reads; a hash is computed for
        every row, once per part (100M orders in two parts: 17.5 s by hash, 14.5 s by range).
        The cuts are quantiles of a sample read from 8 slices spread over the file the IDs
        come from (50,000 rows, about 0.1 s for 100M rows), so a file sorted by customer is
        cut as well as a shuffled one; a poor cut only makes one part larger, never a
        number different."""
        if parts < 2 or self.con.name != "duckdb":
            return ()
        found = source_column(t, "customer_id")
        if found is None or found[0] not in self._parquet:
            return ()
        name, column = found
        key = (name, column, parts)
        if key not in self._bounds:
            rows, per = self._rows[name], 6_250
            slices = " OR ".join(f"file_row_number BETWEEN {i * rows // 8} AND {i * rows // 8 + per - 1}"
                                 for i in range(8))
            quoted = str(self._parquet[name]).replace("'", "''")
            col = '"' + column.replace('"', '""') + '"'
            qs = ", ".join(str(k / parts) for k in range(1, parts))
            got = self.con.con.sql(f"SELECT quantile_disc({col}, [{qs}]) FROM read_parquet('{quoted}', "
                                   f"file_row_number = true) WHERE {slices}").fetchall()[0][0] or []
            cuts = tuple(dict.fromkeys(v for v in got if v is not None))
            self._bounds[key] = cuts if len(cuts) == parts - 1 else ()
        return self._bounds[key]

    def remote(self, t, version: str | None):
        """A source table (already bound to this engine's backend) with its data version."""
        _, names = fingerprint(t)
        for name in names:
            self._versions[name] = version
        return t

    def attach(self, other: "Engine", t) -> None:
        """Queries reading ``t``'s tables run on ``other`` (a warehouse source's engine)."""
        _, names = fingerprint(t)
        for name in names:
            self._remotes[name] = other

    def version_of_table(self, t) -> str:
        """The data versions of the tables ``t`` reads (for cache keys; never a URL)."""
        _, names = fingerprint(t)
        engines = [self._remotes.get(n, self) for n in sorted(names)]
        return "|".join(str(e._versions.get(n)) for e, n in zip(engines, sorted(names)))

    # running ---------------------------------------------------------------------------
    def sql(self, expr) -> str:
        """The query ``expr`` compiles to on this backend; compiled once per expression
        (compiling costs more than running an aggregate over a few thousand rows).

        On embedded DuckDB, once per *shape*: the same metric over another file's table is
        the same SQL with other table names (Studio's own ``studio_…`` names, each quoted
        once per use), so the compiled text is reused with the names replaced.
        """
        op = expr.op()
        found = self._sql.get(op)
        if found is not None:
            return found
        shape, names = None, []
        if self.con.name == "duckdb":
            shape, names = shape_of(expr)
            if all(n.startswith("studio_") for n in names):
                known = self._shapes.get(shape)
                if known is not None:
                    sql, was = known
                    by_name = dict(zip(was, names))
                    found = _QUOTED_NAME.sub(lambda m: f'"{by_name.get(m.group(1), m.group(1))}"', sql)
            else:
                shape = None
        if found is None:
            found = str(self.con.compile(expr))
            if self.con.name == "duckdb":
                found = inline_projections(found)
            if shape is not None and all(f'"{n}"' in found for n in names):
                self._shapes[shape] = (found, names)
        self._sql[op] = found
        return found

    def run(self, expr) -> pd.DataFrame:
        """The result of ``expr`` (an aggregate) as a small pandas frame, memoised/cached.

        The key is the query itself — its expression tree, which compiles to one SQL text on
        one backend and Ibis version — plus the data version of every table it reads: a
        rebuild with unchanged data neither compiles nor runs it.
        """
        if not isinstance(expr, _ibis().Table):
            expr = expr.name("value").as_table()  # a scalar: one row, one column
        shape, tables = fingerprint(expr)
        remote = {self._remotes[n] for n in tables if n in self._remotes}
        if len(remote) == 1:
            return remote.pop().run(expr)  # the data is a table of a source: run it there
        found = self._memo.get(shape)
        if found is not None:
            return found.copy()  # callers may reshape their result
        versions = [(name, self._versions.get(name)) for name in sorted(tables)]
        key = None
        if self.cache is not None and versions and all(v is not None for _, v in versions):
            from studio.cache import key_of

            key = key_of("query", self.dialect, _ibis().__version__, shape, versions)
            cached = self.cache.get(key)
            if cached is not None:
                self._memo[shape] = cached
                return cached.copy()
        sql = self.sql(expr)
        started = time.perf_counter()
        self.queries += 1
        with QueryProgress(", ".join(sorted(n for n in tables if not n.startswith("studio_"))) or self.dialect):
            result = self._execute(expr, sql)
        took = time.perf_counter() - started
        if took > SLOW and self.on_slow is not None:
            self.on_slow(sql, took)
        self._memo[shape] = result
        if key is not None:
            self.cache.put(key, result)
        return result.copy()

    def _execute(self, expr, sql: str) -> pd.DataFrame:
        con = self.con
        if con.name == "duckdb":  # the SQL compiled above, without compiling it again
            arrow = con.con.sql(sql).to_arrow_table()
        else:
            arrow = con.to_pyarrow(expr)
        out = arrow.to_pandas()
        for name in out.columns:  # DuckDB sums integers as HUGEINT (decimal in Arrow)
            if out[name].dtype == object and len(out) and _is_decimal(out[name].iloc[0]):
                out[name] = out[name].astype("float64")
        return out

    def scalar(self, expr) -> float:
        out = self.run(expr)
        return number(out.iloc[0, 0]) if len(out) else math.nan

    def empty_value(self, key: tuple, compute: Callable[[], float]) -> float:
        """A metric's value on no rows (0 for sums, NaN for rates), computed once."""
        if key not in self._empty:
            self._empty[key] = compute()
        return self._empty[key]


class QueryProgress:
    """A spinner on stderr while a query runs longer than :data:`SLOW` — in a terminal only
    (not in CI, not when stderr is a file or pipe, not with ``STUDIO_NO_PROGRESS``), as the
    build's page and chart bars (``studio.engine.progress``)."""

    def __init__(self, what: str):
        self.what = what
        self._timer = None
        self._status = None

    @staticmethod
    def wanted() -> bool:
        import os
        import sys

        if os.environ.get("CI") or os.environ.get("STUDIO_NO_PROGRESS"):
            return False
        try:
            return sys.stderr.isatty()
        except (AttributeError, ValueError):
            return False

    def _show(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status(f"查询 query: {self.what} …")
        self._status.start()

    def __enter__(self) -> "QueryProgress":
        if self.wanted():
            import threading

            self._timer = threading.Timer(SLOW, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        if self._status is not None:
            self._status.stop()


def source_column(t, column: str) -> tuple[str, str] | None:
    """The stored table and its column that ``t[column]`` reads, through renames and row
    selections; None when the column is computed."""
    from ibis.expr import operations as ops

    if column not in t.columns:
        return None
    node = t[column].op()
    while isinstance(node, ops.Field):
        rel = node.rel
        if isinstance(rel, ops.PhysicalTable):
            return rel.name, node.name
        if isinstance(rel, ops.Project):
            node = rel.values.get(node.name)
        elif isinstance(rel, (ops.Filter, ops.Sort, ops.Limit)):
            node = rel.parent.to_expr()[node.name].op()
        else:
            return None
    return None


def inline_projections(sql: str) -> str:
    """DuckDB's SQL with each CTE that only projects a table (renamed or masked columns, a
    refund flag: every row) marked ``NOT MATERIALIZED``.

    Ibis writes a subquery used twice as a CTE, and DuckDB materialises such a CTE: every
    row of the table, kept in memory. For a projection that costs what reading the table
    again would, plus storing it — the customers of 100M orders with one masked column, in
    parts: 26.8 s and 1.6 GB, spilling, against 17.4 s and 1.2 GB inlined. A CTE that
    selects, groups or joins keeps DuckDB's choice (a report month, read once)."""
    if "WITH " not in sql:
        return sql
    import sqlglot
    from sqlglot import expressions as exp

    tree = sqlglot.parse_one(sql, dialect="duckdb")
    changed = False
    for cte in tree.find_all(exp.CTE):
        body = cte.this
        source = body.args.get("from_", body.args.get("from"))  # "from_" in the sqlglot Ibis 12 brings
        if (isinstance(body, exp.Select) and isinstance(source, exp.From) and isinstance(source.this, exp.Table)
                and not any(body.args.get(k) for k in ("where", "group", "having", "joins", "qualify", "distinct",
                                                        "limit", "order"))):
            cte.set("materialized", False)
            changed = True
    return tree.sql(dialect="duckdb") if changed else sql


def fingerprint(expr) -> tuple[str, set[str]]:
    """A digest of an expression's tree (stable across processes) and the tables it reads.

    Computing it walks the tree once; compiling the same tree to SQL costs ten times more.
    """
    digest, names = _digest(expr, with_names=True)
    return digest, set(names)


def shape_of(expr) -> tuple[str, list[str]]:
    """A digest of an expression's tree with its tables' names left out, and those names in
    the order the tree first reads them: two expressions of one shape compile to one SQL
    text apart from the names."""
    return _digest(expr, with_names=False)


def _digest(expr, with_names: bool) -> tuple[str, list[str]]:
    from ibis.backends import BaseBackend
    from ibis.expr.operations import Node
    from ibis.expr.operations.relations import DatabaseTable, UnboundTable

    memo: dict[int, str] = {}
    names: list[str] = []

    def walk(value) -> str:
        if isinstance(value, Node):
            found = memo.get(id(value))
            if found is None:
                args = zip(value.__argnames__, value.__args__)
                parts = [type(value).__name__]
                if isinstance(value, (UnboundTable, DatabaseTable)):
                    name = str(value.name)
                    if name not in names:
                        names.append(name)
                    if not with_names:  # the table's place in the tree instead of its name
                        parts.append(f"table:{names.index(name)}")
                        args = ((k, a) for k, a in args if k != "name")
                parts += [walk(a) for _, a in args]
                found = memo[id(value)] = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()
            return found
        if isinstance(value, BaseBackend):
            return f"backend:{value.name}"  # never its repr: no address, no URL
        if isinstance(value, Mapping):
            return "{" + ",".join(f"{k!r}:{walk(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (tuple, list, frozenset, set)):
            items = [walk(v) for v in value]
            return "(" + ",".join(sorted(items) if isinstance(value, (set, frozenset)) else items) + ")"
        return f"{type(value).__name__}:{value!r}"

    return walk(expr.op()), names


_QUOTED_NAME = re.compile(r'"(studio_[A-Za-z0-9_]+)"')


def _table_name(t) -> str:
    op = t.op()
    return str(getattr(op, "name", ""))


def _is_decimal(value) -> bool:
    import decimal

    return isinstance(value, decimal.Decimal)


def number(value) -> float:
    """A result cell as a float: NULL/NA is NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def to_arrow(frame: pd.DataFrame):
    """A reader frame as Arrow, with :data:`ROW`; mixed text columns as text, categories decoded."""
    import pyarrow as pa

    columns, names = [], []
    for name in frame.columns:
        s = frame[name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object).where(s.notna(), None)
        try:
            arr = pa.Array.from_pandas(s)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.Array.from_pandas(s.map(lambda v: None if _blank(v) else str(v), na_action="ignore")
                                       .astype(object).where(s.notna(), None))
        if pa.types.is_timestamp(arr.type):
            arr = arr.cast(pa.timestamp("us")) if arr.type.tz is None else arr.cast(pa.timestamp("us", arr.type.tz))
        elif pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        elif pa.types.is_null(arr.type):
            arr = arr.cast(pa.float64())
        columns.append(arr)
        names.append(str(name))
    columns.append(pa.array(range(len(frame)), pa.int64()))
    names.append(ROW)
    return pa.Table.from_arrays(columns, names=names)


def _blank(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def columns_of(t) -> list[str]:
    """The user-visible columns of an engine table (without :data:`ROW`)."""
    return [c for c in t.columns if c != ROW]


def all_names(items: Iterable[str]) -> list[str]:
    return [str(i) for i in items]
