"""The features every Studio project has, in the order their contributions apply.

Like Datasette's ``DEFAULT_PLUGINS`` or Sphinx's built-in extensions: one explicit list.
A project's :class:`~studio.core.feature.Registry` is built from it, so what exists never
depends on what happened to be imported. Order matters where it is written below; deleting
a feature is deleting its folder and its line here.
"""

from __future__ import annotations

from studio.config import StudioConfig
from studio.core.feature import Feature
from studio.core.project import Project

from .calendars.feature import FEATURE as calendars
from .courses.feature import FEATURE as courses
from .datasets.feature import FEATURE as datasets
from .folders.feature import FEATURE as folders
from .personas.feature import FEATURE as personas
from .pii.feature import FEATURE as pii
from .provenance.feature import FEATURE as provenance
from .reports.feature import FEATURE as reports
from .search.feature import FEATURE as search
from .teardowns.feature import FEATURE as teardowns

FEATURES: tuple[Feature, ...] = (
    personas,   # fact boxes first: datasets append their dashboard links after them
    teardowns,
    datasets,   # the data library's kinds (first: they win ties) and metrics; ```chart / ```kpi, 数据看板
    courses,    # course order and titles, which the navigation and folder listings read
    calendars,  # calendars (and their kind), then their playbook checks
    pii,        # the PII scan of every page and data file
    search,     # glossary, 术语表, search worker
    reports,    # after calendars and their findings: plan against actual
    folders,    # lists pages the features above generated
    provenance,  # last: the 「最后更新 · 编辑此页」 footer goes under everything else
)


def load_project(config: StudioConfig, features: tuple[Feature, ...] = FEATURES) -> Project:
    """A project with Studio's features, every content file loaded and checked."""
    return Project.load(config, features)


def new_project(config: StudioConfig, features: tuple[Feature, ...] = FEATURES) -> Project:
    """An empty project with Studio's features (nothing read yet)."""
    return Project.new(config, features)
