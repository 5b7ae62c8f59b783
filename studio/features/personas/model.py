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

    vocabulary = project.config.vocabulary
    for doc in project.of_kind("persona"):
        used = [("post_mix", "pillar", "pillars", "内容支柱", vocabulary.pillars, (p, p))
                for p in doc.model.post_mix.shares()]
        used += [("channels", "channel", "channels", "渠道词表", vocabulary.channels, (c, i))
                 for i, c in enumerate(doc.model.channels)]
        for key, word, option, zh, known, (value, where) in used:
            if value not in known:
                project.diagnostics.add(StudioError(
                    f"{key}: unknown {word} '{value}'{did_you_mean(value, known)}",
                    file=doc.path, line=doc.source.line_of(key, where),
                    hint=f"{option}: " + ", ".join(known) + f"; a team's own are listed under vocabulary.{option} "
                         f"in mkdocs.yml ({zh})"))
