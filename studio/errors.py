"""The one error type of Studio, and a collector for warnings.

Every user mistake becomes a :class:`StudioError` that names the file, the line (and the
column for CSV) and what to do. The CLI prints it as ``path:line: error: message`` and
exits 1 without a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


@dataclass
class StudioError(Exception):
    """A user-facing problem with a place in a file.

    ``line`` is 1-based; ``column`` names a CSV column (or a 1-based text column).
    ``severity`` is ``error`` or ``warning``; warnings become errors under ``--strict``.
    """

    message: str
    file: str | Path | None = None
    line: int | None = None
    column: str | int | None = None
    hint: str | None = None
    severity: str = "error"
    rule: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def place(self) -> str:
        parts = [display_path(self.file) if self.file else "<studio>"]
        if self.line:
            parts.append(str(self.line))
        if self.column not in (None, ""):
            parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        text = f"{self.place}: {self.severity}{rule}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        from studio.guard.pii import redact  # personal data never reaches logs unmasked

        return redact(text)

    def __str__(self) -> str:  # pragma: no cover - used in logs
        return self.format()


def display_path(path: str | Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


@dataclass
class Diagnostics:
    """Errors and warnings gathered while loading a project, in the order found."""

    items: list[StudioError] = field(default_factory=list)

    def add(self, problem: StudioError) -> None:
        self.items.append(problem)

    def error(self, message: str, **where) -> None:
        self.add(StudioError(message, severity="error", **where))

    def warn(self, message: str, **where) -> None:
        self.add(StudioError(message, severity="warning", **where))

    def extend(self, problems: Iterable[StudioError]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[StudioError]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[StudioError]:
        return [p for p in self.items if p.severity == "warning"]

    def failing(self, strict: bool) -> list[StudioError]:
        """Problems that stop a build: errors, plus warnings when strict."""
        return list(self.items) if strict else self.errors


class BuildFailed(Exception):
    """Raised when a build stops on problems; carries them for the CLI to print."""

    def __init__(self, problems: list[StudioError]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
