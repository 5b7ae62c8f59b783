"""Fenced blocks in Markdown (```chart, ```kpi, ```teardown …) turned into HTML.

A block's body is YAML. Features contribute handlers by name (``Feature.blocks``), which
the project's registry collects; each receives a :class:`BlockContext` and returns HTML.
Errors name the page and the block's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from studio.errors import StudioError, did_you_mean
from studio.guard import safeyaml
from studio.guard.html import seal

# ``Project`` and ``Document`` (studio.core.project) are named, not imported: that module sits above this one.

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)(?P<rest>.*)$")


@dataclass
class BlockContext:
    project: "Project"
    document: "Document | None"
    page_path: Path  # the Markdown file holding the block
    line: int  # 1-based line of the opening fence in that file
    name: str
    data: dict[str, Any]
    needs: set[str] = field(default_factory=set)  # assets the page needs, e.g. {"plotly"}

    def error(self, message: str, key: str | None = None, hint: str | None = None) -> StudioError:
        """An error placed on the block (or on ``key``'s line inside it)."""
        line = self.line
        if key is not None:
            line += _key_offset(self.raw, key)
        return StudioError(f"{self.name} block: {message}", file=self.page_path, line=line, hint=hint)

    raw: str = ""

    def line_of(self, key: str) -> int:
        """File line of ``key`` inside the block (the fence's line when absent)."""
        return self.line + _key_offset(self.raw, key)

    def data_file(self, key: str = "data") -> Path:
        """The data file the block names under ``key``, through the project's data door."""
        try:
            return self.project.data.resolve(self.data.get(key), self.page_path, line=self.line_of(key))
        except StudioError as problem:
            problem.message = f"{self.name} block: {problem.message}"
            raise


def block_names(text: str) -> set[str]:
    """The info string of every fenced block in ``text`` (any block may hold ``data:``)."""
    return {m.group("info").strip("{}").lstrip(".") for line in text.split("\n") if (m := _OPEN.match(line))}


def _key_offset(raw: str, key: str) -> int:
    for i, text in enumerate(raw.split("\n")):
        if re.match(rf"^\s*-?\s*{re.escape(key)}\s*:", text):
            return i + 1
    return 0


@dataclass
class Block:
    name: str
    line: int  # 1-based, in the text given to find_blocks
    start: int  # index of the opening line
    end: int  # index one past the closing line
    raw: str


def find_blocks(text: str, names: set[str]) -> list[Block]:
    """Locate fenced blocks whose info string is in ``names``; nested fences are skipped."""
    lines = text.split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        closer = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not closer.match(lines[j]):
            j += 1
        info = m.group("info").strip("{}").lstrip(".")
        if info in names and not m.group("indent"):
            found.append(Block(info, i + 1, i, min(j + 1, len(lines)), "\n".join(lines[i + 1 : j])))
        i = j + 1
    return found


def render_blocks(
    project: "Project", document: "Document | None", page_path: Path, text: str, first_line: int = 1,
) -> tuple[str, set[str]]:
    """Replace every registered block in ``text`` by its HTML; return text and needed assets.

    ``first_line`` is the file line of ``text``'s first line (the body starts after the
    front matter), so that errors point at the right line of the file.
    """
    table = project.registry.blocks
    blocks = find_blocks(text, set(table))
    if not blocks:
        return text, set()
    lines = text.split("\n")
    needs: set[str] = set()
    out: list[str] = []
    cursor = 0
    for block in blocks:
        file_line = block.line + first_line - 1
        out.extend(lines[cursor : block.start])
        try:
            data = safeyaml.load(block.raw) if block.raw.strip() else {}
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise StudioError(
                f"{block.name} block: invalid YAML: {exc.problem}",
                file=page_path, line=file_line + 1 + (mark.line if mark else 0),
                hint="a block holds 'key: value' lines, e.g. 'data: orders.csv'",
            ) from None
        if not isinstance(data, dict):
            raise StudioError(
                f"{block.name} block: expected 'key: value' lines",
                file=page_path, line=file_line,
                hint="e.g. 'data: orders.csv' on its own line inside the block",
            )
        ctx = BlockContext(project, document, page_path, file_line, block.name, data, raw=block.raw)
        html = table[block.name](ctx)
        needs |= ctx.needs
        out.extend(["", seal(html.strip()), ""])  # Studio's own HTML: keeps its scripts
        cursor = block.end
    out.extend(lines[cursor:])
    return "\n".join(out), needs


def check_keys(ctx: BlockContext, allowed: set[str], required: set[str] = frozenset()) -> None:
    """Unknown keys are errors with a did-you-mean; missing required keys too."""
    for key in ctx.data:
        if key not in allowed:
            raise ctx.error(f"unknown key '{key}'{did_you_mean(key, allowed)}", key=key,
                            hint="allowed keys: " + ", ".join(sorted(allowed)))
    for key in sorted(required):
        if key not in ctx.data:
            raise ctx.error(f"missing required key '{key}'")


def embed(ctx: BlockContext, kind: str, template: str, var: str) -> str:
    """A block that embeds a document's live fact box by slug (```teardown, ```persona)."""
    check_keys(ctx, {kind}, {kind})
    slug = str(ctx.data[kind])
    doc = ctx.project.find(kind, slug)
    if doc is None and any(d.kind == kind and d.slug == slug for d in ctx.project.left_out.values()):
        return ""  # embedded content not meant for this build's audience
    if doc is None and ctx.project.failed(kind, slug):
        return ""  # the page's own error was reported; no second one per embed
    if doc is None:
        known = [d.slug for d in ctx.project.of_kind(kind)]
        raise ctx.error(f"no {kind} named '{slug}'{did_you_mean(slug, known)}", key=kind,
                        hint=f"known {kind}s: " + (", ".join(known) or "none"))
    return ctx.project.render(template, **{var: doc.model})
