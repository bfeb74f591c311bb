"""A/A calibration on a real stateful pair: twins, safe repeats, flaky cases, pasted suggestions.

The pair is tests/parity/things_server.py in two styles, started by paritygate's own stack
with a twin of each (``Stack(twins=...)``, ``{instance}`` in the data file's name).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paritygate.config import LoadedConfig, load_config
from paritygate.config.phases import AssessConfig
from paritygate.core.models import Endpoint, FindingKind, PhaseResult
from paritygate.errors import StackError
from paritygate.phases.assess import ReasonLevel, VerdictKind, assess
from paritygate.phases.parity import run_parity
from paritygate.stack import Stack

SERVER = Path(__file__).with_name("things_server.py")

SERVICE = """
[services.{name}]
command = ["{{python}}", "{server}", "--style", "{name}", "--port", "{{port}}", "--data", "{{config_dir}}/{name}-{data}.json"]
port = 0
ready = {{ http = "/health", status = 200 }}
deadline = 20.0
grace_period = 2.0
"""

PARITY = """
[parity]
cases = "cases.toml"
targets = ["a", "b"]
concurrency = 1
"""

CASES = """
[[cases]]
name = "create"
method = "POST"
path = "/things"
json = { name = "alpha" }

[[cases]]
name = "list"
method = "GET"
path = "/things"

[[cases]]
name = "count"
method = "GET"
path = "/things/count"

[[cases]]
name = "delete"
method = "DELETE"
path = "/things/1"

[[cases]]
name = "count_after"
method = "GET"
path = "/things/count"
"""


def write_project(
    directory: Path, *, data: str = "{instance}", extra: str = "", cases: str = CASES
) -> LoadedConfig:
    directory.mkdir(parents=True, exist_ok=True)
    services = "".join(SERVICE.format(name=n, server=SERVER, data=data) for n in ("a", "b"))
    (directory / "paritygate.toml").write_text(
        'name = "things"\n' + services + PARITY + extra, encoding="utf-8"
    )
    (directory / "cases.toml").write_text(cases, encoding="utf-8")
    return load_config(directory / "paritygate.toml")


@pytest.fixture(scope="module")
def things(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoadedConfig, dict[str, Endpoint]]]:
    loaded = write_project(tmp_path_factory.mktemp("things"))
    stack = Stack(loaded, state_dir=loaded.config_dir / ".paritygate", twins=["a", "b"])
    try:
        yield loaded, stack.up()
    finally:
        stack.down()


def reset(endpoints: dict[str, Endpoint]) -> None:
    for endpoint in endpoints.values():
        httpx.post(f"{endpoint.base_url}/reset", timeout=30).raise_for_status()


def probe(loaded: LoadedConfig, endpoints: dict[str, Endpoint], **options: Any) -> PhaseResult:
    reset(endpoints)
    return run_parity(loaded, endpoints, **options)


def learned(doc: dict[str, Any], target: str) -> set[str]:
    return {n["path"] for n in doc["noise"] if n["target"] == target}


def differences(doc: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (case["name"], f"{pair['left']}~{pair['right']}", d["path"], d["kind"])
        for case in doc["cases"]
        for pair in case["pairs"]
        for d in pair["differences"]
    }


def test_twins_learn_the_clock_and_the_instance_id_never_the_state(
    things: tuple[LoadedConfig, dict[str, Endpoint]],
) -> None:
    loaded, endpoints = things
    doc = probe(loaded, endpoints, noise="twin").json_data
    assert doc["calibration"]["mode"] == "twins"
    assert doc["calibration"]["twins"] == {"a": "a~twin", "b": "b~twin"}
    assert doc["calibration"]["text"].startswith("twins (a ~ a~twin, b ~ b~twin)")
    # only what differs between two instances of one implementation: clock and instance id
    assert learned(doc, "b") == {"$.instance", "$.created", "$.at"}
    assert learned(doc, "a") == {"$.instance", "$.created", "$.at", "$.trace"}
    assert all(n["source"] == "twins" for n in doc["noise"])
    assert not any("count" in n["path"] or "items" in n["path"] for n in doc["noise"])
    instance = next(n for n in doc["noise"] if n["target"] == "b" and n["operation"] == "GET /things/count")
    assert instance["kind"] == "uuid" and instance["observations"] == 2 and instance["excused"] == 2
    cases = {c["name"]: c for c in doc["cases"]}
    assert [cases[n]["outcome"] for n in ("list", "count", "delete", "count_after")] == ["match"] * 4
    # a random field one implementation has and the other lacks stays a shape divergence
    create = {(d["path"], d["kind"]) for d in cases["create"]["pairs"][0]["differences"]}
    assert create == {("$.trace", "missing"), ("$.kind", "value")}
    assert cases["create"]["outcome"] == "shape"
    assert doc["flaky"] == []


def test_repeats_skip_unsafe_cases_and_say_so(things: tuple[LoadedConfig, dict[str, Endpoint]]) -> None:
    loaded, endpoints = things
    primaries = {n: e for n, e in endpoints.items() if "~" not in n}
    doc = probe(loaded, primaries, noise_runs=2).json_data
    calibration = doc["calibration"]
    assert (calibration["mode"], calibration["repeated_cases"], calibration["unrepeated_cases"]) == (
        "repeats",
        3,
        2,
    )
    assert "2 stateful case(s) not calibrated (unsafe to repeat)" in calibration["text"]
    assert {c["name"]: c["repeated"] for c in doc["cases"]} == {
        "create": 0, "list": 2, "count": 2, "delete": 0, "count_after": 2,
    }  # fmt: skip
    # the GETs were repeated right after themselves: the count is not noise
    assert not any("count" in n["path"] or "items" in n["path"] for n in doc["noise"])
    assert {n["operation"] for n in doc["noise"]} <= {"GET /things", "GET /things/count"}


def test_a_status_that_flips_between_repeats_is_flaky(
    tmp_path: Path, things: tuple[LoadedConfig, dict[str, Endpoint]]
) -> None:
    _, endpoints = things
    flip = '[[cases]]\nname = "flip"\nmethod = "GET"\npath = "/flip"\n'
    loaded = write_project(tmp_path / "flip", cases=flip)
    primaries = {n: e for n, e in endpoints.items() if "~" not in n}
    result = probe(loaded, primaries, noise_runs=2)
    flaky = result.json_data["flaky"]
    assert {(f["case"], f["target"], tuple(f["statuses"])) for f in flaky} == {
        ("flip", "a", (200, 400, 400)),
        ("flip", "b", (200, 400, 400)),
    }
    assert result.json_data["cases"][0]["flaky"]  # reported with the case, never dropped
    assert [f.evidence for f in result.findings if f.kind is FindingKind.FLAKY] == ["flip", "flip"]
    noticed = [r for r in assess([result], AssessConfig()).reasons if r.kind == "flaky"]
    assert len(noticed) == 2 and all(r.level is ReasonLevel.NOTICE for r in noticed)
    assert "200 then 400 then 400" in noticed[0].message
    blocked = assess([result], AssessConfig(block_on_flaky=True))
    assert blocked.verdict is VerdictKind.BLOCK
    assert any(r.kind == "flaky" and r.level is ReasonLevel.BLOCK for r in blocked.reasons)


def _near_second_boundary() -> None:
    """Sleep until 0.95 s past a whole second, so a run's timestamps straddle a boundary."""
    time.sleep((0.95 - time.time() % 1.0) % 1.0)


def test_class_keys_are_identical_across_ten_runs_with_twins(
    things: tuple[LoadedConfig, dict[str, Endpoint]],
) -> None:
    loaded, endpoints = things
    keys: list[list[str]] = []
    for n in range(10):
        if n % 2:
            _near_second_boundary()
        doc = probe(loaded, endpoints, noise="twin").json_data
        keys.append(sorted(c["key"] for c in doc["classes"]))
    assert keys[0] and all(k == keys[0] for k in keys)


def test_pasting_every_suggestion_keeps_every_real_divergence(
    tmp_path: Path, things: tuple[LoadedConfig, dict[str, Endpoint]]
) -> None:
    loaded, endpoints = things
    first = probe(loaded, endpoints, noise="twin").json_data
    real = differences(first)
    assert real  # the pair does diverge
    rules = "\n".join(s["rule"] for s in first["suggestions"])
    assert "[[parity.ignore]]" not in rules  # typed matchers, never blanket ignores
    assert 'kind = "timestamp"' in rules and 'kind = "uuid"' in rules
    pasted = write_project(tmp_path / "pasted", extra="\n" + rules + "\n")
    primaries = {n: e for n, e in endpoints.items() if "~" not in n}
    second = probe(pasted, primaries).json_data
    assert second["calibration"]["text"] == "none — noise not measured"
    assert real <= differences(second)
    assert second["matchers_excused"]  # the pasted matchers did excuse the clock and the ids


def test_twins_need_their_own_state_through_instance(tmp_path: Path) -> None:
    loaded = write_project(tmp_path / "shared", data="shared")
    stack = Stack(loaded, state_dir=tmp_path / "state", twins=["a"])
    with pytest.raises(StackError, match="is in use by another instance"):  # primary or twin: whichever lost
        stack.up()
    stack.down()


def test_external_twins_from_the_command_line(
    tmp_path: Path, things: tuple[LoadedConfig, dict[str, Endpoint]]
) -> None:
    from click.testing import CliRunner

    from paritygate.cli.main import cli

    loaded, endpoints = things
    reset(endpoints)
    base = ["parity", "--config", str(loaded.path), "--noise", "twin", "--out", str(tmp_path / "out")]
    targets = [arg for n in ("a", "b") for arg in ("--target", f"{n}={endpoints[n].base_url}")]
    twins = [arg for n in ("a", "b") for arg in ("--twin", f"{n}={endpoints[n + '~twin'].base_url}")]
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "160"}).invoke(cli, [*base, *targets, *twins])
    assert result.exit_code == 1, result.output  # the real divergences are new
    assert "calibration: twins (a ~ a~twin, b ~ b~twin)" in result.stdout
    missing = CliRunner().invoke(cli, [*base, *targets])
    assert missing.exit_code == 2 and "needs a twin of every target" in missing.output
