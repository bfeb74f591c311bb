"""Operation identity: method + route template + naming query keys, or an RPC name."""

from __future__ import annotations

from pathlib import Path

import pytest

from paritygate.config.phases import OperationRule
from paritygate.errors import ConfigError
from paritygate.probe import Case, parse_cases
from paritygate.probe.operation import is_id_like, operation_name, request_summary


def case(path: str, method: str = "GET", **kw: object) -> Case:
    return Case(name="c", method=method, path=path, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users/1", "GET /users/{id}"),
        ("/users/2", "GET /users/{id}"),
        ("/users", "GET /users"),
        ("/users/0b6f5b6e-3b1a-4c4e-9a57-2f1d7c2b9f10/posts/17", "GET /users/{id}/posts/{id}"),
        ("/blobs/9f86d081884c7d659a2feaa0c55ad015", "GET /blobs/{id}"),
        ("/iter/AAAAAAAAAAHk4Vq0bzQ9Xl2f1c3Rp7Wm", "GET /iter/{id}"),
        ("/v1/validate", "GET /v1/validate"),
        ("/my-bucket-2024-backups-archive", "GET /my-bucket-2024-backups-archive"),
        ("/", "GET /"),
    ],
)
def test_id_like_segments_are_templated(path: str, expected: str) -> None:
    assert operation_name(case(path)) == expected


def test_an_explicit_route_wins() -> None:
    assert operation_name(case("/photos/cat.jpg", route="/photos/{key}")) == "GET /photos/{key}"


def test_query_subresources_name_the_operation() -> None:
    def op(query: dict[str, list[str]], method: str = "GET", path: str = "/bucket") -> str:
        return operation_name(case(path, method, query=query))

    assert op({}) == "GET /bucket"
    assert op({"location": [""]}) == "GET /bucket?location"
    assert op({"uploads": [""]}, "POST", "/bucket/key") == "POST /bucket/key?uploads"
    assert op({"list-type": ["2"], "prefix": ["photos/"]}) == "GET /bucket?list-type=2"
    assert op({"uploadId": ["VXBsb2FkSWQgZm9yIDZhYmM3ZGVmZ2hp"], "partNumber": ["1"]}, "PUT", "/b/k") == (
        "PUT /b/k?uploadId"
    )
    assert op({"Action": ["ListQueues"]}, "POST", "/") == "POST /?Action=ListQueues"
    six = {op({k: [""]}) for k in ("location", "versioning", "acl", "policy", "tagging", "cors")}
    assert len(six) == 6
    # which keys name an operation is configurable
    assert operation_name(case("/b", query={"mode": ["x"]}), OperationRule(query=["mode"])) == "GET /b?mode=x"
    assert operation_name(case("/b", query={"location": [""]}), OperationRule(query=[])) == "GET /b"


def test_rpc_names_come_from_a_header_or_a_json_field() -> None:
    by_header = OperationRule.model_validate({"header": "x-amz-target"})
    kinesis = case("/", "POST", headers={"X-Amz-Target": "Kinesis_20131202.CreateStream"})
    assert operation_name(kinesis, by_header) == "Kinesis_20131202.CreateStream"
    assert operation_name(case("/", "POST"), by_header) == "POST /"  # no header: method and route
    by_json = OperationRule.model_validate({"json": "$.method"})
    rpc = case("/rpc", "POST", json={"jsonrpc": "2.0", "method": "eth_getBalance", "id": 1}, has_json=True)
    assert operation_name(rpc, by_json) == "eth_getBalance"
    gql = OperationRule.model_validate({"json": "$.operationName"})
    raw = case("/graphql", "POST", body='{"operationName": "GetUser", "query": "..."}')
    assert operation_name(raw, gql) == "GetUser"
    summary = request_summary(kinesis, by_header)
    assert summary == {
        "method": "POST",
        "path": "/",
        "headers": {"x-amz-target": "Kinesis_20131202.CreateStream"},
    }


def test_operation_rule_is_validated() -> None:
    with pytest.raises(ValueError, match="not both"):
        OperationRule.model_validate({"header": "x", "json": "$.m"})
    with pytest.raises(ValueError, match="not a valid path"):
        OperationRule.model_validate({"json": "method"})


def test_is_id_like() -> None:
    assert is_id_like("42") and is_id_like("deadbeefdeadbeef00") and not is_id_like("users")
    assert not is_id_like("averyveryverylongwordwithoutdigits")


def test_a_route_must_fit_its_path(tmp_path: Path) -> None:
    file = tmp_path / "cases.toml"
    good = '[[cases]]\nname = "u"\nmethod = "GET"\npath = "/users/7"\nroute = "/users/{id}"\n'
    assert parse_cases(good, file)[0].route == "/users/{id}"
    bad = '[[cases]]\nname = "u"\nmethod = "GET"\npath = "/users/7"\nroute = "/accounts/{id}"\n'
    with pytest.raises(ConfigError) as info:
        parse_cases(bad, file)
    text = str(info.value)
    assert "cases[0].route" in text and ":5" in text and "does not fit the path" in text
