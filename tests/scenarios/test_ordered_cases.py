"""Order is never a race: the default run of a stateful file equals a plain sequential loop."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.core.models import Endpoint
from paritygate.errors import ConfigError
from paritygate.phases.parity import run_parity
from paritygate.probe import load_cases
from paritygate.reports.parity_report import order_line

# 20 cases whose answers depend on the ones before: more than the default concurrency of 16
STEPS = [("POST", "/things", f"thing-{i}") for i in range(6)]
STEPS += [("GET", "/things/3", None), ("GET", "/things", None), ("DELETE", "/things/3", None)]
STEPS += [("GET", "/things/3", None), ("DELETE", "/things/3", None), ("GET", "/things", None)]
STEPS += [("POST", "/things", "late"), ("GET", "/things/7", None), ("DELETE", "/things/1", None)]
STEPS += [("DELETE", "/things/2", None), ("GET", "/things", None), ("GET", "/things/1", None)]
STEPS += [("DELETE", "/things/7", None), ("GET", "/things", None)]


def _cases_toml() -> str:
    out = []
    for i, (method, path, name) in enumerate(STEPS):
        out.append(f'[[cases]]\nname = "c{i:02d}"\nmethod = "{method}"\npath = "{path}"\n')
        if name is not None:
            out.append(f'json = {{ name = "{name}" }}\n')
    return "\n".join(out)


def _project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "cases.toml").write_text(_cases_toml(), encoding="utf-8")
    config = f'name = "things"\n[parity]\ncases = "cases.toml"\n{extra}'
    (tmp_path / "paritygate.toml").write_text(config, encoding="utf-8")
    return tmp_path / "paritygate.toml"


def _reset(endpoints: dict[str, Endpoint]) -> None:
    for e in endpoints.values():
        assert httpx.post(e.base_url + "/reset", trust_env=False).status_code == 204


def _plain_sequential_loop(cases_path: Path, base_url: str) -> list[tuple[int, object]]:
    answers = []
    with httpx.Client(base_url=base_url, trust_env=False) as client:
        for case in load_cases(cases_path):
            r = client.request(case.method, case.path, headers=case.request_headers(), content=case.content())
            answers.append((r.status_code, orjson.loads(r.content) if r.content else ""))
    return answers


def test_default_order_gives_exactly_the_answers_of_a_sequential_loop(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    pair = {n: stateful[n] for n in ("counter", "counter-2")}
    config = _project(tmp_path)
    _reset(pair)
    expected = _plain_sequential_loop(tmp_path / "cases.toml", pair["counter"].base_url)
    _reset(pair)
    result = run_parity(load_config(config), pair)  # default settings: concurrency 16
    doc = result.data.to_json()  # type: ignore[union-attr]
    assert doc["order"]["mode"] == "lockstep"
    for name in pair:
        got = [(c["targets"][name]["status"], c["targets"][name]["body"]) for c in doc["cases"]]
        assert got == expected
    assert doc["tally"]["match"] == len(STEPS)
    assert not result.findings


def test_parallel_order_with_unsafe_methods_is_refused_with_exit_2(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    config = _project(tmp_path, 'order = "parallel"\n')
    with pytest.raises(ConfigError, match=r'order: "parallel" would send 12 DELETE and POST case\(s\)'):
        run_parity(load_config(config), {n: stateful[n] for n in ("counter", "counter-2")})
    targets = [f"--target={n}={stateful[n].base_url}" for n in ("counter", "counter-2")]
    result = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "300"}).invoke(
        cli, ["parity", "--config", str(config), "--out", str(tmp_path / "out"), *targets]
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "unsafe_parallel = true" in lines[0] and "race" in lines[0]


def test_parallel_order_runs_when_the_user_accepts_the_races(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    pair = {n: stateful[n] for n in ("counter", "counter-2")}
    config = _project(tmp_path, 'order = "parallel"\nunsafe_parallel = true\n')
    _reset(pair)
    doc = run_parity(load_config(config), pair).data.to_json()  # type: ignore[union-attr]
    assert doc["order"] == {
        "mode": "parallel",
        "sequences": len(STEPS),
        "scenarios": 0,
        "concurrency": 16,
        "in_flight": min(len(STEPS), 16),
        "in_flight_note": "",
    }
    assert len(doc["cases"]) == len(STEPS)


def test_past_16_the_report_says_how_many_were_in_flight_and_why(
    tmp_path: Path, stateful: dict[str, Endpoint]
) -> None:
    """20 cases are too few to measure whether more than 16 in flight pays: 16 went at
    once, and the report says so rather than claim the 64 asked for."""
    pair = {n: stateful[n] for n in ("counter", "counter-2")}
    config = _project(tmp_path, 'order = "parallel"\nunsafe_parallel = true\nconcurrency = 64\n')
    _reset(pair)
    doc = run_parity(load_config(config), pair).data
    assert doc is not None
    note = "16 in flight: the run ended before more was measured"
    assert (doc.order.concurrency, doc.order.in_flight, doc.order.in_flight_note) == (64, 16, note)
    assert order_line(doc) == f"Order: parallel (up to 64 independent cases at once; {note})"
