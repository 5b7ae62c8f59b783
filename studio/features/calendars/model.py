"""Content calendars: what goes out, when, on which channel and as which persona.

Files: ``content/calendars/<slug>.csv`` (or ``.tsv``/``.xlsx``), read through the shared
data reader as kind ``calendar`` (GBK, Chinese headers and Excel dates all work), and
``content/calendars/<slug>.yaml`` that holds rows inline and/or points at data files::

    title: 2026年11月内容日历
    data: 2026-11.csv            # rows from a CSV/Excel file (a path or a list)
    groups: groups-2026-11.csv   # optional WeCom 客户群统计 export, for the group checks
    entries:
      - {date: 2026-11-02, time: "08:00", channel: 朋友圈, persona: store-lucky, pillar: 生活, title: 晨跑打卡}

A data file named by a YAML calendar is not a calendar of its own. Every bad row is
reported as ``file:line`` plus the column (or key) as written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, ValidationInfo, field_validator

from studio.core.model import error_message, placeholders
from studio.data.kinds import Column, Kind
from studio.data.reader import EXCEL_SUFFIXES, TEXT_TABLE_SUFFIXES
from studio.errors import StudioError, did_you_mean
from studio.features.personas.model import CHANNELS, PILLARS
from studio.guard.safeyaml import MAX_BYTES as MAX_YAML_BYTES, compose_and_load

if TYPE_CHECKING:
    from studio.core.datafiles import DataFiles
    from studio.core.project import Project
    from studio.data.reader import Table

FOLDER = "calendars"
DATA_SUFFIXES = (EXCEL_SUFFIXES | TEXT_TABLE_SUFFIXES) - {".txt"}  # spreadsheets of rows
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
MAX_ROW_ERRORS = 30  # per file; more would drown the first ones

ACTIVITIES = ("none", "促活", "转化")
STATUSES = ("idea", "draft", "review", "approved", "scheduled", "published")
STATUS_LABELS = {"idea": "想法", "draft": "草稿", "review": "待审", "approved": "已批准",
                 "scheduled": "已排期", "published": "已发布"}

# Spellings teams use in spreadsheets, mapped to the canonical value.
_ALIASES: dict[str, dict[str, str]] = {
    "channel": {"moments": "朋友圈", "wechat moments": "朋友圈", "群": "社群", "微信群": "社群", "group": "社群",
                "wecom": "企业微信", "企微": "企业微信", "official account": "公众号", "服务号": "公众号",
                "channels": "视频号", "mini program": "小程序", "miniprogram": "小程序", "1v1": "私聊",
                "live": "直播", "store": "门店"},
    "pillar": {"life": "生活", "work": "工作", "promo": "促销", "promotion": "促销", "促单": "促销",
               "interaction": "互动", "engagement": "互动"},
    "activity": {"": "none", "无": "none", "-": "none", "—": "none", "否": "none",
                 "activation": "促活", "engage": "促活", "engagement": "促活", "小活动": "促活",
                 "conversion": "转化", "convert": "转化", "大促": "转化"},
    "status": {"想法": "idea", "选题": "idea", "草稿": "draft", "待审": "review", "审核": "review",
               "审核中": "review", "已批准": "approved", "approved": "approved", "已排期": "scheduled",
               "待发布": "scheduled", "已发布": "published", "done": "published", "posted": "published"},
}

CALENDAR_KIND = Kind("calendar", label="内容日历", description="内容日历，每行一条计划内容", columns=[
    Column("date", ["日期", "发布日期", "计划日期", "day"], "date", True, "日期"),
    Column("time", ["时间", "发布时间", "计划时间"], "str", False, "时间"),
    Column("channel", ["渠道", "平台", "触点", "platform"], "str", True, "渠道"),
    Column("persona", ["人设", "IP", "账号", "发布账号"], "str", False, "人设"),
    Column("pillar", ["内容支柱", "支柱", "内容类型", "栏目"], "str", False, "内容支柱"),
    Column("format", ["形式", "内容形式", "体裁"], "str", False, "形式"),
    Column("title", ["标题", "主题", "选题", "topic"], "str", True, "标题"),
    Column("campaign", ["专题", "营销活动", "活动名称", "战役"], "str", False, "专题"),
    Column("activity", ["活动类型", "活动", "运营活动"], "str", False, "活动类型"),
    Column("status", ["状态", "进度"], "str", False, "状态"),
    Column("owner", ["负责人", "执行人", "作者"], "str", False, "负责人"),
    Column("link", ["链接", "素材链接", "文案链接", "url"], "str", False, "链接"),
    Column("audience", ["受众", "目标人群", "发送对象", "人群"], "str", False, "受众"),
    Column("id", ["编号", "ID", "uid"], "str", False, "编号"),
])
FIELDS = [c.name for c in CALENDAR_KIND.columns]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in ("", "NaT", "nan")


def _words(info: "ValidationInfo", name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """The project's vocabulary list ``name`` (passed as validation context), else ``default``."""
    vocabulary = (info.context or {}).get("vocabulary")
    return tuple(getattr(vocabulary, name)) if vocabulary is not None else default


def _choice(kind: str, value: Any, choices: tuple[str, ...], default: Any = None, required: bool = False) -> Any:
    """The canonical spelling of ``value`` (aliases allowed), or a did-you-mean error."""
    if _blank(value):
        if required:
            raise ValueError("missing value")
        return default
    text = str(value).strip()
    if text in choices:
        return text
    mapped = _ALIASES.get(kind, {}).get(text.lower())
    if mapped is not None:
        return mapped
    extra = " (the team's own words: vocabulary in mkdocs.yml)" if kind in ("channel", "format", "activity") else ""
    raise ValueError(f"unknown {kind} '{text}'{did_you_mean(text, choices)}; use one of: {', '.join(choices)}{extra}")


class Entry(BaseModel):
    """One planned piece of content. ``file`` and ``line`` say where it was written."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: dt.date
    time: dt.time | None = None
    channel: str
    persona: str | None = None  # slug of a persona guide (a name is resolved to its slug)
    pillar: str | None = None
    format: str = ""
    title: str
    campaign: str = ""
    activity: str = "none"
    status: str = "draft"
    owner: str = ""
    link: str = ""
    audience: str = ""
    id: str = ""

    _file: Path | None = PrivateAttr(default=None)
    _line: int | None = PrivateAttr(default=None)

    @property
    def file(self) -> Path | None:
        return self._file

    @property
    def line(self) -> int | None:
        return self._line

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if _blank(v):
            raise ValueError("missing date")
        if hasattr(v, "to_pydatetime"):  # pandas Timestamp
            return v.to_pydatetime().date()
        if isinstance(v, dt.datetime):
            return v.date()
        return v

    @field_validator("time", mode="before", json_schema_input_type=str | int | None)  # "08:00"
    @classmethod
    def _time(cls, v: Any) -> Any:
        if _blank(v):
            return None
        if isinstance(v, int) and 0 <= v < 24 * 60:  # YAML 1.1 reads 18:00 as 1080 (minutes)
            return dt.time(v // 60, v % 60)
        if isinstance(v, dt.time):
            return v
        m = re.fullmatch(r"(\d{1,2})[:：](\d{2})(?::\d{2}(?:\.\d+)?)?", str(v).strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f"cannot read '{v}' as a time; write 08:00 or 8:00")
        return dt.time(int(m.group(1)), int(m.group(2)))

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, v: Any, info: ValidationInfo) -> Any:
        return _choice("channel", v, _words(info, "channels", CHANNELS), required=True)

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, v: Any, info: ValidationInfo) -> Any:
        return _choice("format", v, _words(info, "formats", ()), default="") if info.context else \
            ("" if _blank(v) else str(v))

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, v: Any, info: ValidationInfo) -> Any:
        return _choice("pillar", v, _words(info, "pillars", PILLARS))

    @field_validator("activity", mode="before")
    @classmethod
    def _activity(cls, v: Any, info: ValidationInfo) -> Any:
        return _choice("activity", v, ("none", *_words(info, "activities", ACTIVITIES[1:])), default="none")

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _choice("status", v, STATUSES, default="draft")

    @field_validator("persona", mode="before")
    @classmethod
    def _persona(cls, v: Any) -> Any:
        return None if _blank(v) else str(v).strip()

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, v: Any) -> Any:
        if _blank(v):
            raise ValueError("missing title")
        return str(v)

    @field_validator("campaign", "owner", "link", "audience", "id", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return "" if _blank(v) else str(v)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def sort_key(self) -> tuple:
        return (self.date, self.time or dt.time(0, 0), self._line or 0)


@dataclass
class Calendar:
    """A calendar file with its valid entries, sorted by date and time."""

    slug: str
    title: str
    path: Path  # the YAML file, or the data file of a calendar without YAML
    entries: list[Entry] = field(default_factory=list)
    description: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    data_paths: list[Path] = field(default_factory=list)
    groups: "Table | None" = None

    @property
    def days(self) -> list[dt.date]:
        if self.start is None or self.end is None:
            return []
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def personas(self) -> list[str]:
        return sorted({e.persona for e in self.entries if e.persona})

    @property
    def sources(self) -> list[Path]:
        return [self.path, *self.data_paths]


# Reading ------------------------------------------------------------------------------------
def _row_problem(err: dict, file: Path, line: int | None, column: str | None) -> StudioError:
    msg = error_message(err)
    name = str(err["loc"][0]) if err["loc"] else "row"
    if err["type"] == "missing":
        msg = "missing value"
    elif err["type"] == "extra_forbidden":
        msg = f"unknown key '{name}'{did_you_mean(name, FIELDS)}"
    elif err["type"].startswith("date"):
        msg = f"cannot read '{err.get('input')}' as a date"
    return StudioError(f"calendar {name}: {msg}", file=file, line=line, column=column,
                       hint="columns: " + ", ".join(FIELDS) + "（日历字段见 README）")


def _validate(raw: dict, file: Path, line: int | None, where: dict[str, Any], problems: list[StudioError],
              vocabulary: Any = None) -> Entry | None:
    try:
        entry = Entry.model_validate(raw, context={"vocabulary": vocabulary} if vocabulary is not None else None)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            col_line, column = where.get(key, (line, key)) if key else (line, None)
            problems.append(_row_problem(err, file, col_line, column))
        return None
    entry._file, entry._line = file, line
    return entry


def read_rows(path: Path, problems: list[StudioError], door: "DataFiles") -> list[Entry]:
    """Entries of a CSV/Excel calendar, through the project's data door (kind ``calendar``)."""
    try:
        table = door.read(path, kind="calendar")
    except StudioError as problem:
        problems.append(problem)
        return []
    entries: list[Entry] = []
    columns = [c for c in table.frame.columns if c in FIELDS]
    records = table.frame[columns].to_dict("records")
    for i, record in enumerate(records):
        line = table.lines[i]
        where = {name: (line, table.header(name)) for name in FIELDS}
        entry = _validate(record, path, line, where, problems, door.project.config.vocabulary)
        if entry is not None:
            entries.append(entry)
    return entries


def _yaml_lines(node: yaml.Node) -> dict[tuple, int]:
    out: dict[tuple, int] = {}

    def walk(n: yaml.Node, prefix: tuple) -> None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                out[prefix + (k.value,)] = k.start_mark.line + 1
                walk(v, prefix + (k.value,))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                out[prefix + (i,)] = item.start_mark.line + 1
                walk(item, prefix + (i,))

    if node is not None:
        walk(node, ())
    return out


class CalendarFile(BaseModel):
    """A calendar's YAML file as an author writes it (for its JSON Schema; ``read_yaml`` reads it).

    Entries may also live in a CSV/Excel file named under ``data:``, one row per entry with
    the same columns (or their Chinese headers: 日期, 时间, 渠道, 人设 …).
    """

    model_config = ConfigDict(extra="forbid", title="Studio content calendar (content/calendars/*.yaml)")

    title: str | None = None
    description: str = ""
    data: str | list[str] | None = None  # CSV/Excel file(s) of entries beside this file
    groups: str | None = None  # WeCom 客户群统计 export, for the group checks
    start: dt.date | None = None
    end: dt.date | None = None
    entries: list[Entry] = []


YAML_KEYS = tuple(CalendarFile.model_fields)


def read_yaml(path: Path, problems: list[StudioError], vocabulary: Any = None
              ) -> tuple[dict[str, Any], list[Entry], dict[tuple, int]] | None:
    """A YAML calendar: its settings, its inline entries and the line of every key."""
    from studio.core.frontmatter import read_text

    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:  # refused before it is read: the parser would take minutes
            raise StudioError(f"calendar YAML is {size / 1024 / 1024:.1f} MB; Studio reads at most "
                              f"{MAX_YAML_BYTES // 1024 // 1024} MB of YAML per file", file=path, line=1,
                              hint="put the rows in a CSV/Excel file and name it under 'data:' (YAML 文件过大)")
        text = read_text(path)
        problems.extend(placeholders(text, path))
        node, data = compose_and_load(text, first_line=1)  # marked errors only (studio.guard.safeyaml)
    except OSError as exc:
        problems.append(StudioError(f"cannot read file: {exc.strerror}", file=path))
        return None
    except StudioError as problem:
        problems.append(problem)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.append(StudioError(f"invalid YAML: {(exc.problem or exc.context or '').strip()}", file=path,
                                    line=mark.line + 1 if mark else 1,
                                    hint=getattr(exc, "hint", None) or "check indentation, colons and quotes (YAML 格式错误)"))
        return None
    lines = _yaml_lines(node)
    if data is None:
        data = {}
    if isinstance(data, list):  # a bare list of entries
        data, lines = {"entries": data}, {("entries",) + k: v for k, v in lines.items()}
    if not isinstance(data, dict):
        problems.append(StudioError("a calendar file holds 'key: value' lines", file=path, line=1,
                                    hint="keys: " + ", ".join(YAML_KEYS)))
        return None
    for key in data:
        if key not in YAML_KEYS:
            problems.append(StudioError(f"unknown key '{key}' in calendar{did_you_mean(key, YAML_KEYS)}",
                                        file=path, line=lines.get((key,), 1), hint="keys: " + ", ".join(YAML_KEYS)))
    rows = data.get("entries") or []
    if not isinstance(rows, list):
        problems.append(StudioError("'entries' must be a list of rows", file=path, line=lines.get(("entries",), 1),
                                    hint="write each row as '- {date: 2026-11-02, channel: 朋友圈, title: ...}'"))
        rows = []
    entries: list[Entry] = []
    for i, row in enumerate(rows):
        line = lines.get(("entries", i), 1)
        if not isinstance(row, dict):
            problems.append(StudioError("a calendar row must be a mapping of 'key: value'", file=path, line=line))
            continue
        where = {k: (lines.get(("entries", i, k), line), k) for k in row}
        entry = _validate(row, path, line, where, problems, vocabulary)
        if entry is not None:
            entries.append(entry)
    return data, entries, lines


def _as_date(value: Any, path: Path, line: int, key: str, problems: list[StudioError]) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(StudioError(f"'{key}' must be a date like 2026-11-01, got '{value}'", file=path, line=line))
        return None


def _paths(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


BROKEN = "calendars:broken"  # project.extras key: slugs of calendars whose every row was bad


def load_calendar(path: Path, problems: list[StudioError], door: "DataFiles",
                  claimed: set[Path] | None = None) -> Calendar | None:
    """Read one calendar file (YAML or data); None when nothing usable was found."""
    slug = path.stem
    before = len(problems)
    if path.suffix.lower() in DATA_SUFFIXES:
        entries = read_rows(path, problems, door)
        cal = Calendar(slug, f"{slug} 内容日历", path, entries)
    else:
        got = read_yaml(path, problems, door.project.config.vocabulary)
        if got is None:
            return None
        data, entries, lines = got
        cal = Calendar(slug, str(data.get("title") or f"{slug} 内容日历"), path, list(entries),
                       description=str(data.get("description") or ""))
        for rel in _paths(data.get("data")):
            if claimed is not None:
                claimed.add((path.parent / rel).resolve())
            try:
                target = door.resolve(rel, path, line=lines.get(("data",), 1), suffixes=DATA_SUFFIXES)
            except StudioError as problem:
                problems.append(problem)
                continue
            cal.data_paths.append(target)
            cal.entries.extend(read_rows(target, problems, door))
        for rel in _paths(data.get("groups"))[:1]:
            if claimed is not None:
                claimed.add((path.parent / rel).resolve())
            cal.groups = _read_groups(rel, path, lines.get(("groups",), 1), problems, door)
        cal.start = _as_date(data.get("start"), path, lines.get(("start",), 1), "start", problems)
        cal.end = _as_date(data.get("end"), path, lines.get(("end",), 1), "end", problems)
    cal.entries.sort(key=lambda e: e.sort_key)
    if not cal.entries:
        if any(door.has_bad_rows(f) for f in (path, *cal.data_paths)):
            # every row was bad and reported: no page, but the reports naming it add no error
            door.project.extras.setdefault(BROKEN, set()).add(slug)
            return None
        if len(problems) > before:  # its rows were reported already
            return None
        problems.append(StudioError("calendar has no entries", file=path, severity="warning",
                                    hint="add rows with at least date, channel and title"))
        return None
    cal.start = cal.start or cal.entries[0].date
    cal.end = cal.end or cal.entries[-1].date
    if cal.end < cal.start:
        problems.append(StudioError(f"calendar ends ({cal.end}) before it starts ({cal.start})", file=path))
        return None
    return cal


def _read_groups(rel: str, path: Path, line: int, problems: list[StudioError],
                 door: "DataFiles") -> "Table | None":
    """The WeCom 客户群统计 export a YAML calendar names under ``groups:``."""
    try:
        return door.read(door.resolve(rel, path, line=line, what="groups data file", suffixes=DATA_SUFFIXES),
                         kind="groups")
    except StudioError as problem:
        problems.append(problem)
        return None


def resolve_personas(cal: Calendar, project: "Project", problems: list[StudioError]) -> None:
    """Persona cells may hold a slug or a persona's name; unknown ones are errors."""
    docs = project.of_kind("persona")
    by_key = {d.slug: d.slug for d in docs}
    by_key.update({d.model.name: d.slug for d in docs})
    hidden = {d.slug for d in project.left_out.values() if d.kind == "persona"}  # not for this audience
    hidden |= {d.model.name for d in project.left_out.values() if d.kind == "persona" and d.model is not None}
    kept = []
    for e in cal.entries:
        if e.persona in hidden:
            continue  # the persona's plans go with its page
        if e.persona not in by_key and project.failed("persona", e.persona):
            continue  # the persona guide's own error was reported; not once more per row
        if e.persona is not None:
            slug = by_key.get(e.persona)
            if slug is None:
                problems.append(StudioError(
                    f"calendar persona: no persona '{e.persona}'{did_you_mean(e.persona, by_key)}",
                    file=e.file, line=e.line, column=_persona_column(e, project.data),
                    hint="use the slug of a persona guide in content/personas/: " + (", ".join(sorted(d.slug for d in docs)) or "none yet")))
                continue
            e.persona = slug
        kept.append(e)
    cal.entries = kept


def _persona_column(e: Entry, door: "DataFiles") -> str:
    if e.file is not None and e.file.suffix.lower() in DATA_SUFFIXES:
        try:
            return door.read(e.file, kind="calendar").header("persona")
        except StudioError:
            pass
    return "persona"


def calendar_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in DATA_SUFFIXES | YAML_SUFFIXES)


def load_calendars(project: "Project") -> None:
    """Load ``content/calendars/*`` into ``project.extras['calendars']`` (a list of Calendar)."""
    files = calendar_files(project.config.content_path / FOLDER)
    claimed: set[Path] = set()
    calendars: list[Calendar] = []
    problems: list[StudioError] = []
    yamls = [p for p in files if p.suffix.lower() in YAML_SUFFIXES]
    for path in yamls:
        cal = load_calendar(path, problems, project.data, claimed)
        if cal is not None:
            calendars.append(cal)
    for path in files:
        if path.suffix.lower() in DATA_SUFFIXES and path.resolve() not in claimed:
            if path.stem in {c.slug for c in calendars}:
                problems.append(StudioError(f"two calendars named '{path.stem}'", file=path,
                                            hint="name the data file in the YAML calendar's 'data:' or rename one"))
                continue
            cal = load_calendar(path, problems, project.data)
            if cal is not None:
                calendars.append(cal)
    for cal in calendars:
        resolve_personas(cal, project, problems)
    per_file: dict[str, int] = {}
    for p in problems:
        key = str(p.file)
        per_file[key] = per_file.get(key, 0) + 1
        if per_file[key] <= MAX_ROW_ERRORS:
            project.diagnostics.add(p)
        elif per_file[key] == MAX_ROW_ERRORS + 1:
            project.diagnostics.error("more problems in this calendar file; fix the ones above first", file=p.file)
    project.extras["calendars"] = sorted(calendars, key=lambda c: (c.start or dt.date.min, c.slug))
