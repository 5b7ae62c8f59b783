"""A project: every content file found, parsed and validated, with the problems found.

This is the core's entry point. ``Project.load(config, features)`` never raises for user
mistakes: it gathers them in ``project.diagnostics`` so that one run reports all of them.
Everything a build knows belongs to the project object — its options, the registry of what
its features contribute, its data door with the PII rules, its templates — so two projects
in one process never share state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from studio.config import StudioConfig
from studio.core.datafiles import DataFiles
from studio.core.feature import Feature, Registry
from studio.core.frontmatter import Source, parse, read_text
from studio.core.model import FrontMatter, placeholders, slug_of, validate
from studio.core.templating import Templates
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
    registry: Registry = field(default_factory=lambda: Registry(()))
    documents: list[Document] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature loaded data
    _indexed: int = field(default=-1, repr=False)
    _uris: dict = field(default_factory=dict, repr=False)
    _paths: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.data = DataFiles(self)  # the one door for data files (PII rules of this project)
        self.templates = Templates(self.registry.template_packages)
        self.left_out: dict[str, Document] = {}  # pages not meant for this build's audience
        self.invalid: list[Document] = []  # typed pages that failed validation (reported once)

    @classmethod
    def new(cls, config: StudioConfig, features: Iterable[Feature]) -> "Project":
        """An empty project with the given features (no file read yet)."""
        return cls(config, Registry(features))

    @classmethod
    def load(cls, config: StudioConfig, features: Iterable[Feature]) -> "Project":
        """Read and validate every content file, then run the features' loaders in order."""
        project = cls.new(config, features)
        for base, prefix in ((config.content_path, ""), (config.case_studies_path, config.case_studies_dir + "/")):
            if not base.is_dir():
                continue
            entries = sorted(base.rglob("*"))  # one walk: linked folders, then the pages
            for link in (p for p in entries if p.is_symlink() and p.is_dir()):
                if not project.contains(link):  # neither read nor published (MkDocs would follow it)
                    project.diagnostics.error(
                        f"'{link.relative_to(config.root).as_posix()}' is a link to a folder outside the project; "
                        "Studio does not read it", file=link,
                        hint="copy the files into the project instead of linking to them (不读取项目外的文件)")
            for path in (p for p in entries if p.name.endswith(".md")):
                if any(part.startswith(".") for part in path.relative_to(base).parts):
                    continue
                uri = prefix + path.relative_to(base).as_posix()
                if not project.contains(path):
                    project.diagnostics.error(
                        f"'{uri}' is a link to a page outside the project; Studio does not read it", file=path,
                        hint="copy the page into the project instead of linking to it (不读取项目外的文件)")
                    continue
                project._load_document(path, uri)
        project._apply_audience()
        project.registry.run_loaders(project)
        if config.audience is not None:  # loaders may leave out more (a course's lessons)
            logging.getLogger("studio").info(
                f"building for audience '{config.audience}': {len(project.left_out)} page(s) left out")
        return project

    # audiences -------------------------------------------------------------------------
    def allows(self, audience: Any) -> bool:
        """Whether a page (or course) meant for ``audience`` belongs in this build."""
        wanted = self.config.audience
        names = [audience] if isinstance(audience, str) else list(audience or [])
        if wanted is None or not names:
            return True
        return bool(set(map(str, names)) & set(self.config.audiences.get(wanted, [wanted])))

    def leave_out(self, doc: Document) -> None:
        """Take ``doc`` out of this build: no page, listing, embed, link or search record."""
        if doc in self.documents:
            self.documents.remove(doc)
        self.left_out[doc.uri] = doc

    def is_left_out(self, uri: str) -> bool:
        uri = uri.split("#", 1)[0]
        return uri in self.left_out or (uri.endswith("/") and uri + "index.md" in self.left_out)

    def _apply_audience(self) -> None:
        known = {a for names in self.config.audiences.values() for a in names} | set(self.config.audiences)
        wanted = self.config.audience
        if wanted is not None and self.config.audiences and wanted not in self.config.audiences:
            self.diagnostics.error(f"unknown audience '{wanted}'{did_you_mean(wanted, self.config.audiences)}",
                                   file=self.config.root / "mkdocs.yml",
                                   hint="audiences: " + ", ".join(self.config.audiences))
        for doc in list(self.documents):
            raw = doc.source.meta.get("audience")
            if raw is None:
                continue
            names = [raw] if isinstance(raw, str) else raw
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                self.diagnostics.error("audience: expected a name or a list of names, e.g. [management]",
                                       file=doc.path, line=doc.source.line_of("audience"))
                continue
            for i, name in enumerate(names):
                if known and name not in known:
                    self.diagnostics.warn(f"audience: unknown audience '{name}'{did_you_mean(name, known)}",
                                          file=doc.path, line=doc.source.line_of("audience", i),
                                          hint="audiences: " + ", ".join(sorted(known)))
            if not self.allows(names):
                self.leave_out(doc)

    def contains(self, path: Path) -> bool:
        """Whether ``path`` — symlinks resolved — lies inside the project folder."""
        try:
            return Path(path).resolve().is_relative_to(self.config.root.resolve())
        except OSError:
            return False

    def render(self, template: str, **context) -> str:
        """A template of any feature of this project, rendered."""
        return self.templates.render(template, **context)

    def _load_document(self, path: Path, uri: str) -> None:
        try:
            text = read_text(path)
            source = parse(path, text)
        except StudioError as problem:
            self.diagnostics.add(problem)
            return
        self.diagnostics.extend(placeholders(text, path))
        doc = Document(path, uri, source)
        kind = source.meta.get("type")
        if kind is not None:
            models = self.registry.models
            model_cls = models.get(str(kind))
            if model_cls is None:
                self.diagnostics.error(
                    f"unknown content type '{kind}'{did_you_mean(kind, models)}",
                    file=path, line=source.line_of("type"),
                    hint="use one of: " + ", ".join(sorted(models)) + ", or remove 'type' for a plain page",
                )
                return
            model, problems = validate(model_cls, source)
            self.diagnostics.extend(problems)
            if model is None:
                self.invalid.append(doc)  # still exists for references: no second error for each
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

    def failed(self, kind: str, key: str | None) -> bool:
        """Whether ``key`` (a slug or a ``name:``) names a ``kind`` page that failed validation.

        A reference to it is not a second mistake: the page's own error was reported, so
        features skip such references instead of reporting one error per reference.
        """
        return key is not None and any(
            d.source.meta.get("type") == kind and key in (d.slug, d.source.meta.get("name")) for d in self.invalid)

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
