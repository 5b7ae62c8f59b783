"""``studio export course SLUG --pdf``: a course's printable handout page, as one PDF.

The handout page is part of every build (``courses/<slug>/handout/``), so the PDF holds
exactly what the site shows, charts included: cover, contents with page numbers, every
published lesson, and the quiz answers at the end.
"""

from __future__ import annotations

from pathlib import Path

from studio.features.courses.model import courses
from studio.errors import BuildFailed, StudioError, did_you_mean
from studio.export.pdf import built_site, page_file, print_pdf
from studio.features.builtin import load_project
from studio.features.courses.pages import HANDOUT


def export_pdf(config_file: Path, slug: str, output: Path | None = None, site_dir: Path | None = None,
               strict: bool = False) -> Path:
    """Write the handout of course ``slug``; return the PDF path (default ``<slug>.pdf``)."""
    from studio.engine import build as engine

    config = engine.studio_config(config_file, strict=strict)
    project = load_project(config)
    found = courses(project)
    course = found.get(slug)
    if course is None:
        errors = project.diagnostics.errors
        if errors:  # the course may exist but be broken: show why
            raise BuildFailed(errors)
        raise StudioError(f"no course named '{slug}'{did_you_mean(slug, found)}",
                          hint="courses: " + (", ".join(sorted(found)) or
                                              f"none yet; add {config.content_dir}/courses/<slug>/course.yml"))
    output = Path(output) if output is not None else Path(f"{slug}.pdf")
    with built_site(config_file, site_dir, strict) as site:
        return print_pdf(page_file(site, course.page(HANDOUT)), output, title=course.model.title)
