"""``studio check``: everything a build would report, without writing a site."""

from __future__ import annotations

from studio.config import StudioConfig
from studio.core.pipeline import compile_project, render_page
from studio.errors import StudioError
from studio.features.builtin import load_project
from studio.features.calendars.checkup import all_findings


def check_project(config: StudioConfig) -> list[StudioError]:
    return check_all(config)[0]


def check_all(config: StudioConfig) -> tuple[list[StudioError], list[StudioError]]:
    """Problems (what a build would report) and playbook findings (体检 advice).

    Under strict, error-severity findings are among the problems too (the checkup adds
    them to the diagnostics), so that they fail like a strict build does.
    """
    project = load_project(config)
    compile_project(project)
    problems = list(project.diagnostics.items)
    loaded = len(problems)
    for doc in project.documents:
        try:
            render_page(project, doc.uri, doc.source.body)
        except StudioError as problem:
            problems.append(problem)
    problems += project.diagnostics.items[loaded:]  # found while rendering (a block's data file)
    return problems, all_findings(project)
