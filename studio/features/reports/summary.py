"""The written summary of a report period: Chinese sentences from templates, not a model.

``report_summary.html.j2`` prints each number from the same :class:`Figure` as its tile
and wraps it in a span naming the metric, so tests (and readers' scripts) can check that
the text says exactly what the tiles show. Missed targets are called out at the end.
"""

from __future__ import annotations

from studio.core.project import Project

from .numbers import MISSING, PeriodNumbers


def summary_html(project: Project, numbers: PeriodNumbers) -> str:
    """The summary as one HTML block (no blank lines, so Markdown keeps it whole)."""
    text = project.render("report_summary.html.j2", numbers=numbers, missing=MISSING)
    return "".join(line.strip() for line in text.splitlines())
