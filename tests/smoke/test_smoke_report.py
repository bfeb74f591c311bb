"""The smoke writers read the typed smoke document decoded from the phase result's JSON, so a
run directory can be re-rendered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from paritygate.core.jsondoc import DocumentError
from paritygate.core.smoke_doc import SmokeDocument
from paritygate.reports.smoke_report import render_text, write_smoke_json, write_smoke_junit


def _check(name: str, status: str, **extra: Any) -> dict[str, Any]:
    base = {
        "chain": "c",
        "name": name,
        "target": "tagged",
        "method": "GET",
        "url": "http://127.0.0.1:1/x",
        "status": status,
        "duration_ms": 12.5,
        "attempts": [
            {"n": 1, "status_code": 200, "duration_ms": 12.5, "passed": status == "pass", "error": None}
        ],
        "failures": [],
        "body_snippet": "",
        "log_tail": [],
        "error": None,
        "captured": {},
    }
    return {**base, **extra}


RESULT = {
    "phase": "smoke",
    "status": "failed",
    "summary": "1/3 PASS, 1 FAIL, 1 ERROR in 0.05s",
    "findings": [],
    "data": {
        "schema": "paritygate.smoke/1",
        "total": 3,
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "duration_s": 0.05,
        "checks": [
            _check("ok", "pass"),
            _check(
                "bad",
                "fail",
                failures=[{"assertion": "status", "expected": "422", "actual": "200"}],
                body_snippet='{"valid": true}',
                log_tail=["started", "GET /x 200"],
            ),
            _check("down", "error", error="cannot connect: refused", attempts=[]),
        ],
    },
}

DOC = SmokeDocument.from_json(RESULT["data"])
SUMMARY = str(RESULT["summary"])


def test_the_document_reads_back_to_the_same_json_and_rejects_another_version() -> None:
    assert SmokeDocument.from_json(DOC.to_json()) == DOC
    assert [c["name"] for c in DOC.to_json()["checks"]] == ["ok", "bad", "down"]
    with pytest.raises(DocumentError, match=r"paritygate\.smoke/1.*another paritygate version"):
        SmokeDocument.from_json({**DOC.to_json(), "schema": "paritygate.smoke/9"})
    with pytest.raises(DocumentError, match=r"checks\[0\]\.status"):
        SmokeDocument.from_json({**DOC.to_json(), "checks": [_check("x", "passed")]})


def test_text_report_lists_checks_failures_and_the_summary() -> None:
    text = render_text(DOC, SUMMARY)
    lines = text.splitlines()
    assert lines[:3] == ["PASS  c/ok  12.5 ms", "FAIL  c/bad  12.5 ms", "ERROR c/down  12.5 ms"]
    assert "  status: expected 422, actual 200" in lines
    assert '    {"valid": true}' in lines
    assert "  log of tagged (last 2 lines):" in lines and "    | GET /x 200" in lines
    assert "  error: cannot connect: refused" in lines
    assert lines[-1] == "1/3 PASS, 1 FAIL, 1 ERROR in 0.05s"
    assert "PASS  c/ok" not in render_text(DOC, SUMMARY, per_check=False)


def test_junit_has_a_testcase_per_check_with_time_and_failure_text(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_smoke_junit(path, DOC)
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"ok", "bad", "down"}
    assert cases["ok"].get("time") == "0.0125" and cases["ok"].get("classname") == "smoke.c"
    failure = cases["bad"].find("failure")
    assert failure is not None and failure.get("message") == "status: expected 422, actual 200"
    assert failure.text is not None and "GET /x 200" in failure.text
    error = cases["down"].find("error")
    assert error is not None and error.get("message") == "cannot connect: refused"
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("errors") == "1"


def test_json_report_is_the_phase_result(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "smoke.json"
    write_smoke_json(path, RESULT)
    assert json.loads(path.read_text()) == RESULT
