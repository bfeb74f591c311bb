"""Fixtures of the parity tests: stand-in implementations in one real process, small configs."""

from __future__ import annotations

import json
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from paritygate.core.models import Endpoint

IMPLS = Path(__file__).with_name("impls.py")
FIDELITY = Path(__file__).with_name("fidelity_impls.py")
STYLES = ["tagged", "flat", "tagged", "silent", "teapot"]


def _read_ports(proc: subprocess.Popen[str], deadline: float) -> dict[str, int]:
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while time.monotonic() < deadline:
            if sel.select(timeout=0.1):
                line = proc.stdout.readline()
                if line:
                    return {k: int(v) for k, v in json.loads(line).items()}
            if proc.poll() is not None:
                break
    finally:
        sel.close()
    stderr = proc.stderr.read() if proc.stderr is not None and proc.poll() is not None else ""
    raise RuntimeError(f"stand-in implementations did not start (exit {proc.poll()}): {stderr}")


@contextmanager
def _serving(script: Path, *args: str) -> Iterator[dict[str, Endpoint]]:
    """Run a stand-in server script; its endpoints by name, stopped afterwards."""
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ports = _read_ports(proc, time.monotonic() + 20)
        yield {name: Endpoint(name, f"http://127.0.0.1:{port}") for name, port in ports.items()}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="session")
def impls() -> Iterator[dict[str, Endpoint]]:
    """Endpoints named tagged, flat, tagged-2, silent, teapot, all served by one process."""
    with _serving(IMPLS, *STYLES) as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def fidelity() -> Iterator[dict[str, Endpoint]]:
    """Endpoints ``one`` and ``two`` of fidelity_impls.py: same data, different bytes."""
    with _serving(FIDELITY) as endpoints:
        yield endpoints


@pytest.fixture
def refused() -> Iterator[Endpoint]:
    """A port that is bound but never listens: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield Endpoint("refused", f"http://127.0.0.1:{sock.getsockname()[1]}")
