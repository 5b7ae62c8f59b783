"""The JSON Schemas in schemas/ match the models (run `studio schemas` after changing one)."""

from __future__ import annotations

import json

from conftest import ROOT
from studio.core.feature import Registry
from studio.core.schemas import render, schemas
from studio.features.builtin import FEATURES


def test_committed_schemas_are_current():
    for name, schema in schemas(Registry(FEATURES).models).items():
        path = ROOT / "schemas" / name
        assert path.is_file(), f"{name} missing: run `studio schemas`"
        assert path.read_text(encoding="utf-8") == render(schema), f"{name} is stale: run `studio schemas`"


def test_persona_schema_lists_required_fields_and_enums():
    schema = json.loads((ROOT / "schemas/persona.schema.json").read_text(encoding="utf-8"))
    assert {"name", "role", "channels", "post_mix", "owner"} <= set(schema["required"])
    text = json.dumps(schema, ensure_ascii=False)
    assert "brand IP" in text and "企业微信" in text
