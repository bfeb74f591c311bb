"""Mutation fuzzing from the Kinesis example's cases, against its real pair (moto vs kinesalite)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from test_kinesis_example import example

from paritygate.cli.main import cli

__all__ = ["example"]  # the fixture: the example copied, with kinesalite linked in


@pytest.mark.slow
def test_fuzzing_the_kinesis_cases_reports_moto_vs_kinesalite_findings_as_classes(example: Path) -> None:
    env = {"NO_COLOR": "1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "s3cret-kinesis-key"}
    args = [
        "fuzz",
        "--up",
        "--config",
        str(example / "paritygate.toml"),
        "--max-examples",
        "60",
        "--seed",
        "3",
    ]
    result = CliRunner(env=env).invoke(cli, [*args, "--out", str(example / "out"), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    doc = orjson.loads(result.stdout)
    assert doc["sent"] > 0 and doc["classes"], doc
    parity = doc["parity"]
    # every class found is a parity class of its shrunk case (which may show a few more),
    # named by the Kinesis operation
    assert {c["key"] for c in doc["classes"]} <= {c["key"] for c in parity["classes"]}
    operations = {op["name"] for c in parity["classes"] for op in c["operations"]}
    assert operations and all(name.startswith("Kinesis_20131202.") for name in operations), operations
    for found in doc["classes"]:  # shrunk cases are standalone requests signed like the others
        assert found["case"]["headers"]["x-amz-target"].startswith("Kinesis_20131202.")
    # a mutated case is sent on its own: the captures of the case it came from feed no later
    # step, so none can fail and turn a compared answer into an error ("no answer")
    assert all(not case["capture_errors"] for case in parity["cases"]), parity["tally"]
    assert parity["tally"]["errors"] == 0, parity["tally"]
