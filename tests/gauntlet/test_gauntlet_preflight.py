"""A bad input file of any selected phase stops `paritygate run` with exit 2 before anything starts:
no service, no state file, no log, no run directory, no history entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from gauntlet_helpers import copy_demo

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.errors import ConfigError
from paritygate.gauntlet import check_inputs, run_gauntlet

_ROW_STATUS = "| _open_ |"


def _break_smoke(project: Path) -> str:
    smoke = project / "smoke.toml"
    smoke.write_text(smoke.read_text(encoding="utf-8") + '\n[[chains]]\nname = "late"\nchecks = 3\n')
    return "smoke.toml"


def _break_cases(project: Path) -> str:
    cases = project / "cases.toml"
    cases.write_text(cases.read_text(encoding="utf-8") + '\n[[cases]]\nname = "no-method"\n')
    return "cases.toml"


def _break_tracker(project: Path) -> str:
    tracker = project / "ARCHITECTURE_COMPARISON.md"
    text = tracker.read_text(encoding="utf-8")
    assert _ROW_STATUS in text
    tracker.write_text(text.replace(_ROW_STATUS, "| maybe |"), encoding="utf-8")
    return "ARCHITECTURE_COMPARISON.md"


def _missing_prompt_template(project: Path) -> str:
    config = project / "paritygate.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[review]\nprompt_template = "prompts/missing.md.j2"\n'
    )
    return "missing.md.j2"


BREAKERS = [
    pytest.param(_break_smoke, id="smoke-file"),
    pytest.param(_break_cases, id="cases-file"),
    pytest.param(_break_tracker, id="tracker"),
    pytest.param(_missing_prompt_template, id="prompt-template"),
]


@pytest.mark.parametrize("breaker", BREAKERS)
def test_a_bad_phase_input_is_exit_2_before_anything_starts(tmp_path: Path, breaker: object) -> None:
    config = copy_demo(tmp_path / "project")
    assert callable(breaker)
    culprit = breaker(config.parent)
    result = CliRunner().invoke(cli, ["run", "--config", str(config)], env={"NO_COLOR": "1"})
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and culprit in errors[0]
    assert "stack" not in result.stdout and "verdict" not in result.stdout  # nothing ran, nothing judged
    # No process was started: no state file, no log directory; no run directory or history either.
    assert not (config.parent / ".paritygate").exists()


def test_only_the_selected_phases_inputs_are_checked(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    _break_cases(config.parent)
    loaded = load_config(config)
    with pytest.raises(ConfigError, match=r"cases\.toml"):
        check_inputs(loaded, ["stack", "smoke", "parity"])
    check_inputs(loaded, ["stack", "smoke", "review"])  # parity not selected: its cases do not matter


def test_the_library_call_raises_the_config_error_and_writes_nothing(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    _break_smoke(config.parent)
    with pytest.raises(ConfigError) as failure:
        run_gauntlet(load_config(config))
    assert failure.value.exit_code == 2 and "smoke.toml" in str(failure.value)
    assert not (config.parent / ".paritygate").exists()
