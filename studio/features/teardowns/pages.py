"""The 品牌拆解 comparison table, the 行业适配 quadrant and each teardown's fact box."""

from __future__ import annotations

from studio.core.blocks import BlockContext, embed
from studio.core.pipeline import Output, after_title, linked
from studio.core.project import Document, Project

CELLS = [("high", "low", "高频低客单", True), ("high", "high", "高频高客单", True),
         ("low", "low", "低频低客单", False), ("low", "high", "低频高客单", True)]


def teardown_pages(project: Project, out: Output) -> None:
    docs = sorted(project.of_kind("teardown"), key=lambda d: d.slug)
    if not docs:
        return
    base = project.config.case_studies_dir
    index = f"{base}/index.md"
    out.add_page(index, project.render("teardown_index.md.j2", docs=linked(index, docs)), project)
    quad = f"{base}/quadrant.md"
    placed = {(f, t): [x for x in linked(quad, docs) if (x.model.frequency, x.model.ticket) == (f, t)]
              for f, t, _, _ in CELLS}
    out.add_page(quad, project.render("quadrant.md.j2", cells=CELLS, placed=placed), project)


def fact_box(project: Project, doc: Document, markdown: str) -> str:
    return after_title(markdown, project.render("teardown_facts.html.j2", t=doc.model))


def teardown_block(ctx: BlockContext) -> str:
    """```teardown: the live fact box of a teardown, embedded by slug."""
    return embed(ctx, "teardown", "teardown_facts.html.j2", "t")
