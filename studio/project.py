"""A project: every content file found, parsed and validated, with the problems found.

This is the core's entry point. ``Project.load(config)`` never raises for user mistakes:
it gathers them in ``project.diagnostics`` so that one run reports all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.config import StudioConfig
from studio.content import registry
from studio.content.base import FrontMatter, slug_of
from studio.content.frontmatter import Source, parse
from studio.errors import Diagnostics, StudioError, did_you_mean


@dataclass
class Document:
    """One Markdown file of the project."""

    path: Path  # absolute path on disk
    uri: str  # path as the site sees it, e.g. "personas/lucky.md"
    source: Source
    model: FrontMatter | None = None  # typed front matter, None for plain pages

    @property
    def kind(self) -> str:
        return self.model.kind if self.model else "page"

    @property
    def slug(self) -> str:
        return slug_of(self.path)

    @property
    def title(self) -> str:
        if self.model is not None:
            for attr in ("title", "name", "brand"):
                value = getattr(self.model, attr, None)
                if value:
                    return str(value)
        return str(self.source.meta.get("title") or self.slug)


@dataclass
class Project:
    config: StudioConfig
    documents: list[Document] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature loaded data
    _indexed: int = field(default=-1, repr=False)
    _uris: dict = field(default_factory=dict, repr=False)
    _paths: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, config: StudioConfig) -> "Project":
        project = cls(config)
        for base, prefix in ((config.content_path, ""), (config.case_studies_path, config.case_studies_dir + "/")):
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*.md")):
                if any(part.startswith(".") for part in path.relative_to(base).parts):
                    continue
                uri = prefix + path.relative_to(base).as_posix()
                project._load_document(path, uri)
        for loader in registry.project_loaders():
            loader(project)
        return project

    def _load_document(self, path: Path, uri: str) -> None:
        try:
            source = parse(path)
        except StudioError as problem:
            self.diagnostics.add(problem)
            return
        doc = Document(path, uri, source)
        kind = source.meta.get("type")
        if kind is not None:
            model_cls = registry.models().get(str(kind))
            if model_cls is None:
                self.diagnostics.error(
                    f"unknown content type '{kind}'{did_you_mean(kind, registry.models())}",
                    file=path, line=source.line_of("type"),
                    hint="use one of: " + ", ".join(sorted(registry.models())) + ", or remove 'type' for a plain page",
                )
                return
            model, problems = registry.validate(model_cls, source)
            self.diagnostics.extend(problems)
            if model is None:
                return
            doc.model = model
        self.documents.append(doc)

    # lookups -----------------------------------------------------------------
    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def find(self, kind: str, slug: str) -> Document | None:
        for doc in self.of_kind(kind):
            if doc.slug == slug:
                return doc
        return None

    def by_path(self, path: Path) -> Document | None:
        return self._index()[1].get(path.resolve())

    def by_uri(self, uri: str) -> Document | None:
        return self._index()[0].get(uri)

    def _index(self) -> tuple[dict[str, Document], dict[Path, Document]]:
        """Lookups by uri and path, rebuilt only when documents were added (called per page)."""
        if self._indexed != len(self.documents):
            self._uris = {d.uri: d for d in reversed(self.documents)}
            self._paths = {d.path.resolve(): d for d in reversed(self.documents)}
            self._indexed = len(self.documents)
        return self._uris, self._paths
