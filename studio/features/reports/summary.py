"""The written summary of a report period: Chinese sentences from templates, not a model.

``report_summary.html.j2`` prints each number from the same :class:`Figure` as its tile
and wraps it in a span naming the metric, so tests (and readers' scripts) can check that
the text says exactly what the tiles show. Missed targets are called out at the end.
"""

from __future__ import annotations

from studio.core.project import Project

from .numbers import MISSING, PeriodNumbers


def incomplete_kinds(numbers: PeriodNumbers) -> set[str]:
    """The kinds of data that stop (or start) inside the period, e.g. contacts up to the 22nd."""
    if not numbers.coverage:
        return set()
    p = numbers.period
    out = set()
    for kind, s in numbers.report.series.items():
        if not s.dated or s.first is None or s.last is None:
            continue
        if (s.last < p.end and p.contains(s.last)) or (s.first > p.start and p.contains(s.first)):
            out.add(kind)
    return out


def unjudged(numbers: PeriodNumbers) -> set[str]:
    """Metrics whose targets are not judged this period: their data covers only part of it.

    Not at all rather than pro rata: a month's target scaled to 22 days assumes the days
    weigh the same, which a 双11 or a holiday week does not; the tile and the summary say
    so instead of calling 1,756 of a 2,000 target a miss.
    """
    kinds = incomplete_kinds(numbers)
    return {f.name for f in numbers.figures if f.metric.kind in kinds and f.target is not None}


def summary_html(project: Project, numbers: PeriodNumbers) -> str:
    """The summary as one HTML block (no blank lines, so Markdown keeps it whole)."""
    skip = unjudged(numbers)
    partial = [s.label or s.kind for kind, s in numbers.report.series.items() if kind in incomplete_kinds(numbers)]
    text = project.render("report_summary.html.j2", numbers=numbers, missing=MISSING, unjudged=skip, partial=partial,
                          missed=[f for f in numbers.missed if f.name not in skip])
    return "".join(line.strip() for line in text.splitlines())
