"""Front matter with line numbers.

MkDocs drops invalid YAML front matter silently; Studio parses it itself so that every
problem can name ``file:line``. The YAML node tree gives each key's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from studio.errors import StudioError
from studio.guard.safeyaml import compose_and_load

_FENCE = re.compile(r"^---[ \t]*\r?$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$")


@dataclass
class Source:
    """A Markdown file split into front matter and body, with line lookups."""

    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the body's first line in the file
    lines: dict[tuple, int] = field(default_factory=dict)  # key path -> 1-based line
    has_front_matter: bool = False

    def line_of(self, *keys: Any) -> int:
        """Line of the deepest known key on ``keys``.

        A missing top-level key has no line of its own: it is reported on the ``type:``
        line, which is what makes it required.
        """
        keys = tuple(keys)
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        if not self.has_front_matter:
            return 1
        return self.lines.get(("type",), 2)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (BOM tolerated) or explain what to do."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StudioError(f"cannot read file: {exc.strerror}", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StudioError(
            "file is not valid UTF-8",
            file=path,
            line=line,
            hint="save the file as UTF-8 (in WPS/Excel: 另存为 → UTF-8)",
        ) from None


def split(text: str) -> tuple[str | None, str, int]:
    """Return (front matter text or None, body, 1-based body line)."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, text, 1
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    return "\n".join(lines[1:]), "", len(lines) + 1


def index_lines(node: yaml.Node, prefix: tuple, offset: int, out: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[prefix + (key,)] = key_node.start_mark.line + offset
            index_lines(value_node, prefix + (key,), offset, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[prefix + (i,)] = item.start_mark.line + offset
            index_lines(item, prefix + (i,), offset, out)


def parse(path: Path, text: str | None = None) -> Source:
    """Parse a Markdown file's front matter, raising StudioError on invalid YAML."""
    text = read_text(path) if text is None else text
    head, body, body_line = split(text)
    if head is None:
        return Source(path, {}, body, body_line)
    offset = 2  # the front matter starts on line 2 (line 1 is '---')
    try:
        node, meta = compose_and_load(head, first_line=offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise StudioError(
            f"invalid YAML front matter: {problem}",
            file=path,
            line=line,
            hint=getattr(exc, "hint", None)  # what studio.guard.safeyaml refuses says what to do
            or "check indentation, colons and quotes; values with ':' or '#' need quotes "
            "(YAML 格式错误：检查缩进、冒号和引号)",
        ) from None
    except yaml.YAMLError as exc:
        raise StudioError(f"invalid YAML front matter: {exc}", file=path, line=1) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise StudioError(
            "front matter must be a mapping of 'key: value' lines",
            file=path,
            line=offset,
            hint="write e.g. 'type: persona' between the two '---' lines",
        )
    lines: dict[tuple, int] = {}
    if node is not None:
        index_lines(node, (), offset, lines)
    return Source(path, meta, body, body_line, lines, has_front_matter=True)
