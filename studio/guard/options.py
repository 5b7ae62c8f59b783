"""The ``pii:`` and ``html:`` option groups of the studio plugin, as typed classes.

Example in ``mkdocs.yml``::

    plugins:
      - studio:
          pii:
            allow: ["400-820-8820"]     # public numbers: a brand hotline
            mask: [手机号]               # data columns shown as 138****5678
            drop: [收货人, 收货地址]      # data columns removed before anything renders
          html:
            allow_tags: [iframe]
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# "name": data columns whose header says they hold personal names (姓名, 收货人, 昵称 …).
PiiKind = Literal["mobile", "id_card", "bank_card", "wechat", "email", "name"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ColumnRules(_Strict):
    """What a page (front matter ``pii:``) or the plugin declares about data columns."""

    mask: list[str] = []  # columns whose values reach pages masked (138****5678)
    drop: list[str] = []  # columns removed before any block sees them
    allow: list[str] = []  # public values, e.g. a brand hotline or a service mailbox


class PiiOptions(ColumnRules):
    """The PII guard over every page and data file of the project."""

    enabled: bool = True
    severity: Literal["error", "warning"] = "error"  # error: the build fails (the default)
    detect: list[PiiKind] = Field(default_factory=lambda: ["mobile", "id_card", "bank_card", "wechat", "email", "name"])
    page_email: bool = False  # e-mail addresses in pages: off by default (team contacts)
    data_email: bool = True  # e-mail addresses in data files: on by default
    max_per_file: int = Field(default=20, ge=1)  # findings listed per page before "and N more"


class HtmlOptions(_Strict):
    """Sanitising of page HTML: scripts, event handlers and javascript: URLs are removed."""

    sanitize: bool = True
    allow_tags: list[str] = []  # extra tags, e.g. [iframe]; [script] keeps scripts
    allow_attributes: dict[str, list[str]] = {}  # tag (or "*") -> attributes, e.g. {"*": [onclick]}
    allow_url_schemes: list[str] = []  # extra URL schemes, e.g. [javascript]
    allow_external: bool = False  # keep src= and url() that load from other hosts
    publish_html_files: bool = False  # publish raw .html files beside pages (their scripts run)
    publish_suffixes: list[str] = []  # more file types to publish beside pages, e.g. [".glb"]
