"""Generated 数据看板 pages: one per dataset named in front matter, plus 指标口径.

A teardown or persona lists ``datasets: [orders.csv, …]`` (paths relative to the page).
Each file is read when the project loads (so ``studio check`` reports data errors) and
gets a page of headline KPIs and the standard charts of its kind. The pages are Markdown
with ```kpi and ```chart blocks, rendered like any page. plotly.js is Studio's partial
bundle (``studio/assets/plotly``: only the trace types charts.py draws, a quarter of the
full bundle's weight) and is loaded only by pages with charts.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from studio.core.pipeline import ASSET_PREFIX, Output, link
from studio.core.project import Document, Project
from studio.data import kpi
from studio.data.reader import Table
from studio.errors import StudioError

from .kpi_block import DEFAULT_METRICS

FOLDER = "dashboards"
METRICS_PAGE = f"{FOLDER}/metrics.md"
PLOTLY_ASSET = ASSET_PREFIX + "plotly.min.js"  # Studio's partial bundle, under the usual name
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
        return self.table.schema.label if self.table.schema else "数据"


def load_datasets(project: Project) -> None:
    """Read every dataset named in front matter; problems go to the project's diagnostics."""
    found: list[Dataset] = []
    for doc in project.documents:
        if doc.kind == "report":  # reports cut their datasets into periods (studio.features.reports)
            continue
        names = getattr(doc.model, "datasets", None) or []
        for i, rel in enumerate(names):
            try:
                path = project.data.resolve(rel, doc.path, line=doc.source.line_of("datasets", i), what="dataset")
                table = project.data.read(path)
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


def chart_assets(project: Project, out: Output) -> None:
    """Studio's partial plotly.js bundle and its licence, and Studio's chart script."""
    bundle = resources.files("studio") / "assets" / "plotly"
    out.assets[PLOTLY_ASSET] = (bundle / "plotly-studio.min.js").read_bytes()
    out.assets[ASSET_PREFIX + "plotly.js.LICENSE.txt"] = (bundle / "plotly.js.LICENSE").read_bytes()
    out.need_scripts["plotly"] = [CHARTS_ASSET]  # charts.js loads plotly.js once a chart nears the screen


def dashboard_pages(project: Project, out: Output) -> None:
    datasets: list[Dataset] = project.extras.get("datasets", [])
    for ds in datasets:
        out.add_page(ds.uri, dashboard_markdown(project, ds), project)
    out.add_page(METRICS_PAGE, project.render("metrics.md.j2", groups=metric_groups(project), kinds=kind_rows(project)),
                 project)


def dashboard_markdown(project: Project, ds: Dataset) -> str:
    table = ds.table
    kind = table.schema
    frame = table.frame  # its columns and types; rows may live in the engine (Parquet, a source)
    time_col = kpi.TIME_COLUMN.get(table.kind or "")
    engine = project.data.engine
    t = engine.table(table)
    facts = {"rows": t.count()}
    if time_col and time_col in t.columns:
        facts.update(lo=t[time_col].min(), hi=t[time_col].max())
    if "persona" in t.columns:
        facts["personas"] = t.persona.nunique()
    got = engine.run(t.aggregate(**facts)).iloc[0]
    span = ""
    if "lo" in got and not pd.isna(got["lo"]):
        span = f"{pd.Timestamp(got['lo']):%Y-%m-%d} 至 {pd.Timestamp(got['hi']):%Y-%m-%d}"
    data = ds.rel if project.data.is_source(ds.path) else ds.path.as_posix()  # dw:orders stays a name
    return project.render(
        "dataset_dashboard.md.j2", ds=ds, doc=ds.doc, kind=kind, rows=int(got["rows"]), span=span,
        data=data, back=link(ds.uri, ds.doc.uri), metrics_link=link(ds.uri, METRICS_PAGE),
        metrics=DEFAULT_METRICS.get(table.kind or "", []), has=set(frame.columns),
        personas=int(got["personas"]) if "personas" in got else 0,
        columns=[(table.header(c), table.label(c), str(frame[c].dtype)) for c in frame.columns],
    )


def metric_groups(project: Project) -> list[tuple[str, str, list[kpi.Metric]]]:
    groups = []
    for name, k in project.registry.kinds.items():
        ms = list(project.registry.metrics_of(name).values())
        if ms:
            groups.append((name, k.label, ms))
    return groups


def kind_rows(project: Project) -> list[tuple[str, str, list]]:
    return [(name, k.label, k.columns) for name, k in project.registry.kinds.items()]


def datasets_of(project: Project, doc: Document) -> list[Dataset]:
    return [d for d in project.extras.get("datasets", []) if d.doc is doc]


def link_dashboards(project: Project, doc: Document, markdown: str) -> str:
    """Teardown and persona pages end with links to their datasets' 数据看板 pages."""
    found = datasets_of(project, doc)
    if not found:
        return markdown
    items = [f"- [{d.kind_label}看板：`{d.path.name}`]({link(doc.uri, d.uri)})" for d in found]
    return markdown.rstrip() + "\n\n## 数据看板\n\n" + "\n".join(items) + "\n"
