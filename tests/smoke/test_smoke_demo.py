"""The demo chain against the real demo stack: all green, and red exactly where an implementation breaks."""

from __future__ import annotations

import json
import re
from pathlib import Path

from smoke_helpers import copy_demo, run_cli

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint, PhaseStatus
from paritygate.phases.smoke import load_smoke, run_smoke

DemoStack = tuple[LoadedConfig, dict[str, Endpoint]]


def test_demo_chain_passes_on_both_implementations(demo_stack: DemoStack) -> None:
    loaded, endpoints = demo_stack
    result = run_smoke(loaded, endpoints)
    data = result.json_data
    assert result.status is PhaseStatus.PASSED, [c for c in data["checks"] if c["status"] != "pass"]
    assert data["schema"] == "paritygate.smoke/1"
    assert data["total"] >= 20 and data["passed"] == data["total"]
    assert re.fullmatch(rf"{data['total']}/{data['total']} PASS in \d+\.\d\ds", result.summary)
    assert {c["target"] for c in data["checks"]} == {"tagged", "flat"}
    assert {c["chain"] for c in data["checks"]} >= {
        "health",
        "envelope",
        "playbook",
        "completeness",
        "consistency",
        "fill",
        "http",
    }
    statuses = {a["status_code"] for c in data["checks"] for a in c["attempts"]}
    assert statuses >= {200, 400, 404, 405, 413, 422}


def test_demo_chain_asserts_each_implementations_wire_shape(demo_stack: DemoStack) -> None:
    # Point every check at the other implementation: the shape-specific checks must turn red.
    loaded, endpoints = demo_stack
    swapped = {"tagged": endpoints["flat"], "flat": endpoints["tagged"]}
    checks = run_smoke(loaded, swapped).json_data["checks"]
    red = {f"{c['chain']}/{c['name']}" for c in checks if c["status"] != "pass"}
    error_shaped = {
        f"{c['chain']}/{c['name']}"
        for c in checks
        if {400, 413, 422} & {a["status_code"] for a in c["attempts"]}
    }
    assert error_shaped and error_shaped <= red
    # Shape-neutral checks (health, 404, 405, 200 replies) stay green.
    assert "health/health-tagged" not in red and "http/not-found-flat" not in red


def test_cli_up_runs_the_demo_chain_and_writes_reports(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    total = load_smoke_total(config)
    out = tmp_path / "out"
    result = run_cli("smoke", "--config", str(config), "--up", "--jobs", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert re.search(rf"^{total}/{total} PASS in \d+\.\d\ds$", result.stdout, re.MULTILINE)
    assert total >= 20
    # One plain line (status, check, time) per check when stdout is not a terminal.
    assert len(re.findall(r"^PASS  \S+/\S+  \d+\.\d ms", result.stdout, re.MULTILINE)) == total
    assert json.loads((out / "smoke.json").read_text())["data"]["passed"] == total
    assert (out / "smoke-junit.xml").read_text().count("<testcase ") == total
    assert not (config.parent / ".paritygate" / "stack.json").exists()  # taken down again


def load_smoke_total(config: Path) -> int:
    from paritygate.config import load_config

    return load_smoke(load_config(config)).total


def test_broken_tagged_roster_turns_exactly_the_affected_checks_red(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    roster = json.loads((config.parent / "roster.json").read_text())
    roster["workers"] = [w for w in roster["workers"] if w["id"] != "W-1002"]
    (config.parent / "roster-broken.json").write_text(json.dumps(roster))
    text = config.read_text()
    tagged, flat = text.split("[services.flat]")
    config.write_text(
        tagged.replace("{config_dir}/roster.json", "{config_dir}/roster-broken.json")
        + "[services.flat]"
        + flat
    )
    report = tmp_path / "smoke.json"

    result = run_cli("smoke", "--config", str(config), "--up", "--json", str(report))

    assert result.exit_code == 1, result.output
    checks = json.loads(report.read_text())["data"]["checks"]
    red = {f"{c['chain']}/{c['name']}": c for c in checks if c["status"] != "pass"}
    # The two checks that send W-1002 to tagged; the flat ones with W-1002 stay green.
    assert set(red) == {"playbook/happy-tagged", "fill/duplicate-tagged"}
    assert all(c["target"] == "tagged" for c in red.values())
    out = result.stdout
    assert "status: expected 200, actual 422" in out
    assert '"endorsed_names[1] \\"W-1002\\" does not exist in worker roster"' in out  # actual reason shown
    assert "log of tagged" in out and "roster: 7 workers" in out  # the service's log tail
    assert "Consistency" in red["playbook/happy-tagged"]["body_snippet"]
    assert red["fill/duplicate-tagged"]["log_tail"]
    assert re.search(rf"^{len(checks) - 2}/{len(checks)} PASS, 2 FAIL in \d+\.\d\ds$", out, re.MULTILINE)


def test_cli_without_up_needs_a_running_stack(tmp_path: Path) -> None:
    config = copy_demo(tmp_path)
    result = run_cli("smoke", "--config", str(config))
    assert result.exit_code == 3
    assert "no running stack" in result.stderr
