"""``studio export report SLUG --period 2026-W47 [--html|--pdf]``: one period to hand out.

The HTML file is self-contained, so it can be sent in a WeCom chat and opened anywhere:
styles, plotly.js, Studio's chart script and every chart's data are inside, and it fetches
nothing. It is rendered from the same Markdown as the site's period page (without links to
the rest of the site), so its numbers are the site's. The PDF is that file printed with
headless Chromium through :func:`studio.export.pdf.print_pdf`, like course handouts.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from importlib import resources
from pathlib import Path

import markdown
from markupsafe import Markup

from studio.features.reports.model import REPORTS, ReportSource
from studio.errors import BuildFailed, StudioError, did_you_mean
from studio.export.pdf import print_pdf
from studio.guard.html import clean_page
from studio.core.project import Project
from studio.features.builtin import load_project
from studio.features.reports.numbers import all_series, compute
from studio.features.reports.pages import LATEST, period_markdown, periods_of
from studio.features.reports.periods import Period, parse_period

FORMATS = ("html", "pdf")
_EXTENSIONS = ["tables", "admonition", "attr_list", "md_in_html", "sane_lists"]


def _script(text: str) -> Markup:
    """JavaScript safe inside an inline <script> element."""
    return Markup(text.replace("</script", "<\\/script").replace("<!--", "<\\!--"))


def standalone_html(project: Project, source: ReportSource, period: Period) -> str:
    """The period as one HTML document that needs no other file."""
    numbers = compute(project, source, period, all_series(source))
    body = markdown.markdown(period_markdown(project, numbers, None), extensions=_EXTENSIONS, output_format="html")
    body = clean_page(body, project.config.html)  # as on the site: no author script or javascript: link
    assets = resources.files("studio") / "assets"
    # Studio's partial bundle (studio/assets/plotly/: the five trace types Studio draws), as on the site
    plotly = (assets / "plotly" / "plotly-studio.min.js").read_text(encoding="utf-8")
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    return project.render("report_standalone.html.j2", title=f"{source.model.title} · {period.label}", body=Markup(body),
                  css=Markup((assets / "studio.css").read_text(encoding="utf-8")),
                  plotly=_script(plotly), charts=_script((assets / "charts.js").read_text(encoding="utf-8")),
                  generated=f"{now:%Y-%m-%d %H:%M}")


def find_report(project: Project, slug: str) -> ReportSource:
    found = {s.slug: s for s in project.extras.get(REPORTS, [])}
    source = found.get(slug)
    if source is None:
        raise StudioError(f"no report named '{slug}'{did_you_mean(slug, found)}",
                          hint="reports: " + (", ".join(sorted(found)) or
                                              "none yet; add a page with 'type: report' under content/reports/"))
    return source


def pick_period(source: ReportSource, text: str | None) -> Period:
    """The period asked for (``latest`` or none: the newest), which must lie in the report's span."""
    periods = periods_of(source)
    if not periods:
        raise StudioError(f"report '{source.slug}' has no periods: none of its data is dated",
                          file=source.doc.path, line=source.doc.source.line_of("datasets"))
    if text is None or text.strip().lower() == LATEST:
        return periods[-1]
    try:
        period = parse_period(text, source.kind)
    except ValueError as exc:
        raise StudioError(f"--period: {exc}", hint=f"periods of '{source.slug}': {periods[0].key} … {periods[-1].key}") from None
    if period not in periods:
        raise StudioError(f"--period {period.key} is outside report '{source.slug}', which runs from "
                          f"{periods[0].key} to {periods[-1].key}",
                          hint="pick a period in that range, or 'latest'")
    return period


def export_report(config_file: Path, slug: str, period: str | None = None, fmt: str = "html",
                  output: Path | None = None, strict: bool = False) -> Path:
    """Write one period of report ``slug``; return the file (default ``<slug>-<period>.html|pdf``)."""
    from studio.engine import build as engine

    if fmt not in FORMATS:
        raise StudioError(f"unknown format '{fmt}'", hint="use --html or --pdf")
    config = engine.studio_config(config_file, strict=strict)
    project = load_project(config)
    failing = project.diagnostics.failing(strict)
    if failing:  # the site would not build: the report's numbers cannot be trusted either
        raise BuildFailed(failing)
    source = find_report(project, slug)
    chosen = pick_period(source, period)
    target = Path(output) if output is not None else Path(f"{slug}-{chosen.key}.{fmt}")
    html_text = standalone_html(project, source, chosen)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        target.write_text(html_text, encoding="utf-8")
        return target
    with tempfile.TemporaryDirectory(prefix="studio-report-") as tmp:
        page = Path(tmp) / f"{slug}-{chosen.key}.html"
        page.write_text(html_text, encoding="utf-8")
        return print_pdf(page, target, title=f"{source.model.title} · {chosen.label}")
