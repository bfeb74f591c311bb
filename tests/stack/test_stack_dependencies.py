"""depends_on ordering, placeholders and exported variables, port 0, busy declared ports."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from stack_helpers import Events, write_config

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.errors import StackError
from paritygate.stack import Stack
from paritygate.stack.plan import build_plans

CHAIN = """
[services.a]
command = ["{python}", "-m", "http.server", "{port}", "--bind", "{host}"]
port = 0
ready = { http = "/", status = 200 }
interval = 0.02

[services.b]
command = ["{python}", "@SERVICES@/dependent.py", "--upstream", "{services.a.url}", "--dir", "{config_dir}"]
env = { A_URL = "{services.a.url}" }
depends_on = ["a"]
ready = { log = "^ready$" }
interval = 0.02
"""


def test_dependent_starts_after_its_dependency_is_ready_and_sees_its_url(tmp_path: Path) -> None:
    loaded = write_config(tmp_path, CHAIN)
    events = Events()
    with Stack(loaded, on_event=events) as stack:
        a_url = stack.endpoints["a"].base_url
        log = (stack.log_dir / "b.log").read_text()
    # b fetched a's URL at start-up, so a was ready before b started
    assert f"fetched {a_url} -> 200" in log
    assert f"PARITYGATE_A_URL={a_url}" in log
    assert f"PARITYGATE_A_PORT={a_url.rsplit(':', 1)[1]}" in log
    assert f"argv=['--upstream', '{a_url}', '--dir', '{tmp_path}']" in log
    starts = events.sequence()
    assert starts.index(("a", "ready")) < starts.index(("b", "starting"))
    # teardown runs dependents first
    assert starts.index(("b", "stopped")) < starts.index(("a", "stopping"))


def test_placeholders_and_environment_of_a_plan(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.api]
command = ["{python}", "serve", "--port={port}", "--host", "{host}", "{not-a-placeholder}"]
cwd = "{config_dir}/sub"
env = { SELF = "{host}:{port}", DATA = "{config_dir}/data" }
port = 0
host = "0.0.0.0"

[services.my-client]
command = ["{python}", "client", "{services.api.url}", "{services.api.host}", "{services.api.port}"]
depends_on = ["api"]
""",
    )
    plans = build_plans(loaded, tmp_path / "logs")
    api, client = plans["api"], plans["my-client"]
    assert api.port is not None and api.port > 0
    assert api.url == f"http://127.0.0.1:{api.port}"  # a wildcard bind address is not connectable
    assert api.command == [
        sys.executable,
        "serve",
        f"--port={api.port}",
        "--host",
        "0.0.0.0",
        "{not-a-placeholder}",
    ]
    assert api.cwd == tmp_path / "sub"
    assert api.env["SELF"] == f"0.0.0.0:{api.port}"
    assert api.env["DATA"] == f"{tmp_path}/data"
    assert api.env["PARITYGATE_PORT"] == str(api.port)
    assert api.env["PATH"] == os.environ["PATH"]
    assert client.command[1:] == ["client", api.url, "127.0.0.1", str(api.port)]
    assert client.env["PARITYGATE_API_URL"] == api.url
    assert client.env["PARITYGATE_API_PORT"] == str(api.port)
    assert client.cwd == tmp_path
    assert client.log_path == tmp_path / "logs" / "my-client.log"


def test_port_zero_picks_a_free_port_given_as_placeholder_and_variable(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.one]
command = ["{python}", "@SERVICES@/port_echo.py", "{port}"]
port = 0
ready = { log = "^ready$" }
interval = 0.02

[services.two]
command = ["{python}", "@SERVICES@/port_echo.py", "{port}"]
port = 0
ready = { tcp = true }
interval = 0.02
""",
    )
    with Stack(loaded) as stack:
        ports = {name: int(ep.base_url.rsplit(":", 1)[1]) for name, ep in stack.endpoints.items()}
        logs = {name: (stack.log_dir / f"{name}.log").read_text() for name in ports}
    assert ports["one"] != ports["two"]
    for name, port in ports.items():
        assert port > 0
        assert f"argv port {port} env port {port}" in logs[name]


def _busy_config(tmp_path: Path, port: int) -> None:
    write_config(
        tmp_path,
        f"""
[services.early]
command = ["{{python}}", "@SERVICES@/quiet.py"]

[services.web]
command = ["{{python}}", "-m", "http.server", "{{port}}"]
port = {port}
""",
    )


def test_busy_declared_port_names_its_holder_and_starts_nothing(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        _busy_config(tmp_path, port)
        events = Events()
        with pytest.raises(StackError) as failure:
            Stack(load_config(tmp_path / "paritygate.toml"), on_event=events).up()
    message = str(failure.value)
    assert f"'web': port {port} on 127.0.0.1 is already in use by pid {os.getpid()} (" in message
    assert "pytest" in message or sys.executable in message
    assert failure.value.exit_code == 3
    assert events == []  # checked before anything was spawned


def test_busy_port_via_the_cli_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as holder:
        port = holder.getsockname()[1]
        _busy_config(tmp_path, port)
        monkeypatch.setenv("NO_COLOR", "1")
        result = CliRunner().invoke(cli, ["stack", "up", "--config", str(tmp_path / "paritygate.toml")])
    assert result.exit_code == 3
    assert f"port {port} on 127.0.0.1 is already in use by pid {os.getpid()}" in result.stderr
    assert "Traceback" not in result.output


def test_a_declared_free_port_is_used_as_is(tmp_path: Path, free_port: int) -> None:
    loaded = write_config(
        tmp_path,
        f"""
[services.fixed]
command = ["{{python}}", "@SERVICES@/port_echo.py", "{{port}}"]
port = {free_port}
ready = {{ tcp = true }}
interval = 0.02
""",
    )
    with Stack(loaded) as stack:
        assert stack.endpoints["fixed"].base_url == f"http://127.0.0.1:{free_port}"
        log = (stack.log_dir / "fixed.log").read_text()
    assert f"argv port {free_port} env port {free_port}" in log
