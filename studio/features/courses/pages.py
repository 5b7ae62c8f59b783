"""Course pages: the course list, each course's syllabus, lesson decorations and the handout.

Lessons are written by trainers; Studio adds what follows from course.yml — the number,
breadcrumb, objectives box, exercises, quiz and previous/next links — so reordering a
course is one edit. The handout page (``courses/<slug>/handout/``) holds the whole course
on one page for printing; ``studio export course`` turns it into the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from studio.core.blocks import render_blocks
from studio.core.pipeline import Output, link
from studio.core.project import Document, Project
from studio.errors import StudioError

from .model import Course, course_of, courses, format_minutes

COURSE_LIST = "courses/index.md"
HANDOUT = "handout.md"
_H1 = re.compile(r"^#\s+\S")


@dataclass
class LessonRef:
    """A lesson as a page shows it: number, title and a link relative to that page."""

    doc: Document
    number: int
    link: str
    body: str = ""

    @property
    def model(self):
        return self.doc.model

    @property
    def title(self) -> str:
        return self.doc.model.title

    @property
    def draft(self) -> bool:
        return self.doc.model.draft


def numbered(course: Course, drafts: bool, from_uri: str) -> list[LessonRef]:
    return [LessonRef(d, i, link(from_uri, d.uri)) for i, d in enumerate(course.visible(drafts), 1)]


def strip_title(markdown: str) -> str:
    """Drop a leading ``# heading``: a lesson's heading is written from its number and title."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if _H1.match(line):
            return "\n".join(lines[:i] + lines[i + 1 :])
        if line.strip():
            break
    return markdown


def course_pages(project: Project, out: Output) -> None:
    found = courses(project)
    if not found:
        return
    drafts = project.config.courses.drafts
    cards = [{"course": c, "link": link(COURSE_LIST, c.page("index.md")), "lessons": c.visible(drafts),
              "minutes": c.minutes(drafts)} for c in found.values()]
    out.add_page(COURSE_LIST, project.render("course/course_list.md.j2", courses=cards, fmt_minutes=format_minutes), project)
    for course in found.values():
        index = course.page("index.md")
        lessons = numbered(course, drafts, index)
        out.add_page(index, project.render("course/course_index.md.j2", course=course, lessons=lessons,
                                   minutes=course.minutes(drafts), handout=HANDOUT,
                                   fmt_minutes=format_minutes), project)
        out.nav_titles[course.uri] = course.model.title
        for ref in lessons:
            out.nav_order[ref.doc.uri] = ref.number
        if not drafts:
            out.drafts.update(d.uri for d in course.lessons if d.model.draft)
        handout = course.page(HANDOUT)
        markdown, needs = handout_markdown(project, course, drafts)
        out.add_page(handout, markdown, project)
        out.unlisted.add(handout)
        out.page_needs[handout] = needs


def handout_markdown(project: Project, course: Course, drafts: bool) -> tuple[str, set[str]]:
    """The whole course on one page, blocks rendered; plus the scripts its blocks need.

    A lesson whose blocks are broken gets a short notice here: its own page reports the
    error at the right file line.
    """
    uri = course.page(HANDOUT)
    lessons = numbered(course, drafts, uri)
    needs: set[str] = set()
    for ref in lessons:
        doc = ref.doc
        try:
            text, used = render_blocks(project, doc, doc.path, doc.source.body, doc.source.body_line)
        except StudioError as problem:
            text, used = f'!!! failure "本课内容有错误"\n    {problem.place}: {problem.message}', set()
        ref.body = strip_title(text)
        needs |= used
    markdown = project.render("course/handout.md.j2", course=course, lessons=lessons, minutes=course.minutes(drafts),
                      has_quiz=any(r.model.quiz for r in lessons), today=dt.date.today().isoformat(),
                      fmt_minutes=format_minutes)
    return markdown, needs


def decorate_lesson(project: Project, doc: Document, markdown: str) -> str:
    """A lesson page: breadcrumb, numbered title and objectives, body, exercises, quiz, prev/next."""
    course = course_of(project, doc)
    if course is None:
        return markdown  # not in a course: the loader has reported it
    lessons = numbered(course, project.config.courses.drafts, doc.uri)
    mine = next((r for r in lessons if r.doc is doc), None)
    if mine is None:
        return markdown  # a draft outside preview: not built
    i = mine.number - 1
    parts = project.templates.get("course/lesson.md.j2").make_module({"fmt_minutes": format_minutes})
    crumbs = {"courses": link(doc.uri, COURSE_LIST), "course": link(doc.uri, course.page("index.md"))}
    head = parts.head(course, doc, mine.number, len(lessons), crumbs=crumbs)
    tail = parts.tail(doc, mine.number, prev=lessons[i - 1] if i else None,
                      next=lessons[i + 1] if i + 1 < len(lessons) else None)
    return f"{head}\n{strip_title(markdown)}\n\n{tail}"

