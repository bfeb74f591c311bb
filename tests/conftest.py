"""Fixtures shared by every test area.

- ``free_port``: a TCP port on 127.0.0.1 that was free a moment ago (bind port 0, close).
- ``demo_stack``: the bundled demo (both validatord implementations) started once per
  test session with its state in a temporary directory; yields ``(loaded, endpoints)``
  where ``endpoints`` maps "tagged"/"flat" to ``paritygate.core.models.Endpoint``.
  Tests must not stop or restart it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from paritygate.config import LoadedConfig, load_config
from paritygate.config.loader import demo_config_path
from paritygate.core.models import Endpoint
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
