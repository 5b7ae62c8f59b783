"""The Jinja2 environment shared by every generated page and block."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def _number(value, digits: int = 0) -> str:
    """Chinese-style number: 12,345 below 10万, then 12.3万 / 1.2亿."""
    if value is None or value == "":
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if abs(v) >= 1e8:
        return f"{v / 1e8:.2f}".rstrip("0").rstrip(".") + "亿"
    if abs(v) >= 1e5:
        return f"{v / 1e4:.1f}".rstrip("0").rstrip(".") + "万"
    return f"{v:,.{digits}f}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("studio", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)
