from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from paritygate.errors import ConfigError
from paritygate.probe.cases import dump_cases_jsonl, dump_cases_toml, load_cases

GOOD = """\
# two cases
[[cases]]
name = "happy"
method = "post"
path = "/v1/validate"
query = { page = 2, tag = ["a", "b"] }
headers = { accept = "application/json" }
json = { kind = "playbook", artifact = { endorsed_names = ["W-1001"] } }
tags = ["playbook"]

[[cases]]
name = "raw"
method = "PUT"
path = "/v1/raw"
body = "not json at all"

[cases.headers]
content-type = "text/plain"
"""


def write(tmp_path: Path, text: str, name: str = "cases.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_toml_cases_are_read_with_every_field(tmp_path: Path) -> None:
    happy, raw = load_cases(write(tmp_path, GOOD))
    assert happy.name == "happy"
    assert happy.method == "POST"
    assert happy.query == {"page": ["2"], "tag": ["a", "b"]}
    assert happy.request_headers() == {"accept": "application/json", "content-type": "application/json"}
    assert orjson.loads(happy.content() or b"") == {
        "kind": "playbook",
        "artifact": {"endorsed_names": ["W-1001"]},
    }
    assert happy.tags == ["playbook"]
    assert happy.source.endswith("cases.toml:2")
    assert happy.endpoint == "POST /v1/validate"
    assert raw.content() == b"not json at all"
    assert raw.request_headers() == {"content-type": "text/plain"}
    assert raw.source.endswith("cases.toml:11")


def test_jsonl_cases_are_read_and_null_json_is_a_body(tmp_path: Path) -> None:
    lines = [
        {"name": "a", "method": "GET", "path": "/health"},
        {"name": "b", "method": "POST", "path": "/x", "json": None},
    ]
    text = "\n".join(orjson.dumps(x).decode() for x in lines) + "\n\n"
    a, b = load_cases(write(tmp_path, text, "cases.jsonl"))
    assert a.content() is None
    assert b.has_json and b.content() == b"null"


@pytest.mark.parametrize(
    ("snippet", "line", "expected"),
    [
        pytest.param(
            "jsn = {a = 1}",
            16,
            "cases[1].jsn: unknown key (did you mean 'json'?) in case 'raw'",
            id="unknown-key",
        ),
        pytest.param(
            'tags = "x"', 16, "cases[1].tags: expected array, got string in case 'raw'", id="wrong-type"
        ),
        pytest.param(
            "json = {a = 1}",
            15,
            "give at most one of json, body, body_base64, body_file (got json, body)",
            id="json-and-body",
        ),
    ],
)
def test_bad_case_names_file_line_case_and_key(
    tmp_path: Path, snippet: str, line: int, expected: str
) -> None:
    text = GOOD.replace('body = "not json at all"', f'body = "not json at all"\n{snippet}')
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_cases(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)
    assert info.value.line == line


def test_wrong_type_points_at_the_key_line(tmp_path: Path) -> None:
    text = GOOD.replace('method = "PUT"', "method = 5")
    with pytest.raises(ConfigError) as info:
        load_cases(write(tmp_path, text))
    assert info.value.line == 13
    assert "cases[1].method: expected string, got integer" in str(info.value)


def test_duplicate_names_are_rejected_naming_both_lines(tmp_path: Path) -> None:
    text = GOOD.replace('name = "raw"', 'name = "happy"')
    with pytest.raises(ConfigError) as info:
        load_cases(write(tmp_path, text))
    assert "duplicate case name 'happy' (first defined at line 2)" in str(info.value)
    assert info.value.line == 11


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '[[cases]]\nname = "a"\nmethod = "GET"\npath = "v1"\n',
            "expected a path starting with '/'",
            id="path",
        ),
        pytest.param(
            '[[cases]]\nname = "a"\nmethod = "GET"\npath = "/v?a=1"\n', "put the query string in", id="query"
        ),
        pytest.param(
            '[[cases]]\nname = "a"\nmethod = "G T"\npath = "/"\n', "expected an HTTP method", id="method"
        ),
        pytest.param(
            '[[cases]]\nname = "a"\npath = "/"\n', "cases[0].method: required key is missing", id="missing"
        ),
        pytest.param('[[case]]\nname = "a"\n', "unknown top-level key", id="top-level"),
        pytest.param("", "no [[cases]] or [[scenarios]] found", id="empty"),
        pytest.param("[[cases]\n", "invalid TOML", id="toml-syntax"),
    ],
)
def test_malformed_toml_cases(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=r"cases\.toml") as info:
        load_cases(write(tmp_path, text))
    assert expected in str(info.value)


def test_malformed_jsonl_names_the_line(tmp_path: Path) -> None:
    text = '{"name": "a", "method": "GET", "path": "/"}\n{"name": "b",\n'
    with pytest.raises(ConfigError) as info:
        load_cases(write(tmp_path, text, "cases.jsonl"))
    assert info.value.line == 2
    assert "invalid JSON" in str(info.value)


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"expected \.toml or \.jsonl"):
        load_cases(write(tmp_path, "x", "cases.yaml"))
    with pytest.raises(ConfigError, match="cannot read cases file"):
        load_cases(tmp_path / "absent.toml")


def test_dump_round_trips_through_toml_and_jsonl(tmp_path: Path) -> None:
    cases = load_cases(write(tmp_path, GOOD))
    again = load_cases(write(tmp_path, dump_cases_toml(cases, comment="generated\nby a test"), "again.toml"))
    lines = load_cases(write(tmp_path, dump_cases_jsonl(cases), "again.jsonl"))
    for copy in (again, lines):
        assert [c.to_dict() for c in copy] == [c.to_dict() for c in cases]


def test_toml_dump_keeps_a_json_null_as_raw_text(tmp_path: Path) -> None:
    cases = load_cases(
        write(tmp_path, '{"name": "n", "method": "POST", "path": "/", "json": {"a": null}}\n', "c.jsonl")
    )
    (back,) = load_cases(write(tmp_path, dump_cases_toml(cases), "back.toml"))
    assert back.body == '{"a":null}'
    assert back.request_headers()["content-type"] == "application/json"
