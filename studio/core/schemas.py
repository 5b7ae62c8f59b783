"""JSON Schemas of the front matter models, for editors' autocompletion.

VS Code (with the YAML extension) and JetBrains read them; ``studio schemas`` rewrites
``schemas/`` from the models so the two never drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from typing import Mapping

from studio.core.model import FrontMatter


def schemas(models: Mapping[str, type[FrontMatter]]) -> dict[str, dict]:
    """A JSON Schema per content type (a project's ``registry.models``)."""
    out = {}
    for kind, model in sorted(models.items()):
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"Studio {kind} front matter"
        out[f"{kind}.schema.json"] = schema
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(folder: Path, models: Mapping[str, type[FrontMatter]]) -> list[Path]:
    """Write every schema into ``folder`` (Studio's own generated files); return them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas(models).items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
