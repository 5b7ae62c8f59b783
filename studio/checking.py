"""``studio check``: everything a build would report, without writing a site.

Check runs the same steps as a build up to the HTML of each page — load, compile, render
every page's blocks, convert it with the project's own Markdown extensions and sanitise it —
so that ``check`` and ``build`` report the same problems (printed once each through
:class:`studio.errors.Report`). It takes no lock and writes nothing.
"""

from __future__ import annotations

from typing import Callable

from studio.config import StudioConfig
from studio.core.pipeline import compile_project, render_page
from studio.errors import StudioError
from studio.features.builtin import load_project
from studio.guard.html import guard_page


def check_project(config: StudioConfig) -> list[StudioError]:
    return check_all(config)[0]


def check_all(config: StudioConfig, to_html: Callable[[str], str] | None = None
              ) -> tuple[list[StudioError], list[StudioError]]:
    """Problems (what a build would report) and playbook findings (体检 advice).

    ``to_html`` converts a page's Markdown as the engine would (the project's
    ``markdown_extensions``); with it, what the HTML sanitiser removes is reported too.
    Under strict, error-severity findings are among the problems too (the checkup adds
    them to the diagnostics), so that they fail like a strict build does.
    """
    project = load_project(config)
    compile_project(project)
    problems = list(project.diagnostics.items)
    loaded = len(problems)
    for doc in project.documents:
        if project.is_left_out(doc.uri):
            continue
        try:
            text, _ = render_page(project, doc.uri, doc.source.body)
        except StudioError as problem:
            problems.append(problem)
            continue
        if to_html is not None:
            problems += guard_page(to_html(text), project.config.html, source=doc.path)[1]
    problems += project.diagnostics.items[loaded:]  # found while rendering (a block's data file)
    return problems, list(project.diagnostics.advice)
