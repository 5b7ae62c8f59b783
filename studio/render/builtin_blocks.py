"""Blocks that embed content by reference: ```teardown and ```persona.

A lesson or report writes ``teardown: luckin`` and gets the live fact box, so an
update to the teardown flows everywhere at the next build.
"""

from __future__ import annotations

from studio.render.blocks import BlockContext, check_keys, register
from studio.render.templating import render
from studio.errors import did_you_mean


def _embed(ctx: BlockContext, kind: str, template: str, var: str) -> str:
    check_keys(ctx, {kind}, {kind})
    slug = str(ctx.data[kind])
    doc = ctx.project.find(kind, slug)
    if doc is None:
        known = [d.slug for d in ctx.project.of_kind(kind)]
        raise ctx.error(f"no {kind} named '{slug}'{did_you_mean(slug, known)}", key=kind,
                        hint=f"known {kind}s: " + (", ".join(known) or "none"))
    return render(template, **{var: doc.model})


@register("teardown")
def teardown_block(ctx: BlockContext) -> str:
    return _embed(ctx, "teardown", "teardown_facts.html.j2", "t")


@register("persona")
def persona_block(ctx: BlockContext) -> str:
    return _embed(ctx, "persona", "persona_facts.html.j2", "p")
