"""Fuzzing a pair that diverges only for inputs with one property: found and shrunk to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from pair_helpers import fuzz_json, serving

from paritygate.cli.main import cli
from paritygate.probe import load_cases

CASES = """
[[cases]]
name = "create"
method = "POST"
path = "/items"
json = { name = "ab", count = 3, tags = ["x"] }
"""

CONFIG = """
name = "pair"
[parity]
cases = "cases.toml"
"""


def _handler(strict: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = None
            status, answer = 200, {"ok": True}
            if strict and isinstance(body, dict):
                name, count = body.get("name"), body.get("count")
                if isinstance(name, str) and len(name) > 64:
                    answer = {"ok": True, "name": name[:64]}  # the strict one truncates long names
                if isinstance(count, int) and not isinstance(count, bool) and count < 0:
                    status, answer = 400, {"ok": False}  # ... and refuses negative counts
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def pair() -> Iterator[list[str]]:
    with serving({"lenient": _handler(False), "strict": _handler(True)}) as targets:
        yield targets


def _project(tmp_path: Path) -> Path:
    (tmp_path / "cases.toml").write_text(CASES, encoding="utf-8")
    (tmp_path / "paritygate.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "paritygate.toml"


def _fuzz(config: Path, pair: list[str], out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    return fuzz_json(config, pair, out, *extra)


def _by_key(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["key"]: c["case"] for c in doc["classes"]}


def test_both_properties_are_found_within_the_default_budget_and_shrunk_to_a_minimal_request(
    tmp_path: Path, pair: list[str]
) -> None:
    code, doc = _fuzz(_project(tmp_path), pair, tmp_path / "out")
    assert code == 1  # new classes, not in the (absent) tracker
    classes = _by_key(doc)
    assert set(classes) == {"status·200~400", "shape·missing·$.name"}, classes
    long_name = classes["shape·missing·$.name"]["json"]
    assert len(long_name["name"]) == 65  # the shortest string that still diverges
    assert long_name["count"] == 3 and long_name["tags"] == ["x"]  # the rest is the original case
    negative = classes["status·200~400"]["json"]
    assert negative["count"] == -1 and negative["name"] == "ab"
    # the report is a parity document of the shrunk cases: the same classes, as parity names them
    parity = orjson.loads((tmp_path / "out" / "parity.json").read_bytes())
    assert sorted(c["key"] for c in parity["classes"]) == sorted(classes)


def test_same_seed_same_targets_give_the_same_classes_and_shrunk_cases(
    tmp_path: Path, pair: list[str]
) -> None:
    config = _project(tmp_path)
    _, first = _fuzz(config, pair, tmp_path / "a", "--seed", "7", "--max-examples", "60")
    _, second = _fuzz(config, pair, tmp_path / "b", "--seed", "7", "--max-examples", "60")
    assert first["classes"] == second["classes"] and first["sent"] == second["sent"]


def test_save_cases_appends_new_cases_and_keeps_what_the_file_holds(tmp_path: Path, pair: list[str]) -> None:
    config = _project(tmp_path)
    saved = tmp_path / "regressions.toml"
    saved.write_text(CASES, encoding="utf-8")
    _fuzz(config, pair, tmp_path / "a", "--save-cases", str(saved))
    cases = load_cases(saved)
    assert cases[0].name == "create" and len(cases) == 3
    assert all("fuzz" in c.tags for c in cases[1:])
    _fuzz(config, pair, tmp_path / "b", "--save-cases", str(saved))
    assert len(load_cases(saved)) == 3  # the same classes again: nothing appended twice


def test_a_bad_cases_file_is_exit_2_before_anything_is_sent(tmp_path: Path, pair: list[str]) -> None:
    config = _project(tmp_path)
    (tmp_path / "cases.toml").write_text("[[cases]]\nname = 1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fuzz", "--config", str(config), *pair])
    assert result.exit_code == 2 and "cases.toml" in result.stderr
