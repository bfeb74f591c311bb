"""Teardown: whole process groups, grace period then SIGKILL, dependents first, idempotent."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from stack_helpers import Events, log_pids, pid_gone, wait_until, write_config

from paritygate.errors import StackError
from paritygate.stack import Stack


def test_a_forked_child_that_ignores_sigterm_does_not_survive(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.forks]
command = ["{python}", "@SERVICES@/forker.py"]
ready = { log = "^ready$" }
interval = 0.02
grace_period = 0.3
""",
    )
    events = Events()
    stack = Stack(loaded, on_event=events)
    stack.up()
    parent, child = log_pids(stack.log_dir / "forks.log")
    assert stack.pids() == {"forks": parent}
    assert os.getpgid(child) == parent  # same group: one signal reaches both
    stack.down()
    assert pid_gone(parent)
    assert pid_gone(child)
    # the parent went on SIGTERM, the child only on the SIGKILL after the grace period
    assert events.kinds("forks")[-2:] == ["stopping", "killed"]


def test_stop_signal_is_configurable(tmp_path: Path) -> None:
    # stubborn.py ignores SIGTERM but SIGINT's default action ends it
    loaded = write_config(
        tmp_path,
        """
[services.stubborn]
command = ["{python}", "@SERVICES@/stubborn.py"]
ready = { log = "^ready$" }
interval = 0.02
stop_signal = "INT"
grace_period = 30
""",
    )
    events = Events()
    with Stack(loaded, on_event=events):
        pass
    stops = [e for e in events if e.kind in ("stopping", "stopped", "killed")]
    assert [e.kind for e in stops] == ["stopping", "stopped"]  # not "killed" after 30 s
    assert stops[0].detail.startswith("SIGINT to process group ")


def test_down_is_idempotent_and_up_twice_is_refused(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.s]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "warming" }
interval = 0.02
""",
    )
    stack = Stack(loaded)
    stack.down()  # before up: nothing to do
    stack.up()
    with pytest.raises(StackError, match="already up"):
        stack.up()
    pid = stack.pids()["s"]
    stack.down()
    stack.down()
    assert pid_gone(pid)
    assert stack.endpoints == {}


def test_a_service_that_dies_later_is_reported_by_exited(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.s]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "warming" }
interval = 0.02
""",
    )
    with Stack(loaded) as stack:
        assert stack.exited() == {}
        os.kill(stack.pids()["s"], signal.SIGKILL)
        assert wait_until(lambda: stack.exited() == {"s": -signal.SIGKILL})
