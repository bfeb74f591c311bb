"""A run that goes wrong still leaves a report and no process: a service that dies at start,
Ctrl-C / SIGTERM in the middle of a phase, and --keep-up leaving the stack on purpose."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import orjson
import pytest
from click.testing import CliRunner
from gauntlet_helpers import FLIP_CASES, cli_env, port_is_closed, processes_mentioning, write_flip_project

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.core.run_doc import RunDocument
from paritygate.gauntlet import run_gauntlet
from paritygate.stack import stop_running

DYING_CONFIG = """
name = "dying"
[services.doomed]
command = ["{python}", "-c", "import sys; print('boom: roster file is missing', flush=True); sys.exit(3)"]
port = 0
ready = { http = "/health" }
interval = 0.02
deadline = 10.0

[parity]
cases = "cases.toml"
targets = ["doomed"]
"""


def test_service_dying_at_start_still_writes_a_report(tmp_path: Path) -> None:
    (tmp_path / "paritygate.toml").write_text(DYING_CONFIG)
    (tmp_path / "cases.toml").write_text(FLIP_CASES)
    result = CliRunner().invoke(
        cli, ["run", "--config", str(tmp_path / "paritygate.toml")], env={"NO_COLOR": "1"}
    )
    assert result.exit_code == 3, result.output
    assert "verdict: BLOCK" in result.output
    (run_dir,) = (tmp_path / ".paritygate" / "runs").iterdir()
    report = orjson.loads((run_dir / "report.json").read_bytes())
    assert report["verdict"] == "block"
    reason = report["reasons"][0]
    assert reason["evidence"] == "stack" and "boom: roster file is missing" in reason["message"]
    assert report["phases"]["stack"]["status"] == "error"
    assert report["phases"]["parity"]["status"] == "skipped"
    assert "did not come up" in report["phases"]["parity"]["summary"]
    assert "boom" in (run_dir / "logs" / "doomed.log").read_text()
    assert (run_dir / "report.html").is_file() and (run_dir / "junit.xml").is_file()


def test_service_crashing_mid_run_blocks_with_evidence(tmp_path: Path) -> None:
    cases = '[[cases]]\nname = "crash"\nmethod = "GET"\npath = "/die"\n'
    config = write_flip_project(tmp_path / "project", cases=cases, timeout=5.0)
    result = run_gauntlet(load_config(config))
    assert result.verdict.verdict.value == "block" and result.exit_code == 1
    evidence = {(r.kind, r.evidence) for r in result.verdict.reasons if r.level.value == "block"}
    assert ("unreachable", "right") in evidence
    report = orjson.loads((result.run_dir / "report.json").read_bytes())
    crash = report["phases"]["parity"]["data"]["cases"][0]
    assert crash["outcome"] == "error" and crash["targets"]["right"]["error"]
    assert "crashing on purpose" in (result.run_dir / "logs" / "right.log").read_text()


SLOW_CASES = FLIP_CASES + '\n[[cases]]\nname = "slow"\nmethod = "GET"\npath = "/slow"\n'


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_mid_phase_stops_the_stack_and_writes_what_finished(
    tmp_path: Path, sig: signal.Signals
) -> None:
    config = write_flip_project(tmp_path / "project", cases=SLOW_CASES, timeout=90.0)
    env = {**cli_env(), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paritygate", "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        while not any("parity: running" in line for line in seen):
            seen.append(lines.get(timeout=30))
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop_running(load_config(config))  # only matters if the test failed half-way
        reader.join(timeout=5)
        assert proc.stdout is not None
        proc.stdout.close()
    (run_dir,) = (config.parent / ".paritygate" / "runs").iterdir()
    report = orjson.loads((run_dir / "report.json").read_bytes())
    assert report["interrupted"] is True and report["signal"] == sig.name
    assert report["verdict"] == "block" and report["reasons"][0]["message"].startswith("run interrupted")
    phases = report["phases"]
    assert phases["stack"]["status"] == "passed"
    assert phases["parity"]["status"] == "skipped" and sig.name in phases["parity"]["summary"]
    assert phases["review"]["status"] == "skipped"
    assert sorted(p.name for p in (run_dir / "logs").iterdir()) == ["left.log", "right.log"]
    for service in phases["stack"]["data"]["services"]:
        assert port_is_closed(service["url"])
    assert processes_mentioning(str(config.parent / "mode.txt")) == []


def test_keep_up_leaves_the_stack_running_and_says_how_to_stop_it(tmp_path: Path) -> None:
    config = write_flip_project(tmp_path / "project")
    loaded = load_config(config)
    try:
        result = run_gauntlet(loaded, only=["parity"], keep_up=True)
        assert result.kept_up and result.stop_hint == f"paritygate stack down --config {config}"
        stack = result.phases["stack"].stack
        urls = [s.url for s in stack.services] if stack is not None else []
        assert urls and not any(port_is_closed(url) for url in urls)
        assert result.report.kept_up is True
        assert (loaded.state_dir / "stack.json").is_file()  # what `paritygate stack down` reads
    finally:
        # What the stop hint runs; the run's Stack object is gone and left no warning behind.
        lines = stop_running(loaded)
    assert sorted(line.split(" (pid ")[0] for line in lines) == ["left: stopped", "right: stopped"]
    assert all(port_is_closed(url) for url in urls)
    assert not (loaded.state_dir / "stack.json").exists()


def test_a_crash_after_stack_up_leaves_no_service_running_even_with_keep_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paritygate.gauntlet.runner as runner

    config = write_flip_project(tmp_path / "project")
    loaded = load_config(config)
    seen: list[str] = []

    def crash(doc: RunDocument, run_dir: Path, history: Path) -> list[Path]:
        stack = doc.stack
        assert stack is not None
        seen.extend(s.url for s in stack.services)
        raise RuntimeError("writer bug")

    monkeypatch.setattr(runner, "write_and_record", crash)
    with pytest.raises(RuntimeError, match="writer bug"):
        run_gauntlet(loaded, only=["parity"], keep_up=True)
    assert seen and all(port_is_closed(url) for url in seen)
    assert not (loaded.state_dir / "stack.json").exists()
