"""Fuzzing every user-facing parser of this layer: configs, smoke files, cases files, HAR files.

The property is the project's rule for bad input: one ConfigError with exit code 2 (never a
traceback, never another exit code), and nothing lost — parsing never alters the file, and
what the parsers accept survives a write/read round trip. Model replies and trackers are
fuzzed by their own modules (tests/review, tests/parity).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paritygate.config import load_config
from paritygate.errors import ConfigError
from paritygate.phases.smoke.plan import load_smoke
from paritygate.probe import dump_cases_jsonl, dump_cases_toml, import_har, parse_cases

FUZZ = settings(
    max_examples=int(os.environ.get("PARITYGATE_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that reaches the odd corners: control characters, surrogate-free astral text, markup.
text = st.text(
    st.characters(exclude_categories=("Cs",)) | st.sampled_from(["\n", "\x00", "\x1b", "{", "$", "/", "|"]),
    max_size=24,
)
keys = (
    st.sampled_from(
        [
            "name",
            "method",
            "path",
            "query",
            "headers",
            "json",
            "body",
            "tags",
            "command",
            "port",
            "ready",
            "env",
            "grace_period",
            "cases",
            "targets",
            "ignore",
            "arrays",
            "timeout",
            "target",
            "expect",
            "chains",
            "checks",
            "services",
            "parity",
            "smoke",
            "stack",
            "run",
            "review",
            "x",
        ]
    )
    | text
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


def _toml_safe(value: Any) -> Any:
    """TOML has no null; drop None (tomli_w refuses it)."""
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value if v is not None]
    return value


def _expect_one_config_error_or(call: Any) -> Any:
    try:
        return call()
    except ConfigError as exc:
        assert exc.exit_code == 2
        assert str(exc) and "Traceback" not in str(exc)
        return None


def _write_toml(path: Path, doc: Any) -> bytes | None:
    try:
        data = tomli_w.dumps(_toml_safe(doc)).encode()
    except (TypeError, ValueError):  # not representable in TOML at all
        return None
    path.write_bytes(data)
    return data


services = st.dictionaries(
    st.sampled_from(["a", "b", "../x", "c d", ""]) | text,
    st.fixed_dictionaries(
        {"command": st.lists(text, max_size=3)},
        optional={
            "port": st.integers(-5, 70000) | text,
            "ready": st.fixed_dictionaries({}, optional={"http": text, "tcp": st.booleans(), "log": text}),
            "grace_period": st.floats(allow_nan=True, allow_infinity=True),
            "depends_on": st.lists(st.sampled_from(["a", "b", "zz"]), max_size=2),
            "env": st.dictionaries(text, text, max_size=2),
        },
    ),
    max_size=3,
)
configs = st.fixed_dictionaries(
    {},
    optional={
        "services": services,
        "parity": st.dictionaries(keys, json_values, max_size=4)
        | st.fixed_dictionaries(
            {},
            optional={
                "ignore": st.lists(
                    st.dictionaries(st.sampled_from(["path", "header", "when", "x"]), text), max_size=2
                ),
                "arrays": st.lists(
                    st.dictionaries(st.sampled_from(["path", "mode", "key"]), text), max_size=2
                ),
                "max_body_bytes": st.integers(-1, 2**40),
            },
        ),
        "smoke": st.fixed_dictionaries(
            {},
            optional={
                "chains": st.lists(
                    st.fixed_dictionaries(
                        {"name": text},
                        optional={
                            "target": text | st.sampled_from(["http://[::1", "http://127.0.0.1:99999", "a"]),
                            "checks": st.lists(st.dictionaries(keys, json_values, max_size=5), max_size=2),
                        },
                    ),
                    max_size=2,
                )
            },
        ),
        "run": st.dictionaries(keys, json_values, max_size=2),
        "x": json_values,
    },
)


@FUZZ
@given(doc=configs)
def test_configs_and_their_smoke_chains_give_one_error_or_load(tmp_path: Path, doc: dict[str, Any]) -> None:
    path = tmp_path / "paritygate.toml"
    data = _write_toml(path, doc)
    if data is None:
        return
    loaded = _expect_one_config_error_or(lambda: load_config(path))
    if loaded is not None:
        _expect_one_config_error_or(lambda: load_smoke(loaded))
    assert path.read_bytes() == data  # nothing written to the user's file


case_tables = st.fixed_dictionaries(
    {"name": text, "method": st.sampled_from(["GET", "POST", "get", "BAD METHOD", ""]), "path": text},
    optional={
        "query": st.dictionaries(
            text, text | st.integers(-(2**70), 2**70) | st.lists(text, max_size=2), max_size=2
        ),
        "headers": st.dictionaries(text, text, max_size=2),
        "json": json_values,
        "body": text,
        "tags": st.lists(text, max_size=2),
    },
)


@FUZZ
@given(cases=st.lists(case_tables | st.dictionaries(keys, json_values, max_size=4), max_size=4))
def test_cases_files_give_one_error_or_cases_that_survive_a_round_trip(
    tmp_path: Path, cases: list[dict[str, Any]]
) -> None:
    toml_path = tmp_path / "cases.toml"
    data = _write_toml(toml_path, {"cases": cases})
    if data is not None:
        parsed = _expect_one_config_error_or(lambda: parse_cases(data.decode(), toml_path))
        if parsed:  # nothing lost: the accepted cases read back the same, in both formats
            again = parse_cases(dump_cases_toml(parsed), toml_path)
            assert [c.to_dict() for c in again] == [c.to_dict() for c in parsed]
            lines = parse_cases(dump_cases_jsonl(parsed), tmp_path / "cases.jsonl")
            assert [c.to_dict() for c in lines] == [c.to_dict() for c in parsed]
    jsonl = "".join(json.dumps(c, allow_nan=True) + "\n" for c in cases)
    _expect_one_config_error_or(lambda: parse_cases(jsonl, tmp_path / "cases.jsonl"))


@FUZZ
@given(raw=st.text(max_size=300))
def test_arbitrary_text_as_a_cases_file_gives_one_error_or_cases(tmp_path: Path, raw: str) -> None:
    for name in ("cases.toml", "cases.jsonl"):
        _expect_one_config_error_or(lambda name=name: parse_cases(raw, tmp_path / name))


har_requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "PUT", "X Y", ""]) | text,
        "url": st.sampled_from(["http://h/p?q=1", "https://h", "ws://h/s", "h/relative", "http://[::1"])
        | text,
    },
    optional={
        "headers": st.lists(st.fixed_dictionaries({"name": text, "value": text}) | json_values, max_size=3),
        "queryString": st.lists(st.fixed_dictionaries({"name": text, "value": text}), max_size=2),
        "postData": st.fixed_dictionaries({}, optional={"mimeType": text, "text": text}) | json_values,
    },
)
hars = (
    st.fixed_dictionaries(
        {
            "log": st.fixed_dictionaries(
                {
                    "entries": st.lists(
                        st.fixed_dictionaries({"request": har_requests}) | json_values, max_size=3
                    )
                }
            )
        }
    )
    | json_values
)


@FUZZ
@given(doc=hars)
def test_har_files_give_one_error_or_cases_a_cases_file_can_hold(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "capture.har"
    data = json.dumps(doc).encode()
    path.write_bytes(data)
    imported = _expect_one_config_error_or(lambda: import_har(path))
    assert path.read_bytes() == data
    if imported is not None and imported.cases:
        # what an import writes (`parity import-har`) must read back as the same cases
        again = parse_cases(dump_cases_toml(imported.cases), tmp_path / "cases.toml")
        assert [c.to_dict() for c in again] == [c.to_dict() for c in imported.cases]
