"""What turns the demo's ship-with-known-gap into block, and `paritygate assess DIR` flipping it back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from gauntlet_helpers import copy_demo

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.core.run_doc import RunDocument
from paritygate.gauntlet import RunResult, run_gauntlet
from paritygate.history import HistoryStore
from paritygate.phases.assess import ReasonLevel, VerdictKind
from paritygate.phases.parity.tracker import read_tracker
from paritygate.reports.refs import reason_ref


@dataclass(slots=True)
class Untracked:
    config: Path
    tracker: Path
    original: str  # the tracker with its row
    key: str  # the class the row tracked
    result: RunResult


def _without_rows(text: str, key: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if key not in line)


@pytest.fixture(scope="module")
def untracked(tmp_path_factory: pytest.TempPathFactory) -> Untracked:
    config = copy_demo(tmp_path_factory.mktemp("untracked") / "project")
    tracker = config.parent / "ARCHITECTURE_COMPARISON.md"
    (row,) = read_tracker(tracker).rows
    original = tracker.read_text(encoding="utf-8")
    tracker.write_text(_without_rows(original, row.key), encoding="utf-8")
    return Untracked(config, tracker, original, row.key, run_gauntlet(load_config(config)))


def test_removing_the_tracker_row_blocks_naming_the_class(untracked: Untracked) -> None:
    verdict = untracked.result.verdict
    assert verdict.verdict is VerdictKind.BLOCK and untracked.result.exit_code == 1
    blockers = [r for r in verdict.reasons if r.level is ReasonLevel.BLOCK]
    assert [r.evidence for r in blockers] == [untracked.key]
    assert blockers[0].kind == "new_divergence" and "divergence-classes" in reason_ref(blockers[0])
    assert "tagged enum vs flat kind field" in blockers[0].message
    report = orjson.loads((untracked.result.run_dir / "report.json").read_bytes())
    assert report["verdict"] == "block" and report["reasons"][0]["evidence"] == untracked.key


def _assess(run_dir: Path, config: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["assess", str(run_dir), "--config", str(config), *extra], env={"NO_COLOR": "1"}
    )
    return result.exit_code, result.output


def test_assess_after_editing_the_tracker_flips_the_verdict(untracked: Untracked) -> None:
    run_dir = untracked.result.run_dir
    untracked.tracker.write_text(untracked.original, encoding="utf-8")  # the row is back
    code, out = _assess(run_dir, untracked.config)
    assert code == 0, out
    assert "verdict: SHIP-WITH-KNOWN-GAP" in out and untracked.key in out
    report = orjson.loads((run_dir / "report.json").read_bytes())
    assert report["verdict"] == "ship-with-known-gap" and report["reassessed_at"]
    assert report["phases"]["parity"]["data"]["classes"][0]["status"] == "known"
    assert "ship-with-known-gap" in (run_dir / "report.md").read_text()
    assert "ship with known gap" in (run_dir / "report.html").read_text()
    assert _assess(run_dir, untracked.config, "--strict")[0] == 1

    untracked.tracker.write_text(_without_rows(untracked.original, untracked.key), encoding="utf-8")
    code, out = _assess(run_dir, untracked.config, "--json")
    assert code == 1
    doc = orjson.loads(out)
    assert doc["verdict"] == "block" and doc["reasons"][0]["evidence"] == untracked.key
    with HistoryStore.open(untracked.config.parent / ".paritygate" / "history.sqlite") as store:
        (run,) = store.recent(5)
    assert run.run_id == untracked.result.run_id and run.verdict == "block"


def test_assess_reports_a_tracker_row_no_class_matched_as_fixed(untracked: Untracked) -> None:
    stale = "| `status·200~404` | GET /gone | a divergence fixed long ago | _open_ | fix it | old run |\n"
    with_row = untracked.original.replace(f"| `{untracked.key}`", stale + f"| `{untracked.key}`")
    untracked.tracker.write_text(with_row, encoding="utf-8")
    code, out = _assess(untracked.result.run_dir, untracked.config, "--json")
    doc = orjson.loads(out)
    assert code == 0 and doc["verdict"] == "ship-with-known-gap"
    notices = [r for r in doc["reasons"] if r["level"] == "notice"]
    assert [r["evidence"] for r in notices] == ["status·200~404"]
    assert "fixed?" in notices[0]["message"]


def test_assess_of_a_directory_without_a_report_is_a_usage_error(tmp_path: Path) -> None:
    code, out = _assess(tmp_path, copy_demo(tmp_path / "p"))
    assert code == 2 and "report.json" in out


@pytest.mark.parametrize(
    ("phase", "says"),
    [
        pytest.param({"status": "passed"}, "phases.smoke.phase: expected a string", id="missing-key"),
        pytest.param(
            {"phase": "smoke", "status": "weird"},
            "phases.smoke.status: unknown phase status",
            id="bad-status",
        ),
        pytest.param(
            {"phase": "smoke", "status": "passed", "findings": [{"kind": "nope"}]},
            "phases.smoke.findings[0].kind: expected one of",
            id="bad-finding",
        ),
    ],
)
def test_assess_of_a_hand_edited_phase_is_a_config_error(
    tmp_path: Path, run_document: Callable[..., RunDocument], phase: dict[str, object], says: str
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    doc = run_document().to_json()
    (run_dir / "report.json").write_bytes(orjson.dumps({**doc, "phases": {"smoke": phase}}))
    code, out = _assess(run_dir, copy_demo(tmp_path / "p"))
    assert code == 2, out
    assert f"error: {run_dir / 'report.json'}: {says}" in out


@pytest.mark.parametrize("schema", ["paritygate.report/2", "paritygate.report/4"])
def test_assess_of_another_report_version_says_which_in_one_line(
    tmp_path: Path, run_document: Callable[..., RunDocument], schema: str
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "report.json").write_bytes(orjson.dumps({**run_document().to_json(), "schema": schema}))
    code, out = _assess(run_dir, copy_demo(tmp_path / "p"))
    assert code == 2, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {run_dir / 'report.json'}: schema: expected 'paritygate.report/3', got '{schema}'"
        " (written by another paritygate version: run the gauntlet again)"
    ]


def test_breaking_a_smoke_check_blocks_naming_it(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    smoke = config.parent / "smoke.toml"
    text = smoke.read_text(encoding="utf-8")
    marker = 'name = "health-tagged"'
    head, tail = text.split(marker, 1)
    smoke.write_text(
        head + marker + tail.replace("expect.status = 200", "expect.status = 418", 1), encoding="utf-8"
    )
    result = run_gauntlet(load_config(config), out_dir=tmp_path / "out")
    assert result.run_dir == (tmp_path / "out").resolve()
    assert result.verdict.verdict is VerdictKind.BLOCK
    blockers = [r for r in result.verdict.reasons if r.level is ReasonLevel.BLOCK]
    assert [r.evidence for r in blockers] == ["health/health-tagged"]  # chain/check
    assert "418" in blockers[0].message and "smoke-checks" in reason_ref(blockers[0])
    assert any(r.level is ReasonLevel.GAP for r in result.verdict.reasons)  # the known gap is still listed


def _with_status(text: str, key: str, status: str) -> str:
    return "".join(
        line.replace("| _open_ |", f"| {status} |") if key in line else line
        for line in text.splitlines(keepends=True)
    )


@pytest.mark.parametrize(
    ("status", "verdict", "kind"),
    [
        pytest.param("fixed", "block", "came_back", id="fixed-came-back"),
        pytest.param("accepted", "ship-with-known-gap", "known_divergence", id="accepted-known"),
        pytest.param("_open_", "ship-with-known-gap", "known_divergence", id="open-known"),
    ],
)
def test_assess_dir_matches_the_tracker_with_the_phase_rule(
    untracked: Untracked, status: str, verdict: str, kind: str
) -> None:
    # `assess DIR` matches the classes again with the parity phase's own rule (match_class)
    untracked.tracker.write_text(_with_status(untracked.original, untracked.key, status), encoding="utf-8")
    code, out = _assess(untracked.result.run_dir, untracked.config, "--json")
    doc = orjson.loads(out)
    assert doc["verdict"] == verdict, out
    tracked = [r for r in doc["reasons"] if r["evidence"] == untracked.key]
    assert [r["kind"] for r in tracked] == [kind]
    report = orjson.loads((untracked.result.run_dir / "report.json").read_bytes())
    (cls,) = report["phases"]["parity"]["data"]["classes"]
    assert cls["came_back"] is (status == "fixed")
    assert cls["status"] == ("new" if status == "fixed" else "known")
    if status == "fixed":
        (reason,) = tracked
        assert reason["message"].startswith("divergence came back: ")
        assert "says fixed" in reason["message"] and "new divergence" not in reason["message"]
        assert code == 1


def test_a_live_run_whose_fixed_row_came_back_says_came_back(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    tracker = config.parent / "ARCHITECTURE_COMPARISON.md"
    (row,) = read_tracker(tracker).rows
    text = tracker.read_text(encoding="utf-8")
    tracker.write_text(_with_status(text, row.key, "fixed"), encoding="utf-8")
    result = run_gauntlet(load_config(config), only=["stack", "parity"])
    assert result.verdict.verdict is VerdictKind.BLOCK
    (reason,) = [r for r in result.verdict.reasons if r.evidence == row.key]
    assert reason.kind == "came_back" and reason.message.startswith("divergence came back: ")
    assert f"(line {row.line}) says fixed" in reason.message
    md = (result.run_dir / "parity.md").read_text(encoding="utf-8")
    assert "### tagged enum vs flat kind field — CAME BACK" in md.splitlines()
    assert f"- tracker: CAME BACK — its row (line {row.line}) in {tracker} says `fixed`" in md
    html = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert '<span class="badge b-came-back">CAME BACK</span>' in html
    assert "came-back" in (result.run_dir / "report.md").read_text(encoding="utf-8")
