"""Numbers the way a Chinese report writes them: 12,345 · 37.96万 · 1.23亿 · ¥35.50 · 12.5%.

One formatter for tiles, summaries, tables, chart ticks and templates (the ``number``
filter), so a figure reads the same wherever it appears.
"""

from __future__ import annotations

import math


def number(value, digits: int = 0) -> str:
    """Chinese-style number: 12,345 below 10万, then 37.96万 / 1.23亿; '—' for nothing.

    万 and 亿 keep two decimals, so an amount never shows fewer than three significant
    digits (¥37.96万, not ¥38万 for ¥379,590.03); zeros are dropped only when exact (38万).
    """
    if value is None or value == "":
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    for unit, scale in (("亿", 1e8), ("万", 1e4)):
        if abs(v) >= (scale if unit == "亿" else 1e5):
            text = f"{v / scale:.2f}"
            if abs(float(text) * scale - v) < 1e-6 * max(1.0, abs(v)):
                text = text.rstrip("0").rstrip(".")
            return text + unit
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
    if fmt == "money":  # yuan and fen below 1万, always: ¥4,238.00 beside ¥4,106.30
        digits = 2 if abs(v) < 1e4 else 0
    else:
        digits = 0 if v.is_integer() or abs(v) >= 1e4 else 1
    text = number(v, digits)
    return ("¥" + text) if fmt == "money" else text


def tick(v: float, fmt: str = "number") -> str:
    """An axis tick: as short as the round number allows (¥2,000 · 1.5 · 20万), same units."""
    v = float(v)
    if abs(v) >= 1e5:
        text = number(v)
    else:
        text = f"{v:,.2f}".rstrip("0").rstrip(".") if not v.is_integer() else f"{v:,.0f}"
    return ("¥" + text) if fmt == "money" else text


def change(c: float | None, points: bool = False) -> str:
    """A change against the previous period: +12.0% (relative) or +1.2 个百分点 (points)."""
    if c is None or math.isnan(c):
        return "—"
    if points:
        return f"{c * 100:+.1f} 个百分点"
    return f"{c * 100:+.1f}%"
