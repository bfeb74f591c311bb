"""Fixtures shared by every test area.

- ``free_port``: a TCP port on 127.0.0.1 that was free a moment ago (bind port 0, close).
- ``demo_stack``: the bundled demo (both validatord implementations) started once per
  test session with its state in a temporary directory; yields ``(loaded, endpoints)``
  where ``endpoints`` maps "tagged"/"flat" to ``paritygate.core.models.Endpoint``.
  Tests must not stop or restart it.
- ``run_document``: a factory of a minimal ``RunDocument`` (report.json's object).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from paritygate.config import LoadedConfig, load_config
from paritygate.config.loader import demo_config_path
from paritygate.core.models import Endpoint
from paritygate.core.run_doc import RunDocument, VerdictKind
from paritygate.stack import Stack


@pytest.fixture
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def demo_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LoadedConfig, dict[str, Endpoint]]]:
    loaded = load_config(demo_config_path())
    with Stack(loaded, state_dir=tmp_path_factory.mktemp("demo-stack")) as stack:
        yield loaded, stack.endpoints


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """The secret registry (core.masking) is per process; each test starts without secrets."""
    from paritygate.core.masking import clear_registered_secrets

    clear_registered_secrets()
    yield
    clear_registered_secrets()


@pytest.fixture
def run_document() -> Callable[..., RunDocument]:
    """A factory of a minimal run document (no phases, verdict ship unless given); keyword
    arguments replace its fields."""

    def make(**fields: Any) -> RunDocument:
        base: dict[str, Any] = {
            "paritygate_version": "0.1.0",
            "run_id": "r",
            "project": "p",
            "config": "paritygate.toml",
            "demo": False,
            "tracker": None,
            "started_at": "2026-05-02T08:59:17Z",
            "finished_at": "2026-05-02T08:59:19Z",
            "duration_s": 2.0,
            "verdict": VerdictKind.SHIP,
            "reasons": [],
            "warnings": [],
            "interrupted": False,
            "signal": None,
            "kept_up": False,
            "tally": None,
            "phases": {},
            "definitions": {},
            "implementations": {},
        }
        return RunDocument(**{**base, **fields})

    return make
