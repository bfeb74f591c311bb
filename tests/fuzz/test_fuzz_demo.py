"""`paritygate fuzz` on the bundled demo, with no config: the known wire-shape class is found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from paritygate.cli.main import cli

DEMO = Path(__file__).resolve().parents[2] / "src" / "paritygate" / "demo" / "data"


def _fuzz(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["fuzz", "--up", *args, "--out", "out", "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    doc: dict[str, Any] = orjson.loads(result.stdout)
    return doc


def _known_class_found(doc: dict[str, Any]) -> None:
    keys = {c["key"] for c in doc["classes"]}
    assert "mapping·tagged-enum~flat-kind" in keys
    known = [c for c in doc["parity"]["classes"] if c["key"] == "mapping·tagged-enum~flat-kind"]
    assert known and known[0]["status"] == "known"  # checked against the demo's tracker
    assert known[0]["decision"]["status"] == "_open_"
    assert all(c["case"]["name"].startswith("fuzz-") for c in doc["classes"])


def test_fuzz_on_the_demo_with_no_config_generates_from_its_openapi_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no paritygate.toml upward: the bundled demo
    doc = _fuzz("--max-examples", "300", "--seed", "1")
    assert doc["source"].endswith("openapi.json (2 operation(s))")
    _known_class_found(doc)


def test_mutation_fuzzing_of_the_demo_cases_finds_it_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = _fuzz("--cases", str(DEMO / "cases.toml"), "--max-examples", "300", "--seed", "1")
    assert doc["source"].endswith("cases.toml (6 case(s) mutated)")
    _known_class_found(doc)
