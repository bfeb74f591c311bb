"""Readiness kinds: http, tcp, log, and the defaults for services without a check."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from stack_helpers import Events, pid_gone, write_config

from paritygate.errors import StackError
from paritygate.stack import Stack


def test_http_readiness_serves_the_endpoint(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.web]
command = ["{python}", "-m", "http.server", "{port}", "--bind", "{host}", "--directory", "{config_dir}"]
port = 0
ready = { http = "/paritygate.toml", status = 200 }
interval = 0.02
""",
    )
    events = Events()
    with Stack(loaded, on_event=events) as stack:
        url = stack.endpoints["web"].base_url
        with httpx.Client(trust_env=False) as client:
            assert client.get(f"{url}/paritygate.toml").status_code == 200
        pid = stack.pids()["web"]
    assert events.kinds("web") == ["starting", "ready", "stopping", "stopped"]
    assert pid_gone(pid)
    assert not (tmp_path / ".paritygate" / "stack.json").exists()


def test_http_readiness_waits_for_the_expected_status(tmp_path: Path) -> None:
    # /missing answers 404 until the deadline: never ready, and the error says what it got.
    loaded = write_config(
        tmp_path,
        """
[services.web]
command = ["{python}", "-m", "http.server", "{port}", "--bind", "{host}"]
port = 0
ready = { http = "/missing", status = 200 }
interval = 0.02
deadline = 0.8
""",
    )
    with pytest.raises(StackError) as failure:
        Stack(loaded).up()
    assert "'web' not ready after its 0.8s deadline" in str(failure.value)
    assert "/missing -> 200 (last try: answered 404)" in str(failure.value)


def test_tcp_readiness_waits_for_the_listener(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.tcp]
command = ["{python}", "@SERVICES@/tcp_listener.py", "{host}", "{port}", "0.3"]
port = 0
ready = { tcp = true }
interval = 0.02
""",
    )
    with Stack(loaded) as stack:
        port = int(stack.endpoints["tcp"].base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        log = stack.endpoints["tcp"].log_path
        assert log is not None
        assert f"listening on 127.0.0.1:{port}" in log.read_text()


def test_a_port_without_a_check_means_tcp(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.tcp]
command = ["{python}", "@SERVICES@/tcp_listener.py", "{host}", "{port}", "0.2"]
port = 0
interval = 0.02
""",
    )
    with Stack(loaded) as stack:
        port = int(stack.endpoints["tcp"].base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass


def test_log_readiness_matches_a_line(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.worker]
command = ["{python}", "-c", "import time; print('booting', flush=True); time.sleep(0.2); print('worker READY id=7', flush=True); time.sleep(60)"]
ready = { log = "READY id=\\\\d+" }
interval = 0.02
""",
    )
    events = Events()
    with Stack(loaded, on_event=events) as stack:
        log = stack.log_dir / "worker.log"
        assert "worker READY id=7" in log.read_text()
        # a service without a port has no endpoint, but it runs
        assert stack.endpoints == {}
        assert "worker" in stack.pids()
    assert events.kinds("worker") == ["starting", "ready", "stopping", "stopped"]
