"""Brand teardowns (拆解): how a brand runs 引流 → 承接 → 转化 → 复购.

File: ``case_studies/<slug>/index.md`` with ``type: teardown``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from studio.core.model import FrontMatter

Level = Literal["low", "high"]
LEVEL_LABELS = {"low": "低", "high": "高"}
STAGES = ("引流", "承接", "转化", "复购")

# YAML reads 2024-09-30 as a date and 2021 as a number; labels keep them as written.
Text = Annotated[str, BeforeValidator(lambda v: v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, (int, float)) else v)]


class Funnel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    引流: str
    承接: str
    转化: str
    复购: str

    def stages(self) -> list[tuple[str, str]]:
        return [(s, getattr(self, s)) for s in STAGES]


# A figure written as a number (quoted or not): 1800000, 1.8e6, 1e999, inf, nan.
_NUMBER = re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|inf(inity)?|nan)", re.IGNORECASE)
_WRITE = "write the figure as a number such as 1800000 or 1.8e6, or as text (e.g. '超 1000 万')"


class Figure(BaseModel):
    label: str
    value: float | str
    unit: Text = ""
    period: Text = ""
    source: Text = ""

    @field_validator("value", mode="before")
    @classmethod
    def _finite(cls, v: Any) -> Any:
        """No infinite figure: 1e999 (as a number or as text), .inf or .nan is an error at its line."""
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            try:
                finite = math.isfinite(float(v))
            except OverflowError:  # an int of hundreds of digits
                finite = False
            if not finite and isinstance(v, float):
                raise ValueError(f"'{v}' is not a finite number; {_WRITE}")
            if not finite:
                raise ValueError(f"a number of {len(str(abs(v)))} digits is too large; {_WRITE}")
        elif isinstance(v, str) and _NUMBER.fullmatch(v.strip()) and not math.isfinite(float(v.strip())):
            raise ValueError(f"'{v.strip()}' is not a finite number; {_WRITE}")
        return v


class SourceRef(BaseModel):
    title: str
    url: str = ""
    date: Text | None = None


class Teardown(FrontMatter):
    """Front matter of a brand teardown."""

    kind: ClassVar[str] = "teardown"
    hint: ClassVar[str] = "see schemas/teardown.schema.json for every field (拆解字段说明)"

    type: Literal["teardown"]
    brand: str
    brand_en: str
    industry: str
    ticket: Level
    frequency: Level
    touchpoints: list[str] = Field(min_length=1)
    funnel: Funnel
    tactics: list[str] = []
    figures: list[Figure] = []
    sources: list[SourceRef] = []

    @property
    def fit(self) -> bool:
        """Whether the playbook says this business fits private domain (all but low/low)."""
        return not (self.ticket == "low" and self.frequency == "low")

    @property
    def quadrant(self) -> str:
        return f"{LEVEL_LABELS[self.frequency]}频{LEVEL_LABELS[self.ticket]}客单"
