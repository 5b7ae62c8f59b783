"""Built-in content types, registered in one place."""

from studio.content.course import Lesson
from studio.content.persona import Persona
from studio.content.registry import register_model
from studio.content.teardown import Teardown

for _model in (Persona, Teardown):
    register_model(_model)
register_model(Lesson)

import studio.render.course_pages  # noqa: E402,F401  (registers the course page generator)
# Content calendars: loader, then the playbook checks on them, then their pages and feeds.
import studio.content.calendar  # noqa: E402,F401
import studio.playbook.checkup  # noqa: E402,F401
import studio.render.calendar_pages  # noqa: E402,F401
# The PII guard over every page and data file (studio.guard).
import studio.guard.scan  # noqa: E402,F401
# Datasets named in front matter: loader, 数据看板 pages, plotly.js (studio.render.dashboards).
import studio.render.dashboards  # noqa: E402,F401
# Chinese search: glossary loader, 术语表 page, search worker assets (studio.search).
import studio.search.site  # noqa: E402,F401
# Periodic reports (周报/月报): model and loader, then period pages (after calendars and their checks).
import studio.content.report  # noqa: E402,F401
import studio.reports.pages  # noqa: E402,F401
# Big folders: a listing page instead of hundreds of navigation links (studio.render.folder_listing).
import studio.render.folder_listing  # noqa: E402,F401
