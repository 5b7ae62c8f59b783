"""The 人设库 index and the fact box at the top of each persona guide."""

from __future__ import annotations

from studio.core.blocks import BlockContext, embed
from studio.core.pipeline import Output, after_title, linked
from studio.core.project import Document, Project


def persona_pages(project: Project, out: Output) -> None:
    docs = sorted(project.of_kind("persona"), key=lambda d: d.slug)
    if docs:
        uri = "personas/index.md"
        out.add_page(uri, project.render("persona_index.md.j2", docs=linked(uri, docs)), project)


def fact_box(project: Project, doc: Document, markdown: str) -> str:
    return after_title(markdown, project.render("persona_facts.html.j2", p=doc.model))


def persona_block(ctx: BlockContext) -> str:
    """```persona: the live fact box of a persona guide, embedded by slug."""
    return embed(ctx, "persona", "persona_facts.html.j2", "p")
