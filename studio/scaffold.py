"""``studio new``: start a persona, teardown, page, calendar, course, lesson or report.

Each scaffold is a template of the feature it belongs to (``templates/new/``) whose sample
values are marked 【待填】: the build warns until they are replaced (``studio.core.model.
placeholders``). Studio never overwrites: every file is checked before the first is written,
and written with mode ``x``. The one edit of an existing file is the one asked for —
``studio new lesson COURSE/SLUG`` adds the lesson to the end of ``COURSE/course.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from studio.config import StudioConfig
from studio.errors import StudioError, did_you_mean
from studio.features.builtin import new_project

KINDS = ("persona", "teardown", "page", "calendar", "course", "lesson", "report")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SLUG_HINT = "use lowercase letters, digits and '-', e.g. 'store-lucky' (拼音或英文)"


@dataclass(frozen=True)
class Planned:
    """One file a scaffold writes: where, from which template."""

    path: Path
    template: str


def plan(kind: str, slug: str, config: StudioConfig) -> list[Planned]:
    """The files ``studio new KIND SLUG`` writes, first the one to open."""
    content = config.content_path
    if kind == "persona":
        return [Planned(content / "personas" / f"{slug}.md", "new/persona.md.j2")]
    if kind == "teardown":
        return [Planned(config.case_studies_path / slug / "index.md", "new/teardown.md.j2")]
    if kind == "calendar":
        return [Planned(content / "calendars" / f"{slug}.yaml", "new/calendar.yaml.j2")]
    if kind == "course":
        return [Planned(content / "courses" / slug / "course.yml", "new/course.yml.j2"),
                Planned(content / "courses" / slug / "01-intro.md", "new/lesson.md.j2")]
    if kind == "lesson":
        course, _, lesson = slug.partition("/")
        return [Planned(content / "courses" / course / f"{lesson}.md", "new/lesson.md.j2")]
    if kind == "report":
        return [Planned(content / "reports" / f"{slug}.md", "new/report.md.j2"),
                Planned(content / "reports" / "data" / f"{slug}-contacts.csv", "new/contacts.csv.j2")]
    return [Planned(content / f"{slug}.md", "new/page.md.j2")]


def _check_slug(kind: str, slug: str) -> None:
    parts = slug.split("/")
    if kind == "lesson":
        if len(parts) != 2 or not all(_SLUG.match(p) for p in parts):
            raise StudioError(f"invalid lesson '{slug}'", hint="name the course and the lesson: "
                              "studio new lesson private-domain-101/07-review (课程/课时)")
        return
    if slug.startswith(("/", "\\")) or any(not _SLUG.match(part) for part in parts) or \
            (kind != "page" and len(parts) > 1):
        raise StudioError(f"invalid slug '{slug}'", hint=_SLUG_HINT + (
            "; a page may sit in a folder: 'playbook/new-page'" if kind == "page" else ""))


def create(kind: str, slug: str, config: StudioConfig) -> Path:
    """Write the scaffold of ``kind``; return the file to open first. Nothing is overwritten."""
    if kind not in KINDS:
        raise StudioError(f"unknown kind '{kind}'{did_you_mean(kind, KINDS)}", hint="kinds: " + ", ".join(KINDS))
    _check_slug(kind, slug)
    files = plan(kind, slug, config)
    base = (config.case_studies_path if kind == "teardown" else config.content_path).resolve()
    course_file = None
    if kind == "lesson":
        course_file = config.content_path / "courses" / slug.split("/")[0] / "course.yml"
        if not course_file.is_file():
            known = sorted(p.parent.name for p in (config.content_path / "courses").glob("*/course.yml"))
            raise StudioError(f"no course '{slug.split('/')[0]}'{did_you_mean(slug.split('/')[0], known)}; "
                              "nothing was written", hint="courses: " + (", ".join(known) or
                                                                         "none yet — studio new course SLUG"))
    for f in files:
        if not f.path.resolve().is_relative_to(base):  # a folder in the way may be a link elsewhere
            raise StudioError(f"'{slug}' would be written outside {base.name}/; nothing was written",
                              hint="pick a slug inside the project's folders")
        if f.path.exists():
            raise StudioError(f"{f.path} already exists; nothing was written", file=f.path,
                              hint="pick another slug, or edit the existing file")
    project = new_project(config)
    lesson = slug.split("/")[-1]
    texts = [project.render(f.template, slug=slug, lesson="01-intro" if kind == "course" else lesson)
             for f in files]
    for f, text in zip(files, texts):
        f.path.parent.mkdir(parents=True, exist_ok=True)
        with f.path.open("x", encoding="utf-8") as out:  # 'x': fail rather than overwrite
            out.write(text if text.endswith("\n") else text + "\n")
    if course_file is not None:
        add_lesson(course_file, f"{lesson}.md")
    return files[0].path


def add_lesson(course_file: Path, name: str) -> None:
    """Append ``name`` to the ``lessons:`` list of course.yml, keeping its comments and layout."""
    text = course_file.read_text(encoding="utf-8-sig")
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"^lessons\s*:", line)), None)
    if start is None:
        raise StudioError("course.yml has no 'lessons:' list; the lesson file was written but not listed",
                          file=course_file, hint=f"add 'lessons:' with '  - {name}' to course.yml")
    inline = re.match(r"^lessons\s*:\s*\[(?P<items>.*)\]\s*(#.*)?$", lines[start])
    if inline:
        items = [x.strip() for x in inline.group("items").split(",") if x.strip()]
        lines[start] = "lessons: [" + ", ".join(items + [name]) + "]"
    else:
        end = start
        indent = "  "
        for i in range(start + 1, len(lines)):
            m = re.match(r"^(\s+)-\s", lines[i])
            if m:
                end, indent = i, m.group(1)
            elif lines[i].strip() and not lines[i].startswith((" ", "\t", "#")):
                break
        lines.insert(end + 1, f"{indent}- {name}")
    tmp = course_file.with_name(course_file.name + ".studio-tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(course_file)  # whole or not at all
