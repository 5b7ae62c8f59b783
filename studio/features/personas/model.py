"""Persona guides (人设/IP): who an account "is" and what it posts.

File: ``content/personas/<slug>.md`` with ``type: persona``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, ConfigDict, Field, RootModel, field_validator, model_validator

from studio.core.model import FrontMatter

from studio.config import VocabularyOptions

# Today's default channels; a project's own are ``config.vocabulary.channels``.
CHANNELS: tuple[str, ...] = tuple(VocabularyOptions().channels)

PILLARS: tuple[str, ...] = tuple(VocabularyOptions().pillars)  # the defaults; a project's: vocabulary.pillars


class Role(str, Enum):
    sales = "sales"
    expert = "expert"
    brand_ip = "brand IP"


ROLE_LABELS = {"sales": "销售/福利官", "expert": "专家/KOC", "brand IP": "品牌IP"}


class PostMix(RootModel[dict[str, Annotated[int, Field(ge=0, le=100)]]]):
    """Daily Moments mix across the content pillars, in percent (``{生活: 30, 工作: 30, …}``).

    The pillars are the project's ``vocabulary.pillars`` (checked on load); a pillar left
    out has no share.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [{"生活": 30, "工作": 30, "促销": 20, "互动": 20}]})

    @model_validator(mode="after")
    def _sums_to_100(self) -> "PostMix":
        total = sum(self.root.values())
        if total != 100:
            raise ValueError(f"shares must sum to 100, got {total}")
        return self

    def shares(self) -> dict[str, int]:
        return dict(self.root)


class Persona(FrontMatter):
    """Front matter of a persona guide."""

    kind: ClassVar[str] = "persona"
    hint: ClassVar[str] = "see schemas/persona.schema.json for every field (人设字段说明)"

    type: Literal["persona"]
    name: str
    role: Role
    # one of the project's vocabulary.channels (checked on load: studio.features.personas.pages)
    channels: list[str] = Field(min_length=1, json_schema_extra={"items": {"type": "string", "examples": list(CHANNELS)}})
    life_tags: list[str] = Field(min_length=1)
    work_tags: list[str] = Field(min_length=1)
    tone: str
    post_mix: PostMix
    daily_posts: int = Field(default=5, ge=1, le=20)
    owner: str
    avatar: str | None = None
    # The WeCom account(s) behind the persona, as exports name them (the ``userid`` column):
    # charts and reports then show the persona's name instead of the account id.
    userid: Annotated[list[str], BeforeValidator(lambda v: [] if v is None else [v] if isinstance(v, str) else v,
                                                 json_schema_input_type=str | list[str] | None)] = []

    @field_validator("life_tags", "work_tags")
    @classmethod
    def _no_blank_tags(cls, tags: list[str]) -> list[str]:
        return [t for t in (str(t).strip() for t in tags) if t]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role.value]


def check_vocabulary(project) -> None:
    """Each persona's channels and post_mix pillars are words of the project's vocabulary."""
    from studio.errors import StudioError, did_you_mean

    known = project.config.vocabulary.channels
    pillars = project.config.vocabulary.pillars
    for doc in project.of_kind("persona"):
        for pillar in doc.model.post_mix.shares():
            if pillar not in pillars:
                project.diagnostics.add(StudioError(
                    f"post_mix: unknown pillar '{pillar}'{did_you_mean(pillar, pillars)}",
                    file=doc.path, line=doc.source.line_of("post_mix", pillar),
                    hint="pillars: " + ", ".join(pillars) + "; a team's own are listed under vocabulary.pillars "
                         "in mkdocs.yml (内容支柱)"))
        for i, channel in enumerate(doc.model.channels):
            if channel not in known:
                project.diagnostics.add(StudioError(
                    f"channels: unknown channel '{channel}'{did_you_mean(channel, known)}",
                    file=doc.path, line=doc.source.line_of("channels", i),
                    hint="channels: " + ", ".join(known) + "; a team's own are listed under "
                         "vocabulary.channels in mkdocs.yml (渠道词表)"))
