"""JSON Schemas of every file an author writes, for editors' checking and completion.

One schema per front matter type (persona, teardown, lesson, report …), per other authored
file a feature declares (``course.yml``, a calendar's YAML, ``glossary.yml``), and for
Studio's options — alone (``studio-options``) and inside a whole ``mkdocs.yml``
(``mkdocs``: MkDocs' and Material's keys are left open, ``plugins: - studio:`` is checked).
VS Code (Red Hat's YAML extension) and JetBrains read them; ``studio schemas`` rewrites
``schemas/`` from the models so the two never drift apart (tests/test_schemas.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel

from studio.config import StudioConfig
from studio.core.model import FrontMatter

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _schema(model: type[BaseModel], title: str) -> dict:
    schema = model.model_json_schema()
    schema["$schema"] = DRAFT
    schema["title"] = title
    return schema


def options_schema() -> dict:
    """Studio's options under ``plugins: - studio:`` (``root`` is Studio's own, not an option)."""
    schema = _schema(StudioConfig, "Studio options (plugins: - studio: in mkdocs.yml)")
    schema.get("properties", {}).pop("root", None)
    if "root" in schema.get("required", []):
        schema["required"].remove("root")
    return schema


def mkdocs_schema() -> dict:
    """A whole mkdocs.yml: any MkDocs/Material key, with Studio's options checked."""
    return {
        "$schema": DRAFT,
        "title": "mkdocs.yml of a Studio site",
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "plugins": {
                "type": "array",
                "items": {"anyOf": [
                    {"type": "string"},
                    {"type": "object", "properties": {"studio": {"anyOf": [
                        {"$ref": "studio-options.schema.json"}, {"type": "null"}]}}},
                ]},
            },
        },
    }


def schemas(models: Mapping[str, type[FrontMatter]], files: Mapping[str, type[BaseModel]] | None = None,
            ) -> dict[str, dict]:
    """Every schema by file name: front matter types (a registry's ``models``), the authored
    files features declare (its ``files``), Studio's options and mkdocs.yml."""
    out = {}
    for kind, model in sorted(models.items()):
        out[f"{kind}.schema.json"] = _schema(model, f"Studio {kind} front matter")
    for name, model in sorted((files or {}).items()):
        title = (model.model_config.get("title") if hasattr(model, "model_config") else None) or f"Studio {name} file"
        out[f"{name}.schema.json"] = _schema(model, title)
    out["studio-options.schema.json"] = options_schema()
    out["mkdocs.schema.json"] = mkdocs_schema()
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(folder: Path, models: Mapping[str, type[FrontMatter]],
          files: Mapping[str, type[BaseModel]] | None = None) -> list[Path]:
    """Write every schema into ``folder`` (Studio's own generated files); return them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas(models, files).items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
