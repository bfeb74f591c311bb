"""Golden files for every writer, taken from a real `paritygate run` of the bundled demo
(the session's shared run), not from hand-made samples: a change to any writer shows up
here as a readable diff of the file it writes.

The volatile values (ports, dates, run ids, durations, the service's elapsed_ms, absolute
paths) are replaced by placeholders first (golden_normalise.py). After an intended writer
change, regenerate with ``PARITYGATE_REGEN_GOLDEN=1 pytest tests/gauntlet/test_golden_reports.py``
and review the diff of tests/gauntlet/golden/ before committing it.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from gauntlet_helpers import CliRun
from golden_normalise import normalise

GOLDEN = Path(__file__).parent / "golden" / "demo"
WRITERS = ["parity.md", "report.md", "report.html", "report.json", "junit.xml"]
REGENERATE = os.environ.get("PARITYGATE_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("name", WRITERS)
def test_writer_output_matches_its_golden_file(demo_cli_run: CliRun, name: str) -> None:
    assert demo_cli_run.proc.returncode == 0, demo_cli_run.proc.stdout + demo_cli_run.proc.stderr
    actual = normalise(name, demo_cli_run.run_dir.resolve(), demo_cli_run.workdir.resolve())
    golden = GOLDEN / f"{name}.golden"
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"{golden} missing: run with PARITYGATE_REGEN_GOLDEN=1 to create it"
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"golden/{name}",
                tofile=f"this run's {name}",
                n=2,
            )
        )
        pytest.fail(
            f"{name} differs from its golden file (PARITYGATE_REGEN_GOLDEN=1 regenerates it):\n{diff}",
            pytrace=False,
        )


def test_normalising_keeps_the_demo_result(demo_cli_run: CliRun) -> None:
    """The placeholders cover volatile values only: the demo's verdict and tally survive them."""
    text = normalise("report.md", demo_cli_run.run_dir.resolve(), demo_cli_run.workdir.resolve())
    assert "SHIP WITH KNOWN GAP" in text
    assert "6/6 status match · 1 match · 5 diff · 1 class(es) (1 known, 0 new)" in text
    assert "<tagged-port>" in text and "<flat-port>" in text and "127.0.0.1:<" in text
