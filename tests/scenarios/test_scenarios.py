"""Scenarios with per-target captures: each target gets the ids it issued itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from paritygate.config import load_config
from paritygate.core.models import Endpoint, FindingKind
from paritygate.errors import ConfigError
from paritygate.phases.parity import run_parity
from paritygate.probe.cases import load_cases_file
from paritygate.reports.parity_report import parity_markdown, write_parity_reports

SCENARIO = """\
[[scenarios]]
name = "things"

[[scenarios.steps]]
name = "create_thing"
method = "POST"
path = "/things"
json = { name = "widget" }

[[scenarios.steps.capture]]
name = "tid"
jsonpath = "$.id"

[[scenarios.steps]]
name = "read_thing"
method = "GET"
path = "/things/{{tid}}"

[[scenarios.steps]]
name = "list_things"
method = "GET"
path = "/things"

[[scenarios.steps]]
name = "delete_thing"
method = "DELETE"
path = "/things/{{tid}}"
teardown = true

[[scenarios]]
name = "missing"

[[scenarios.steps]]
name = "read_nothing"
method = "GET"
path = "/things/none"
"""


def _project(tmp_path: Path, cases: str = SCENARIO) -> Path:
    (tmp_path / "cases.toml").write_text(cases, encoding="utf-8")
    config = 'name = "things"\n[parity]\ncases = "cases.toml"\n'
    (tmp_path / "paritygate.toml").write_text(config, encoding="utf-8")
    return tmp_path / "paritygate.toml"


def _by_name(doc: dict[str, object], key: str) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in doc[key]}  # type: ignore[attr-defined, index]


def test_random_ids_match_end_to_end_and_the_ids_are_no_divergence(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    pair = {n: stateful[n] for n in ("random", "random-2")}
    result = run_parity(load_config(_project(tmp_path)), pair)
    doc = result.data.to_json()  # type: ignore[union-attr]
    cases = _by_name(doc, "cases")
    assert list(cases) == [
        "things/create_thing",
        "things/read_thing",
        "things/list_things",
        "missing/read_nothing",
    ]
    assert all(c["outcome"] == "match" for c in cases.values()), [c["pairs"] for c in cases.values()]
    ids = {t: v["tid"] for t, v in cases["things/create_thing"]["captured"].items()}  # type: ignore[attr-defined]
    assert ids["random"] != ids["random-2"]  # each issued its own, and each got its own back
    for target, tid in ids.items():
        assert cases["things/read_thing"]["targets"][target]["body"] == {"id": tid, "name": "widget"}  # type: ignore[index]
    teardown = _by_name(doc, "steps")["things/delete_thing"]
    assert teardown["state"] == "not_compared" and teardown["role"] == "teardown"
    assert teardown["targets"] == {
        "random": {"status": 204, "error": None},
        "random-2": {"status": 204, "error": None},
    }
    assert doc["classes"] == [] and not result.findings
    assert doc["order"] == {
        "mode": "lockstep",
        "sequences": 2,
        "scenarios": 2,
        "concurrency": 16,
        "in_flight": 2,
        "in_flight_note": "",
    }


def test_compare_captured_makes_the_ids_a_divergence_again(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    cases = SCENARIO.replace(
        'name = "tid"\njsonpath = "$.id"', 'name = "tid"\njsonpath = "$.id"\n', 1
    ).replace('json = { name = "widget" }\n', 'json = { name = "widget" }\ncompare_captured = true\n', 1)
    doc = run_parity(
        load_config(_project(tmp_path, cases)), {n: stateful[n] for n in ("random", "random-2")}
    ).data.to_json()  # type: ignore[union-attr]
    create = _by_name(doc, "cases")["things/create_thing"]
    assert create["outcome"] == "value"
    assert [d["path"] for d in create["pairs"][0]["differences"]] == ["$.id"]  # type: ignore[index]


def test_a_failed_capture_is_an_error_and_its_dependents_are_skipped(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    pair = {n: stateful[n] for n in ("random", "renamed")}
    out = tmp_path / "out"
    result = run_parity(load_config(_project(tmp_path)), pair)
    doc = result.data.to_json()  # type: ignore[union-attr]
    create = _by_name(doc, "cases")["things/create_thing"]
    assert create["state"] == "error" and create["outcome"] == "error"
    assert create["capture_errors"] == {
        "renamed": "capture tid from jsonpath $.id: expected a value, got (nothing selected) (HTTP 201)"
    }
    steps = _by_name(doc, "steps")
    assert steps["things/read_thing"]["state"] == "skipped"
    assert steps["things/read_thing"]["reason"] == "capture 'tid' missing on renamed"
    assert steps["things/read_thing"]["targets"] == {"random": None, "renamed": None}  # sent to nobody
    # list_things needs no capture: it is still compared
    assert _by_name(doc, "cases")["things/list_things"]["state"] == "compared"
    # the teardown still runs, on the target that has its id
    teardown = steps["things/delete_thing"]
    assert teardown["targets"]["random"] == {"status": 204, "error": None}
    assert teardown["targets"]["renamed"] is None
    assert teardown["reason"] == "capture 'tid' missing on renamed (not sent there)"
    finding = next(f for f in result.findings if f.evidence == "things/create_thing")
    assert finding.kind is FindingKind.STATUS_MISMATCH and "step error on renamed" in finding.message
    assert "1 step(s) skipped" in result.summary
    write_parity_reports(out, result.data)  # type: ignore[arg-type]
    md = parity_markdown(result.data)  # type: ignore[arg-type]
    assert "things/read_thing: skipped (capture 'tid' missing on renamed)" in md
    assert "**error on renamed**: capture tid from jsonpath $.id" in md
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert "<skipped" in junit and "step error: renamed" in junit


def test_a_step_using_an_uncaptured_name_is_a_config_error(tmp_path: Path) -> None:
    bad = SCENARIO.replace('path = "/things/{{tid}}"', 'path = "/things/{{tdi}}"', 1)
    (tmp_path / "cases.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_cases_file(tmp_path / "cases.toml")
    assert str(info.value) == (
        f"{tmp_path / 'cases.toml'}:17: scenarios[0].steps[1].path: undefined variable {{{{tdi}}}}: no earlier"
        " step of scenario 'things' captures it (captured so far: tid) in case 'read_thing'"
    )


def test_jsonl_scenarios_are_consecutive_lines(tmp_path: Path) -> None:
    lines = [
        '{"scenario": "s", "name": "create", "method": "POST", "path": "/things", "json": {"name": "a"}, "capture": [{"name": "tid", "jsonpath": "$.id"}]}',
        '{"scenario": "s", "name": "read", "method": "GET", "path": "/things/{{tid}}"}',
        '{"name": "plain", "method": "GET", "path": "/things"}',
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    file = load_cases_file(path)
    assert [(s.name, [c.name for c in s.steps]) for s in file.scenarios] == [
        ("s", ["s/create", "s/read"]),
        (None, ["plain"]),
    ]
    assert file.cases[1].uses == {"tid"}
    path.write_text("\n".join([*lines, lines[1].replace('"read"', '"again"')]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cases.jsonl:4: scenario: scenario 's' is split"):
        load_cases_file(path)
