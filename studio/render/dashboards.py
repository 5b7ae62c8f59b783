"""Generated 数据看板 pages: one per dataset named in front matter, plus 指标口径.

A teardown or persona lists ``datasets: [orders.csv, …]`` (paths relative to the page).
Each file is read when the project loads (so ``studio check`` reports data errors) and
gets a page of headline KPIs and the standard charts of its kind. The pages are Markdown
with ```kpi and ```chart blocks, rendered like any page. plotly.js is copied from the
installed plotly package and loaded only by pages with charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from studio.compiler import ASSET_PREFIX, PAGE_DECORATORS, Output, generator, link
from studio.content.registry import register_loader
from studio.data import kpi
from studio.data.kinds import get_kind, kinds
from studio.data.reader import EXCEL_SUFFIXES, TEXT_SUFFIXES, Table, read_table
from studio.errors import StudioError, did_you_mean
from studio.project import Document, Project
from studio.render.kpi import DEFAULT_METRICS
from studio.render.templating import render

FOLDER = "dashboards"
METRICS_PAGE = f"{FOLDER}/metrics.md"
PLOTLY_ASSET = ASSET_PREFIX + "plotly.min.js"
CHARTS_ASSET = ASSET_PREFIX + "charts.js"


@dataclass
class Dataset:
    """A data file a page names in front matter, read and ready for its dashboard."""

    doc: Document
    rel: str  # as written in front matter
    path: Path
    table: Table

    name: str = ""  # page name; defaults to <slug>-<file stem>

    @property
    def uri(self) -> str:
        return f"{FOLDER}/{self.name or f'{self.doc.slug}-{self.path.stem}'}.md"

    @property
    def kind_label(self) -> str:
        kind = get_kind(self.table.kind) if self.table.kind else None
        return kind.label if kind else "数据"


@register_loader
def load_datasets(project: Project) -> None:
    """Read every dataset named in front matter; problems go to the project's diagnostics."""
    found: list[Dataset] = []
    for doc in project.documents:
        if doc.kind == "report":  # reports cut their datasets into periods (studio.content.report)
            continue
        names = getattr(doc.model, "datasets", None) or []
        for i, rel in enumerate(names):
            path = (doc.path.parent / rel).resolve()
            line = doc.source.line_of("datasets", i)
            if path.suffix.lower() not in TEXT_SUFFIXES | EXCEL_SUFFIXES:
                project.diagnostics.error(f"dataset '{rel}' is not a CSV or Excel file", file=doc.path, line=line,
                                          hint="datasets are .csv, .tsv or .xlsx files beside the page")
                continue
            if not path.is_file():
                near = sorted(p.name for p in doc.path.parent.iterdir()
                              if p.suffix.lower() in TEXT_SUFFIXES | EXCEL_SUFFIXES)
                project.diagnostics.error(f"dataset not found: {rel}{did_you_mean(Path(rel).name, near)}",
                                          file=doc.path, line=line,
                                          hint="paths are relative to the page; files nearby: " + (", ".join(near) or "none"))
                continue
            try:
                table = read_table(path)
            except StudioError as problem:
                project.diagnostics.add(problem)
                continue
            found.append(Dataset(doc, str(rel), path, table))
    seen: set[str] = set()
    for ds in found:  # a persona and a teardown may share a slug
        if ds.uri in seen:
            ds.name = f"{ds.doc.kind}-{ds.doc.slug}-{ds.path.stem}"
        seen.add(ds.uri)
    project.extras["datasets"] = found


@generator
def chart_assets(project: Project, out: Output) -> None:
    """plotly.js from the installed plotly package, and Studio's chart script."""
    out.assets[PLOTLY_ASSET] = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    out.need_scripts["plotly"] = [PLOTLY_ASSET, CHARTS_ASSET]


@generator
def dashboard_pages(project: Project, out: Output) -> None:
    datasets: list[Dataset] = project.extras.get("datasets", [])
    for ds in datasets:
        out.add_page(ds.uri, dashboard_markdown(project, ds), project)
    out.add_page(METRICS_PAGE, render("metrics.md.j2", groups=metric_groups(), kinds=kind_rows()), project)


def dashboard_markdown(project: Project, ds: Dataset) -> str:
    table = ds.table
    kind = get_kind(table.kind) if table.kind else None
    frame = table.frame
    time_col = kpi.TIME_COLUMN.get(table.kind or "")
    span = ""
    if time_col and time_col in frame and frame[time_col].notna().any():
        lo, hi = frame[time_col].min(), frame[time_col].max()
        span = f"{lo:%Y-%m-%d} 至 {hi:%Y-%m-%d}"
    return render(
        "dataset_dashboard.md.j2", ds=ds, doc=ds.doc, kind=kind, rows=len(table), span=span,
        data=ds.path.as_posix(), back=link(ds.uri, ds.doc.uri), metrics_link=link(ds.uri, METRICS_PAGE),
        metrics=DEFAULT_METRICS.get(table.kind or "", []), has=set(frame.columns),
        personas=int(frame["persona"].nunique()) if "persona" in frame else 0,
        columns=[(table.header(c), table.label(c), str(frame[c].dtype)) for c in frame.columns],
    )


def metric_groups() -> list[tuple[str, str, list[kpi.Metric]]]:
    groups = []
    for name, k in kinds().items():
        ms = list(kpi.metrics(name).values())
        if ms:
            groups.append((name, k.label, ms))
    return groups


def kind_rows() -> list[tuple[str, str, list]]:
    return [(name, k.label, k.columns) for name, k in kinds().items()]


def datasets_of(project: Project, doc: Document) -> list[Dataset]:
    return [d for d in project.extras.get("datasets", []) if d.doc is doc]


def _link_dashboards(kind: str) -> None:
    """Teardown and persona pages end with links to their datasets' 数据看板 pages."""
    previous = PAGE_DECORATORS.get(kind)

    def decorate(project: Project, doc: Document, markdown: str) -> str:
        if previous is not None:
            markdown = previous(project, doc, markdown)
        found = datasets_of(project, doc)
        if not found:
            return markdown
        items = [f"- [{d.kind_label}看板：`{d.path.name}`]({link(doc.uri, d.uri)})" for d in found]
        return markdown.rstrip() + "\n\n## 数据看板\n\n" + "\n".join(items) + "\n"

    PAGE_DECORATORS[kind] = decorate


for _kind in ("teardown", "persona"):
    _link_dashboards(_kind)
