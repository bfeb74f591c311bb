"""A service's child that calls ``setsid()`` leaves its process group; teardown must still end it.

Each scenario counts the processes the service started (their command lines name the
test's own copy of the script) and the worker's listening port before and after.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from stack_helpers import SERVICES, cli, cli_env, pid_gone, wait_until, write_config

from paritygate.errors import StackError
from paritygate.stack import Stack, processes, stop_running
from paritygate.stack.procinfo import port_holders

SERVICE = """
[run]
phases = ["stack"]

[services.daemon]
command = ["{python}", "@DIR@/setsid_daemon.py"@ARGS@]
ready = { log = "^ready$" }
interval = 0.02
grace_period = 0.5
"""


def _project(tmp_path: Path, *, stubborn: bool = False) -> Path:
    shutil.copy(SERVICES / "setsid_daemon.py", tmp_path / "setsid_daemon.py")
    body = SERVICE.replace("@DIR@", str(tmp_path)).replace("@ARGS@", ', "stubborn"' if stubborn else "")
    (tmp_path / "paritygate.toml").write_text(body, encoding="utf-8")
    return tmp_path


def _started_by(tmp_path: Path) -> list[int]:
    """Pids of live processes running the test's copy of the script."""
    needle = f"{tmp_path}/setsid_daemon.py".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline and not pid_gone(int(entry.name)):
            found.append(int(entry.name))
    return found


def _worker(log: Path) -> tuple[int, int]:
    assert wait_until(lambda: log.is_file() and "ready" in log.read_text(encoding="utf-8"))
    words = log.read_text(encoding="utf-8").split()
    return int(words[1]), int(words[3])


def _assert_running(tmp_path: Path, worker: int, port: int) -> None:
    assert len(_started_by(tmp_path)) == 2  # the service and its worker
    assert os.getsid(worker) == worker  # it really left the service's session
    assert [pid for pid, _cmd in port_holders(port)] == [worker]


def _assert_all_gone(tmp_path: Path, worker: int, port: int) -> None:
    assert wait_until(lambda: not _started_by(tmp_path)), _started_by(tmp_path)
    assert pid_gone(worker)
    assert port_holders(port) == []


def _kill_leftovers(tmp_path: Path) -> None:
    for pid in _started_by(tmp_path):
        os.kill(pid, signal.SIGKILL)


def test_stack_down_ends_a_child_that_left_the_session(tmp_path: Path) -> None:
    _project(tmp_path, stubborn=True)
    loaded = write_config(tmp_path, (tmp_path / "paritygate.toml").read_text(encoding="utf-8"))
    stack = Stack(loaded)
    try:
        stack.up()
        worker, port = _worker(stack.log_dir / "daemon.log")
        _assert_running(tmp_path, worker, port)
        stack.down()
        _assert_all_gone(tmp_path, worker, port)
    finally:
        _kill_leftovers(tmp_path)


def test_paritygate_run_leaves_nothing_the_service_started(tmp_path: Path) -> None:
    _project(tmp_path)
    try:
        proc = cli("run", cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        log = next((tmp_path / ".paritygate" / "runs").glob("*/logs/daemon.log"))
        worker, port = (int(w) for w in log.read_text(encoding="utf-8").split()[1:4:2])
        _assert_all_gone(tmp_path, worker, port)
    finally:
        _kill_leftovers(tmp_path)


def test_stack_down_after_the_cli_was_killed_ends_the_escaped_child(tmp_path: Path) -> None:
    _project(tmp_path)
    state = tmp_path / ".paritygate" / "stack.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "paritygate", "stack", "up"],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def ready() -> bool:
            try:
                doc = orjson.loads(state.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                return False
            return all(rec["ready_s"] is not None for rec in doc["services"].values()) and bool(
                doc["services"]
            )

        assert wait_until(ready, timeout=60)
        worker, port = _worker(tmp_path / ".paritygate" / "logs" / "daemon.log")
        _assert_running(tmp_path, worker, port)
        proc.kill()  # SIGKILL: no teardown runs in the CLI
        proc.wait()
        _assert_running(tmp_path, worker, port)
        down = cli("stack", "down", cwd=tmp_path)
        assert down.returncode == 0, down.stdout + down.stderr
        _assert_all_gone(tmp_path, worker, port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _kill_leftovers(tmp_path)


def test_stack_down_after_a_detached_up_ends_the_escaped_child(tmp_path: Path) -> None:
    _project(tmp_path)
    try:
        up = cli("stack", "up", "--detach", cwd=tmp_path)
        assert up.returncode == 0, up.stdout + up.stderr
        worker, port = _worker(tmp_path / ".paritygate" / "logs" / "daemon.log")
        _assert_running(tmp_path, worker, port)
        down = cli("stack", "down", cwd=tmp_path)
        assert down.returncode == 0, down.stdout + down.stderr
        assert "daemon: stopped" in down.stdout
        _assert_all_gone(tmp_path, worker, port)
    finally:
        _kill_leftovers(tmp_path)


def test_a_process_that_survives_is_named_with_pid_and_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: SIGKILL never reaches the escaped worker (as for one stuck in the kernel)."""
    _project(tmp_path, stubborn=True)
    loaded = write_config(tmp_path, (tmp_path / "paritygate.toml").read_text(encoding="utf-8"))
    stack = Stack(loaded)
    stack.up()
    worker, _port = _worker(stack.log_dir / "daemon.log")
    real_kill = os.kill

    def kill_but_not_the_worker(pid: int, signum: int) -> None:
        if pid != worker:
            real_kill(pid, signum)

    monkeypatch.setattr(processes, "_AFTER_KILL_S", 0.2)
    monkeypatch.setattr(processes.os, "kill", kill_but_not_the_worker)
    try:
        with pytest.raises(StackError) as caught:
            stack.down()
        assert f"daemon: pid {worker} (" in caught.value.message
        assert "setsid_daemon.py stubborn)" in caught.value.message
        assert (loaded.state_dir / "stack.json").exists()  # kept, so `stack down` can try again
    finally:
        monkeypatch.undo()
        _kill_leftovers(tmp_path)
        stop_running(loaded)


def test_a_state_file_with_an_unusable_grace_period_is_one_error_not_a_crash(tmp_path: Path) -> None:
    _project(tmp_path)
    state = tmp_path / ".paritygate" / "stack.json"
    state.parent.mkdir()
    record = {
        "name": "daemon",
        "pid": 2**22 + 7,
        "pgid": 2**22 + 7,
        "start_ticks": 1,
        "port": None,
        "base_url": None,
        "log_path": "x.log",
        "command": ["x"],
        "stop_signal": "SIGTERM",
        "grace_period": None,  # what `grace_period = inf` used to leave behind
    }
    doc = {
        "schema": "paritygate.stack-state/1",
        "config": "c",
        "started_at": "t",
        "owner_pid": 1,
        "services": {"daemon": record},
    }
    state.write_bytes(orjson.dumps(doc))
    down = cli("stack", "down", cwd=tmp_path)
    assert down.returncode == 3
    assert "Traceback" not in down.stderr
    assert "grace_period None is not a number of seconds" in down.stderr + down.stdout
