"""Body fidelity on real sockets: two servers answering the same data with different bytes."""

from __future__ import annotations

from pathlib import Path

import orjson
from fidelity_impls import S3
from parity_helpers import make_project

from paritygate.core.models import Endpoint
from paritygate.core.parity_doc import ParityDocument
from paritygate.phases.parity import run_parity
from paritygate.reports.parity_report import write_parity_reports

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


def _run(tmp_path: Path, fidelity: dict[str, Endpoint], extra: str = "") -> ParityDocument:
    loaded = make_project(tmp_path, ignore_elapsed=False, cases=CASES, extra=extra)
    doc = run_parity(loaded, fidelity).data
    assert isinstance(doc, ParityDocument)
    return doc


def _differences(doc: ParityDocument) -> dict[str, list[tuple[str, str, str | None]]]:
    return {
        case.name: [
            (d.path, d.kind, d.relation if isinstance(d.relation, str) else None) for _, d in case.differences
        ]
        for case in doc.cases
    }


def _outcomes(doc: ParityDocument) -> dict[str, str]:
    return {case.name: case.outcome for case in doc.cases}


def test_dialects_text_and_xml_between_two_real_servers(
    tmp_path: Path, fidelity: dict[str, Endpoint]
) -> None:
    doc = _run(tmp_path, fidelity)
    found = _differences(doc)
    cases = {case.name: case for case in doc.cases}
    # the same data as x-amz-json-1.1 with other whitespace and key order: a match
    assert found["list_tables"] == []
    # application/json vs x-amz-json-1.0: a header difference, the bodies compared as JSON
    assert found["missing_table"] == [("header:content-type", "header", None)]
    assert cases["missing_table"].body_match is True
    # text/plain is byte-exact, each difference with its relation, the targets named
    assert found["range_newline"] == [("$", "value", "trailing-newline")]
    assert cases["range_newline"].differences[0][1].detail == "a final line break on two only"
    assert found["crlf"] == [("$", "value", "line-ending")]
    assert found["invalid_utf8"] == [("$[0]", "value", "invalid-byte")]
    invalid = cases["invalid_utf8"].differences[0][1]
    assert (invalid.left, invalid.right) == ("ok \\xc3", "ok \\xc4")
    assert cases["invalid_utf8"].targets["one"].body == "ok \\xc3"
    # XML: differently named children in another order; paths in local names, a legend
    assert found["xml_order"] == [("$.ListBucketResult", "order", "child-order")]
    assert found["xml_s3"] == [("$.ListBucketResult.Contents[0].LastModified[0]", "value", None)]
    assert found["xml_other_namespace"] == found["xml_s3"]
    assert cases["xml_s3"].targets["one"].namespaces == {"": S3}
    assert cases["xml_other_namespace"].targets["two"].namespaces == {"": "urn:example:other-store"}
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


def test_a_header_one_target_sends_is_recorded_and_listed_not_judged(
    tmp_path: Path, fidelity: dict[str, Endpoint]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    doc = _run(tmp_path, fidelity)
    write_parity_reports(out, doc)
    written = orjson.loads((out / "parity.json").read_bytes())
    # every header of every target is in parity.json ...
    first = written["cases"][0]["targets"]
    assert first["one"]["headers"]["x-served-by"] == "one"
    assert "x-served-by" not in first["two"]["headers"]
    assert {"content-type", "content-length", "date", "server"} <= set(first["two"]["headers"])
    # ... the one-sided ones are listed per operation, and none is a divergence
    sided = [h for h in written["one_sided_headers"] if h["header"] == "x-served-by"]
    assert [(h["operation"], h["sent_by"], h["not_by"], len(h["cases"])) for h in sided] == [
        (f"{case['method']} {case['path']}", ["one"], ["two"], 1) for case in written["cases"]
    ]
    assert not [d for case in doc.cases for _, d in case.differences if d.path == "header:x-served-by"]
    assert _outcomes(doc)["list_tables"] == "match"
    report = (out / "parity.md").read_text()
    section = report.split("## Headers on one side only", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == len(written["cases"])  # one line per operation, not one per header and case
    assert lines[0] == "- `POST /`: `x-served-by` only from one (1 case, e.g. `one`)"
    assert (
        '- `$` (value, trailing-newline): one `""` · two `"\\n"` — a final line break on two only' in report
    )
    assert f'XML namespaces (paths use local names): `xmlns="{S3}"`' in report
    # judged once it is a compared header
    judged = _run(tmp_path, fidelity, extra='headers = ["content-type", "x-served-by"]\n')
    assert ("header:x-served-by", "header", None) in _differences(judged)["list_tables"]


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
    outcomes = _outcomes(_run(tmp_path, fidelity, extra=RULES))
    # the unordered rule turns the order difference into a match; one $..LastModified rule
    # ignores the element in both namespaces
    assert (outcomes["xml_order"], outcomes["xml_s3"], outcomes["xml_other_namespace"]) == ("match",) * 3
