"""The demo's parity result is the seed's: 6/6 status, 1 match, 5 diff, one known class."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from paritygate.cli.main import cli
from paritygate.config import LoadedConfig, load_config
from paritygate.config.loader import demo_config_path
from paritygate.core.models import Endpoint, FindingKind, PhaseStatus
from paritygate.phases.parity import read_tracker, run_parity
from paritygate.reports.parity_report import parity_markdown
from paritygate.stack import Stack

SEED_CASES = [
    ("playbook_happy", 200, True),
    ("playbook_missing_fingerprint", 422, False),
    ("playbook_wrong_prefix", 422, False),
    ("playbook_empty_endorsed", 422, False),
    ("playbook_overfull", 422, False),
    ("fill_phantom", 422, False),
]
MAPPING = "tagged enum vs flat kind field"
DemoStack = tuple[LoadedConfig, dict[str, Endpoint]]


def shipped_key() -> str:
    (row,) = read_tracker(demo_config_path().with_name("ARCHITECTURE_COMPARISON.md")).rows
    return row.key


def target_args(endpoints: dict[str, Endpoint]) -> list[str]:
    return [arg for e in endpoints.values() for arg in ("--target", f"{e.name}={e.base_url}")]


def copy_demo(tmp_path: Path, *, drop_row: bool = False, drop_ignore: bool = False) -> Path:
    data = tmp_path / "demo"
    shutil.copytree(demo_config_path().parent, data, ignore=shutil.ignore_patterns("__pycache__"))
    if drop_row:
        tracker = data / "ARCHITECTURE_COMPARISON.md"
        lines = tracker.read_text(encoding="utf-8").splitlines(keepends=True)
        tracker.write_text("".join(line for line in lines if shipped_key() not in line), encoding="utf-8")
    if drop_ignore:
        config = data / "paritygate.toml"
        text = config.read_text(encoding="utf-8")
        start = text.index("[[parity.ignore]]")
        config.write_text(text[:start], encoding="utf-8")
    return data / "paritygate.toml"


def invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "120"}).invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_demo_gives_the_seed_result(demo_stack: DemoStack) -> None:
    loaded, endpoints = demo_stack
    result = run_parity(loaded, endpoints)
    doc = result.json_data
    assert [
        (c["name"], c["targets"]["tagged"]["status"], c["body_match"]) for c in doc["cases"]
    ] == SEED_CASES
    assert all(c["targets"]["flat"]["status"] == c["targets"]["tagged"]["status"] for c in doc["cases"])
    assert (
        doc["tally"]["status_match"] == 6
        and doc["tally"]["body_match"] == 1
        and doc["tally"]["body_diff"] == 5
    )
    (cls,) = doc["classes"]
    assert cls["mapping"]["name"] == MAPPING and cls["key"] == shipped_key()
    assert cls["status"] == "known" and cls["decision"]["status"] == "_open_"
    assert [c["known"] for c in doc["cases"]] == [None, True, True, True, True, True]
    assert [f.kind for f in result.findings] == [FindingKind.KNOWN_DIVERGENCE]
    assert result.status is PhaseStatus.PASSED
    assert doc["fixed"] == [] and doc["noise"] == []
    markdown = parity_markdown(result.data)
    assert "| Case | tagged status | flat status | Status match | Body match |" in markdown
    assert "| playbook_happy | 200 | 200 | ✓ | ✓ |" in markdown
    assert "| fill_phantom | 422 | 422 | ✓ | ✗ |" in markdown
    assert "Tally: 1 match · 5 diff (out of 6 cases)" in markdown
    assert markdown.count("### DIFF — ") == 5
    assert '"Kind": "completeness"' in markdown and '"Completeness": {' in markdown


def test_parity_up_prints_and_writes_the_seed_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no paritygate.toml upward: the bundled demo
    code, out, err = invoke(["parity", "--up"])
    assert code == 0, out + err
    assert "using the bundled demo" in err
    assert "Tally: 1 match · 5 diff (out of 6 cases)" in out
    assert f"KNOWN: {MAPPING} — 5 case(s)" in out
    (run_dir,) = (tmp_path / ".paritygate" / "parity").iterdir()
    assert sorted(p.name for p in run_dir.iterdir()) == ["junit.xml", "parity.json", "parity.md"]
    assert "Tally: 1 match · 5 diff" in (run_dir / "parity.md").read_text(encoding="utf-8")


def test_parity_probes_a_running_detached_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    loaded = load_config()  # the bundled demo, its state under tmp_path/.paritygate
    assert loaded.is_demo
    assert invoke(["parity"])[0] == 3  # nothing running yet: a runtime error, not a crash
    stack = Stack(loaded)
    stack.up(detach=True)  # what `paritygate stack up --detach` leaves behind: a state file
    try:
        code, out, _ = invoke(["parity", "--out", str(tmp_path / "out")])
    finally:
        stack.down()
    assert code == 0 and "Tally: 1 match · 5 diff (out of 6 cases)" in out


def test_without_the_tracker_row_the_run_fails_until_recorded(tmp_path: Path, demo_stack: DemoStack) -> None:
    config = copy_demo(tmp_path, drop_row=True)
    tracker = config.with_name("ARCHITECTURE_COMPARISON.md")
    base = ["parity", "--config", str(config), *target_args(demo_stack[1])]
    code, out, _ = invoke([*base, "--out", str(tmp_path / "r1")])
    assert code == 1
    assert f"NEW: {MAPPING}" in out
    before = tracker.read_bytes()
    code, _, _ = invoke([*base, "--record-decisions", "--out", str(tmp_path / "r2")])
    assert code == 1  # new when found, recorded for the next run
    (row,) = read_tracker(tracker).rows
    assert row.key == shipped_key() and row.status == "_open_"
    assert tracker.read_bytes().startswith(before)
    code, out, _ = invoke([*base, "--out", str(tmp_path / "r3")])
    assert code == 0 and f"KNOWN: {MAPPING}" in out


def test_elapsed_ms_is_noise_without_the_ignore_rule(tmp_path: Path, demo_stack: DemoStack) -> None:
    config = copy_demo(tmp_path, drop_ignore=True)
    base = ["parity", "--config", str(config), *target_args(demo_stack[1]), "--json"]
    code, out, _ = invoke([*base, "--out", str(tmp_path / "plain")])
    assert code == 1
    happy = orjson.loads(out)["cases"][0]
    assert happy["outcome"] == "value"
    code, out, _ = invoke([*base, "--noise-runs", "2", "--out", str(tmp_path / "noise")])
    doc = orjson.loads(out)
    assert code == 0
    assert doc["cases"][0]["outcome"] == "match"
    assert all(
        d["path"] != "$.elapsed_ms" for c in doc["cases"] for p in c["pairs"] for d in p["differences"]
    )
    assert {n["path"] for n in doc["noise"]} == {"$.elapsed_ms"}
    assert {n["source"] for n in doc["noise"]} == {"repeats"}
    assert [s["rule"] for s in doc["suggestions"]] == [
        '[[parity.match]]\npath = "$.elapsed_ms"\nkind = "number"'
    ]
    markdown = (tmp_path / "noise" / "parity.md").read_text(encoding="utf-8")
    assert "## Noise" in markdown and "EXCUSES" in markdown
    assert "Calibration: noise from repeats: 6 safe case(s) re-sent 2 time(s)" in markdown


@pytest.mark.parametrize("drop_ignore", [True, False])
def test_twins_on_the_demo_learn_elapsed_ms_and_keep_the_seed_table(
    tmp_path: Path, drop_ignore: bool
) -> None:
    config = copy_demo(tmp_path, drop_ignore=drop_ignore)
    out = tmp_path / "twins"
    code, stdout, stderr = invoke(
        ["parity", "--config", str(config), "--up", "--noise", "twin", "--json", "--out", str(out)]
    )
    assert code == 0, stderr
    doc = orjson.loads(stdout)
    assert [
        (c["name"], c["targets"]["tagged"]["status"], c["body_match"]) for c in doc["cases"]
    ] == SEED_CASES
    assert (doc["tally"]["match"], doc["tally"]["diff"]) == (1, 5)
    (cls,) = doc["classes"]
    assert cls["key"] == shipped_key() and cls["status"] == "known"
    assert doc["calibration"]["mode"] == "twins" and doc["flaky"] == []
    if drop_ignore:  # learned by the twins, exactly as by repeats (test above)
        assert {(n["target"], n["path"], n["source"]) for n in doc["noise"]} == {
            ("tagged", "$.elapsed_ms", "twins"),
            ("flat", "$.elapsed_ms", "twins"),
        }
        assert [s["rule"] for s in doc["suggestions"]] == [
            '[[parity.match]]\npath = "$.elapsed_ms"\nkind = "number"'
        ]
    else:  # the config already ignores it: nothing left to learn
        assert doc["noise"] == []
    assert "Tally: 1 match · 5 diff (out of 6 cases)" in (out / "parity.md").read_text(encoding="utf-8")
