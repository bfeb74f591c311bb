"""`paritygate fuzz` on the bundled demo, with no config: the known wire-shape class is found."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
from click.testing import CliRunner

from paritygate.cli.main import cli

DEMO = Path(__file__).resolve().parents[2] / "src" / "paritygate" / "demo" / "data"


def test_fuzz_on_the_demo_finds_the_tagged_enum_vs_flat_kind_class(tmp_path: Path) -> None:
    # A copy: `--up` keeps the stack's state (.paritygate/) next to the config, and one
    # left in the package's demo directory is copied into every later test's demo project.
    project = tmp_path / "project"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".paritygate"))
    args = [
        "fuzz",
        "--config",
        str(project / "paritygate.toml"),
        "--up",
        "--max-examples",
        "300",
        "--seed",
        "1",
    ]
    result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "out"), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    doc = orjson.loads(result.stdout)
    keys = {c["key"] for c in doc["classes"]}
    assert "mapping·tagged-enum~flat-kind" in keys
    parity = doc["parity"]
    known = [c for c in parity["classes"] if c["key"] == "mapping·tagged-enum~flat-kind"]
    assert known and known[0]["status"] == "known"  # checked against the demo's tracker
    assert known[0]["decision"]["status"] == "_open_"
    assert all(c["case"]["name"].startswith("fuzz-") for c in doc["classes"])
