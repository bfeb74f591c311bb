"""The state file: dead and reused pids are reported and never signalled; a live stack blocks `up`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from stack_helpers import SERVICES, pid_gone, write_config

from paritygate.cli.main import cli
from paritygate.config import LoadedConfig
from paritygate.errors import StackError
from paritygate.stack import Stack, load_running, status, stop_running
from paritygate.stack.procinfo import read_stat
from paritygate.stack.state import ServiceRecord, StackState, read_state, write_state

CONFIG = """
[services.alive]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "warming" }
interval = 0.02
"""


def _record(name: str, pid: int, start_ticks: int, ready_s: float | None = 0.1) -> ServiceRecord:
    return ServiceRecord(
        name=name,
        pid=pid,
        pgid=pid,
        start_ticks=start_ticks,
        port=None,
        base_url=f"http://127.0.0.1:1/{name}",
        log_path=f"/tmp/{name}.log",
        command=["x"],
        stop_signal="SIGTERM",
        grace_period=1.0,
        ready_s=ready_s,
    )


def _start_ticks(pid: int) -> int:
    stat = read_stat(pid)
    assert stat is not None
    return stat.start_ticks


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own group, as a detached stack would have left it."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVICES / "quiet.py")], stdout=subprocess.DEVNULL, start_new_session=True
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _write(loaded: LoadedConfig, *records: ServiceRecord) -> None:
    state = StackState(config=str(loaded.path), started_at="2026-01-01T00:00:00Z", owner_pid=1)
    state.services = {rec.name: rec for rec in records}
    write_state(loaded.state_dir, state)


def test_dead_and_reused_pids_are_reported_and_never_signalled(
    tmp_path: Path, live_process: subprocess.Popen[bytes], dead_pid: int
) -> None:
    loaded = write_config(tmp_path, CONFIG)
    me = os.getpid()  # a "reused" pid: alive, but started at another time than recorded
    _write(
        loaded,
        _record("gone", dead_pid, 1),
        _record("reused", me, _start_ticks(me) - 1),
        _record("alive", live_process.pid, _start_ticks(live_process.pid)),
    )
    states = {s.name: (s.state, s.detail) for s in status(loaded)}
    assert states["gone"] == ("dead", f"pid {dead_pid} is gone")
    assert states["reused"][0] == "stale"
    assert states["reused"][1].startswith(f"pid {me} was reused by another process (")
    assert states["alive"] == ("running", "")

    with pytest.raises(StackError) as failure:
        load_running(loaded)
    assert f"gone is dead (pid {dead_pid} is gone)" in str(failure.value)
    assert f"reused is stale (pid {me} was reused" in str(failure.value)
    assert "alive is" not in str(failure.value)

    lines = stop_running(loaded)
    assert lines[0] == f"gone: dead entry dropped (pid {dead_pid} is gone)"
    assert lines[1].startswith("reused: stale entry dropped")
    assert lines[2] == f"alive: stopped (pid {live_process.pid})"
    assert live_process.wait(timeout=5) is not None
    assert read_state(loaded.state_dir) is None
    assert stop_running(loaded) == []  # nothing left: harmless


def test_load_running_without_state_or_before_ready(
    tmp_path: Path, live_process: subprocess.Popen[bytes]
) -> None:
    loaded = write_config(tmp_path, CONFIG)
    with pytest.raises(StackError) as failure:
        load_running(loaded)
    assert "no running stack: no state file at" in str(failure.value)
    assert "paritygate stack up --detach" in str(failure.value)
    _write(loaded, _record("alive", live_process.pid, _start_ticks(live_process.pid), ready_s=None))
    with pytest.raises(StackError, match=f"alive \\(pid {live_process.pid}\\) never became ready"):
        load_running(loaded)
    _write(loaded, _record("alive", live_process.pid, _start_ticks(live_process.pid)))
    endpoints = load_running(loaded)
    assert endpoints["alive"].base_url == "http://127.0.0.1:1/alive"


def test_up_refuses_while_a_live_stack_is_recorded(
    tmp_path: Path, live_process: subprocess.Popen[bytes]
) -> None:
    loaded = write_config(tmp_path, CONFIG)
    _write(loaded, _record("alive", live_process.pid, _start_ticks(live_process.pid)))
    with pytest.raises(StackError) as failure:
        Stack(loaded).up()
    assert (
        f"a stack is already running from {loaded.state_dir / 'stack.json'}: alive (pid {live_process.pid})"
        in str(failure.value)
    )
    result = CliRunner().invoke(cli, ["stack", "up", "--config", str(loaded.path)])
    assert result.exit_code == 3
    assert "paritygate stack down" in result.stderr
    assert live_process.poll() is None  # refusing touched nothing


def test_up_replaces_stale_state(tmp_path: Path, dead_pid: int) -> None:
    loaded = write_config(tmp_path, CONFIG)
    _write(loaded, _record("alive", dead_pid, 1))
    stack = Stack(loaded)
    stack.up(detach=True)
    pid = stack.pids()["alive"]
    try:
        state = read_state(loaded.state_dir)
        assert state is not None and state.detached
        assert state.services["alive"].pid == pid != dead_pid
        assert [s.state for s in status(loaded)] == ["running"]
        assert load_running(loaded) == {}  # no port, no endpoint
    finally:
        stack.down()
    assert pid_gone(pid)


def test_unreadable_state_is_a_stack_error(tmp_path: Path) -> None:
    loaded = write_config(tmp_path, CONFIG)
    loaded.state_dir.mkdir()
    (loaded.state_dir / "stack.json").write_text('{"schema": "paritygate.stack-state/1", "services": 3')
    with pytest.raises(StackError, match=r"stack\.json is unreadable"):
        status(loaded)
    (loaded.state_dir / "stack.json").write_text('{"schema": "something-else/1"}')
    with pytest.raises(StackError, match=r"expected 'paritygate\.stack-state/1'"):
        stop_running(loaded)
