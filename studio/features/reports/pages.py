"""Generated report pages: one per period, ``latest``, the archive on the report page, an index.

For a report at ``reports/team-weekly.md`` the pages are ``reports/team-weekly/2026-W47.md``
(URL ``…/2026-W47/``), ``…/2026-11.md`` for months, and ``…/latest.md``; they are in the
site but not in the navigation, which lists the report page itself with every period,
newest first, and small trend lines of the headline KPIs (inline SVG, no script).
The same Markdown, without site links, is what ``studio export report`` writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from studio.core.pipeline import Output, link
from studio.core.project import Document, Project
from studio.errors import display_path
from studio.features.calendars.pages import md_text
from studio.features.calendars.rules import RULES
from studio.features.datasets.charts import render_chart
from studio.features.datasets.dashboards import METRICS_PAGE
from studio.features.datasets.kpi_block import mood

from .model import REPORTS, ReportSource
from .numbers import MISSING, TREND, PeriodNumbers, all_series, compute
from .periods import Period, periods_between
from .summary import summary_html, unjudged

NUMBERS = "report_numbers"  # project.extras key: report slug -> list[PeriodNumbers], oldest first
INDEX = "reports/index.md"
LATEST = "latest"


def periods_of(source: ReportSource) -> list[Period]:
    span = source.span()
    return periods_between(span[0], span[1], source.kind) if span else []


def numbers_of(project: Project, source: ReportSource) -> list[PeriodNumbers]:
    """Every period of a report, computed once per build (oldest first)."""
    cache = project.extras.setdefault(NUMBERS, {})
    key = source.doc.uri
    if key not in cache:
        series = all_series(source)
        cache[key] = [compute(project, source, p, series) for p in periods_of(source)]
    return cache[key]


@dataclass
class Nav:
    previous: str | None
    previous_label: str
    next: str | None
    next_label: str
    archive: str
    latest: str | None


def _charts(project: Project, numbers: PeriodNumbers) -> list:
    return [(s, [Markup(render_chart(project, c.data, c.title, c.caption, height=300)) for c in s.charts])
            for s in numbers.sections]


def _finding_view(project: Project, f) -> dict:
    place = ""
    if f.file:
        path = Path(f.file)
        try:
            place = path.resolve().relative_to(project.config.root.resolve()).as_posix()
        except ValueError:
            place = display_path(path)
        if f.line:
            place += f":{f.line}"
    rule = RULES.get(f.rule)
    return {"rule_title": rule.title if rule else (f.rule or ""), "text": md_text(f.message_zh or f.message),
            "place": place}


def period_markdown(project: Project, numbers: PeriodNumbers, uri: str | None, *, is_latest: bool = False,
                    neighbours: tuple[Period | None, Period | None] = (None, None)) -> str:
    """A period page's Markdown. ``uri`` None: standalone (no links to other pages of the site)."""
    source = numbers.report
    nav = None
    personas = {d.slug: d for d in project.of_kind("persona")}
    if uri is not None:
        before, after = neighbours
        nav = Nav(link(uri, source.page(before.key)) if before else None, before.short if before else "",
                  link(uri, source.page(after.key)) if after else None, after.short if after else "",
                  link(uri, source.doc.uri), None if is_latest else link(uri, source.page(LATEST)))
    plan = []
    for row in numbers.plan or []:
        doc = personas.get(row.persona or "")
        name = md_text(row.persona_name)
        persona = Markup(f"[{name}]({link(uri, doc.uri)})") if uri is not None and doc is not None else name
        plan.append({"row": row, "persona": persona})
    files = "、".join(f"`{p.name}`" for s in source.series.values() for p in s.files)
    return project.render(
        "report_period.md.j2", report=source, numbers=numbers, nav=nav, is_latest=is_latest,
        summary=Markup(summary_html(project, numbers)),
        tiles=Markup(project.render("kpi_tiles.html.j2", tiles=judged_tiles(numbers), title="核心指标")),
        sections=_charts(project, numbers), plan=plan, missing=MISSING, kinds=set(source.series),
        calendars="、".join(c.title for c in source.calendars),
        findings=[_finding_view(project, f) for f in numbers.findings], md=md_text,
        cohort=Markup(render_chart(project, numbers.cohort, "首单月份同期群留存（截至本期末）", "留存率 = 当月有下单的客户 ÷ 该月首单客户数",
                                   height=320)) if numbers.cohort else None,
        files=Markup(files), metrics_link=link(uri, METRICS_PAGE) if uri is not None else None,
    )


def judged_tiles(numbers: PeriodNumbers) -> list[dict]:
    """The period's tiles, each change coloured by its metric's good direction; a target
    over data that covers only part of the period is shown, not judged (``summary.unjudged``)."""
    skip = unjudged(numbers)
    out = []
    for t, f in zip(numbers.tiles(), numbers.figures):
        t = {**t, "mood": mood(t["trend"], getattr(f.metric, "direction", "up"))}
        if f.name in skip:
            t["state"] = "partial"
            t["note"] = f"目标 {f.target_text} · 本期数据不完整，不作评判"
        out.append(t)
    return out


# Archive ---------------------------------------------------------------------------------
def sparkline(values: list[float], width: int = 160, height: int = 36) -> Markup:
    """A small trend line (oldest left); gaps where data is missing. Inline SVG, no script."""
    points = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    if not points:
        return Markup("")
    lo, hi = min(v for _, v in points), max(v for _, v in points)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad, n = 3, max(1, len(values) - 1)

    def xy(i: int, v: float) -> str:
        return f"{pad + i * (width - 2 * pad) / n:.1f},{pad + (1 - (v - lo) / (hi - lo)) * (height - 2 * pad):.1f}"

    runs, run = [], []
    for i, v in enumerate(values):
        if v is None or math.isnan(v):
            if run:
                runs.append(run)
            run = []
        else:
            run.append(xy(i, v))
    if run:
        runs.append(run)
    lines = "".join(f'<polyline points="{" ".join(r)}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
                    if len(r) > 1 else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.5" fill="currentColor"/>'
                    for r in runs)
    last = xy(*points[-1])
    dot = f'<circle cx="{last.split(",")[0]}" cy="{last.split(",")[1]}" r="2.5" fill="currentColor"/>'
    return Markup(f'<svg class="studio-spark__svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
                  f'role="img" aria-hidden="true">{lines}{dot}</svg>')


def archive_markdown(project: Project, source: ReportSource) -> str:
    """The report page's own addition: latest period, trend lines, and every period, newest first."""
    uri = source.doc.uri
    all_numbers = numbers_of(project, source)
    if not all_numbers:
        return project.render("report_archive.md.j2", rows=[], missing=MISSING,
                              bounded=bool(source.model.start or source.model.end))
    first = all_numbers[0]
    names = [f.name for f in first.figures]
    trend = [n for n in TREND if n in names] or names[:4]
    sparks = []
    for name in trend:
        m = source.metrics[name]
        values = [nb.by_metric[name].value if not nb.by_metric[name].missing else math.nan for nb in all_numbers]
        last = all_numbers[-1].by_metric[name]
        sparks.append({"name": name, "label": m.label, "svg": sparkline(values), "last": last.text,
                       "span": f"{all_numbers[0].period.short} 至 {all_numbers[-1].period.short}"})
    head = ["周" if source.kind == "week" else "月"] + [source.metrics[n].label for n in trend]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(trend)]
    for nb in reversed(all_numbers):
        cells = [f"[{nb.period.short}]({link(uri, source.page(nb.period.key))})"
                 + ("（数据不完整）" if nb.coverage else "")]
        cells += [nb.by_metric[n].text for n in trend]
        lines.append("| " + " | ".join(cells) + " |")
    latest = all_numbers[-1].period
    targets = "；".join(f"{source.metrics[t.metric].label} {f.target_text}" for t in source.targets.values()
                        for f in [first.by_metric.get(t.metric)] if f is not None)
    return project.render("report_archive.md.j2", rows=all_numbers, table=Markup("\n".join(lines)),
                          sparks=sparks, count=len(all_numbers), kind=source.kind, targets=targets, missing=MISSING,
                          bounded=False, latest={"label": latest.label, "link": link(uri, source.page(latest.key))},
                          latest_page=link(uri, source.page(LATEST)))


def decorate_report(project: Project, doc: Document, markdown: str) -> str:
    source = next((s for s in project.extras.get(REPORTS, []) if s.doc is doc), None)
    if source is None:
        return markdown
    intro = f"\n\n{source.model.description}\n" if source.model.description else ""
    return markdown.rstrip() + intro + "\n\n" + archive_markdown(project, source)



# Pages -----------------------------------------------------------------------------------
def report_pages(project: Project, out: Output) -> None:
    sources: list[ReportSource] = project.extras.get(REPORTS, [])
    index_rows = []
    for source in sources:
        all_numbers = numbers_of(project, source)
        periods = [nb.period for nb in all_numbers]
        for i, nb in enumerate(all_numbers):
            uri = source.page(nb.period.key)
            neighbours = (periods[i - 1] if i else None, periods[i + 1] if i + 1 < len(periods) else None)
            out.add_page(uri, period_markdown(project, nb, uri, neighbours=neighbours), project)
            out.unlisted.add(uri)
            out.page_needs[uri] = {"plotly"}
        if all_numbers:
            uri = source.page(LATEST)
            nb = all_numbers[-1]
            out.add_page(uri, period_markdown(project, nb, uri, is_latest=True,
                                              neighbours=(periods[-2] if len(periods) > 1 else None, None)), project)
            out.unlisted.add(uri)
            out.page_needs[uri] = {"plotly"}
        index_rows.append(source)
    mine = [s for s in sources if s.doc.uri.startswith("reports/")]
    if mine:
        reports = []
        for s in sorted(mine, key=lambda s: s.doc.uri):
            all_numbers = numbers_of(project, s)
            latest = all_numbers[-1].period if all_numbers else None
            reports.append({"title": escape(s.model.title), "link": link(INDEX, s.doc.uri), "kind": s.kind,
                            "latest": link(INDEX, s.page(latest.key)) if latest else None,
                            "latest_label": latest.short if latest else "", "count": len(all_numbers)})
        out.add_page(INDEX, project.render("reports_index.md.j2", reports=reports), project)
