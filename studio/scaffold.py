"""``studio new``: start a persona, teardown or page from a template, never overwriting."""

from __future__ import annotations

import re
from pathlib import Path

from studio.config import StudioConfig
from studio.errors import StudioError
from studio.features.builtin import new_project

KINDS = ("persona", "teardown", "page")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def target(kind: str, slug: str, config: StudioConfig) -> Path:
    if kind == "persona":
        return config.content_path / "personas" / f"{slug}.md"
    if kind == "teardown":
        return config.case_studies_path / slug / "index.md"
    return config.content_path / f"{slug}.md"


def create(kind: str, slug: str, config: StudioConfig) -> Path:
    parts = slug.split("/")
    if slug.startswith(("/", "\\")) or any(not _SLUG.match(part) for part in parts):
        raise StudioError(f"invalid slug '{slug}'",
                          hint="use lowercase letters, digits and '-', e.g. 'store-lucky' (拼音或英文); "
                               "a page may sit in a folder: 'playbook/new-page'")
    path = target(kind, slug, config)
    base = (config.case_studies_path if kind == "teardown" else config.content_path).resolve()
    if not path.resolve().is_relative_to(base):  # a folder in the way may be a link elsewhere
        raise StudioError(f"'{slug}' would be written outside {base.name}/; nothing was written",
                          hint="pick a slug inside the project's folders")
    if path.exists():
        raise StudioError(f"{path} already exists; nothing was written", file=path,
                          hint="pick another slug, or edit the existing file")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_project(config).render(f"new/{kind}.md.j2", slug=slug)
    with path.open("x", encoding="utf-8") as f:  # 'x': fail rather than overwrite
        f.write(text)
    return path
