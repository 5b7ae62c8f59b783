"""``studio check``: everything a build would report, without writing a site."""

from __future__ import annotations

from studio.compiler import compile_project, render_page
from studio.config import StudioConfig
from studio.errors import StudioError
from studio.project import Project


def check_project(config: StudioConfig) -> list[StudioError]:
    project = Project.load(config)
    compile_project(project)
    problems = list(project.diagnostics.items)
    for doc in project.documents:
        try:
            render_page(project, doc.uri, doc.source.body)
        except StudioError as problem:
            problems.append(problem)
    return problems
