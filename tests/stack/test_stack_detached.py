"""A detached stack's children outlive the Stack object on purpose: dropping the object after
``up(detach=True)`` warns nothing, and the services are stopped through the state file."""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path

from stack_helpers import pid_gone, wait_until, write_config

from paritygate.stack import Stack, status, stop_running
from paritygate.stack.detached import detached_pids
from paritygate.stack.procinfo import read_stat

CONFIG = """
[services.alive]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "warming" }
interval = 0.02
grace_period = 2.0
"""


def test_dropping_a_detached_stack_warns_nothing_and_stop_running_cleans_up(tmp_path: Path) -> None:
    loaded = write_config(tmp_path, CONFIG)
    stack = Stack(loaded)
    stack.up(detach=True)
    pid = stack.pids()["alive"]
    try:
        del stack
        gc.collect()  # Popen.__del__ would warn "subprocess ... is still running" here (filterwarnings=error)
        stat = read_stat(pid)
        assert stat is not None and stat.alive
        assert pid in detached_pids()
        assert [s.state for s in status(loaded)] == ["running"]
    finally:
        lines = stop_running(loaded)
    assert lines == [f"alive: stopped (pid {pid})"]
    assert pid_gone(pid)
    # The child was reaped in this process too: no zombie lingers, the registry lets it go.
    assert wait_until(lambda: pid not in detached_pids() and read_stat(pid) is None)
    assert not (loaded.state_dir / "stack.json").exists()


def test_a_detached_service_that_exits_is_reaped_at_once(tmp_path: Path) -> None:
    loaded = write_config(tmp_path, CONFIG)
    stack = Stack(loaded)
    stack.up(detach=True)
    pid = stack.pids()["alive"]
    del stack
    gc.collect()
    try:
        os.kill(pid, signal.SIGKILL)
        # Without a reaper the killed child would stay a zombie of this process until it exits.
        assert wait_until(lambda: read_stat(pid) is None)
        assert [s.state for s in status(loaded)] == ["dead"]
    finally:
        stop_running(loaded)
    assert not (loaded.state_dir / "stack.json").exists()
