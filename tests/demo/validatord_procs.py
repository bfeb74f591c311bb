"""Starting and stopping real validatord processes for the demo tests.

Each daemon binds port 0 itself and announces the port on its first stdout line, so
there is no window in which another process could take a port picked by the test.
"""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

import paritygate.demo

IMPLEMENTATIONS = ("tagged", "flat")
ROSTER = Path(paritygate.demo.__file__).parent / "data" / "roster.json"
START_DEADLINE = 20.0
ANNOUNCEMENT = re.compile(
    r"^(?P<name>tagged|flat) validatord listening on (?P<url>http://127\.0\.0\.1:\d+) "
    r"\(roster: (?P<workers>\d+) workers\)$"
)


@dataclass
class Daemon:
    name: str
    base_url: str
    process: subprocess.Popen[str]
    client: httpx.Client


def daemon_command(name: str, roster: Path = ROSTER) -> list[str]:
    module = f"paritygate.demo.{name}"
    return [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", "0", "--roster", str(roster)]


def first_line(stream: IO[str], deadline: float) -> str:
    """The first stdout line, or "" if none came before the deadline (or the process died)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            return ""
    return stream.readline()


def stop(process: subprocess.Popen[str]) -> None:
    """terminate → wait → kill, then release the stdout pipe."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _died(name: str, process: subprocess.Popen[str], stdout: str, stderr_log: IO[str]) -> str:
    stop(process)
    stderr_log.seek(0)
    return (
        f"{name} validatord did not come up (exit {process.returncode}).\n"
        f"stdout: {stdout!r}\nstderr:\n{stderr_log.read()}"
    )


def start_daemon(name: str, stderr_log: IO[str]) -> tuple[subprocess.Popen[str], str, str]:
    """Start one daemon; return (process, base URL, announcement line) once /health is 200."""
    process = subprocess.Popen(daemon_command(name), stdout=subprocess.PIPE, stderr=stderr_log, text=True)
    deadline = time.monotonic() + START_DEADLINE
    assert process.stdout is not None
    line = first_line(process.stdout, deadline).rstrip("\n")
    match = ANNOUNCEMENT.match(line)
    if match is None:
        pytest.fail(_died(name, process, line, stderr_log))
    base_url = match["url"]
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(base_url + "/health", timeout=1.0).status_code == 200:
                return process, base_url, line
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    pytest.fail(_died(name, process, line, stderr_log))
