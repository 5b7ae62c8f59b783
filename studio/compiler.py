"""The core compiler: a loaded project in, plain Markdown, HTML and assets out.

Nothing here knows MkDocs. An engine adapter (``studio.engine``) adds ``Output.pages``
and ``Output.assets`` to its file list and passes each page's Markdown through
:func:`render_page`. Another engine (Zensical, MkDocs 2) would do the same.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from studio.errors import StudioError
from studio.project import Document, Project
from studio.render.blocks import render_blocks
from studio.render.templating import render

ASSET_PREFIX = "assets/studio/"


@dataclass
class Output:
    pages: dict[str, str] = field(default_factory=dict)  # uri -> Markdown
    assets: dict[str, bytes] = field(default_factory=dict)  # uri -> bytes
    css: list[str] = field(default_factory=list)  # asset uris every page links
    js: list[str] = field(default_factory=list)
    # scripts a page loads only when a block on it needs them, e.g. {"plotly": [...]}
    need_scripts: dict[str, list[str]] = field(default_factory=dict)
    # generated pages whose blocks were rendered ahead: uri -> needs, e.g. {"plotly"}
    page_needs: dict[str, set[str]] = field(default_factory=dict)
    drafts: set[str] = field(default_factory=set)  # pages built by `serve` only, not by `build`
    unlisted: set[str] = field(default_factory=set)  # pages in the site but not in the navigation
    nav_order: dict[str, int] = field(default_factory=dict)  # uri -> rank among its section's pages
    nav_titles: dict[str, str] = field(default_factory=dict)  # folder uri -> its section's title

    def add_page(self, uri: str, markdown: str, project: Project) -> None:
        """Add a generated page unless the user wrote one at that place."""
        if project.by_uri(uri) is None:
            self.pages[uri] = markdown


@dataclass
class Linked:
    """A document with a link relative to the page that mentions it."""

    doc: Document
    link: str

    @property
    def model(self):
        return self.doc.model


def link(from_uri: str, to_uri: str) -> str:
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def linked(page_uri: str, docs: list[Document]) -> list[Linked]:
    return [Linked(d, link(page_uri, d.uri)) for d in docs]


# Page generators: each adds pages for one feature. Features register more.
Generator = Callable[[Project, Output], None]
_GENERATORS: list[Generator] = []


def generator(fn: Generator) -> Generator:
    if fn not in _GENERATORS:
        _GENERATORS.append(fn)
    return fn


@generator
def persona_pages(project: Project, out: Output) -> None:
    docs = sorted(project.of_kind("persona"), key=lambda d: d.slug)
    if docs:
        uri = "personas/index.md"
        out.add_page(uri, render("persona_index.md.j2", docs=linked(uri, docs)), project)


@generator
def teardown_pages(project: Project, out: Output) -> None:
    docs = sorted(project.of_kind("teardown"), key=lambda d: d.slug)
    if not docs:
        return
    base = project.config.case_studies_dir
    index = f"{base}/index.md"
    out.add_page(index, render("teardown_index.md.j2", docs=linked(index, docs)), project)
    quad = f"{base}/quadrant.md"
    cells = [("high", "low", "高频低客单", True), ("high", "high", "高频高客单", True),
             ("low", "low", "低频低客单", False), ("low", "high", "低频高客单", True)]
    placed = {(f, t): [x for x in linked(quad, docs) if (x.model.frequency, x.model.ticket) == (f, t)]
              for f, t, _, _ in cells}
    out.add_page(quad, render("quadrant.md.j2", cells=cells, placed=placed), project)


def _static_assets(out: Output) -> None:
    root = resources.files("studio") / "assets"
    for entry in root.iterdir():
        if entry.is_file():
            out.assets[ASSET_PREFIX + entry.name] = entry.read_bytes()
    out.css.append(ASSET_PREFIX + "studio.css")


def compile_project(project: Project) -> Output:
    """Generate every page and asset that Studio adds to the site."""
    out = Output()
    _static_assets(out)
    for gen in list(_GENERATORS):
        try:
            gen(project, out)
        except StudioError as problem:
            project.diagnostics.add(problem)
    return out


FACT_BOXES = {"persona": ("persona_facts.html.j2", "p"), "teardown": ("teardown_facts.html.j2", "t")}
# Kinds whose pages get more than a fact box (e.g. lessons): fn(project, doc, markdown) -> markdown.
PAGE_DECORATORS: dict[str, Callable[[Project, Document, str], str]] = {}


def render_page(project: Project, uri: str, markdown: str, path: Path | None = None) -> tuple[str, set[str]]:
    """A page's Markdown with its blocks and fact box rendered; plus the assets it needs.

    For a document Studio loaded, its own parsed body is used (not the engine's copy), so
    that block errors name the exact file line. Raises StudioError for a broken block.
    """
    doc = project.by_uri(uri)
    if doc is None:
        page_path = path or project.config.content_path / uri
        return render_blocks(project, None, page_path, markdown, 1)
    text, needs = render_blocks(project, doc, doc.path, doc.source.body, doc.source.body_line)
    if doc.kind in FACT_BOXES:
        template, var = FACT_BOXES[doc.kind]
        text = _after_title(text, render(template, **{var: doc.model}))
    if doc.kind in PAGE_DECORATORS:
        text = PAGE_DECORATORS[doc.kind](project, doc, text)
    return text, needs


def _after_title(markdown: str, html: str) -> str:
    """Insert ``html`` after the page's first-level heading (or at the top)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[: i + 1] + ["", html, ""] + lines[i + 1 :])
        if line.strip():
            break
    return html + "\n\n" + markdown
