"""Fixtures: one real validatord process per implementation for the whole session."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import httpx
import pytest
from validatord_procs import IMPLEMENTATIONS, Daemon, start_daemon, stop


@pytest.fixture(scope="session")
def daemons() -> Iterator[dict[str, Daemon]]:
    started: dict[str, Daemon] = {}
    with tempfile.TemporaryFile("w+") as tagged_log, tempfile.TemporaryFile("w+") as flat_log:
        logs = {"tagged": tagged_log, "flat": flat_log}
        try:
            for name in IMPLEMENTATIONS:
                process, base_url, _ = start_daemon(name, logs[name])
                client = httpx.Client(base_url=base_url, timeout=10.0)
                started[name] = Daemon(name, base_url, process, client)
            yield started
        finally:
            for daemon in started.values():
                daemon.client.close()
                stop(daemon.process)


@pytest.fixture(params=IMPLEMENTATIONS)
def daemon(request: pytest.FixtureRequest, daemons: dict[str, Daemon]) -> Daemon:
    return daemons[request.param]
