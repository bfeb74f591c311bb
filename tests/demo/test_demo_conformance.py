"""Every rule of the validatord contract, run against both implementations.

One table; each row is a request and the answer the contract demands. The tagged
daemon must give it in the tagged shape, the flat daemon in the flat shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from validatord_procs import Daemon
from validatord_wire import (
    Rejected,
    completeness,
    consistency,
    read_rejection,
    read_success,
    schema,
)

MIB = 1_048_576
ABSENT: Any = object()  # marks a key to leave out of an artifact
FINGERPRINT_MISSING = "missing — required for Phase 25 validity window"
NOT_JSON = schema("body", "request body is not valid JSON", status=400)
TOO_LARGE = schema("body", "request body exceeds 1048576 bytes", status=413)
NOT_FOUND = {"error": "not found"}
NOT_ALLOWED = {"error": "method not allowed"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    body: bytes | None = None
    chunked: bool = False  # send the body with Transfer-Encoding: chunked, no Content-Length


@dataclass(frozen=True)
class Answer:
    """A non-error answer: exact body (elapsed_ms aside), or None for an empty body."""

    status: int
    body: dict[str, Any] | None


def raw(body: bytes) -> Exchange:
    return Exchange("POST", "/v1/validate", body)


def post(document: Any) -> Exchange:
    return raw(json.dumps(document, ensure_ascii=False).encode("utf-8"))


def without_absent(artifact: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in artifact.items() if value is not ABSENT}


def playbook(**changes: Any) -> Exchange:
    artifact = {
        "fingerprint": "sha256:9f2c41",
        "operation": "fill: Saturday night, dock 4",
        "endorsed_names": ["W-1001", "W-1002"],
        "target_count": 1,
    }
    return post({"kind": "playbook", "artifact": without_absent(artifact | changes)})


def fill(*entries: Any) -> Exchange:
    return post({"kind": "fill", "artifact": {"fills": list(entries)}})


def slot(candidate: Any = "W-1001", shift: Any = "S-7") -> dict[str, Any]:
    return without_absent({"candidate_id": candidate, "shift_id": shift})


def nested_fill(levels: int) -> bytes:
    """A valid fill whose deepest array sits at nesting level 4 + levels."""
    document = {"kind": "fill", "artifact": {"fills": [slot() | {"x": "@"}]}}
    text = json.dumps(document)
    return text.replace('"@"', "[" * levels + "]" * levels).encode()


def padded_to(size: int, document: Any) -> bytes:
    body = json.dumps(document).encode()
    return body + b" " * (size - len(body))


def unknown_kind(literal: str) -> Rejected:
    return schema("kind", f"unknown kind {literal} (expected one of: fill, playbook)")


def names_type(type_name: str) -> Rejected:
    return schema("endorsed_names", f"expected array of strings, got {type_name}")


def target_type(literal: str) -> Rejected:
    return schema("target_count", f"expected integer >= 1, got {literal}")


def roster_miss(where: str, literal: str) -> Rejected:
    return consistency(f"{where} {literal} does not exist in worker roster")


PLAYBOOK_OK = Answer(200, {"valid": True, "kind": "playbook"})
FILL_OK = Answer(200, {"valid": True, "kind": "fill"})
W = [f"W-100{number}" for number in range(1, 9)]

TABLE = [
    # --- the spec's reference table (seed cases)
    pytest.param(playbook(), PLAYBOOK_OK, id="seed-playbook_happy"),
    pytest.param(
        playbook(fingerprint=ABSENT),
        schema("fingerprint", FINGERPRINT_MISSING),
        id="seed-playbook_missing_fingerprint",
    ),
    pytest.param(
        playbook(operation="sms_draft: hello"),
        schema("operation", 'expected `fill: ...` prefix, got "sms_draft: hello"'),
        id="seed-playbook_wrong_prefix",
    ),
    pytest.param(
        playbook(endorsed_names=[]),
        completeness("endorsed_names must be non-empty"),
        id="seed-playbook_empty_endorsed",
    ),
    pytest.param(
        playbook(endorsed_names=W[:3], target_count=1),
        completeness("endorsed_names (3) exceeds target_count × 2 (2)"),
        id="seed-playbook_overfull",
    ),
    pytest.param(
        fill(slot("W-PHANTOM-NEVER-EXISTS")),
        roster_miss("fills[0].candidate_id", '"W-PHANTOM-NEVER-EXISTS"'),
        id="seed-fill_phantom",
    ),
    # --- endpoints
    pytest.param(Exchange("GET", "/health"), Answer(200, {"status": "ok"}), id="health-get"),
    pytest.param(Exchange("GET", "/health?probe=1"), Answer(200, {"status": "ok"}), id="health-query"),
    pytest.param(Exchange("GET", "/"), Answer(404, NOT_FOUND), id="404-root"),
    pytest.param(Exchange("GET", "/v1/nope"), Answer(404, NOT_FOUND), id="404-unknown-path"),
    pytest.param(Exchange("POST", "/v1/validate/", b"{}"), Answer(404, NOT_FOUND), id="404-trailing-slash"),
    pytest.param(Exchange("DELETE", "/nowhere"), Answer(404, NOT_FOUND), id="404-any-method"),
    pytest.param(Exchange("GET", "/v1/validate"), Answer(405, NOT_ALLOWED), id="405-get-validate"),
    pytest.param(Exchange("PUT", "/v1/validate", b"{}"), Answer(405, NOT_ALLOWED), id="405-put-validate"),
    pytest.param(Exchange("POST", "/health", b"{}"), Answer(405, NOT_ALLOWED), id="405-post-health"),
    pytest.param(Exchange("DELETE", "/health"), Answer(405, NOT_ALLOWED), id="405-delete-health"),
    pytest.param(Exchange("HEAD", "/health"), Answer(405, None), id="405-head-health"),
    # --- valid requests
    pytest.param(fill(slot("W-1001"), slot("W-1002")), FILL_OK, id="valid-fill"),
    pytest.param(
        post({"kind": "fill", "x": 1, "artifact": {"fills": [slot() | {"note": [1]}], "y": None}}),
        FILL_OK,
        id="valid-unknown-fields-ignored",
    ),
    pytest.param(playbook(endorsed_names=W[:4], target_count=2), PLAYBOOK_OK, id="valid-overfull-edge"),
    pytest.param(playbook(target_count=10**30), PLAYBOOK_OK, id="valid-huge-target-count"),
    pytest.param(playbook(operation="fill: "), PLAYBOOK_OK, id="valid-bare-prefix"),
    pytest.param(
        raw(
            b'{"kind": "nope", "kind": "fill", "artifact": {"fills": [{"candidate_id": "W-1001",'
            b' "candidate_id": 5, "candidate_id": "W-1003", "shift_id": "S"}]}}'
        ),
        FILL_OK,
        id="valid-duplicate-keys-last-wins",
    ),
    pytest.param(raw(nested_fill(124)), FILL_OK, id="valid-nesting-128"),
    pytest.param(
        raw(padded_to(MIB, {"kind": "fill", "artifact": {"fills": [slot()]}})),
        FILL_OK,
        id="valid-body-exactly-1mib",
    ),
    # --- rule 1: not JSON
    pytest.param(raw(b"{kind: fill}"), NOT_JSON, id="rule01-not-json"),
    pytest.param(raw(b""), NOT_JSON, id="rule01-empty-body"),
    pytest.param(raw(b'{"kind": "fill"} {}'), NOT_JSON, id="rule01-trailing-data"),
    pytest.param(raw(b'{"kind": "\xff"}'), NOT_JSON, id="rule01-invalid-utf8"),
    pytest.param(raw('{"kind": "fill"}'.encode("utf-16")), NOT_JSON, id="rule01-utf16"),
    pytest.param(raw(b"\xef\xbb\xbf{}"), NOT_JSON, id="rule01-utf8-bom"),
    pytest.param(raw(b'{"kind": NaN}'), NOT_JSON, id="rule01-nan-literal"),
    pytest.param(raw(b'{"kind": -Infinity}'), NOT_JSON, id="rule01-infinity-literal"),
    pytest.param(raw(b'{"kind": 1e400}'), NOT_JSON, id="rule01-number-overflow"),
    pytest.param(raw(b'{"kind": "\\ud800"}'), NOT_JSON, id="rule01-lone-surrogate"),
    pytest.param(raw(b'{"k\\udc00": 1}'), NOT_JSON, id="rule01-lone-surrogate-in-key"),
    pytest.param(raw(nested_fill(125)), NOT_JSON, id="rule01-nesting-129"),
    pytest.param(raw(b"[" * 200_000 + b"]" * 200_000), NOT_JSON, id="rule01-nesting-200k"),
    pytest.param(raw(b'{"a":' * 50_000 + b"1" + b"}" * 50_000), NOT_JSON, id="rule01-nested-objects"),
    # --- rule 2: not an object
    pytest.param(post([]), schema("body", "expected object, got array", 400), id="rule02-array"),
    pytest.param(post("x"), schema("body", "expected object, got string", 400), id="rule02-string"),
    pytest.param(post(2.5), schema("body", "expected object, got number", 400), id="rule02-number"),
    pytest.param(post(None), schema("body", "expected object, got null", 400), id="rule02-null"),
    pytest.param(post(True), schema("body", "expected object, got boolean", 400), id="rule02-boolean"),
    # --- rules 3-5: envelope
    pytest.param(post({}), schema("kind", "missing"), id="rule03-missing-kind"),
    pytest.param(post({"artifact": {}}), schema("kind", "missing"), id="rule03-only-artifact"),
    pytest.param(post({"kind": "Playbook", "artifact": {}}), unknown_kind('"Playbook"'), id="rule04-case"),
    pytest.param(post({"kind": 7}), unknown_kind("7"), id="rule04-number-before-rule05"),
    pytest.param(post({"kind": None, "artifact": {}}), unknown_kind("null"), id="rule04-null"),
    pytest.param(post({"kind": True, "artifact": {}}), unknown_kind("true"), id="rule04-boolean"),
    pytest.param(post({"kind": ["fill"]}), unknown_kind('["fill"]'), id="rule04-array"),
    pytest.param(
        post({"kind": {"a": 1.0, "b": [None]}}), unknown_kind('{"a":1.0,"b":[null]}'), id="rule04-object"
    ),
    pytest.param(
        post({"kind": 'задача "\\"\n', "artifact": {}}),
        unknown_kind('"задача \\"\\\\\\"\\n"'),
        id="rule04-escapes-and-utf8",
    ),
    pytest.param(post({"kind": "fill"}), schema("artifact", "missing"), id="rule05-missing-artifact"),
    pytest.param(
        post({"kind": "fill", "artifact": []}),
        schema("artifact", "expected object, got array"),
        id="rule05-artifact-array",
    ),
    pytest.param(
        post({"kind": "playbook", "artifact": None}),
        schema("artifact", "expected object, got null"),
        id="rule05-artifact-null",
    ),
    # --- rules 6-17: playbook
    pytest.param(
        playbook(fingerprint=ABSENT, operation=ABSENT),
        schema("fingerprint", FINGERPRINT_MISSING),
        id="rule06-missing-fingerprint",
    ),
    pytest.param(playbook(fingerprint=None), schema("fingerprint", FINGERPRINT_MISSING), id="rule06-null"),
    pytest.param(playbook(fingerprint=""), schema("fingerprint", FINGERPRINT_MISSING), id="rule06-empty"),
    pytest.param(
        playbook(fingerprint=42),
        schema("fingerprint", "expected string, got number"),
        id="rule07-number",
    ),
    pytest.param(
        playbook(fingerprint=False),
        schema("fingerprint", "expected string, got boolean"),
        id="rule07-false",
    ),
    pytest.param(
        playbook(fingerprint=["fp"]), schema("fingerprint", "expected string, got array"), id="rule07-array"
    ),
    pytest.param(playbook(operation=ABSENT), schema("operation", "missing"), id="rule08-missing-operation"),
    pytest.param(
        playbook(operation=None), schema("operation", "expected string, got null"), id="rule09-null"
    ),
    pytest.param(
        playbook(operation={}), schema("operation", "expected string, got object"), id="rule09-object"
    ),
    pytest.param(
        playbook(operation="fill:x"),
        schema("operation", 'expected `fill: ...` prefix, got "fill:x"'),
        id="rule10-no-space",
    ),
    pytest.param(
        playbook(operation='Fill: "a\\b"'),
        schema("operation", 'expected `fill: ...` prefix, got "Fill: \\"a\\\\b\\""'),
        id="rule10-case-and-escapes",
    ),
    pytest.param(
        playbook(endorsed_names=ABSENT, target_count=ABSENT),
        schema("endorsed_names", "missing"),
        id="rule11-missing-names",
    ),
    pytest.param(playbook(endorsed_names="W-1001"), names_type("string"), id="rule12-string"),
    pytest.param(playbook(endorsed_names={}), names_type("object"), id="rule12-object"),
    pytest.param(playbook(endorsed_names=None), names_type("null"), id="rule12-null"),
    pytest.param(playbook(endorsed_names=["W-1001", 7, None]), names_type("number"), id="rule12-number"),
    pytest.param(playbook(endorsed_names=[None, 7]), names_type("null"), id="rule12-null-element"),
    pytest.param(playbook(endorsed_names=[["W-1001"]]), names_type("array"), id="rule12-nested"),
    pytest.param(playbook(target_count=ABSENT), schema("target_count", "missing"), id="rule13-missing"),
    pytest.param(playbook(target_count=0), target_type("0"), id="rule14-zero"),
    pytest.param(playbook(target_count=-3), target_type("-3"), id="rule14-negative"),
    pytest.param(playbook(target_count="3"), target_type('"3"'), id="rule14-string"),
    pytest.param(playbook(target_count=2.0), target_type("2.0"), id="rule14-float-2.0"),
    pytest.param(playbook(target_count=1.5), target_type("1.5"), id="rule14-float"),
    pytest.param(playbook(target_count=True), target_type("true"), id="rule14-true"),
    pytest.param(playbook(target_count=None), target_type("null"), id="rule14-null"),
    pytest.param(playbook(target_count=[1]), target_type("[1]"), id="rule14-array"),
    pytest.param(playbook(endorsed_names=[], target_count=0), target_type("0"), id="rule14-before-rule15"),
    pytest.param(
        playbook(endorsed_names=[]),
        completeness("endorsed_names must be non-empty"),
        id="rule15-empty-names",
    ),
    pytest.param(
        playbook(endorsed_names=W[:5], target_count=2),
        completeness("endorsed_names (5) exceeds target_count × 2 (4)"),
        id="rule16-overfull",
    ),
    pytest.param(
        playbook(endorsed_names=["W-X", "W-Y", "W-Z"], target_count=1),
        completeness("endorsed_names (3) exceeds target_count × 2 (2)"),
        id="rule16-before-rule17",
    ),
    pytest.param(
        playbook(endorsed_names=["W-1001", "W-9999"]),
        roster_miss("endorsed_names[1]", '"W-9999"'),
        id="rule17-unknown-name",
    ),
    pytest.param(
        playbook(endorsed_names=["w-1001", "W-9999"]),
        roster_miss("endorsed_names[0]", '"w-1001"'),
        id="rule17-first-unknown-case-sensitive",
    ),
    # --- rules 18-25: fill
    pytest.param(post({"kind": "fill", "artifact": {}}), schema("fills", "missing"), id="rule18-missing"),
    pytest.param(
        post({"kind": "fill", "artifact": {"fills": {}}}),
        schema("fills", "expected array, got object"),
        id="rule19-object",
    ),
    pytest.param(
        post({"kind": "fill", "artifact": {"fills": None}}),
        schema("fills", "expected array, got null"),
        id="rule19-null",
    ),
    pytest.param(fill(), completeness("fills must be non-empty"), id="rule20-empty-fills"),
    pytest.param(fill("W-1001"), schema("fills[0]", "expected object, got string"), id="rule21-string"),
    pytest.param(
        fill(slot(), None), schema("fills[1]", "expected object, got null"), id="rule21-second-null"
    ),
    pytest.param(
        fill(slot(candidate=ABSENT)),
        schema("fills[0].candidate_id", "missing"),
        id="rule22-missing-candidate",
    ),
    pytest.param(
        fill(slot(candidate=1001, shift=ABSENT)),
        schema("fills[0].candidate_id", "expected string, got number"),
        id="rule22-before-rule23",
    ),
    pytest.param(
        fill(slot(candidate=None)),
        schema("fills[0].candidate_id", "expected string, got null"),
        id="rule22-null",
    ),
    pytest.param(fill(slot(shift=ABSENT)), schema("fills[0].shift_id", "missing"), id="rule23-missing-shift"),
    pytest.param(
        fill(slot(shift=7)),
        schema("fills[0].shift_id", "expected string, got number"),
        id="rule23-number",
    ),
    pytest.param(
        fill(slot(shift=ABSENT), 5),
        schema("fills[0].shift_id", "missing"),
        id="rule23-element-by-element",
    ),
    pytest.param(
        fill(slot("W-PHANTOM"), slot(candidate=ABSENT)),
        schema("fills[1].candidate_id", "missing"),
        id="rule22-before-rule24",
    ),
    pytest.param(
        fill(slot("W-1001"), slot("")),
        roster_miss("fills[1].candidate_id", '""'),
        id="rule24-empty-id",
    ),
    pytest.param(
        fill(slot("W-1001"), slot("W-1001"), slot("W-0000")),
        roster_miss("fills[2].candidate_id", '"W-0000"'),
        id="rule24-before-rule25",
    ),
    pytest.param(
        fill(slot("W-1001"), slot("W-1002"), slot("W-1001")),
        consistency('fills[2].candidate_id "W-1001" duplicates fills[0]'),
        id="rule25-duplicate",
    ),
    pytest.param(
        fill(slot("W-1003"), slot("W-1004"), slot("W-1004"), slot("W-1003")),
        consistency('fills[2].candidate_id "W-1004" duplicates fills[1]'),
        id="rule25-first-repeat",
    ),
    # --- body size
    pytest.param(raw(b" " * MIB + b"{"), TOO_LARGE, id="413-content-length"),
    pytest.param(
        Exchange("POST", "/v1/validate", b"x" * (MIB + 1), chunked=True), TOO_LARGE, id="413-chunked"
    ),
]


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def send(client: httpx.Client, exchange: Exchange) -> httpx.Response:
    content: bytes | Iterator[bytes] | None = exchange.body
    if exchange.chunked and exchange.body is not None:
        content = chunks(exchange.body)
    return client.request(exchange.method, exchange.path, content=content)


@pytest.mark.parametrize(("exchange", "expected"), TABLE)
def test_contract(daemon: Daemon, exchange: Exchange, expected: Rejected | Answer) -> None:
    response = send(daemon.client, exchange)

    assert response.headers["content-type"] == "application/json"
    assert response.status_code == expected.status
    if isinstance(expected, Rejected):
        assert read_rejection(daemon.name, response.status_code, response.json()) == expected
    elif expected.body is None:
        assert response.content == b""
    elif exchange.path.startswith("/v1/validate") and response.status_code == 200:
        body = response.json()
        assert read_success(body) == expected.body["kind"]
        assert {key: body[key] for key in ("valid", "kind")} == expected.body
    else:
        assert response.json() == expected.body


def test_every_rule_has_a_row() -> None:
    ids = {param.id for param in TABLE}
    for rule in range(1, 26):
        assert any(str(case_id).startswith(f"rule{rule:02d}-") for case_id in ids), rule
