"""run_parity against stand-in implementations on real sockets (one process, several ports)."""

from __future__ import annotations

from pathlib import Path

import orjson
from parity_helpers import GivesUpOnSilence, make_project, pick

from paritygate.core.models import Endpoint, PhaseStatus
from paritygate.phases.parity import read_tracker, run_parity
from paritygate.reports.parity_report import parity_markdown

TAGGED_FLAT = "tagged enum vs flat kind field"


def kinds(result: object) -> list[tuple[str, str]]:
    return [(f.kind.value, f.evidence) for f in result.findings]  # type: ignore[attr-defined]


def test_two_targets_new_class_then_recorded_then_known(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path)
    endpoints = pick(impls, "tagged", "flat")
    first = run_parity(loaded, endpoints)
    doc = first.json_data
    assert doc["schema"] == "paritygate.parity/2"
    assert [(c["name"], c["outcome"], c["status_match"], c["body_match"]) for c in doc["cases"]] == [
        ("happy", "match", True, True),
        ("missing_fingerprint", "shape", True, False),
        ("missing_again", "shape", True, False),
    ]
    assert doc["tally"] == {
        "cases": 3,
        "status_match": 3,
        "body_match": 1,
        "body_diff": 2,
        "errors": 0,
        "match": 1,
        "diff": 2,
        "header_only": 0,
    }
    (cls,) = doc["classes"]
    assert cls["mapping"]["name"] == TAGGED_FLAT and cls["status"] == "new"
    assert cls["cases"] == ["missing_fingerprint", "missing_again"]
    case = doc["cases"][1]
    assert case["class_key"] == cls["key"] and case["known"] is False
    assert case["targets"]["flat"]["body"] == {"Kind": "schema", "Field": "fingerprint", "Reason": "missing"}
    paths = {d["path"] for d in case["pairs"][0]["differences"]}
    assert {"$.Schema", "$.Kind", "$.Field", "$.Reason"} <= paths
    assert first.status is PhaseStatus.FAILED
    assert kinds(first) == [("new_divergence", cls["key"])]

    recorded = run_parity(loaded, endpoints, record_decisions=True)
    assert recorded.status is PhaseStatus.FAILED  # it was new when this run found it
    assert recorded.json_data["classes"][0]["recorded"] is True
    (row,) = read_tracker(tmp_path / "TRACKER.md").rows
    assert (row.key, row.status, row.area) == (cls["key"], "_open_", "POST /v1/validate")
    assert "missing_fingerprint" in row.evidence

    again = run_parity(loaded, endpoints, out_dir=tmp_path / "out")
    assert again.status is PhaseStatus.PASSED
    assert again.json_data["classes"][0]["status"] == "known"
    assert [c["known"] for c in again.json_data["cases"]] == [None, True, True]
    assert kinds(again) == [("known_divergence", cls["key"])]
    assert "_open_" in again.findings[0].message
    assert orjson.loads((tmp_path / "out" / "parity.json").read_bytes()) == again.json_data


def test_a_tracker_row_whose_class_is_gone_is_fixed(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path)
    (tmp_path / "TRACKER.md").write_text(
        "# T\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
        "| `shape·missing·$.gone` | GET /gone | old | accepted | live with it | run 0 |\n"
        "| `shape·missing·$.done` | GET /done | older | fixed | done | run 0 |\n",
        encoding="utf-8",
    )
    result = run_parity(loaded, pick(impls, "tagged", "tagged-2"))
    assert [r["key"] for r in result.json_data["fixed"]] == ["shape·missing·$.gone"]
    assert ("fixed_divergence", "shape·missing·$.gone") in kinds(result)
    assert result.status is PhaseStatus.PASSED
    assert (
        "- **FIXED?** `shape·missing·$.gone` (line 5, accepted): old — GET /gone"
        in parity_markdown(result.data).splitlines()
    )


def test_three_targets_name_the_odd_one_out(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path)
    result = run_parity(loaded, pick(impls, "tagged", "flat", "tagged-2"))
    happy, missing, _ = result.json_data["cases"]
    assert happy["groups"] == [["tagged", "flat", "tagged-2"]] and happy["odd_one_out"] is None
    assert missing["groups"] == [["tagged", "tagged-2"], ["flat"]]
    assert missing["odd_one_out"] == "flat"
    assert missing["odd_one_out_text"] == "flat disagrees with tagged and tagged-2"
    assert [(p["left"], p["right"], p["outcome"]) for p in missing["pairs"]] == [
        ("tagged", "flat", "shape"),
        ("tagged", "tagged-2", "match"),
        ("flat", "tagged-2", "shape"),
    ]
    assert len(result.json_data["classes"]) == 1  # tagged→flat and flat→tagged are one cause, one class


def test_reference_compares_everything_against_one(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path)
    result = run_parity(loaded, pick(impls, "tagged", "flat", "tagged-2"), reference="flat")
    missing = result.json_data["cases"][1]
    assert result.json_data["reference"] == "flat"
    assert [(p["left"], p["right"]) for p in missing["pairs"]] == [("flat", "tagged"), ("flat", "tagged-2")]
    assert missing["groups"] == [["tagged", "tagged-2"], ["flat"]]
    assert missing["odd_one_out"] == "flat"


def test_a_target_that_times_out_on_every_case_is_unreachable(
    tmp_path: Path, impls: dict[str, Endpoint]
) -> None:
    loaded = make_project(tmp_path, extra="")
    result = run_parity(
        loaded,
        pick(impls, "tagged", "silent"),
        out_dir=tmp_path / "out",
        transport=GivesUpOnSilence(impls["silent"], {"/v1/validate"}),
        timeout=60.0,  # never reached: the transport gives up on the silent target
    )
    assert result.status is PhaseStatus.ERROR
    assert {c["outcome"] for c in result.json_data["cases"]} == {"error"}
    assert result.json_data["unreachable"] == ["silent"]
    error = result.json_data["cases"][0]["targets"]["silent"]["error"]
    assert error.startswith("timeout")
    assert kinds(result) == [("unreachable", "silent")]
    assert result.json_data["fixed_skipped"]
    assert (tmp_path / "out" / "parity.json").is_file()


def test_a_refused_target_is_unreachable(
    tmp_path: Path, impls: dict[str, Endpoint], refused: Endpoint
) -> None:
    loaded = make_project(tmp_path)
    result = run_parity(loaded, {"tagged": impls["tagged"], "refused": refused})
    assert result.status is PhaseStatus.ERROR
    assert result.json_data["cases"][0]["targets"]["refused"]["error"].startswith("refused")
    assert result.json_data["cases"][0]["status_match"] is False


def test_a_target_silent_on_some_cases_is_a_status_mismatch(
    tmp_path: Path, impls: dict[str, Endpoint]
) -> None:
    cases = '[[cases]]\nname = "echo"\nmethod = "GET"\npath = "/echo"\n\n' + (
        '[[cases]]\nname = "validate"\nmethod = "POST"\npath = "/v1/validate"\nbody = "{}"\n'
    )
    loaded = make_project(tmp_path, cases=cases, extra='\n[[parity.ignore]]\npath = "$.headers"\n')
    result = run_parity(
        loaded,
        pick(impls, "tagged", "silent"),
        transport=GivesUpOnSilence(impls["silent"], {"/v1/validate"}),
        timeout=60.0,  # never reached: the transport gives up on the silent target
    )
    echo, validate = result.json_data["cases"]
    assert echo["outcome"] == "match"
    assert validate["outcome"] == "error" and validate["class_key"] is None
    assert result.json_data["unreachable"] == []
    assert kinds(result) == [("status_mismatch", "validate")]
    assert result.status is PhaseStatus.FAILED


def test_different_status_codes_are_a_status_mismatch(tmp_path: Path, impls: dict[str, Endpoint]) -> None:
    loaded = make_project(tmp_path)
    result = run_parity(loaded, pick(impls, "tagged", "teapot"))
    happy = result.json_data["cases"][0]
    assert happy["outcome"] == "status" and happy["status_match"] is False
    assert happy["targets"]["teapot"]["status"] == 418
    assert [k for k, _ in kinds(result)] == ["status_mismatch", "status_mismatch"]  # one per class
    assert result.status is PhaseStatus.FAILED


def test_volatile_fields_are_noise_with_repeats_and_divergences_without(
    tmp_path: Path, impls: dict[str, Endpoint]
) -> None:
    loaded = make_project(tmp_path, ignore_elapsed=False)
    endpoints = pick(impls, "tagged", "tagged-2")
    plain = run_parity(loaded, endpoints)
    happy = plain.json_data["cases"][0]
    assert happy["outcome"] == "value"
    assert [d["path"] for d in happy["pairs"][0]["differences"]] == ["$.elapsed_ms"]

    learned = run_parity(loaded, endpoints, noise_runs=2)
    happy = learned.json_data["cases"][0]
    assert happy["outcome"] == "match" and happy["noise_paths"] == ["$.elapsed_ms"]
    assert learned.json_data["classes"] == [] and learned.status is PhaseStatus.PASSED
    noise = {(n["target"], n["path"]) for n in learned.json_data["noise"]}
    assert noise == {("tagged", "$.elapsed_ms"), ("tagged-2", "$.elapsed_ms")}
    entry = learned.json_data["noise"][0]
    assert entry["source"] == "repeats" and entry["operation"] == "POST /v1/validate"
    assert (entry["observations"], entry["differed"], entry["excused"]) == (2, 2, 1)
    assert len(entry["examples"]) == 3 and entry["cases"] == ["happy"]
    (suggestion,) = learned.json_data["suggestions"]
    assert suggestion["rule"] == '[[parity.match]]\npath = "$.elapsed_ms"\nkind = "number"'
    assert learned.json_data["noise_runs"] == 2
    calibration = learned.json_data["calibration"]
    assert (calibration["mode"], calibration["repeated_cases"], calibration["unrepeated_cases"]) == (
        "repeats",
        1,
        2,
    )
    assert (
        "noise from repeats: 1 safe case(s) re-sent 2 time(s); 2 stateful case(s) not calibrated"
        in (calibration["text"])
    )
    assert plain.json_data["calibration"]["text"] == "none — noise not measured"


def test_a_row_added_by_hand_while_recording_decisions_is_kept(
    tmp_path: Path, impls: dict[str, Endpoint]
) -> None:
    loaded = make_project(tmp_path)
    tracker = tmp_path / "TRACKER.md"
    hand_row = (
        "| `GET /other·shape·x·00000000` | GET /other | by hand | accepted | decided in a meeting | notes |\n"
    )

    def a_colleague_saves_the_tracker(_run: object) -> None:
        text = tracker.read_text(encoding="utf-8")
        if hand_row not in text:
            tracker.write_text(text + hand_row, encoding="utf-8")

    result = run_parity(
        loaded, pick(impls, "tagged", "flat"), record_decisions=True, progress=a_colleague_saves_the_tracker
    )
    rows = read_tracker(tracker).rows
    assert [r.key for r in rows] == ["GET /other·shape·x·00000000", result.json_data["classes"][0]["key"]]
    assert rows[0].decision == "decided in a meeting" and rows[1].status == "_open_"


def test_config_refuses_rules_that_can_never_match_a_body_path(tmp_path: Path) -> None:
    import pytest

    from paritygate.errors import ConfigError
    from paritygate.phases.parity import check_inputs

    loaded = make_project(tmp_path, extra='\n[[parity.ignore]]\npath = "$.sha256"\n')
    with pytest.raises(ConfigError) as info:
        check_inputs(loaded)
    assert info.value.exit_code == 2
    assert "parity.ignore[1].path" in str(info.value) and "opaque (bytes) body" in str(info.value)
    (tmp_path / "ok").mkdir()
    (tmp_path / "bad").mkdir()
    scoped = make_project(
        tmp_path / "ok",
        extra='\n[[parity.match]]\npath = "$.when"\nkind = "timestamp"\noperation = "POST /v1/validate"\n',
    )
    check_inputs(scoped)
    with pytest.raises(ConfigError, match=r"parity\.match\[0\]\.kind"):
        make_project(tmp_path / "bad", extra='\n[[parity.match]]\npath = "$.when"\nkind = "date"\n')
