"""Reading ``mkdocs.yml`` as plain data, without loading an engine.

MkDocs' own loader runs the plugins it names; Studio sometimes needs the file before
choosing an engine (the ``engine:`` option) or to hand it to an engine that reads a
different dialect (Zensical writes Python callables as ``{object: ..., kwds: ...}``).
Python tags become that mapping form, ``!ENV`` reads the environment, ``!relative`` keeps
its path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from studio.errors import StudioError, did_you_mean


class _Loader(yaml.SafeLoader):
    """Safe YAML plus the tags mkdocs.yml files use; nothing is imported or run."""


def _python(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    kind, _, target = suffix.partition(":")
    if kind in ("name", "module"):
        return target
    value = loader.construct_mapping(node, deep=True) if isinstance(node, yaml.MappingNode) else {}
    out: dict[str, Any] = {"object": target}
    if "kwds" in value:
        out["kwds"] = value["kwds"]
    if "args" in value:
        out["args"] = value["args"]
    return out


def _env(loader: _Loader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        values = loader.construct_sequence(node, deep=True)
        names, default = values[:-1] or values, values[-1] if len(values) > 1 else None
    for name in names:
        if str(name) in os.environ:
            return os.environ[str(name)]
    return default


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python)
_Loader.add_constructor("!ENV", _env)
_Loader.add_constructor("!relative", lambda loader, node: loader.construct_scalar(node) or ".")


def read(config_file: Path) -> dict[str, Any]:
    """The whole file as plain data; a StudioError with the line when it is not YAML."""
    try:
        text = Path(config_file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise StudioError(f"cannot read {Path(config_file).name}: {exc.strerror}", file=config_file) from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise StudioError(f"invalid YAML: {(exc.problem or exc.context or '').strip()}", file=config_file,
                          line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise StudioError(f"invalid YAML: {exc}", file=config_file) from None
    if not isinstance(data, dict):
        raise StudioError("mkdocs.yml must be a mapping of 'key: value' lines", file=config_file, line=1)
    return data


def plugin_options(config_file: Path, name: str = "studio") -> dict[str, Any]:
    """The options of one plugin in ``plugins:`` ({} when listed bare or absent)."""
    plugins = read(config_file).get("plugins") or []
    items = plugins.items() if isinstance(plugins, dict) else (
        next(iter(p.items())) if isinstance(p, dict) and p else (p, None) for p in plugins)
    for key, value in items:
        if key == name:
            return value if isinstance(value, dict) else {}
    return {}


def key_lines(config_file: Path) -> dict[tuple, int]:
    """The 1-based line of every key of mkdocs.yml, by key path (as front matter is indexed)."""
    from studio.core.frontmatter import index_lines

    lines: dict[tuple, int] = {}
    try:
        root = yaml.compose(Path(config_file).read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return lines
    if root is not None:
        index_lines(root, (), 1, lines)
    return lines


def option_line(lines: dict[tuple, int], keys: tuple, plugin: str = "studio") -> int | None:
    """The line of ``plugins: - studio: {keys…}`` in ``key_lines``; the deepest key that
    exists, so a missing option points at its group (None when the plugin is not there)."""
    base = next((k for k in lines if len(k) == 3 and k[0] == "plugins" and k[2] == plugin),
                ("plugins", plugin) if ("plugins", plugin) in lines else None)
    if base is None:
        return None
    for i in range(len(keys), -1, -1):
        line = lines.get(base + tuple(str(k) if not isinstance(k, int) else k for k in keys[:i]))
        if line is not None:
            return line
    return None


def option_problems(errors: list[dict], config_file: Path, model) -> list[StudioError]:
    """pydantic's errors on Studio's options as Studio's: the line in mkdocs.yml, a did-you-mean."""
    from studio.core.model import error_message

    problems = []
    lines = key_lines(config_file)
    for err in errors:
        loc = tuple(err["loc"])
        name = "plugins.studio." + ".".join(map(str, loc))
        if err["type"] == "extra_forbidden":
            choices = [c for c in _fields_at(model, loc[:-1]) if loc[:-1] or c != "root"]  # root: Studio's own
            message = f"{name}: unknown option{did_you_mean(str(loc[-1]), choices)}"
            hint = ("options here: " + ", ".join(choices)) if choices else "see README, section 'Options'"
        else:
            message, hint = f"{name}: {error_message(err)}", "see README, section 'Options'"
        problems.append(StudioError(message, file=config_file, line=option_line(lines, loc), hint=hint))
    return problems


def _fields_at(model, loc: tuple) -> list[str]:
    """The option names one level below ``loc`` in ``model`` (a pydantic class)."""
    import typing

    for key in loc:
        field = getattr(model, "model_fields", {}).get(str(key))
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *typing.get_args(annotation)]
        model = next((c for c in candidates if hasattr(c, "model_fields")), None)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))
