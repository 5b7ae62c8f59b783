"""The one door for data files: every block, dataset page, report, calendar and the PII scan
goes through it.

A page names a data file relative to itself (``data: orders.csv``, ``datasets: [...]``). The
door resolves that reference inside the project (with a did-you-mean when it is not there),
reads the file with the data reader (once per build: blocks and pages share the table) and
applies the project's PII rules — the plugin's ``pii:`` options plus the ``pii:`` front matter
of every page that uses the file — so no caller can see a column its author dropped, nor a
masked one unmasked. The rules belong to this project alone: another project loaded in the
same process has its own door.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from studio.cache import file_hash, key_of
from studio.core.blocks import block_names, find_blocks
from studio.core.model import error_message
from studio.data import sources as warehouse
from studio.data.engine import Engine
from studio.data.reader import EXCEL_SUFFIXES, TABLE_SUFFIXES, TEXT_TABLE_SUFFIXES, Table, read_table
from studio.errors import StudioError, did_you_mean
from studio.guard import safeyaml
from studio.guard.options import ColumnRules
from studio.guard.scan import Rules, apply_rules

# ``Project`` (studio.core.project) is named, not imported: that module sits above this one.

PARQUET = frozenset({".parquet"})  # read by the query engine itself, never by pandas
READABLE = EXCEL_SUFFIXES | TEXT_TABLE_SUFFIXES | PARQUET  # what a page may name as a table


class DataFiles:
    """Resolving, reading and protecting the data files of one project."""

    def __init__(self, project: "Project"):
        self.project = project
        self._tables: dict[tuple, Table] = {}
        self._rules: dict[Path, Rules] | None = None
        self._page_rules: dict[Path, ColumnRules] = {}
        self._uses: dict[Path, list[Path]] = {}
        self._warned: set[str] = set()
        self._bad_rows: set[str] = set()  # files read with bad cells (their rows left out)
        self._engine: Engine | None = None
        self._sources: dict[tuple[str, str], Any] = {}  # (source, table) -> EngineTable
        self._backends: dict[str, Any] = {}  # source -> its Ibis backend (connected once per build)

    @property
    def engine(self) -> Engine:
        """The project's query engine (embedded DuckDB): every metric, chart and report runs there."""
        if self._engine is None:
            from studio.cache import Cache

            config = self.project.config
            self._engine = Engine(cache=Cache.for_project(config, "queries"), memory_limit=config.queries.memory_limit,
                                  spill_dir=config.root / config.cache.dir / "duckdb")
        return self._engine

    def has_bad_rows(self, path: Path) -> bool:
        """Whether ``path`` was read with bad cells: what is made from it must not be cached,
        or the next build would skip the read and no longer report them."""
        return str(Path(path)) in self._bad_rows

    # where -------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self.project.config.root.resolve()

    def resolve(self, ref: Any, page: Path, *, file: Path | None = None, line: int | None = None,
                what: str = "data file", suffixes: frozenset[str] | set[str] = READABLE) -> Path:
        """The file ``ref`` names, relative to ``page``'s folder; a StudioError placed at
        ``file:line`` (default: the page) when it is not a table, lies outside the project or
        does not exist."""
        where = {"file": file or page, "line": line}
        named = self.source_ref(ref)
        if named is not None:  # data: dw:orders — a table of a warehouse source
            self._source_table(*named, where)
            return self.source_path(*named)
        rel = str(ref or "").strip()
        if not rel:
            raise StudioError(f"empty {what} path", **where, hint="e.g. 'orders.csv', relative to this page")
        path = (page.parent / rel).resolve()  # symlinks resolved: a link out of the project is outside
        if not path.is_relative_to(self.root):
            raise StudioError(f"{what} '{rel}' lies outside the project", **where,
                              hint="put the export inside the project, beside the page that uses it")
        if path.suffix.lower() not in suffixes:
            raise StudioError(f"{what} '{rel}' is not a CSV or Excel file", **where,
                              hint="data files are .csv, .tsv or .xlsx exports beside the page")
        if not path.is_file():
            folder = path.parent
            near = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in suffixes) if folder.is_dir() else []
            raise StudioError(f"{what} not found: {rel}{did_you_mean(Path(rel).name, near)}", **where,
                              hint="paths are relative to the page; data files nearby: " + (", ".join(near) or "none"))
        return path

    # reading -----------------------------------------------------------------------
    def read(self, path: Path, kind: str | None = None, columns: dict[str, str] | None = None,
             *, types: dict[str, str] | None = None, sheet: str | None = None, by: str | None = None) -> Table:
        """The table at ``path`` with the project's PII rules applied; cached for the build.

        The returned table is shared: do not modify its frame in place. ``by`` says who reads
        it (``the chart block at page.md:12``); the file's bad cells name it in their hint.
        """
        path = Path(path).resolve()
        named = self._source_of(path)
        if named is not None:
            return self._source_table(*named, {"file": None, "line": None})
        if path.suffix.lower() in PARQUET:
            return self._read_parquet(path, kind, columns)
        try:
            stat = path.stat()
        except OSError:
            raise StudioError("data file not found", file=path,
                              hint="check the path; it is relative to the page (数据文件不存在)") from None
        if self.in_engine(path) and not (types or sheet):
            table = self._read_parquet(path, kind, columns, clean_csv=True)
            if table is not None:
                return table
        key = (str(path), stat.st_mtime_ns, stat.st_size, kind, tuple(sorted((columns or {}).items())),
               tuple(sorted((types or {}).items())), sheet)
        table = self._tables.get(key)
        if table is None:
            raw = read_table(path, kind, columns, types=types, sheet=sheet, kinds=self.project.registry.kinds,
                             keep_good_rows=True)  # every bad row reported once; the good rows still count
            if str(path) not in self._warned:  # e.g. rows without a time: said once per file
                self._warned.add(str(path))
                for problem in raw.problems if by else ():
                    problem.hint = f"{problem.hint} (read by {by})" if problem.hint else f"read by {by}"
                self.project.diagnostics.extend(raw.problems + raw.warnings)
            if raw.problems:
                self._bad_rows.add(str(path))
            rules = self.rules_for(path)
            table = apply_rules(raw, rules)
            self._tables[key] = table
            # Its data version: the file's bytes and how it was read (and protected).
            self.engine.expect(table.frame, key_of("file", file_hash(path), key[3:], sorted(rules.mask),
                                                   sorted(rules.drop), sorted(rules.allow)))
            if kind is None and table.kind is not None:  # the same read serves `kind: <inferred>`
                self._tables[key[:3] + (table.kind,) + key[4:]] = table
        return table

    # warehouse sources -------------------------------------------------------------
    def source_ref(self, ref: Any) -> tuple[str, str] | None:
        """``("dw", "orders")`` for ``dw:orders`` when ``dw`` is a source of the options."""
        text = str(ref or "").strip()
        name, sep, alias = text.partition(":")
        if sep and name in self.project.config.sources and alias and "/" not in alias:
            return name, alias
        return None

    def source_path(self, name: str, alias: str) -> Path:
        """A stand-in path for a source table: rules, uses and caches are keyed on paths."""
        return self.root / ".studio-sources" / name / alias

    def _source_of(self, path: Path) -> tuple[str, str] | None:
        try:
            rel = Path(path).relative_to(self.root / ".studio-sources")
        except ValueError:
            return None
        return (rel.parts[0], rel.parts[1]) if len(rel.parts) == 2 else None

    def is_source(self, path: Path) -> bool:
        return self._source_of(Path(path)) is not None

    def source_version(self, path: Path) -> str:
        """The data version of a source table (for caches): never its URL."""
        named = self._source_of(Path(path))
        table = self._sources.get(named) if named else None
        return self.engine.version_of_table(table.expr) if table is not None else ""

    def _source_table(self, name: str, alias: str, where: dict):
        """The source table as an engine table (connected, checked and protected once per build);
        a StudioError at ``where`` — without the URL — when it cannot be had."""
        found = self._sources.get((name, alias))
        if found is not None:
            return found
        from studio.data.tables import EngineTable, empty_frame

        options = self.project.config.sources[name]
        path = self.source_path(name, alias)
        try:
            if alias not in options.tables:
                raise warehouse.SourceError(f"source '{name}' has no table '{alias}'{did_you_mean(alias, options.tables)}",
                                            f"tables of {name}: " + (", ".join(options.tables) or "none"))
            backend = self._backends.get(name)
            if backend is None:
                backend = self._backends[name] = warehouse.connect(name, options)
            t = warehouse.table(backend, name, options, alias)
            kinds = self.project.registry.kinds
            kind = options.kinds.get(alias) or (alias if alias in kinds else None)
            schema = kinds.get(kind) if kind else None
            missing = [c.name for c in (schema.required if schema else []) if c.name not in t.columns]
            if missing:
                raise warehouse.SourceError(
                    f"table '{options.tables[alias]}' of source '{name}' has no column for '{missing[0]}' ({kind})",
                    f"map it: sources.{name}.columns.{alias}.{missing[0]}: <the table's column>")
            rules = self.rules_for(path)
            drop = [c for c in t.columns if rules.declared(c, c) == "drop"]
            mask = [c for c in t.columns if rules.declared(c, c) == "mask"]
            t = warehouse.protect(t, drop, mask)  # PII rules in the query itself
            version = warehouse.version(backend, t, options, alias)
        except warehouse.SourceError as problem:
            raise StudioError(f"source '{name}': {problem}", **where, hint=problem.hint) from None
        remote = self._remote(name, backend)
        t = remote.remote(t, key_of("source", name, alias, version))
        self.engine.attach(remote, t)
        table = EngineTable(path, empty_frame(t), {c: c for c in t.columns}, [], "", kind, schema=schema, expr=t)
        self._scan_source(name, alias, t, rules, where)
        self._sources[(name, alias)] = table
        return table

    def in_engine(self, path: Path) -> bool:
        """Whether ``path`` is a CSV large enough to be read by the engine itself, when clean
        (:attr:`QueryOptions.large_csv`); the PII scan then reads a bounded sample of it."""
        limit = self.project.config.queries.large_csv_bytes
        try:
            return Path(path).suffix.lower() in (".csv", ".tsv") and limit > 0 and Path(path).stat().st_size >= limit
        except OSError:
            return False

    def _read_parquet(self, path: Path, kind: str | None, columns: dict[str, str] | None, clean_csv: bool = False):
        """A Parquet file beside a page, scanned by DuckDB where it lies: its columns are
        matched to a kind like an export's headers, PII rules applied in the query.

        ``clean_csv``: a large CSV, read the same way when it is clean — UTF-8, one header row,
        every row parsed, a kind's columns of the kind's types; None otherwise (the reader,
        which knows GBK, 1.2万, 2024年5月1日 and 合计 rows, reads it instead)."""
        digest = file_hash(path)  # read once: a large file's bytes are hashed for the key and the version
        key = ("parquet", str(path), digest, kind, tuple(sorted((columns or {}).items())))
        found = self._tables.get(key)
        if found is not None:
            return found
        from studio.data.tables import EngineTable, empty_frame

        rules = self.rules_for(path)
        version = key_of("parquet", digest, sorted(rules.mask), sorted(rules.drop), sorted(rules.allow))
        if clean_csv:
            t = self.engine.clean_csv(path, version)
            if t is None:
                return None
        else:
            t = self.engine.parquet(path, version=version)
        kinds = self.project.registry.kinds
        headers = list(t.columns)
        if clean_csv:
            k = kinds.get(kind) if kind else None
            best = k if k is not None else next((k for k in kinds.values() if all(c.name in k.match(headers)
                                                                                for c in k.required)), None)
            if best is None or not _typed_as(best, best.match(headers), t):
                return None
        if kind is not None and kind not in kinds:
            raise StudioError(f"unknown kind '{kind}'{did_you_mean(kind, kinds)}", file=path,
                              hint="kinds: " + ", ".join(kinds))
        candidates = [kinds[kind]] if kind else list(kinds.values())
        best, mapping = None, {}
        for k in candidates:
            m = {**k.match(headers), **{c: h for c, h in (columns or {}).items() if h in headers}}
            if all(c.name in m for c in k.required) and len(m) > len(mapping):
                best, mapping = k, m
        if kind and best is None:
            need = [c.name for c in kinds[kind].required if c.name not in kinds[kind].match(headers)]
            raise StudioError(f"no column for '{need[0]}' ({kind}) in {path.name}", file=path,
                              hint="columns: " + ", ".join(headers))
        rename = {c: h for c, h in mapping.items() if c != h}
        if rename:
            t = t.rename(rename)
        drop = [c for c in t.columns if rules.declared(mapping.get(c, c), c) == "drop"]
        mask = [c for c in t.columns if rules.declared(mapping.get(c, c), c) == "mask"]
        t = warehouse.protect(t, drop, mask)
        table = EngineTable(path, empty_frame(t), {c: mapping.get(c, c) for c in t.columns}, [], "", best.name if best else None,
                            schema=best, expr=t)
        self._tables[key] = table
        return table

    def _remote(self, name: str, backend) -> Engine:
        key = f"engine:{name}"
        if key not in self._backends:
            self._backends[key] = Engine(backend, cache=self.engine.cache)
        return self._backends[key]

    def _scan_source(self, name: str, alias: str, t, rules: Rules, where: dict) -> None:
        """The PII scan of a warehouse table: a bounded sample of its rows, never the table."""
        from studio.guard import pii

        options = self.project.config.pii
        if not options.enabled:
            return
        kinds = [k for k in options.detect if k != "name" and (k != "email" or options.data_email)]
        try:
            rows = warehouse.sample(t)
        except Exception:
            return  # the query itself reports a broken table
        for column in rows.columns:
            if rules.declared(column, column) is not None:
                continue
            for value in rows[column].dropna().astype(str).head(warehouse.SCAN_ROWS):
                found = [f for f in pii.find(value, kinds) if not pii.allowed(f, rules.allow)]
                if found:
                    self.project.diagnostics.add(StudioError(
                        f"source '{name}:{alias}': column '{column}' holds personal data ({found[0].kind})",
                        **where, severity=options.severity,
                        hint=f"mask or drop it, e.g. pii: {{mask: [{column}]}} in the options or the page"))
                    break

    # PII rules ---------------------------------------------------------------------
    def rules_for(self, path: Path) -> Rules:
        """The column rules in force for a data file: the options' plus its pages'."""
        rules = self._all_rules()
        found = rules.get(Path(path).resolve())
        return found if found is not None else self._base_rules()

    def uses(self) -> dict[Path, list[Path]]:
        """Data file -> the pages that name it (front matter ``datasets``, blocks' ``data:``)."""
        self._all_rules()
        return self._uses

    def page_rules(self) -> dict[Path, ColumnRules]:
        """Front matter ``pii:`` of each page that declares it."""
        self._all_rules()
        return self._page_rules

    def _base_rules(self) -> Rules:
        rules = Rules(kinds=tuple(self.project.registry.kinds.values()))
        rules.add(self.project.config.pii)
        return rules

    def _all_rules(self) -> dict[Path, Rules]:
        if self._rules is None:
            self._page_rules = self._read_page_rules()
            self._uses = self._find_uses()
            self._rules = {}
            for path, pages in self._uses.items():
                rules = self._base_rules()
                for page in pages:
                    if page in self._page_rules:
                        rules.add(self._page_rules[page])
                self._rules[path] = rules
        return self._rules

    def _read_page_rules(self) -> dict[Path, ColumnRules]:
        out: dict[Path, ColumnRules] = {}
        for doc in self.project.documents:
            raw = doc.source.meta.get("pii")
            if raw is None:
                continue
            try:
                out[doc.path.resolve()] = ColumnRules.model_validate(raw)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ("pii", *err["loc"])
                    self.project.diagnostics.error(
                        f"{'.'.join(map(str, loc))}: {error_message(err)}", file=doc.path, line=doc.source.line_of(*loc),
                        hint="write e.g. 'pii: {mask: [手机号], drop: [收货人], allow: [400-820-8820]}'")
        return out

    def _find_uses(self) -> dict[Path, list[Path]]:
        uses: dict[Path, list[Path]] = defaultdict(list)
        for doc in self.project.documents:
            declared = doc.source.meta.get("datasets")
            refs = list(declared) if isinstance(declared, list) else []
            # Any fenced block with a 'data:' key: block types are added by features over time.
            for block in find_blocks(doc.source.body, block_names(doc.source.body)):
                try:
                    data = safeyaml.load(block.raw)
                except yaml.YAMLError:  # the block itself reports it
                    continue
                if isinstance(data, dict):
                    value = data.get("data")
                    refs += value if isinstance(value, list) else [value] if value else []
            for ref in refs:
                if isinstance(ref, str) and self.source_ref(ref) is not None:
                    uses[self.source_path(*self.source_ref(ref))].append(doc.path.resolve())
                elif isinstance(ref, str) and ref.strip():
                    target = (doc.path.parent / ref.strip()).resolve()
                    if target.is_file() and target.suffix.lower() in TABLE_SUFFIXES | PARQUET:
                        uses[target].append(doc.path.resolve())
        return dict(uses)


def _typed_as(kind, mapping: dict[str, str], t) -> bool:
    """Whether the engine read every column of ``kind`` found in ``t`` with the kind's type
    (a 1.2万 or a 2024年5月1日 makes the column text: then the reader must read the file)."""
    schema = t.schema()
    for column in kind.columns:
        header = mapping.get(column.name)
        if header is None:
            continue
        dtype = schema[header]
        if column.type in ("datetime", "date") and not (dtype.is_timestamp() or dtype.is_date()):
            return False
        if column.type in ("money", "int", "float", "percent") and not dtype.is_numeric():
            return False
    return True
