"""Studio's own options, as typed classes.

They live under the ``studio`` plugin in ``mkdocs.yml`` (``plugins: - studio: {...}``) but
are validated here, so that the core does not depend on the engine.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Options(BaseModel):
    """Base for option groups: unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid")


class StudioConfig(Options):
    """Everything Studio needs to know about a project."""

    root: Path = Path(".")
    content_dir: str = "content"
    case_studies_dir: str = "case_studies"
    strict: bool = False
    # Chinese titles of the top-level folders, in navigation order.
    section_titles: dict[str, str] = {
        "playbook": "私域打法", "personas": "人设库", "case_studies": "品牌拆解",
        "calendars": "内容日历", "dashboards": "数据看板", "reports": "运营报告",
        "courses": "培训课程", "glossary": "术语表",
    }

    @property
    def content_path(self) -> Path:
        return self.root / self.content_dir

    @property
    def case_studies_path(self) -> Path:
        return self.root / self.case_studies_dir
