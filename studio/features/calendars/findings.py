"""Findings of the playbook checks, and the registry of rules that produce them.

A finding is a :class:`StudioError` (so every command prints it the same way) with a
Chinese message beside the English one, and the date or period it is about. Rules are
plain functions made into :class:`Rule` objects by :func:`rule` and listed, in order, in
``rules.RULES``; their default severity is part of the rule, and ``checks.severity`` in
mkdocs.yml can change it or turn a rule off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from studio.errors import StudioError, display_path

if TYPE_CHECKING:
    from studio.config import CheckOptions
    from studio.features.personas.model import Persona

    from .model import Calendar, Entry


@dataclass(eq=False)
class Finding(StudioError):
    """One place where a calendar departs from the playbook."""

    message_zh: str = ""
    when: str = ""  # the date or period it is about, e.g. "2026-11-08" or "2026-W46"
    persona: str | None = None
    calendar: str | None = None

    @property
    def where(self) -> str:
        """``file:line`` when the finding has a row, else ``file @ date``."""
        if self.line:
            return self.place
        base = display_path(self.file) if self.file else "<studio>"
        return f"{base} @ {self.when}" if self.when else base

    def format(self) -> str:
        text = f"{self.where}: {self.severity} [{self.rule}]: {self.message}"
        if self.message_zh:
            text += f"\n    中文：{self.message_zh}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


@dataclass
class CheckContext:
    """What a rule looks at: one calendar, the persona guides and the thresholds."""

    calendar: "Calendar"
    personas: dict[str, "Persona"]
    options: "CheckOptions"
    pillars: tuple[str, ...] = ("生活", "工作", "促销", "互动")  # the project's vocabulary.pillars

    def moments(self) -> list["Entry"]:
        channels = set(self.options.moments_channels)
        return [e for e in self.calendar.entries if e.channel in channels]

    def persona_name(self, slug: str | None) -> str:
        p = self.personas.get(slug or "")
        return p.name if p else (slug or "—")

    def finding(self, rule_id: str, message: str, message_zh: str, *, entry: "Entry | None" = None,
                when: str | dt.date = "", persona: str | None = None, file=None, line: int | None = None,
                hint: str | None = None) -> Finding:
        return Finding(message, file=file or (entry.file if entry else self.calendar.path),
                       line=line if line is not None else (entry.line if entry else None),
                       rule=rule_id, severity="warning", hint=hint, message_zh=message_zh,
                       when=str(when), persona=persona, calendar=self.calendar.slug)  # severity: set by checkup


@dataclass
class Rule:
    id: str
    severity: str  # default: "error" or "warning"
    title: str  # Chinese, for the 体检 panel
    check: Callable[[CheckContext], Iterable[Finding]]


def rule(rule_id: str, severity: str, title: str) -> Callable[[Callable[[CheckContext], Iterable[Finding]]], Rule]:
    """Make ``fn(ctx) -> findings`` the rule ``rule_id`` (listed in ``rules.RULES``)."""
    def wrap(fn: Callable[[CheckContext], Iterable[Finding]]) -> Rule:
        return Rule(rule_id, severity, title, fn)
    return wrap
