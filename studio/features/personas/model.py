"""Persona guides (人设/IP): who an account "is" and what it posts.

File: ``content/personas/<slug>.md`` with ``type: persona``.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from studio.core.model import FrontMatter

Channel = Literal["企业微信", "朋友圈", "社群", "公众号", "视频号", "小程序", "私聊", "直播", "门店"]
CHANNELS: tuple[str, ...] = Channel.__args__  # type: ignore[attr-defined]

PILLARS = ("生活", "工作", "促销", "互动")


class Role(str, Enum):
    sales = "sales"
    expert = "expert"
    brand_ip = "brand IP"


ROLE_LABELS = {"sales": "销售/福利官", "expert": "专家/KOC", "brand IP": "品牌IP"}


class PostMix(BaseModel):
    """Daily Moments mix across the four pillars, in percent."""

    model_config = ConfigDict(extra="forbid")

    生活: int = Field(ge=0, le=100)
    工作: int = Field(ge=0, le=100)
    促销: int = Field(ge=0, le=100)
    互动: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _sums_to_100(self) -> "PostMix":
        total = self.生活 + self.工作 + self.促销 + self.互动
        if total != 100:
            raise ValueError(f"shares must sum to 100, got {total}")
        return self

    def shares(self) -> dict[str, int]:
        return {p: getattr(self, p) for p in PILLARS}


class Persona(FrontMatter):
    """Front matter of a persona guide."""

    kind: ClassVar[str] = "persona"
    hint: ClassVar[str] = "see schemas/persona.schema.json for every field (人设字段说明)"

    type: Literal["persona"]
    name: str
    role: Role
    channels: list[Channel] = Field(min_length=1)
    life_tags: list[str] = Field(min_length=1)
    work_tags: list[str] = Field(min_length=1)
    tone: str
    post_mix: PostMix
    daily_posts: int = Field(default=5, ge=1, le=20)
    owner: str
    avatar: str | None = None

    @field_validator("life_tags", "work_tags")
    @classmethod
    def _no_blank_tags(cls, tags: list[str]) -> list[str]:
        return [t for t in (str(t).strip() for t in tags) if t]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role.value]
