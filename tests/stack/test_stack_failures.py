"""up() failures: early exit, deadline, overall timeout, unstartable command; what started is stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from stack_helpers import Events, pid_gone, write_config

from paritygate.errors import StackError
from paritygate.stack import Stack


def test_early_exit_fails_at_once_with_the_last_20_log_lines(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.crash]
command = ["{python}", "@SERVICES@/chatty_exit.py"]
ready = { log = "never printed" }
interval = 0.02
deadline = 120
""",
    )
    events = Events()
    with pytest.raises(StackError) as failure:
        Stack(loaded, on_event=events).up()
    message = str(failure.value)
    # "exited", not "deadline": it did not wait the 120 s
    assert "service 'crash' exited with code 4 before it was ready" in message
    assert "waiting for log line matching /never printed/" in message
    assert "last 20 line(s) of" in message
    assert "| line 11\n" in message and message.endswith("| line 30")
    assert "| line 10\n" not in message
    assert events.kinds("crash") == ["starting", "failed"]
    assert not (tmp_path / ".paritygate" / "stack.json").exists()


def test_deadline_names_service_and_check_and_stops_it(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.slow]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "^listening" }
interval = 0.02
deadline = 0.5
grace_period = 1.0
""",
    )
    events = Events()
    stack = Stack(loaded, on_event=events)
    with pytest.raises(StackError) as failure:
        stack.up()
    message = str(failure.value)
    assert "service 'slow' not ready after its 0.5s deadline: log line matching /^listening/" in message
    assert "| warming up" in message
    assert events.kinds("slow") == ["starting", "failed", "stopping", "stopped"]
    assert stack.pids() == {}


def test_failure_of_one_service_stops_the_ones_already_started(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.ok]
command = ["{python}", "@SERVICES@/stubborn.py"]
ready = { log = "^ready$" }
interval = 0.02
grace_period = 0.2

[services.broken]
command = ["{python}", "@SERVICES@/chatty_exit.py"]
depends_on = ["ok"]
ready = { log = "never" }
interval = 0.02
""",
    )
    events = Events()
    with pytest.raises(StackError, match="'broken' exited with code 4"):
        Stack(loaded, on_event=events).up()
    ok_started = next(e for e in events if e.service == "ok" and e.kind == "starting")
    assert events.kinds("ok") == ["starting", "ready", "stopping", "killed"]
    assert ok_started.detail.endswith("stubborn.py")
    log = tmp_path / ".paritygate" / "logs" / "ok.log"
    assert log.read_text() == "ready\n"


def test_overall_timeout_names_who_is_waiting_and_who_never_started(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[stack]
timeout = 0.5

[services.base]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "never" }
interval = 0.02

[services.top]
command = ["{python}", "@SERVICES@/quiet.py"]
depends_on = ["base"]
""",
    )
    events = Events()
    stack = Stack(loaded, on_event=events)
    with pytest.raises(StackError) as failure:
        stack.up()
    message = str(failure.value)
    assert message.startswith("stack not ready within its 0.5s timeout")
    assert "service 'base' still waiting for log line matching /never/" in message
    assert "not started (dependencies not ready): top" in message
    assert events.kinds("base")[-1] == "stopped"
    assert events.kinds("top") == []


def test_command_that_cannot_start_is_a_stack_error(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.ghost]
command = ["./no-such-program", "--flag"]
""",
    )
    with pytest.raises(StackError) as failure:
        Stack(loaded).up()
    assert "cannot start service 'ghost': No such file or directory: ./no-such-program" in str(failure.value)
    assert failure.value.exit_code == 3


def test_a_deadline_leaves_no_process_behind(tmp_path: Path) -> None:
    loaded = write_config(
        tmp_path,
        """
[services.forks]
command = ["{python}", "@SERVICES@/forker.py"]
ready = { log = "never" }
interval = 0.02
deadline = 1.0
grace_period = 0.2
""",
    )
    log = tmp_path / ".paritygate" / "logs" / "forks.log"
    with pytest.raises(StackError, match="'forks' not ready"):
        Stack(loaded).up()
    parent, child = (int(w) for w in log.read_text().split()[1:4:2])
    assert pid_gone(parent) and pid_gone(child)
