"""Helpers of the stack tests: configs with tiny services, pid checks, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from paritygate.config import LoadedConfig, load_config
from paritygate.stack import StackEvent
from paritygate.stack.procinfo import read_stat

SERVICES = Path(__file__).parent / "services"


def write_config(directory: Path, body: str) -> LoadedConfig:
    """Write ``paritygate.toml`` into ``directory`` (``@SERVICES@`` = the tiny services' folder)."""
    path = directory / "paritygate.toml"
    path.write_text(body.replace("@SERVICES@", str(SERVICES)), encoding="utf-8")
    return load_config(path)


def pid_gone(pid: int) -> bool:
    """No such process any more (a zombie waiting for init counts as gone)."""
    stat = read_stat(pid)
    return stat is None or not stat.alive


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def log_pids(log: Path) -> tuple[int, int]:
    """(parent, child) from forker.py's first log line."""
    words = log.read_text(encoding="utf-8").split()
    return int(words[1]), int(words[3])


class Events(list[StackEvent]):
    """An on_event callback that records what happened, e.g. ``events.kinds("a")``."""

    def __call__(self, event: StackEvent) -> None:
        self.append(event)

    def kinds(self, service: str) -> list[str]:
        return [e.kind for e in self if e.service == service]

    def sequence(self) -> list[tuple[str, str]]:
        return [(e.service, e.kind) for e in self]


def cli_env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``paritygate ARGS`` in a new process, as a user in another shell would."""
    return subprocess.run(
        [sys.executable, "-m", "paritygate", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
