"""What every typed content file shares: validation that reports ``file:line``.

Each content type (persona, teardown, ...) is a pydantic model in its own module. This
module turns pydantic's errors into Studio errors that point at the offending key, and
warns on unknown keys with a did-you-mean.
"""

from __future__ import annotations

import difflib
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


# pydantic's error types in Studio's words (its own wording — "Input should be a valid
# integer, unable to parse string as an integer" — names no fix). ``{got}`` is the value given.
_WORDS = {
    "missing": "missing required field",
    "extra_forbidden": "unknown key",
    "string_type": "expected text, got {got}",
    "int_type": "expected a whole number, got {got}",
    "int_parsing": "expected a whole number, got {got}",
    "int_from_float": "expected a whole number, got {got}",
    "float_type": "expected a number, got {got}",
    "float_parsing": "expected a number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "bool_parsing": "expected true or false, got {got}",
    "list_type": "expected a list (e.g. [a, b] or lines starting with '- '), got {got}",
    "dict_type": "expected 'key: value' lines, got {got}",
    "date_type": "expected a date such as 2026-11-01, got {got}",
    "date_parsing": "expected a date such as 2026-11-01, got {got}",
    "date_from_datetime_parsing": "expected a date such as 2026-11-01, got {got}",
    "datetime_parsing": "expected a date and time such as 2026-11-01 09:30, got {got}",
    "time_parsing": "expected a time such as 09:30, got {got}",
    "url_parsing": "expected a web address (https://…), got {got}",
}


def error_message(err: dict) -> str:
    """One pydantic error as Studio says it: what was expected, and what was given."""
    kind = err["type"]
    got = excerpt(err.get("input"))
    ctx = err.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        return f"invalid value {got}; expected one of {ctx.get('expected', '')}"
    if kind in _WORDS:
        return _WORDS[kind].format(got=got)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {sign} {bound}, got {got}"
    if kind in ("too_short", "too_long"):
        most = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length", ctx.get("max_length", ""))
        return f"needs {most} {limit} item(s), got {ctx.get('actual_length', '?')}"
    if kind == "string_too_short":
        return "must not be empty"
    message = str(err.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):  # a model's own check: its message is ours
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def excerpt(value: Any, limit: int = 40) -> str:
    """A value as it may appear in a message: quoted, at most ``limit`` characters (a pasted
    export must not land in CI logs whole; personal data is masked by StudioError.format)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validate(model: type[M], source: Source) -> tuple[M | None, list[StudioError]]:
    """Validate ``source.meta`` against ``model``; return the model (or None) and problems.

    A misspelt required key (``ownr:`` for ``owner:``) is one mistake, so it is one error at
    the misspelt key's line, not a warning for the unknown key plus an error for the missing one.
    """
    problems: list[StudioError] = []
    known = set(model.model_fields) | ENGINE_KEYS
    misspelt: dict[str, str] = {}  # field -> the unknown key that looks like it
    unknown: dict[str, StudioError] = {}
    for key in source.meta:
        if key not in known:
            match = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            if match:
                misspelt.setdefault(match[0], key)
            unknown[key] = StudioError(
                f"unknown key '{key}' in {model.kind} front matter{did_you_mean(key, known)}",
                file=source.path, line=source.line_of(key), severity="warning",
                hint="remove it or fix its spelling; --strict turns this into an error",
            )
    try:
        return model.model_validate(source.meta), problems + list(unknown.values())
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            name = ".".join(str(p) for p in loc) or "front matter"
            typo = misspelt.get(str(loc[0])) if err["type"] == "missing" and len(loc) == 1 else None
            if typo is not None and typo in unknown:
                del unknown[typo]
                problems.append(StudioError(
                    f"unknown key '{typo}' (did you mean '{loc[0]}'?); '{loc[0]}' is required in a {model.kind}",
                    file=source.path, line=source.line_of(typo), hint=f"rename '{typo}' to '{loc[0]}'"))
                continue
            problems.append(StudioError(
                f"{name}: {error_message(err)}",
                file=source.path,
                line=source.line_of(*loc),
                hint=model.hint or None,
            ))
        return None, list(unknown.values()) + problems


PLACEHOLDER = "【待填】"  # what `studio new` leaves for the author to replace (studio.scaffold)


def placeholders(text: str, path: Path, first_line: int = 1) -> list[StudioError]:
    """One warning for a file that still holds scaffold placeholders, naming their lines.

    A scaffold builds as soon as it is written; without this its sample values (品牌名,
    新人设) would be published as if they were content.
    """
    if PLACEHOLDER not in text:
        return []
    lines = [first_line + i for i, line in enumerate(text.split("\n")) if PLACEHOLDER in line]
    shown = ", ".join(map(str, lines[:12])) + (", …" if len(lines) > 12 else "")
    what = "1 placeholder" if len(lines) == 1 else f"{len(lines)} placeholders"
    return [StudioError(f"{what} from 'studio new' still to fill in (line{'s' if len(lines) > 1 else ''} {shown})",
                        file=path, line=lines[0], severity="warning",
                        hint=f"replace each {PLACEHOLDER} and the sample text after it (把「{PLACEHOLDER}」换成实际内容)")]


def slug_of(path: Path) -> str:
    """``content/personas/lucky.md`` -> ``lucky``; ``case_studies/luckin/index.md`` -> ``luckin``."""
    return path.parent.name if path.stem == "index" else path.stem


def field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def as_dict(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
