"""Fixtures of the scenario tests: stateful stand-in implementations in one real process."""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paritygate.core.models import Endpoint

IMPLS = Path(__file__).with_name("stateful_impls.py")


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
    raise RuntimeError(f"stateful stand-ins did not start (exit {proc.poll()})")


@pytest.fixture(scope="module")
def stateful() -> Iterator[dict[str, Endpoint]]:
    """Endpoints counter, counter-2, random, random-2, renamed: each its own store."""
    proc = subprocess.Popen(
        [sys.executable, str(IMPLS), "counter", "counter", "random", "random", "renamed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        ports = _read_ports(proc, time.monotonic() + 60)
        yield {name: Endpoint(name, f"http://127.0.0.1:{port}") for name, port in ports.items()}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
