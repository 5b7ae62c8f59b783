"""The JSON Schemas in schemas/ match the models (run `studio schemas` after changing one)."""

from __future__ import annotations

import json

from conftest import ROOT
from studio.core.feature import Registry
from studio.core.schemas import render, schemas
from studio.features.builtin import FEATURES


def test_committed_schemas_are_current():
    registry = Registry(FEATURES)
    for name, schema in schemas(registry.models, registry.files).items():
        path = ROOT / "schemas" / name
        assert path.is_file(), f"{name} missing: run `studio schemas`"
        assert path.read_text(encoding="utf-8") == render(schema), f"{name} is stale: run `studio schemas`"


def test_persona_schema_lists_required_fields_and_enums():
    schema = json.loads((ROOT / "schemas/persona.schema.json").read_text(encoding="utf-8"))
    assert {"name", "role", "channels", "post_mix", "owner"} <= set(schema["required"])
    text = json.dumps(schema, ensure_ascii=False)
    assert "brand IP" in text and "企业微信" in text


# The sample content validates against the schemas an editor would use ------------------
import datetime as dt  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from referencing import Registry as RefRegistry, Resource  # noqa: E402

from studio.core.frontmatter import parse  # noqa: E402
from studio.engine.mkdocs_yaml import read as read_mkdocs  # noqa: E402


def as_editor_sees(value):
    """YAML dates as the strings an editor validates (the schema's format: date)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    return value


def validator(name: str):
    registry = Registry(FEATURES)
    all_schemas = schemas(registry.models, registry.files)
    refs = RefRegistry().with_resources(
        (n, Resource.from_contents(s)) for n, s in all_schemas.items())
    return jsonschema.Draft202012Validator(all_schemas[name], registry=refs,
                                           format_checker=jsonschema.FormatChecker())


def sample_files():
    for path in sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "case_studies").rglob("*.md")):
        kind = parse(path).meta.get("type")
        if kind:
            yield pytest.param(path, f"{kind}.schema.json", id=path.relative_to(ROOT).as_posix())
    for path in sorted((ROOT / "content").rglob("course.yml")):
        yield pytest.param(path, "course.schema.json", id=path.relative_to(ROOT).as_posix())
    for path in sorted((ROOT / "content" / "calendars").glob("*.yaml")):
        yield pytest.param(path, "calendar.schema.json", id=path.relative_to(ROOT).as_posix())
    yield pytest.param(ROOT / "content" / "glossary.yml", "glossary.schema.json", id="content/glossary.yml")
    yield pytest.param(ROOT / "mkdocs.yml", "mkdocs.schema.json", id="mkdocs.yml")


@pytest.mark.parametrize("path, schema", list(sample_files()))
def test_sample_content_validates_against_its_schema(path, schema):
    if path.suffix == ".md":
        data = parse(path).meta
    elif path.name == "mkdocs.yml":
        data = read_mkdocs(path)
    else:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = sorted(validator(schema).iter_errors(as_editor_sees(data)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


@pytest.mark.parametrize("schema, data, wrong", [
    ("persona.schema.json", {"type": "persona", "name": "x", "role": "boss"}, "role"),
    ("mkdocs.schema.json", {"plugins": [{"studio": {"chekcs": {}}}]}, "chekcs"),
    ("course.schema.json", {"title": "t", "audience": "a", "objectives": [], "lessons": ["a.md"]}, "objectives"),
    ("calendar.schema.json", {"entries": [{"date": "2026-13-01", "channel": "朋友圈", "title": "t"}]}, "date"),
])
def test_the_schemas_catch_what_studio_refuses(schema, data, wrong):
    errors = list(validator(schema).iter_errors(data))
    assert errors and any(wrong in (e.message + "/".join(map(str, e.path))) for e in errors)
