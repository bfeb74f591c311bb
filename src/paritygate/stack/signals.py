"""Foreground teardown: turn the first SIGINT/SIGTERM into an exception so ``finally: down()`` runs.

Python's default SIGTERM action kills the process at once and would leave every
service orphaned; SIGINT only raises KeyboardInterrupt, which ``except Exception``
code may swallow. Usage (main thread only)::

    with SignalGuard() as guard:
        try:
            stack.up()
            ...  # wait
        except Interrupted:
            ...
        finally:
            guard.disarm()  # a second Ctrl-C must not abort the teardown halfway
            stack.down()
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "SignalGuard"]


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, so no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SignalGuard:
    """While armed, the first SIGINT/SIGTERM raises Interrupted; after that they only call ``on_repeat``."""

    def __init__(self, on_repeat: Callable[[int], None] | None = None) -> None:
        self.armed = True
        self._on_repeat = on_repeat
        self._previous: dict[signal.Signals, Any] = {}

    def disarm(self) -> None:
        self.armed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.armed:
            if self._on_repeat is not None:
                self._on_repeat(signum)
            return
        self.armed = False
        raise Interrupted(signum)

    def __enter__(self) -> SignalGuard:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._previous.items():
            signal.signal(sig, old)
        self._previous.clear()
