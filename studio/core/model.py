"""What every typed content file shares: validation that reports ``file:line``.

Each content type (persona, teardown, ...) is a pydantic model in its own module. This
module turns pydantic's errors into Studio errors that point at the offending key, and
warns on unknown keys with a did-you-mean.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from studio.core.frontmatter import Source
from studio.errors import StudioError, did_you_mean

# Keys MkDocs and Material understand on any page; never "unknown".
ENGINE_KEYS = {
    "title", "description", "tags", "hide", "template", "icon", "status", "subtitle",
    "search", "comments", "authors", "date", "slug", "draft", "render_macros",
    "pii",  # data column rules, read by studio.guard.scan
    "audience",  # who the page is for (studio.core.project: audience builds)
}


class FrontMatter(BaseModel):
    """Base of every typed front matter model."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    type: str
    title: str | None = None
    tags: list[str] = []
    datasets: list[str] = []
    updated: date | None = None

    kind: ClassVar[str] = ""
    hint: ClassVar[str] = ""


M = TypeVar("M", bound=FrontMatter)


def error_message(err: dict) -> str:
    kind = err["type"]
    if kind == "missing":
        return "missing required field"
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        return f"invalid value {excerpt(err.get('input'))}; expected one of {expected}"
    return err["msg"]


def excerpt(value: Any, limit: int = 40) -> str:
    """A value as it may appear in a message: quoted, at most ``limit`` characters (a pasted
    export must not land in CI logs whole; personal data is masked by StudioError.format)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validate(model: type[M], source: Source) -> tuple[M | None, list[StudioError]]:
    """Validate ``source.meta`` against ``model``; return the model (or None) and problems."""
    problems: list[StudioError] = []
    known = set(model.model_fields) | ENGINE_KEYS
    for key in source.meta:
        if key not in known:
            problems.append(StudioError(
                f"unknown key '{key}' in {model.kind} front matter{did_you_mean(key, known)}",
                file=source.path, line=source.line_of(key), severity="warning",
                hint="remove it or fix its spelling; --strict turns this into an error",
            ))
    try:
        return model.model_validate(source.meta), problems
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            name = ".".join(str(p) for p in loc) or "front matter"
            problems.append(StudioError(
                f"{name}: {error_message(err)}",
                file=source.path,
                line=source.line_of(*loc),
                hint=model.hint or None,
            ))
        return None, problems


def slug_of(path: Path) -> str:
    """``content/personas/lucky.md`` -> ``lucky``; ``case_studies/luckin/index.md`` -> ``luckin``."""
    return path.parent.name if path.stem == "index" else path.stem


def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def as_dict(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
