"""Body fidelity on real sockets: two servers answering the same data with different bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from parity_helpers import make_project

from paritygate.core.models import Endpoint
from paritygate.phases.parity import run_parity

CASES = """\
[[cases]]
name = "list_tables"
method = "POST"
path = "/"
headers = { x-amz-target = "DynamoDB_20120810.ListTables", content-type = "application/x-amz-json-1.1" }
body = "{}"

[[cases]]
name = "missing_table"
method = "POST"
path = "/missing"
body = "{}"

[[cases]]
name = "range_newline"
method = "GET"
path = "/range"

[[cases]]
name = "crlf"
method = "GET"
path = "/crlf"

[[cases]]
name = "invalid_utf8"
method = "GET"
path = "/invalid"

[[cases]]
name = "xml_order"
method = "GET"
path = "/xml/order"

[[cases]]
name = "xml_s3"
method = "GET"
path = "/xml/s3"

[[cases]]
name = "xml_other_namespace"
method = "GET"
path = "/xml/other"
"""


def _differences(doc: dict[str, Any]) -> dict[str, list[tuple[str, str, str | None]]]:
    return {
        case["name"]: [
            (d["path"], d["kind"], d.get("relation")) for p in case["pairs"] for d in p["differences"]
        ]
        for case in doc["cases"]
    }


def _outcomes(doc: dict[str, Any]) -> dict[str, str]:
    return {case["name"]: case["outcome"] for case in doc["cases"]}


def test_dialects_text_and_xml_between_two_real_servers(
    tmp_path: Path, fidelity: dict[str, Endpoint]
) -> None:
    loaded = make_project(tmp_path, ignore_elapsed=False, cases=CASES)
    doc = run_parity(loaded, fidelity).json_data
    found = _differences(doc)
    # the same data as x-amz-json-1.1 with other whitespace and key order: a match
    assert found["list_tables"] == []
    # application/json vs x-amz-json-1.0: a header difference, the bodies compared as JSON
    assert found["missing_table"] == [("header:content-type", "header", None)]
    case = next(c for c in doc["cases"] if c["name"] == "missing_table")
    assert case["body_match"] is True
    # text/plain is byte-exact, each difference with its relation
    assert found["range_newline"] == [("$", "value", "trailing-newline")]
    assert found["crlf"] == [("$", "value", "line-ending")]
    assert found["invalid_utf8"] == [("$[0]", "value", "invalid-byte")]
    invalid = next(c for c in doc["cases"] if c["name"] == "invalid_utf8")["pairs"][0]["differences"][0]
    assert (invalid["left"], invalid["right"]) == ("ok \\xc3", "ok \\xc4")
    # XML: differently named children in another order
    assert found["xml_order"] == [("$.ListBucketResult", "order", "child-order")]
    assert found["xml_s3"] == [("$.ListBucketResult.Contents[0].LastModified[0]", "value", None)]
    assert found["xml_other_namespace"] == found["xml_s3"]
    assert _outcomes(doc) == {
        "list_tables": "match",
        "missing_table": "value",
        "range_newline": "value",
        "crlf": "value",
        "invalid_utf8": "value",
        "xml_order": "order",
        "xml_s3": "value",
        "xml_other_namespace": "value",
    }


RULES = """
[[parity.arrays]]
path = "$.ListBucketResult"
mode = "unordered"

[[parity.ignore]]
path = "$..LastModified"
reason = "each server stamps its own upload time"
"""


def test_unordered_and_local_name_rules_between_two_real_servers(
    tmp_path: Path, fidelity: dict[str, Endpoint]
) -> None:
    loaded = make_project(tmp_path, ignore_elapsed=False, cases=CASES, extra=RULES)
    outcomes = _outcomes(run_parity(loaded, fidelity).json_data)
    # the unordered rule turns the order difference into a match; one $..LastModified rule
    # ignores the element in both namespaces
    assert (outcomes["xml_order"], outcomes["xml_s3"], outcomes["xml_other_namespace"]) == ("match",) * 3
