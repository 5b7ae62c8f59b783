"""The page pipeline: a loaded project in, plain Markdown, HTML and assets out.

Nothing here knows an engine or a feature. Features contribute generators (pages and
assets), blocks and page decorators through the project's registry; an engine adapter
(``studio.engine``) adds ``Output.pages`` and ``Output.assets`` to its file list and passes
each page's Markdown through :func:`render_page` — inside MkDocs' events, or while staging
a docs tree for an engine that runs no MkDocs plugin.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from studio.core.blocks import render_blocks
from studio.core.project import Document, Project
from studio.core.publish import files_to_publish
from studio.errors import StudioError

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
    files: dict[str, Path] = field(default_factory=dict)  # the authors' files to publish: uri -> path
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


def _static_assets(out: Output) -> None:
    root = resources.files("studio") / "assets"
    for entry in root.iterdir():
        if entry.is_file():
            out.assets[ASSET_PREFIX + entry.name] = entry.read_bytes()
    out.css.append(ASSET_PREFIX + "studio.css")


def compile_project(project: Project) -> Output:
    """Generate every page and asset that the project's features add to the site."""
    out = Output()
    _static_assets(out)
    out.files = files_to_publish(project)  # images and downloads beside pages, never data
    for gen in project.registry.generators:
        try:
            gen(project, out)
        except StudioError as problem:
            project.diagnostics.add(problem)
    return out


def render_page(project: Project, uri: str, markdown: str, path: Path | None = None,
                pages: set[str] | None = None) -> tuple[str, set[str]]:
    """A page's Markdown with its blocks and fact box rendered; plus the assets it needs.

    For a document Studio loaded, its own parsed body is used (not the engine's copy), so
    that block errors name the exact file line. Raises StudioError for a broken block.
    """
    doc = project.by_uri(uri)
    if doc is None:
        page_path = path or project.config.content_path / uri
        text, needs = render_blocks(project, None, page_path, markdown, 1)
    else:
        text, needs = render_blocks(project, doc, doc.path, doc.source.body, doc.source.body_line)
        decorators = project.registry.decorators
        for decorate in (*decorators.get(doc.kind, ()), *decorators.get("*", ())):  # "*": every page
            text = decorate(project, doc, text)
    if project.left_out:
        text = unlink_left_out(project, uri, text, pages)
    return text, needs


_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def unlink_left_out(project: Project, uri: str, markdown: str, pages: set[str] | None = None) -> str:
    """Links to pages this audience's build leaves out become their plain text: never a 404.

    ``pages`` (every page this build has) also catches the pages features would have
    generated from a left-out page (its report periods, its dashboards).
    """
    def plain(m: re.Match) -> str:
        target = m.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//|^#", target, re.IGNORECASE):
            return m.group(0)
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(uri), target.split("#", 1)[0]))
        gone = project.is_left_out(resolved) or project.is_left_out(resolved + "/")
        if not gone and pages is not None and resolved.endswith(".md"):
            gone = resolved not in pages
        return m.group("text") if gone else m.group(0)
    return _LINK.sub(plain, markdown)


def after_title(markdown: str, html: str) -> str:
    """Insert ``html`` after the page's first-level heading (or at the top)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[: i + 1] + ["", html, ""] + lines[i + 1 :])
        if line.strip():
            break
    return html + "\n\n" + markdown
