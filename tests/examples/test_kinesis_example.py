"""examples/kinesis as a user runs it: moto's server vs kinesalite, signed, in lockstep.

Needs moto[server] and botocore (the test extras) and kinesalite from npm with Node.js.
`.ci/run` installs kinesalite and sets PARITYGATE_EXAMPLES=required, and then a missing
tool FAILS this test; a plain local `pytest` without them skips it, saying what is missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from paritygate.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kinesis"
REQUIRED = os.environ.get("PARITYGATE_EXAMPLES") == "required"


def _node_modules() -> Path | None:
    given = os.environ.get("PARITYGATE_KINESALITE_DIR")
    for base in ([Path(given)] if given else []) + [EXAMPLE]:
        if (base / "node_modules" / "kinesalite" / "index.js").is_file():
            return base / "node_modules"
    return None


def _missing() -> list[str]:
    missing = [
        f"Python package {m} (pip install -e '.[test]')"
        for m in ("moto", "botocore", "flask")
        if importlib.util.find_spec(m) is None
    ]
    if shutil.which("node") is None:
        missing.append("node (Node.js)")
    if _node_modules() is None:
        missing.append("kinesalite (npm install in examples/kinesis, or PARITYGATE_KINESALITE_DIR)")
    return missing


@pytest.fixture
def example(tmp_path: Path) -> Path:
    missing = _missing()
    if missing:
        message = "the Kinesis example needs: " + "; ".join(missing)
        if REQUIRED:
            pytest.fail(message + " (PARITYGATE_EXAMPLES=required)")
        pytest.skip(message)
    project = tmp_path / "kinesis"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("node_modules", ".paritygate"))
    modules = _node_modules()
    assert modules is not None
    (project / "node_modules").symlink_to(modules, target_is_directory=True)
    return project


@pytest.mark.slow
def test_kinesis_example_compares_the_shard_iterator_flow_signed(example: Path) -> None:
    out = example / "out"
    env = {
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "s3cret-kinesis-key",
    }
    result = CliRunner(env=env).invoke(
        cli, ["parity", "--up", "--config", str(example / "paritygate.toml"), "--out", str(out)]
    )
    assert result.exit_code in (0, 1), result.output  # 1: moto's HTML 500 on a bad iterator blocks
    doc = orjson.loads((out / "parity.json").read_bytes())
    assert doc["order"]["mode"] == "lockstep" and doc["order"]["scenarios"] == 2
    cases = {c["name"]: c for c in doc["cases"]}
    flow = [
        "create_stream",
        "describe_stream",
        "put_record",
        "get_shard_iterator",
        "get_records",
        "get_records_again",
    ]
    for step in flow:
        case = cases[f"stream/{step}"]
        assert case["state"] == "compared", case
        # kinesalite refuses a request without a valid SigV4 Authorization header
        assert {t["status"] for t in case["targets"].values()} == {200}, (step, case["targets"])
    # sequence numbers and iterators differ, but each went back to the one that issued it
    for step in ("put_record", "get_shard_iterator", "get_records", "get_records_again"):
        assert cases[f"stream/{step}"]["outcome"] == "match", cases[f"stream/{step}"]["pairs"]
    iterators = cases["stream/get_shard_iterator"]["captured"]
    assert set(iterators) == {"moto", "kinesalite"}
    assert iterators["moto"]["iterator"] != iterators["kinesalite"]["iterator"]  # each issued its own
    for target in ("moto", "kinesalite"):
        body = cases["stream/get_records"]["targets"][target]["body"]  # x-amz-json-1.1: compared as JSON
        records = body["Records"]
        assert [r["Data"] for r in records] == ["eyJvcmRlciI6IDQyfQ=="], target
        assert records[0]["SequenceNumber"] == cases["stream/put_record"]["captured"][target]["seq"]
    assert [s["name"] for s in doc["steps"]] == ["stream/delete_stream"]
    assert doc["steps"][0]["state"] == "not_compared"
    assert {t["status"] for t in doc["steps"][0]["targets"].values()} == {200}
    assert "s3cret-kinesis-key" not in (out / "parity.json").read_text(encoding="utf-8")
    assert (out / "parity.md").is_file() and (out / "junit.xml").is_file()
