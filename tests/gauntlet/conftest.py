"""Fixtures for the gauntlet tests: one shared `paritygate run` of the bundled demo
(the expensive part, run once per session)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gauntlet_helpers import CliRun, cli_env


@pytest.fixture(scope="session")
def demo_cli_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """`paritygate run` with no config anywhere: the bundled demo, end to end, in a subprocess."""
    workdir = tmp_path_factory.mktemp("demo-cli")
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run"],
        cwd=workdir,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    runs = sorted((workdir / ".paritygate" / "runs").iterdir())
    assert len(runs) == 1, proc.stdout + proc.stderr
    return CliRun(proc, workdir, runs[0])
