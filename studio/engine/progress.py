"""Progress bars for long builds: pages, charts, search (rich), in a terminal only.

A 1,000-page build takes long enough that an author wants to see it move. The bars go to
stderr, and only when stderr is a terminal and ``CI`` is not set: logs, pipes and CI runs
stay exactly as quiet as before. Every method is a no-op when the bars are off.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

LABELS = {"pages": "页面 pages", "charts": "图表 charts", "search": "搜索 search"}


def wanted() -> bool:
    """Bars only for a person at a terminal: not in CI, not when stderr is a file or pipe."""
    if os.environ.get("CI") or os.environ.get("STUDIO_NO_PROGRESS"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class BuildProgress:
    def __init__(self, enabled: bool | None = None):
        self.enabled = wanted() if enabled is None else enabled
        self._bars = None
        self._tasks: dict[str, int] = {}

    def _start_bars(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bars = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), console=Console(stderr=True), transient=False)
        self._bars.start()

    def start(self, name: str, total: int | None = None) -> None:
        if not self.enabled:
            return
        if self._bars is None:
            self._start_bars()
        if name in self._tasks:
            self._bars.update(self._tasks[name], total=total)
        else:
            self._tasks[name] = self._bars.add_task(LABELS.get(name, name), total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if self._bars is not None and name in self._tasks:
            self._bars.advance(self._tasks[name], n)

    def set(self, name: str, completed: int, total: int | None = None) -> None:
        if self._bars is not None and name in self._tasks:
            self._bars.update(self._tasks[name], completed=completed, **({"total": total} if total is not None else {}))

    def advancer(self, name: str, total: int | None = None) -> Callable[[int], None] | None:
        """Start bar ``name`` and return ``fn(n)`` that moves it; None when bars are off."""
        if not self.enabled:
            return None
        self.start(name, total)
        return lambda n=1: self.advance(name, n)

    def stop(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None
            self._tasks.clear()
