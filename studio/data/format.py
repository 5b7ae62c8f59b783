"""Numbers the way a Chinese report writes them: 12,345 · 12.3万 · 1.2亿 · ¥35.50 · 12.5%.

One formatter for tiles, summaries, tables, chart ticks and templates (the ``number``
filter), so a figure reads the same wherever it appears.
"""

from __future__ import annotations

import math


def number(value, digits: int = 0) -> str:
    """Chinese-style number: 12,345 below 10万, then 12.3万 / 1.2亿; '—' for nothing."""
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


def value(v: float | None, fmt: str = "number") -> str:
    """A metric's value in its format: ``number``, ``money``, ``percent``, ``ratio``, ``minutes``."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    v = float(v)
    if fmt == "percent":
        return f"{v * 100:.1f}%"
    if fmt == "ratio":
        return f"{v:.2f}"
    if fmt == "minutes":
        return f"{v:.1f} 分钟"
    digits = 0 if float(v).is_integer() or abs(v) >= 1e4 else (2 if fmt == "money" else 1)
    text = number(v, digits)
    return ("¥" + text) if fmt == "money" else text


def change(c: float | None, points: bool = False) -> str:
    """A change against the previous period: +12.0% (relative) or +1.2 个百分点 (points)."""
    if c is None or math.isnan(c):
        return "—"
    if points:
        return f"{c * 100:+.1f} 个百分点"
    return f"{c * 100:+.1f}%"
