"""The one error type of Studio, and a collector for warnings.

Every user mistake becomes a :class:`StudioError` that names the file, the line (and the
column for CSV) and what to do. The CLI prints it as ``path:line: error: message`` and
exits 1 without a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix when a close match exists, else ''."""
    word = str(word)
    cutoff = 0.5 if len(word) <= 3 else 0.6  # 图问 → 图文: one of two characters is a typo too
    best, best_score = None, cutoff
    for choice in (str(c) for c in choices):  # on a tie the first listed wins (图问: 图文 before 图片)
        score = difflib.SequenceMatcher(None, word, choice).ratio()
        if score > best_score or (best is None and score >= cutoff):
            best, best_score = choice, score
    return f" (did you mean '{best}'?)" if best is not None else ""


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
    advice: list[StudioError] = field(default_factory=list)  # playbook findings: fail only --strict

    def add(self, problem: StudioError) -> None:
        self.items.append(problem)

    def advise(self, findings: Iterable[StudioError]) -> None:
        """Findings (体检 advice): printed by build and check, counted apart from problems."""
        self.advice.extend(findings)

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


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Report:
    """What one command prints: each problem once, in the order found, and the counts.

    ``build`` and ``check`` print through one Report, so a problem that is found twice (while
    loading and again while rendering) or reported by two steps shows once, and the summary
    line counts exactly what was printed. Problems go to ``err``; playbook findings, which are
    advice, to ``out``.
    """

    def __init__(self, err: Callable[[str], None], out: Callable[[str], None] | None = None):
        self._err = err
        self._out = out or err
        self._seen: set[str] = set()
        self.errors = 0
        self.warnings = 0
        self.findings = 0

    def add(self, problem: StudioError, finding: bool = False) -> bool:
        """Print ``problem`` unless already printed; True when it was new."""
        text = problem.format()
        if text in self._seen:
            return False
        self._seen.add(text)
        if finding:
            self.findings += 1
            self._out(text)
        else:
            if problem.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
            self._err(text)
        return True

    def printed_by_engine(self, severity: str) -> None:
        """Count a warning the engine printed itself (a broken link), so the summary is true."""
        if severity == "error":
            self.errors += 1
        else:
            self.warnings += 1

    def extend(self, problems: Iterable[StudioError], finding: bool = False) -> None:
        for p in problems:
            self.add(p, finding=finding)

    def summary(self) -> str:
        """``2 errors, 1 warning, 6 playbook findings``: what this Report printed."""
        return ", ".join((_count(self.errors, "error"), _count(self.warnings, "warning"),
                          _count(self.findings, "playbook finding")))


class BuildFailed(Exception):
    """Raised when a build stops on problems; carries them for the CLI to print."""

    def __init__(self, problems: list[StudioError]):
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))
