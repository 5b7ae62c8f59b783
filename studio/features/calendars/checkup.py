"""Running the playbook checks (体检) on every calendar of a project.

Findings are advice, not build errors: they show in the 体检 panel of each calendar page
and in ``studio check``. Only under ``--strict`` do findings of error severity stop a
build (they are then added to the project's diagnostics); warnings never do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studio.errors import StudioError, did_you_mean

from .findings import CheckContext, Finding
from .rules import RULES

if TYPE_CHECKING:
    from studio.config import CheckOptions
    from studio.core.project import Project

    from .model import Calendar

FINDINGS = "findings"  # project.extras key: calendar slug -> list[Finding]


def severity_of(rule_id: str, options: "CheckOptions") -> str:
    return options.severity.get(rule_id, RULES[rule_id].severity)


def check_calendar(calendar: "Calendar", personas: dict, options: "CheckOptions",
                   pillars: tuple[str, ...] | None = None) -> list[Finding]:
    """Every finding of every rule that is not turned off, in rule order."""
    ctx = CheckContext(calendar, personas, options) if pillars is None else \
        CheckContext(calendar, personas, options, tuple(pillars))
    found: list[Finding] = []
    for rule_id, rule in RULES.items():
        severity = severity_of(rule_id, options)
        if severity == "off":
            continue
        for finding in rule.check(ctx):
            finding.severity = severity
            found.append(finding)
    return found


def run_checkup(project: "Project") -> None:
    """Store findings in ``project.extras['findings']``; under strict, errors fail the build."""
    options = project.config.checks
    findings: dict[str, list[Finding]] = {}
    project.extras[FINDINGS] = findings
    for rule_id in options.severity:
        if rule_id not in RULES:
            project.diagnostics.add(StudioError(
                f"plugins.studio.checks.severity: unknown rule '{rule_id}'{did_you_mean(rule_id, RULES)}",
                file=project.config.root / "mkdocs.yml", hint="rules: " + ", ".join(RULES)))
    vocabulary = project.config.vocabulary
    for name, values, known in (("moments_channels", options.moments_channels, vocabulary.channels),
                                ("bulk_formats", options.bulk_formats, vocabulary.formats)):
        for value in values:
            if value not in known:
                project.diagnostics.add(StudioError(
                    f"plugins.studio.checks.{name}: '{value}' is not in vocabulary.{name.split('_')[1]}"
                    f"{did_you_mean(value, known)}", file=project.config.root / "mkdocs.yml",
                    hint=f"use one of: {', '.join(known)}, or add it to vocabulary.{name.split('_')[1]}"))
    if not options.enabled:
        return
    personas = {d.slug: d.model for d in project.of_kind("persona")}
    for calendar in project.extras.get("calendars", []):
        found = check_calendar(calendar, personas, options, tuple(project.config.vocabulary.pillars))
        findings[calendar.slug] = found
        project.diagnostics.advise(found)  # build and check print them (studio.errors.Report)
        if project.config.strict:
            project.diagnostics.extend(f for f in found if f.severity == "error")


def all_findings(project: "Project") -> list[Finding]:
    return [f for found in project.extras.get(FINDINGS, {}).values() for f in found]
