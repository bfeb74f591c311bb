"""`fuzz` as a phase of `paritygate run`: off by default; when selected it runs after parity
on the same stack, reuses parity's noise calibration, and its classes go into the reports,
the history and the verdict like parity's (a new one blocks, an accepted one is a known gap)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from lxml import etree

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.errors import ConfigError
from paritygate.gauntlet import RunResult, run_gauntlet
from paritygate.history import HistoryStore

SERVER = Path(__file__).with_name("strict_server.py")
STATUS_CLASS = "status·200~400"

CASES = """
[[cases]]
name = "create"
method = "POST"
path = "/items"
json = { name = "ab", count = 3 }
"""

_SERVICE = """
[services.@NAME@]
command = ["{python}", "@SERVER@", "--port", "{port}", "--flavour", "@NAME@"]
port = 0
ready = { http = "/health" }
interval = 0.02
deadline = 20.0
grace_period = 1.0
"""


def _project(root: Path, *, phases: str | None = '["stack", "parity", "fuzz"]', fuzz: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cases.toml").write_text(CASES, encoding="utf-8")
    (root / "DECISIONS.md").write_text(
        "# Decisions\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n",
        encoding="utf-8",
    )
    services = "".join(
        _SERVICE.replace("@NAME@", n).replace("@SERVER@", str(SERVER)) for n in ("lenient", "strict")
    )
    run = f"[run]\nphases = {phases}\n" if phases is not None else ""
    config = (
        f'name = "strict-pair"\n{run}{services}\n'
        '[parity]\ncases = "cases.toml"\ntargets = ["lenient", "strict"]\ntracker = "DECISIONS.md"\n'
        'noise = "twin"\n\n'
        f"[fuzz]\nmax_examples = 60\nseed = 3\n{fuzz}"
    )
    path = root / "paritygate.toml"
    path.write_text(config, encoding="utf-8")
    return path


def _report(result: RunResult) -> dict[str, Any]:
    return orjson.loads((result.run_dir / "report.json").read_bytes())


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResult]:
    config = _project(tmp_path_factory.mktemp("fuzz-run"))
    return config, run_gauntlet(load_config(config))


def test_a_class_only_generated_requests_show_blocks_the_run(fuzzed: tuple[Path, RunResult]) -> None:
    _, result = fuzzed
    assert [p for p in result.phases] == ["stack", "smoke", "parity", "fuzz", "review"]
    assert result.phases["parity"].status.value == "passed"  # the hand-written case agrees
    assert result.verdict.verdict.value == "block" and result.exit_code == 1
    fuzz_reasons = [r for r in result.verdict.reasons if r.phase == "fuzz"]
    assert [(r.level.value, r.evidence) for r in fuzz_reasons] == [("block", STATUS_CLASS)]
    assert fuzz_reasons[0].message.startswith("found by fuzz: ")  # told apart from parity's reasons
    doc = _report(result)
    assert list(doc["phases"]) == ["stack", "smoke", "parity", "fuzz", "review"]
    fuzz = doc["phases"]["fuzz"]["data"]
    assert fuzz["schema"] == "paritygate.fuzz/1" and fuzz["seed"] == 3 and fuzz["sent"] > 0
    assert [c["key"] for c in fuzz["classes"]] == [STATUS_CLASS]
    shrunk = fuzz["classes"][0]["case"]["json"]
    assert shrunk == {"name": "ab", "count": -1}  # the smallest request that still shows it
    assert [c["key"] for c in fuzz["parity"]["classes"]] == [STATUS_CLASS]
    reason = next(r for r in doc["reasons"] if r["phase"] == "fuzz")
    assert reason["kind"] == "status_mismatch" and reason["evidence"] == STATUS_CLASS


def test_parity_s_noise_calibration_is_the_fuzz_phase_s(fuzzed: tuple[Path, RunResult]) -> None:
    """Every answer carries a fresh token: parity's twins learn it as noise, and fuzz excuses
    it too (else every generated request would be a `$.token` value class)."""
    _, result = fuzzed
    parity, fuzz = result.phases["parity"].parity, result.phases["fuzz"].fuzz
    assert parity is not None and fuzz is not None
    assert {n.path for n in parity.noise} == {"$.token"}
    assert fuzz.parity.calibration.text == parity.calibration.text
    assert fuzz.parity.calibration.mode == "twins"
    assert not any("token" in c.key for c in fuzz.parity.classes)


def test_the_run_directory_and_every_report_show_the_fuzz_class(fuzzed: tuple[Path, RunResult]) -> None:
    _, result = fuzzed
    run_dir = result.run_dir
    for name in ("fuzz.json", "fuzz.md", "fuzz-cases.toml"):
        assert (run_dir / name).is_file(), name
    assert "fuzz-cases.toml" in result.report.files.phase_files
    md = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "## Fuzz" in md and f"`{STATUS_CLASS}`" in md
    assert "see report.md#fuzz, fuzz.md, fuzz-cases.toml" in md  # the block reason's evidence links
    assert STATUS_CLASS in (run_dir / "fuzz.md").read_text(encoding="utf-8")
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="fuzz"' in html and 'id="fuzz-classes-table"' in html and STATUS_CLASS in html
    junit = etree.parse(str(run_dir / "junit.xml"))
    suite = junit.find(".//testsuite[@name='fuzz']")
    assert suite is not None and suite.find(".//failure") is not None
    saved = (run_dir / "fuzz-cases.toml").read_text(encoding="utf-8")
    assert "count = -1" in saved and '"fuzz"' in saved


def test_the_history_keeps_the_fuzz_phase_and_its_class(fuzzed: tuple[Path, RunResult]) -> None:
    config, result = fuzzed
    with HistoryStore.open(config.parent / ".paritygate" / "history.sqlite") as store:
        snapshot = store.get(result.run_id)
    assert snapshot.phases["fuzz"].counts["new_classes"] == 1
    assert STATUS_CLASS in snapshot.class_map()


def test_accepting_the_class_in_the_tracker_makes_it_a_known_gap(
    fuzzed: tuple[Path, RunResult], tmp_path: Path
) -> None:
    config, first = fuzzed
    accept = CliRunner().invoke(
        cli,
        [
            "tracker",
            "accept",
            STATUS_CLASS,
            "--config",
            str(config),
            "--run",
            str(first.run_dir),
            "--note",
            "ok",
        ],
    )
    assert accept.exit_code == 0, accept.output
    assess = CliRunner().invoke(cli, ["assess", str(first.run_dir), "--config", str(config), "--json"])
    assert assess.exit_code == 0, assess.output
    assert orjson.loads(assess.stdout)["verdict"] == "ship-with-known-gap"
    again = run_gauntlet(load_config(config), out_dir=tmp_path / "again")
    assert again.verdict.verdict.value == "ship-with-known-gap", [r.message for r in again.verdict.reasons]
    gap = [r for r in again.verdict.reasons if r.phase == "fuzz"]
    assert [(r.level.value, r.kind, r.evidence) for r in gap] == [("gap", "known_divergence", STATUS_CLASS)]


def test_fuzz_is_off_by_default(tmp_path: Path) -> None:
    config = _project(tmp_path, phases=None)
    result = run_gauntlet(load_config(config), skip=["review"])
    assert "fuzz" not in result.phases and "fuzz" not in _report(result)["phases"]
    assert not (result.run_dir / "fuzz.json").exists()
    assert "## Fuzz" not in (result.run_dir / "report.md").read_text(encoding="utf-8")
    assert result.verdict.verdict.value == "ship"


def test_a_bad_fuzz_input_is_exit_2_before_anything_starts(tmp_path: Path) -> None:
    config = _project(tmp_path, fuzz='openapi = "missing.json"\n')
    with pytest.raises(ConfigError) as err:
        run_gauntlet(load_config(config))
    assert err.value.exit_code == 2 and "missing.json" in str(err.value)
    assert not (tmp_path / ".paritygate" / "runs").exists()  # no run directory, no stack
    # not selected: its input is not read
    result = run_gauntlet(load_config(config), only=["stack", "parity"])
    assert "fuzz" not in result.phases


def test_only_fuzz_brings_the_stack_along() -> None:
    from paritygate.config.loader import demo_config_path
    from paritygate.gauntlet import select_phases

    loaded = load_config(demo_config_path())
    assert select_phases(loaded, ["fuzz"], None) == ["stack", "fuzz"]
    assert "fuzz" not in select_phases(loaded, None, None)  # the demo's [run] phases: off by default
