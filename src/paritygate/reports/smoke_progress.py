"""The smoke chain's live display: a bar on a terminal, plain lines otherwise (one line per check)."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from paritygate.core.smoke_doc import SmokeCheck
from paritygate.reports.smoke_report import check_line

__all__ = ["LiveProgress"]

_STYLE = {"pass": "green", "fail": "red", "error": "yellow"}


class LiveProgress:
    """Use as a context manager; call :meth:`check_done` with each finished check's (masked) result."""

    def __init__(self, total: int, console: Console | None = None) -> None:
        self.total = total
        self.console = console or Console(
            highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ or None
        )
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> LiveProgress:
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("smoke"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("smoke", total=self.total)
        return self

    def check_done(self, check: SmokeCheck) -> None:
        line = check_line(check)
        if self._bar is not None:
            style = _STYLE.get(check.status, "")
            self._bar.console.print(Text.assemble((line[:5], style), line[5:]), highlight=False)
            self._bar.advance(self._task)
        else:
            self.console.print(line, markup=False, highlight=False)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
