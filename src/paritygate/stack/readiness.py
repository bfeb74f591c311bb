"""Readiness: wait until a started service answers its check, its process exits, or its deadline passes.

Checks (``[services.NAME] ready = {...}``): ``http`` (GET a path, expect a status),
``tcp`` (a connection is accepted) or ``log`` (a regex matches a line of its log).
A service with a port and no check gets ``tcp``; one without either is ready once
it is still running after ``start_period``.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from collections import deque
from pathlib import Path
from typing import BinaryIO, Protocol

import httpx

from paritygate.stack.plan import ServicePlan, connect_host

__all__ = ["NotReady", "describe_check", "log_tail", "wait_ready"]

TAIL_LINES = 20


class NotReady(Exception):
    """The service exited or missed its deadline; the message names service, check and log tail."""


def log_tail(path: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` lines of a log file ([] when it does not exist)."""
    try:
        with path.open("rb") as fh:
            return [raw.decode("utf-8", "replace").rstrip("\r\n") for raw in deque(fh, maxlen=lines)]
    except OSError:
        return []


def format_tail(path: Path, lines: int = TAIL_LINES) -> str:
    tail = log_tail(path, lines)
    if not tail:
        return f"(log {path} is empty)"
    return f"last {len(tail)} line(s) of {path}:\n" + "\n".join(f"  | {line}" for line in tail)


class _Probe(Protocol):
    def attempt(self, timeout: float) -> tuple[bool, str]: ...

    def close(self) -> None: ...


class _HttpProbe:
    def __init__(self, url: str, expected: int) -> None:
        self.url, self.expected = url, expected
        # Plain http:// on loopback: no TLS, so skip loading the CA bundle (~70 ms each);
        # trust_env=False: an HTTP(S)_PROXY must never intercept a loopback probe.
        self.client = httpx.Client(trust_env=False, verify=False)

    def attempt(self, timeout: float) -> tuple[bool, str]:
        try:
            status = self.client.get(self.url, timeout=timeout).status_code
        except httpx.HTTPError as exc:
            return False, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return status == self.expected, f"answered {status}"

    def close(self) -> None:
        self.client.close()


class _TcpProbe:
    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)

    def attempt(self, timeout: float) -> tuple[bool, str]:
        try:
            with socket.create_connection(self.address, timeout=timeout):
                return True, "connected"
        except OSError as exc:
            return False, exc.strerror or str(exc)

    def close(self) -> None:
        pass


class _LogProbe:
    """Reads the log incrementally; matches each complete line and the unfinished last one."""

    def __init__(self, path: Path, pattern: str) -> None:
        self.path, self.regex = path, re.compile(pattern)
        self.fh: BinaryIO | None = None
        self.partial = b""

    def attempt(self, timeout: float) -> tuple[bool, str]:
        if self.fh is None:
            try:
                self.fh = self.path.open("rb")
            except OSError:
                return False, "no log yet"
        chunk = self.partial + self.fh.read()
        *lines, self.partial = chunk.split(b"\n")
        for raw in [*lines, self.partial]:
            if self.regex.search(raw.decode("utf-8", "replace")):
                return True, "matched"
        return False, "no matching line yet"

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


class _RunningProbe:
    def attempt(self, timeout: float) -> tuple[bool, str]:
        return True, "running"

    def close(self) -> None:
        pass


def describe_check(plan: ServicePlan) -> str:
    ready = plan.config.ready
    if ready is not None and ready.http is not None:
        return f"http GET {plan.url}{ready.http} -> {ready.status}"
    if ready is not None and ready.log is not None:
        return f"log line matching /{ready.log}/"
    if plan.port is not None:
        return f"tcp connect {connect_host(plan.host)} port {plan.port}"
    return f"process still running after {plan.config.start_period}s"


def _make_probe(plan: ServicePlan) -> _Probe:
    ready = plan.config.ready
    if ready is not None and ready.http is not None:
        return _HttpProbe(f"{plan.url}{ready.http}", ready.status)
    if ready is not None and ready.log is not None:
        return _LogProbe(plan.log_path, ready.log)
    if plan.port is not None:
        return _TcpProbe(connect_host(plan.host), plan.port)
    return _RunningProbe()


def wait_ready(
    plan: ServicePlan, proc: subprocess.Popen[bytes], spawned_at: float, cancel: threading.Event
) -> bool:
    """Block until ready (True) or cancelled (False); raise NotReady on exit or deadline."""
    cfg = plan.config
    first_try = spawned_at + cfg.start_period
    deadline = spawned_at + cfg.deadline
    last = "not tried yet"
    probe = _make_probe(plan)
    try:
        while not cancel.is_set():
            code = proc.poll()
            if code is not None:
                raise NotReady(
                    f"service {plan.name!r} exited with code {code} before it was ready "
                    f"(waiting for {describe_check(plan)})\n{format_tail(plan.log_path)}"
                )
            now = time.monotonic()
            if now >= first_try:
                ok, last = probe.attempt(max(0.01, min(cfg.timeout, deadline - now)))
                if ok:
                    return True
            now = time.monotonic()
            if now >= deadline:
                raise NotReady(
                    f"service {plan.name!r} not ready after its {cfg.deadline}s deadline: "
                    f"{describe_check(plan)} (last try: {last})\n{format_tail(plan.log_path)}"
                )
            # Event.wait rather than sleep: a cancelled up() stops waiting at once.
            cancel.wait(min(cfg.interval, deadline - now))
        return False
    finally:
        probe.close()
