"""SIGINT/SIGTERM during a run: stop the phase that runs, then tear down and report in peace."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["RunInterrupt"]


class RunInterrupt:
    """Turns SIGINT/SIGTERM into KeyboardInterrupt while phases run; remembers which signal came.

    Only the main thread can own signal handlers; elsewhere (a library caller's worker
    thread) the caller's own handling stays in place."""

    def __init__(self) -> None:
        self.signal_name: str | None = None
        self._saved: dict[signal.Signals, Any] = {}

    def _raise(self, signum: int, _frame: object) -> None:
        self.signal_name = signal.Signals(signum).name
        raise KeyboardInterrupt(self.signal_name)

    def _note(self, signum: int, _frame: object) -> None:
        # While tearing down and writing reports a second signal must not cut the report short.
        self.signal_name = self.signal_name or signal.Signals(signum).name

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._saved[sig] = signal.signal(sig, self._raise)
        try:
            yield
        finally:
            for sig, old in self._saved.items():
                signal.signal(sig, old)

    def shield(self) -> None:
        """From now on a signal is only noted: teardown and reports must finish."""
        for sig in self._saved:
            signal.signal(sig, self._note)
