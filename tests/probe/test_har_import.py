from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from paritygate.errors import ConfigError
from paritygate.probe.cases import load_cases
from paritygate.probe.har import import_har


def header(name: str, value: str) -> dict[str, str]:
    return {"name": name, "value": value}


def entry(request: dict[str, Any]) -> dict[str, Any]:
    # the response and timings a browser export carries; the importer ignores them
    return {
        "startedDateTime": "2026-05-02T08:59:17.000Z",
        "time": 12.5,
        "request": {"httpVersion": "HTTP/1.1", "cookies": [], "headersSize": -1, "bodySize": -1, **request},
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [],
            "content": {"size": 0, "mimeType": "x"},
        },
        "cache": {},
        "timings": {"send": 0, "wait": 10, "receive": 2.5},
    }


def realistic_har() -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "Firefox", "version": "140.0"},
            "pages": [],
            "entries": [
                entry(
                    {
                        "method": "POST",
                        "url": "https://validatord.example.test:3100/v1/validate?dry_run=1&tag=a&tag=b",
                        "headers": [
                            header("Host", "validatord.example.test:3100"),
                            header("Connection", "keep-alive, X-Trace-Hop"),
                            header("X-Trace-Hop", "1"),
                            header("Keep-Alive", "timeout=5"),
                            header("Content-Length", "74"),
                            header("Transfer-Encoding", "chunked"),
                            header("TE", "trailers"),
                            header("Upgrade", "h2c"),
                            header("Proxy-Connection", "keep-alive"),
                            header("Authorization", "Bearer s3cr3t"),
                            header("Cookie", "session=abc"),
                            header("X-API-Key", "k-123"),
                            header("Content-Type", "application/json; charset=utf-8"),
                            header("Accept", "application/json"),
                            header("X-Request-Source", "ui"),
                        ],
                        "queryString": [
                            {"name": "dry_run", "value": "1"},
                            {"name": "tag", "value": "a"},
                            {"name": "tag", "value": "b"},
                        ],
                        "postData": {
                            "mimeType": "application/json; charset=utf-8",
                            "text": '{"kind": "playbook", "artifact": {"fingerprint": null, "note": "héllo"}}',
                        },
                    }
                ),
                entry(
                    {
                        "method": "put",
                        "url": "http://127.0.0.1:3100/v1/notes",
                        "headers": [header(":authority", "127.0.0.1:3100"), header("Accept", "*/*")],
                        "queryString": [],
                        "postData": {"mimeType": "text/plain", "text": "line one\nline two | pipe"},
                    }
                ),
                entry({"method": "GET", "url": "data:text/plain,hello", "headers": [], "queryString": []}),
                entry(
                    {
                        "method": "POST",
                        "url": "http://127.0.0.1:3100/v1/validate",
                        "headers": [],
                        "queryString": [],
                        "postData": {
                            "mimeType": "application/x-www-form-urlencoded",
                            "params": [{"name": "a", "value": "1 2"}, {"name": "b", "value": "&"}],
                        },
                    }
                ),
            ],
        }
    }


def write_har(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "capture.har"
    path.write_bytes(orjson.dumps(doc))
    return path


def test_realistic_har_drops_auth_and_hop_by_hop_headers(tmp_path: Path) -> None:
    result = import_har(write_har(tmp_path, realistic_har()))
    first, second, third = result.cases
    assert first.name == "post_v1_validate"
    assert first.method == "POST" and first.path == "/v1/validate"
    assert first.query == {"dry_run": ["1"], "tag": ["a", "b"]}
    assert first.headers == {
        "content-type": "application/json; charset=utf-8",
        "accept": "application/json",
        "x-request-source": "ui",
    }
    assert first.has_json and first.json == {
        "kind": "playbook",
        "artifact": {"fingerprint": None, "note": "héllo"},
    }
    assert second.method == "PUT" and second.body == "line one\nline two | pipe"
    assert second.headers == {"accept": "*/*", "content-type": "text/plain"}
    assert third.name == "post_v1_validate_2"
    assert third.body == "a=1+2&b=%26"
    assert third.headers == {"content-type": "application/x-www-form-urlencoded"}
    for name in (
        "authorization",
        "cookie",
        "x-api-key",
        "host",
        "connection",
        "x-trace-hop",
        "te",
        ":authority",
    ):
        assert result.dropped_headers[name] == 1, name
    assert result.skipped == ["log.entries[2]: data: URL is not an HTTP request"]


def test_keep_flags_keep_what_they_say(tmp_path: Path) -> None:
    path = write_har(tmp_path, realistic_har())
    auth = import_har(path, keep_auth=True).cases[0].headers
    assert auth["authorization"] == "Bearer s3cr3t" and auth["cookie"] == "session=abc"
    assert "connection" not in auth
    hop = import_har(path, keep_hop_by_hop=True).cases[0].headers
    assert hop["connection"] == "keep-alive, X-Trace-Hop" and hop["content-length"] == "74"
    assert "authorization" not in hop


def test_imported_cases_survive_a_toml_round_trip(tmp_path: Path) -> None:
    from paritygate.probe.cases import dump_cases_toml

    cases = import_har(write_har(tmp_path, realistic_har())).cases
    out = tmp_path / "cases.toml"
    out.write_text(dump_cases_toml(cases, comment="imported"), encoding="utf-8")
    back = load_cases(out)
    assert [c.name for c in back] == [c.name for c in cases]
    # TOML has no null: the JSON body comes back as its exact JSON text
    assert orjson.loads(back[0].content() or b"") == cases[0].json
    assert back[1].content() == cases[1].content()


def broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = realistic_har()
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            ("log", "entries", 1, "request", "url"),
            KeyError,
            "log.entries[1].request.url: required key is missing",
            id="missing-url",
        ),
        pytest.param(
            ("log", "entries", 0, "request", "method"),
            7,
            "log.entries[0].request.method: expected string, got integer",
            id="method-type",
        ),
        pytest.param(
            ("log", "entries", 3, "request", "headers"),
            [{"name": "x"}],
            "log.entries[3].request.headers[0].value: required key is missing",
            id="header-value",
        ),
        pytest.param(
            ("log", "entries", 1, "request", "url"),
            "/relative",
            "log.entries[1].request.url: expected an absolute URL",
            id="relative-url",
        ),
        pytest.param(("log", "entries"), {}, "log.entries: expected array, got table", id="entries-type"),
        pytest.param(("log",), KeyError, "log: required key is missing", id="no-log"),
    ],
)
def test_malformed_har_names_the_entry_and_key(
    tmp_path: Path, path: tuple[Any, ...], value: Any, expected: str
) -> None:
    doc = broken(path, value)
    with pytest.raises(ConfigError) as info:
        import_har(write_har(tmp_path, doc))
    assert "capture.har" in str(info.value)
    assert expected in str(info.value)


def test_har_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "capture.har"
    path.write_text('{\n  "log": {\n    "entries": [,]\n  }\n}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        import_har(path)
    assert info.value.line == 3
    assert "not valid JSON" in str(info.value)


def test_har_without_http_requests_is_an_error(tmp_path: Path) -> None:
    doc = {"log": {"entries": [entry({"method": "GET", "url": "data:,x", "headers": []})]}}
    with pytest.raises(ConfigError, match="no HTTP request in the capture"):
        import_har(write_har(tmp_path, doc))


def test_a_post_data_mime_type_a_header_cannot_carry_is_not_made_a_header(tmp_path: Path) -> None:
    # found by tests/hardening/test_fuzz_parsers.py: mimeType 'Ā' became a content-type the
    # cases file then refused (non-Latin-1)
    har = {
        "log": {
            "entries": [
                entry({"method": "GET", "url": "http://h/p?q=1", "postData": {"mimeType": "Ā", "text": ""}})
            ]
        }
    }
    path = tmp_path / "capture.har"
    path.write_bytes(orjson.dumps(har))
    (case,) = import_har(path).cases
    assert "content-type" not in {k.lower() for k in case.headers}
