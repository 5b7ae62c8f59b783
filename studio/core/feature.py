"""What a feature contributes, and the registry that collects it for one project.

A feature (personas, calendars, reports …) is a package under ``studio.features`` that
exports one :class:`Feature`: its content types, loaders, page generators, blocks, page
decorators, dataset kinds, metrics and templates. ``studio.features.builtin.FEATURES`` lists
them in order; :class:`Registry` collects their contributions into an object that belongs to
one :class:`~studio.core.project.Project`, as Datasette stores hook results on the app and
Sphinx keeps its component registry on the application. Nothing here is module-global, so
two projects loaded in one process never see each other's types, rules or options.

The core calls features only through this registry; it never imports one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from studio.core.model import FrontMatter
from studio.data.kinds import Kind
from studio.data.kpi import Metric
from studio.errors import StudioError

# The core's own types are named, not imported, here: this module sits below them.

Loader = Callable[["Project"], None]  # runs after every document is loaded
Generator = Callable[["Project", "Output"], None]  # adds generated pages and assets
Handler = Callable[["BlockContext"], str]  # a fenced block's body (YAML) -> HTML
Decorator = Callable[["Project", "Document", str], str]  # a typed page's Markdown -> Markdown


@dataclass(frozen=True)
class Feature:
    """One feature's contributions; every field but ``name`` is optional.

    ``package`` names the Python package whose ``templates/`` folder holds the feature's
    Jinja2 templates (and ``assets/`` its static files), so a feature's templates sit beside
    its code. Loaders and generators run in the order features are listed, then in the order
    given here.
    """

    name: str
    package: str = ""
    models: tuple[type[FrontMatter], ...] = ()
    kinds: tuple[Kind, ...] = ()
    metrics: tuple[Metric, ...] = ()
    loaders: tuple[Loader, ...] = ()
    generators: tuple[Generator, ...] = ()
    blocks: Mapping[str, Handler] = field(default_factory=dict)
    decorators: Mapping[str, Decorator] = field(default_factory=dict)  # content kind ("*": any) -> decorator
    # Files an author writes that are not front matter (course.yml, a calendar's YAML, the
    # glossary): name -> pydantic model, for their JSON Schemas (``studio schemas``).
    files: Mapping[str, type] = field(default_factory=dict)


class Registry:
    """Every contribution of an ordered list of features, for one project."""

    def __init__(self, features: Iterable[Feature]):
        self.features: tuple[Feature, ...] = tuple(features)
        self.models: dict[str, type[FrontMatter]] = {}
        self.kinds: dict[str, Kind] = {}
        self.metrics: dict[str, Metric] = {}
        self.loaders: list[Loader] = []
        self.generators: list[Generator] = []
        self.blocks: dict[str, Handler] = {}
        self.decorators: dict[str, list[Decorator]] = {}
        self.template_packages: list[str] = []
        self.files: dict[str, type] = {}
        names: set[str] = set()
        for feature in self.features:
            if feature.name in names:
                raise ValueError(f"feature '{feature.name}' is listed twice")
            names.add(feature.name)
            for model in feature.models:
                self.models[model.kind] = model
            for kind in feature.kinds:
                self.kinds[kind.name] = kind
            for metric in feature.metrics:
                self.metrics[metric.name] = metric
            self.loaders += feature.loaders
            self.generators += feature.generators
            self.blocks.update(feature.blocks)
            self.files.update(feature.files)
            for kind, fn in feature.decorators.items():
                self.decorators.setdefault(kind, []).append(fn)
            if feature.package:
                self.template_packages.append(feature.package)

    def has(self, name: str) -> bool:
        return any(f.name == name for f in self.features)

    def metrics_of(self, kind: str | None = None) -> dict[str, Metric]:
        """Metrics computed from ``kind`` data (every metric when None), in definition order."""
        return {n: m for n, m in self.metrics.items() if kind is None or m.kind == kind}

    def metric(self, name: str) -> Metric | None:
        return self.metrics.get(name)

    def kind(self, name: str) -> Kind | None:
        return self.kinds.get(name)

    def run_loaders(self, project: "Project") -> None:
        for loader in self.loaders:
            try:
                loader(project)
            except StudioError as problem:
                project.diagnostics.add(problem)
