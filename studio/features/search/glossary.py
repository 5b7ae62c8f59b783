"""The glossary (术语表): terms the team uses, for the search dictionary and a page.

File: ``content/glossary.yml`` (option ``search.glossary``), a list of terms::

    - term: 私域
      en: private domain
      aliases: [私域流量]          # other names; a search for one finds pages using another
      definition: 品牌自己拥有、可以反复免费触达的用户……
      see: playbook/public-vs-private.md   # optional page(s) under content/

Every term and alias joins the segmenter's dictionary, so it is indexed and queried as one
word. The file also becomes the 术语表 page (``glossary/index.md``) unless one is written.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator

from studio.core.frontmatter import read_text
from studio.errors import StudioError, did_you_mean
from studio.core.model import error_message
from studio.guard.safeyaml import compose_and_load

if TYPE_CHECKING:
    from studio.core.pipeline import Output
    from studio.core.project import Project

PAGE = "glossary/index.md"
EXTRA = "glossary"  # key in project.extras
HINT = "each entry needs 'term' and 'definition'; see README, section 'Search' (术语表格式)"


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    term: str = Field(min_length=1)
    en: str = ""
    aliases: list[str] = []
    definition: str = Field(min_length=1)
    see: list[str] = []

    @field_validator("aliases", "see", mode="before", json_schema_input_type=str | list[str] | None)
    @classmethod
    def _one_or_many(cls, value):
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("term", "en", "definition", mode="before")
    @classmethod
    def _text(cls, value):
        return str(value) if isinstance(value, (int, float)) else value

    @property
    def names(self) -> list[str]:
        return [self.term, *self.aliases]


class GlossaryFile(RootModel[list[Term]]):
    """``content/glossary.yml``: a list of terms (for its JSON Schema)."""

    model_config = ConfigDict(title="Studio glossary (content/glossary.yml)")


@dataclass
class Glossary:
    path: Path | None = None
    terms: list[Term] = field(default_factory=list)
    lines: dict[int, int] = field(default_factory=dict)  # entry index -> file line

    def words(self) -> list[str]:
        out = []
        for t in self.terms:
            out += t.names
            if t.en and not t.en.isascii():
                out.append(t.en)
        return out


def _entry_lines(node) -> tuple[dict[int, int], dict[tuple[int, str], int]]:
    starts: dict[int, int] = {}
    keys: dict[tuple[int, str], int] = {}
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            starts[i] = item.start_mark.line + 1
            if isinstance(item, yaml.MappingNode):
                for k, _ in item.value:
                    keys[(i, k.value)] = k.start_mark.line + 1
    return starts, keys


def parse(path: Path) -> tuple[Glossary, list[StudioError]]:
    """Read a glossary file; problems name the file line of the entry or key."""
    problems: list[StudioError] = []
    glossary = Glossary(path)
    try:
        text = read_text(path)
        node, data = compose_and_load(text)
    except StudioError as problem:
        return glossary, [problem]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return glossary, [StudioError(f"invalid YAML: {(exc.problem or exc.context or '').strip()}", file=path,
                                      line=mark.line + 1 if mark else 1,
                                      hint="check indentation, colons and quotes (YAML 格式错误)")]
    if data is None:
        return glossary, []
    if isinstance(data, dict) and isinstance(data.get("terms"), list):
        node = next((v for k, v in node.value if k.value == "terms"), node)
        data = data["terms"]
    if not isinstance(data, list):
        return glossary, [StudioError("a glossary is a list of terms", file=path, line=1, hint=HINT)]
    starts, keys = _entry_lines(node)
    seen: dict[str, int] = {}
    for i, entry in enumerate(data):
        line = starts.get(i, 1)
        if not isinstance(entry, dict):
            problems.append(StudioError("expected 'term: …' and 'definition: …' lines", file=path, line=line, hint=HINT))
            continue
        try:
            term = Term.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else ""
                if err["type"] == "extra_forbidden":
                    msg = f"unknown key '{key}'{did_you_mean(key, Term.model_fields)}"
                elif err["type"] == "missing":
                    msg = f"{key}: missing required field"
                else:
                    msg = f"{key}: {error_message(err)}"
                problems.append(StudioError(msg, file=path, line=keys.get((i, key), line), hint=HINT))
            continue
        if term.term in seen:
            problems.append(StudioError(f"term '{term.term}' is defined twice (first on line {seen[term.term]})",
                                        file=path, line=line, severity="warning",
                                        hint="merge the two entries; the first one is used"))
            continue
        seen[term.term] = line
        glossary.lines[len(glossary.terms)] = line
        glossary.terms.append(term)
    return glossary, problems


def load_glossary(project: "Project") -> None:
    options = project.config.search
    path = project.config.content_path / options.glossary
    project.extras[EXTRA] = Glossary()
    if path.exists() and not project.contains(path):
        project.diagnostics.error(f"search.glossary: '{options.glossary}' lies outside the project",
                                  file=project.config.root / "mkdocs.yml",
                                  hint="keep the glossary in the content folder, e.g. content/glossary.yml")
        return
    if not path.is_file():
        return
    glossary, problems = parse(path)
    project.diagnostics.extend(problems)
    for i, term in enumerate(glossary.terms):
        for target in term.see:
            if project.is_left_out(target):
                continue  # not in this audience's build: the link is left out, not broken
            if not (project.config.content_path / target).is_file() and project.by_uri(target) is None:
                project.diagnostics.warn(f"term '{term.term}': 'see' names a missing page '{target}'",
                                         file=path, line=glossary.lines.get(i), hint="a path under content/, e.g. playbook/funnel.md")
    project.extras[EXTRA] = glossary


def glossary_of(project: "Project") -> Glossary:
    return project.extras.get(EXTRA) or Glossary()


def _page(project: "Project", glossary: Glossary) -> str:
    terms = glossary.terms  # in the order of the file: the team groups related terms
    links = {t.term: [(posixpath.relpath(s, posixpath.dirname(PAGE)), _title(project, s)) for s in t.see
                      if not project.is_left_out(s)] for t in terms}
    return project.render("glossary.md.j2", terms=terms, links=links)


def _title(project: "Project", uri: str) -> str:
    doc = project.by_uri(uri)
    return doc.title if doc is not None else uri


def glossary_page(project: "Project", out: "Output") -> None:
    glossary = glossary_of(project)
    if glossary.terms:
        out.add_page(PAGE, _page(project, glossary), project)
