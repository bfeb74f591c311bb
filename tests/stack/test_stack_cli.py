"""`paritygate stack ...` and `paritygate check` as a user runs them, each in its own process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from stack_helpers import cli, cli_env, log_pids, pid_gone, wait_until, write_config

from paritygate.cli.main import cli as cli_group

NEVER_READY = """
[services.base]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "never" }
interval = 0.02
deadline = 120

[services.forks]
command = ["{python}", "@SERVICES@/forker.py"]
ready = { log = "never" }
interval = 0.02
deadline = 120
grace_period = 0.3
"""

DETACHABLE = """
[services.a]
command = ["{python}", "-m", "http.server", "{port}", "--bind", "{host}"]
port = 0
ready = { http = "/", status = 200 }
interval = 0.02

[services.worker]
command = ["{python}", "@SERVICES@/dependent.py"]
env = { A_URL = "{services.a.url}" }
depends_on = ["a"]
ready = { log = "^ready$" }
interval = 0.02
"""


def _recorded_pids(state_file: Path) -> dict[str, int]:
    try:
        doc = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return {}
    return {name: rec["pid"] for name, rec in doc["services"].items()}


def _spawn_cli(*args: str, cwd: Path, out: Path) -> subprocess.Popen[bytes]:
    with out.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "paritygate", *args],
            cwd=cwd,
            env=cli_env(),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def test_sigkill_of_stack_up_leaves_state_that_stack_down_cleans_up(tmp_path: Path) -> None:
    write_config(tmp_path, NEVER_READY)
    state_file = tmp_path / ".paritygate" / "stack.json"
    up = _spawn_cli("stack", "up", cwd=tmp_path, out=tmp_path / "up.out")
    try:
        # both spawned, neither ready: the state file was written before readiness
        assert wait_until(
            lambda: (
                len(_recorded_pids(state_file)) == 2
                and "ready" in (tmp_path / ".paritygate/logs/forks.log").read_text()
            )
        )
    finally:
        up.send_signal(signal.SIGKILL)
        up.wait()
    pids = _recorded_pids(state_file)
    _, child = log_pids(tmp_path / ".paritygate" / "logs" / "forks.log")
    assert not any(pid_gone(pid) for pid in [*pids.values(), child])  # SIGKILL left them running

    shown = cli("stack", "status", "--json", cwd=tmp_path)
    assert {s["name"]: s["state"] for s in json.loads(shown.stdout)["services"]} == {
        "base": "running",
        "forks": "running",
    }
    assert all(s["ready_s"] is None for s in json.loads(shown.stdout)["services"])

    down = cli("stack", "down", cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert f"base: stopped (pid {pids['base']})" in down.stdout
    assert f"forks: killed (pid {pids['forks']} ignored SIGTERM for 0.3s)" in down.stdout
    assert all(pid_gone(pid) for pid in [*pids.values(), child])
    assert not state_file.exists()


def test_ctrl_c_during_stack_up_stops_what_was_started(tmp_path: Path) -> None:
    write_config(tmp_path, NEVER_READY)
    state_file = tmp_path / ".paritygate" / "stack.json"
    forks_log = tmp_path / ".paritygate" / "logs" / "forks.log"
    out = tmp_path / "up.out"
    up = _spawn_cli("stack", "up", cwd=tmp_path, out=out)
    try:
        assert wait_until(lambda: len(_recorded_pids(state_file)) == 2 and "ready" in forks_log.read_text())
        pids = _recorded_pids(state_file)
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=15) == 3
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    _, child = log_pids(forks_log)
    assert all(pid_gone(pid) for pid in [*pids.values(), child])
    assert "interrupted before the stack was ready" in out.read_text()
    assert not state_file.exists()


def test_detach_then_status_logs_and_down_from_new_processes(tmp_path: Path) -> None:
    write_config(tmp_path, DETACHABLE)
    up = cli("stack", "up", "--detach", "--json", cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    started = json.loads(up.stdout)
    assert started["detached"] is True
    pids = {s["name"]: s["pid"] for s in started["services"]}
    try:
        assert "a: ready" in up.stderr and "worker: ready" in up.stderr
        shown = cli("stack", "status", "--json", cwd=tmp_path)
        assert shown.returncode == 0
        rows = {s["name"]: s for s in json.loads(shown.stdout)["services"]}
        assert {name: row["state"] for name, row in rows.items()} == {"a": "running", "worker": "running"}
        assert rows["a"]["base_url"].startswith("http://127.0.0.1:")

        table = cli("stack", "status", cwd=tmp_path)
        assert "running" in table.stdout and rows["a"]["base_url"] in table.stdout

        logs = cli("stack", "logs", "worker", "-n", "1", cwd=tmp_path)
        assert logs.stdout == "ready\n"
        again = cli("stack", "up", "--detach", cwd=tmp_path)
        assert again.returncode == 3
        assert "already running" in again.stderr and "paritygate stack down" in again.stderr
    finally:
        down = cli("stack", "down", cwd=tmp_path)
    assert down.returncode == 0
    assert down.stdout.splitlines() == [
        f"a: stopped (pid {pids['a']})",
        f"worker: stopped (pid {pids['worker']})",
    ]
    assert all(pid_gone(pid) for pid in pids.values())
    after = cli("stack", "status", cwd=tmp_path)
    assert after.returncode == 1 and "no stack is running" in after.stdout
    assert cli("stack", "down", cwd=tmp_path).stdout.startswith("no stack state in")


def test_foreground_stack_stops_everything_on_sigterm(tmp_path: Path) -> None:
    write_config(tmp_path, DETACHABLE)
    out = tmp_path / "up.out"
    up = _spawn_cli("stack", "up", cwd=tmp_path, out=out)
    try:
        assert wait_until(lambda: "press Ctrl-C" in out.read_text())
        pids = _recorded_pids(tmp_path / ".paritygate" / "stack.json")
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=15) == 0
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    text = out.read_text()
    assert text.index("worker: stopped") < text.index("a: stopping")
    assert all(pid_gone(pid) for pid in pids.values())
    assert not (tmp_path / ".paritygate" / "stack.json").exists()


def test_foreground_stack_ends_with_exit_3_when_a_service_dies(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        """
[services.steady]
command = ["{python}", "@SERVICES@/quiet.py"]
ready = { log = "warming" }
interval = 0.02

[services.brief]
command = ["{python}", "-c", "import time; print('up', flush=True); time.sleep(0.5)"]
ready = { log = "up" }
interval = 0.02
""",
    )
    result = cli("stack", "up", cwd=tmp_path)
    assert result.returncode == 3
    assert "error: service exited: brief (exit code 0); stopping the stack" in result.stderr
    assert "steady: stopped" in result.stderr


@pytest.mark.parametrize(
    ("body", "where", "what"),
    [
        pytest.param("[services.a\ncommand = ['x']\n", ":1: ", "invalid TOML", id="bad-toml"),
        pytest.param(
            "[services.a]\ncommand = ['x']\ncomand = ['y']\n",
            ": services.a.comand: ",
            "unknown key",
            id="unknown-key",
        ),
        pytest.param(
            "[services.a]\nport = 1\n",
            ": services.a.command: ",
            "required key is missing",
            id="missing-command",
        ),
        pytest.param(
            "[services.a]\ncommand = ['x']\ndepends_on = ['b']\n[services.b]\ncommand = ['x']\ndepends_on = ['a']\n",
            ": services.a.depends_on: ",
            "dependency cycle: a -> b -> a",
            id="cycle",
        ),
    ],
)
def test_config_errors_are_one_line_naming_file_and_key(
    tmp_path: Path, body: str, where: str, what: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(body)
    for args in (["check", "--config", str(bad)], ["stack", "up", "--config", str(bad)]):
        result = CliRunner().invoke(cli_group, args)
        assert result.exit_code == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {bad}{where}")
        assert what in lines[0]
        assert result.stdout == ""


def test_logs_of_an_unknown_service_is_a_usage_error(tmp_path: Path) -> None:
    loaded = write_config(tmp_path, DETACHABLE)
    result = CliRunner().invoke(cli_group, ["stack", "logs", "nope", "--config", str(loaded.path)])
    assert result.exit_code == 2
    assert "unknown service 'nope' (services: a, worker)" in result.stderr
    missing = CliRunner().invoke(cli_group, ["stack", "logs", "a", "--config", str(loaded.path)])
    assert missing.exit_code == 3
    assert "no log for service 'a'" in missing.stderr


@pytest.mark.parametrize("command", ["smoke", "parity"])
def test_sigterm_during_up_of_a_phase_command_stops_the_stack(tmp_path: Path, command: str) -> None:
    # `smoke --up` / `parity --up` used to die on SIGTERM and leave their services running.
    write_config(
        tmp_path,
        """
[services.svc]
command = ["{python}", "@SERVICES@/quiet.py"]
port = 0
ready = { log = "never" }
interval = 0.02
deadline = 120

[[smoke.chains]]
name = "c"
[[smoke.chains.checks]]
name = "x"
target = "svc"

[parity]
cases = "cases.toml"
""",
    )
    # parity --up checks its cases before it starts anything: give it valid ones
    (tmp_path / "cases.toml").write_text(
        '[[cases]]\nname = "x"\nmethod = "GET"\npath = "/"\n', encoding="utf-8"
    )
    state_file = tmp_path / ".paritygate" / "stack.json"
    out = tmp_path / "up.out"
    up = _spawn_cli(command, "--up", cwd=tmp_path, out=out)
    pids: dict[str, int] = {}
    try:
        assert wait_until(lambda: len(_recorded_pids(state_file)) == 1)
        pids = _recorded_pids(state_file)
        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=15) == 3, out.read_text()
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        if any(not pid_gone(pid) for pid in pids.values()):
            cli("stack", "down", cwd=tmp_path)
    assert all(pid_gone(pid) for pid in pids.values())
    assert "error: interrupted by SIGTERM; the stack was stopped" in out.read_text()
    assert not state_file.exists()
