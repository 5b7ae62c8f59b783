"""Courses for trainers: a ``course.yml`` syllabus plus one Markdown file per lesson.

Folder: ``content/courses/<slug>/`` holds ``course.yml`` (title, audience, objectives,
prerequisites and the lesson files in teaching order) and the lessons (``type: lesson``).
The order lives in one place, course.yml, so a trainer reorders a course by moving a line.
The loader checks that the two agree and keeps the courses in ``project.extras["courses"]``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from studio.core.frontmatter import Source, index_lines, read_text
from studio.core.model import FrontMatter, error_message, placeholders
from studio.errors import StudioError, did_you_mean, display_path
from studio.guard.safeyaml import compose_and_load

if TYPE_CHECKING:
    from studio.core.project import Document, Project

COURSES = "courses"  # folder under content/
COURSE_FILE = "course.yml"

_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(小时|hours?|hrs?|h|分钟|分|minutes?|mins?|m)?\s*", re.I)


def minutes(value: Any) -> Any:
    """45, '45 分钟', '1.5 小时', '1h30m' -> minutes; anything else is left for pydantic to refuse."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return round(value)
    text = str(value).strip()
    total, pos = 0.0, 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError("expected minutes, e.g. 45, '45 分钟' or '1.5 小时'")
        unit = (m.group(2) or "m").lower()
        total += float(m.group(1)) * (60 if unit[0] in "小h" else 1)
        pos = m.end()
    if not text:
        raise ValueError("expected minutes, e.g. 45, '45 分钟' or '1.5 小时'")
    return round(total)


Minutes = Annotated[int, BeforeValidator(minutes, json_schema_input_type=int | str), Field(gt=0)]  # 30 or '30 分钟'
# YAML reads 'answer: 2' as a number and 'answer: yes' as a boolean; answers are text.
Text = Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) else ("是" if v is True else "否" if v is False else str(v)))]


def format_minutes(total: int) -> str:
    """90 -> '1 小时 30 分钟'."""
    hours, mins = divmod(int(total), 60)
    parts = ([f"{hours} 小时"] if hours else []) + ([f"{mins} 分钟"] if mins or not hours else [])
    return " ".join(parts)


class QuizItem(BaseModel):
    """One quiz question; ``answer`` is the text, or an option letter when options are given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    question: str
    options: list[Text] = []
    answer: Text
    explain: str = ""

    @model_validator(mode="after")
    def _answer_in_options(self) -> "QuizItem":
        if self.options and _is_letter(self.answer) and _letter_index(self.answer) >= len(self.options):
            raise ValueError(f"answer '{self.answer}' but there are only {len(self.options)} options "
                             f"(A–{chr(64 + len(self.options))})")
        return self

    @property
    def lettered_options(self) -> list[tuple[str, str]]:
        return [(chr(65 + i), text) for i, text in enumerate(self.options)]

    @property
    def answer_text(self) -> str:
        if self.options and _is_letter(self.answer):
            return f"{self.answer.upper()}. {self.options[_letter_index(self.answer)]}"
        return self.answer


def _is_letter(text: str) -> bool:
    return len(text) == 1 and text.isascii() and text.isalpha()


def _letter_index(text: str) -> int:
    return ord(text.upper()) - 65


class Lesson(FrontMatter):
    """Front matter of one lesson; its body is the lesson text."""

    kind: ClassVar[str] = "lesson"
    hint: ClassVar[str] = "see schemas/lesson.schema.json for every field (课程字段说明)"

    type: Literal["lesson"]
    title: str
    duration: Minutes
    objectives: list[str] = Field(min_length=1)
    status: Literal["published", "draft"] = "published"
    exercises: list[str] = []
    discussion: list[str] = []
    quiz: list[QuizItem] = []

    @property
    def draft(self) -> bool:
        return self.status == "draft"


class CourseFile(BaseModel):
    """The content of ``course.yml``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    title: str
    audience: str
    duration: Minutes | None = None  # default: the sum of the lessons
    objectives: list[str] = Field(min_length=1)
    prerequisites: list[str] = []
    lessons: list[str] = Field(min_length=1)
    description: str = ""
    trainer: str = ""
    updated: dt.date | None = None
    audiences: list[str] = []  # who may see the course (audience builds); `audience` describes learners


@dataclass
class Course:
    """A loaded course: its syllabus and its lessons in teaching order (drafts included)."""

    slug: str
    path: Path  # course.yml
    uri: str  # folder as the site sees it, e.g. "courses/intro"
    model: CourseFile
    source: Source
    lessons: list["Document"] = field(default_factory=list)
    # lesson files a misspelt 'lessons:' line looks like: reported there, not again as unlisted
    near_misses: set[Path] = field(default_factory=set)

    def page(self, name: str) -> str:
        return f"{self.uri}/{name}"

    def visible(self, drafts: bool) -> list["Document"]:
        """The lessons a reader sees: drafts only when previewing."""
        return [d for d in self.lessons if drafts or not d.model.draft]

    def minutes(self, drafts: bool) -> int:
        return self.model.duration or sum(d.model.duration for d in self.visible(drafts))


def courses(project: "Project") -> dict[str, Course]:
    return project.extras.get("courses", {})


def course_of(project: "Project", doc: "Document") -> Course | None:
    for course in courses(project).values():
        if doc in course.lessons:
            return course
    return None


def load_courses(project: "Project") -> None:
    """Read every course.yml, match its lessons, and report what does not fit."""
    root = project.config.content_path / COURSES
    found: dict[str, Course] = {}
    folders: set[Path] = set()
    if root.is_dir():
        for path in sorted(root.glob(f"*/{COURSE_FILE}")):
            folders.add(path.parent.resolve())
            try:
                course = _load_course(project, path)
            except StudioError as problem:
                project.diagnostics.add(problem)
                continue
            if course is not None and not project.allows(course.model.audiences):
                for lesson in course.lessons:  # not for this build's audience: nothing of it is built
                    project.leave_out(lesson)
                continue
            if course is not None:
                found[course.slug] = course
    project.extras["courses"] = found
    listed = {id(d) for c in found.values() for d in c.lessons}
    for doc in project.of_kind("lesson"):
        if id(doc) in listed:
            continue
        folder = doc.path.parent.resolve()
        if any(doc.path.resolve() in c.near_misses for c in found.values()):
            continue  # the course.yml line that misspells it was reported
        if folder in folders:
            if any(c.path.parent.resolve() == folder for c in found.values()):
                project.diagnostics.warn(
                    f"lesson is not listed in {COURSE_FILE}, so it is not part of the course",
                    file=doc.path, line=doc.source.line_of("type"),
                    hint=f"add '- {doc.path.name}' under 'lessons:' in {display_path(folder / COURSE_FILE)}")
        else:
            project.diagnostics.error(
                f"lesson has no {COURSE_FILE} beside it",
                file=doc.path, line=doc.source.line_of("type"),
                hint=f"lessons live in {project.config.content_dir}/{COURSES}/<course>/ next to a "
                     f"{COURSE_FILE} that lists them (课时需放在课程文件夹内)")


def _load_course(project: "Project", path: Path) -> Course | None:
    text = read_text(path)
    source = _parse(path, text)
    project.diagnostics.extend(placeholders(text, path))  # a scaffold's 【待填】 left in
    diagnostics = project.diagnostics
    known = set(CourseFile.model_fields)
    for key in source.meta:
        if key not in known:
            diagnostics.warn(f"unknown key '{key}' in {COURSE_FILE}{did_you_mean(key, known)}",
                             file=path, line=source.line_of(key),
                             hint="allowed keys: " + ", ".join(CourseFile.model_fields))
    try:
        model = CourseFile.model_validate(source.meta)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            diagnostics.error(f"{'.'.join(map(str, loc)) or COURSE_FILE}: {error_message(err)}",
                              file=path, line=source.line_of(*loc),
                              hint="course.yml needs title, audience, objectives and lessons (课程字段说明见 README)")
        return None
    folder = path.parent
    course = Course(folder.name, path, f"{COURSES}/{folder.name}", model, source)
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md") if p.name != "index.md")
    seen: dict[str, int] = {}
    for i, name in enumerate(model.lessons):
        line = source.line_of("lessons", i)
        rel = name if name.endswith(".md") else name + ".md"
        lesson_path = (folder / rel).resolve()
        if rel in seen:
            diagnostics.error(f"lesson '{name}' is listed twice (first on line {seen[rel]}): duplicate order",
                              file=path, line=line, hint="each lesson appears once under 'lessons:'; remove one line")
            continue
        seen[rel] = line
        if folder.resolve() not in lesson_path.parents or not lesson_path.is_file():
            suggestion = did_you_mean(rel, on_disk)
            diagnostics.error(f"unknown lesson file '{name}'{suggestion}",
                              file=path, line=line,
                              hint="lessons are Markdown files beside course.yml: " + (", ".join(on_disk) or "none yet"))
            if suggestion:
                course.near_misses.add((folder / suggestion.split("'")[1]).resolve())
            continue
        doc = project.by_path(lesson_path)
        if doc is None:
            continue  # the file has its own errors, already reported
        if doc.kind != "lesson":
            diagnostics.error(f"'{name}' is not a lesson (its type is '{doc.kind}')",
                              file=path, line=line,
                              hint=f"start the front matter of {rel} with 'type: lesson'")
            continue
        course.lessons.append(doc)
    return course


def _parse(path: Path, text: str) -> Source:
    """course.yml (its ``text``) with the line of every key, as front matter is parsed."""
    try:
        node, data = compose_and_load(text)  # marked errors only (studio.guard.safeyaml)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise StudioError(f"invalid YAML: {(exc.problem or exc.context or '').strip()}", file=path,
                          line=mark.line + 1 if mark else 1,
                          hint=getattr(exc, "hint", None)  # full-width punctuation, aliases (studio.guard.safeyaml)
                          or "check indentation, colons and quotes (YAML 格式错误：检查缩进、冒号和引号)") from None
    if not isinstance(data, dict):
        raise StudioError(f"{COURSE_FILE} must be a mapping of 'key: value' lines", file=path, line=1,
                          hint="start with e.g. 'title: 私域运营入门'")
    lines: dict[tuple, int] = {}
    if node is not None:
        index_lines(node, (), 1, lines)
    # has_front_matter=False: a missing key is reported on line 1
    return Source(path, data, "", 1, lines)
