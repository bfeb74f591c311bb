"""The whole phase on httpx.MockTransport (no sockets): document schema, Markdown, JUnit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import orjson
from lxml import etree
from parity_helpers import make_project

from paritygate.core.models import Endpoint, PhaseStatus
from paritygate.core.parity_doc import ParityDocument
from paritygate.phases.parity import run_parity_async
from paritygate.reports.parity_report import parity_markdown, write_parity_reports

CASES = """\
[[cases]]
name = "same"
method = "GET"
path = "/same"

[[cases]]
name = "shape"
method = "GET"
path = "/shape"

[[cases]]
name = "silent | piped"
method = "DELETE"
path = "/silent"
"""

# Absent is not null: the side a `missing`/`extra` path lacks has no key at all.
DIFFERENCE = {
    "type": "object",
    "required": ["path", "kind"],
    "properties": {"path": {"type": "string"}, "kind": {"type": "string"}},
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": "missing"}}},
            "then": {"required": ["left"], "not": {"required": ["right"]}},
        },
        {
            "if": {"properties": {"kind": {"const": "extra"}}},
            "then": {"required": ["right"], "not": {"required": ["left"]}},
        },
        {
            "if": {"properties": {"kind": {"enum": ["value", "type", "status", "header"]}}},
            "then": {"required": ["left", "right"]},
        },
    ],
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["schema", "date", "targets", "reference", "cases", "tally", "classes", "fixed", "noise"],
    "properties": {
        "schema": {"const": "paritygate.parity/2"},
        "date": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "targets": {"type": "array", "items": {"type": "object", "required": ["name", "url"]}},
        "cases": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "name",
                    "method",
                    "path",
                    "tags",
                    "targets",
                    "status_match",
                    "body_match",
                    "outcome",
                    "class_key",
                    "known",
                    "pairs",
                    "groups",
                    "odd_one_out",
                ],
                "properties": {
                    "outcome": {"enum": ["match", "status", "shape", "value", "order", "error"]},
                    "targets": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["status", "headers", "error", "elapsed_ms"],
                            # a target that answered has a body (maybe ""); one that did not has none
                            "if": {"properties": {"error": {"type": "null"}}},
                            "then": {"required": ["body"]},
                            "else": {"not": {"required": ["body"]}},
                        },
                    },
                    "pairs": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["left", "right", "outcome", "differences"],
                            "properties": {"differences": {"type": "array", "items": DIFFERENCE}},
                        },
                    },
                },
            },
        },
        "tally": {
            "type": "object",
            "required": ["cases", "status_match", "body_match", "body_diff", "errors"],
        },
        "classes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "title", "endpoint", "outcome", "mapping", "cases", "status", "decision"],
                "properties": {"status": {"enum": ["known", "new"]}},
            },
        },
        "fixed": {
            "type": "array",
            "items": {"type": "object", "required": ["key", "area", "divergence", "status"]},
        },
        "noise": {
            "type": "array",
            "items": {"type": "object", "required": ["target", "path", "examples", "suggested_rule"]},
        },
    },
}


def handler(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if path == "/silent" and host == "flat":
        raise httpx.ReadTimeout("timed out", request=request)
    if path == "/shape":
        body = (
            {"Kind": "schema", "Field": "x", "Reason": "y"}
            if host == "flat"
            else {"Schema": {"field": "x", "reason": "y"}}
        )
        return httpx.Response(422, json=body)
    return httpx.Response(200, json={"ok": True, "at": "ünïcode"})


async def run(tmp_path: Path) -> ParityDocument:
    loaded = make_project(tmp_path, cases=CASES)
    (tmp_path / "TRACKER.md").write_text(
        "| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
        "| `GET /old·value·unmapped·0badc0de` | GET /old | gone | _open_ | wait | r0 |\n",
        encoding="utf-8",
    )
    endpoints = {n: Endpoint(n, f"http://{n}") for n in ("tagged", "flat")}
    result = await run_parity_async(loaded, endpoints, transport=httpx.MockTransport(handler))
    assert result.status is PhaseStatus.FAILED  # the /silent case: flat answers nothing there
    assert result.parity is not None
    return result.parity


async def test_the_document_follows_the_phase_data_contract(tmp_path: Path) -> None:
    doc = (await run(tmp_path)).to_json()
    jsonschema.validate(doc, SCHEMA)
    assert [c["outcome"] for c in doc["cases"]] == ["match", "shape", "error"]
    assert doc["tally"] == {
        "cases": 3,
        "status_match": 2,
        "body_match": 1,
        "body_diff": 1,
        "errors": 1,
        "match": 1,
        "diff": 1,
        "header_only": 0,
    }
    assert doc["fixed"] == [] and doc["fixed_skipped"]  # an unanswered case proves nothing about fixes
    assert doc["unreachable"] == []


async def test_markdown_has_the_seed_layout_and_every_section(tmp_path: Path) -> None:
    doc = await run(tmp_path)
    text = parity_markdown(doc)
    lines = text.splitlines()
    assert lines[0] == "# fake-validator parity probe — tagged vs flat"
    assert lines[2] == f"Date: {doc.date}  "
    assert "| Case | tagged status | flat status | Status match | Body match |" in lines
    assert "| same | 200 | 200 | ✓ | ✓ |" in lines
    assert "| shape | 422 | 422 | ✓ | ✗ |" in lines
    assert "| silent \\| piped | 200 | no answer | ✗ | ✗ |" in lines
    assert (
        "Tally: 1 match · 1 diff (out of 3 cases) · 2/3 status match · 1 body diff · 0 header-only diff · 1 no answer"
        in lines
    )
    for heading in (
        "## Divergences",
        "### DIFF — `shape`",
        "### ERROR — `silent | piped`",
        "## Divergence classes",
        "### tagged enum vs flat kind field — NEW",
        "## Fixed?",
        "## Errors",
    ):
        assert heading in lines, heading
    assert '- `$.Schema` (missing): tagged `{"field":"x","reason":"y"}` · flat (absent)' in lines
    assert '- `$.Kind` (extra): tagged (absent) · flat `"schema"`' in lines
    assert "flat: no answer — timeout: no answer within 2s (ReadTimeout)" in lines


async def test_writers_produce_three_files_and_junit_per_case(tmp_path: Path) -> None:
    doc = await run(tmp_path)
    paths = write_parity_reports(tmp_path / "out", doc)
    assert [p.name for p in paths] == ["parity.md", "parity.json", "junit.xml"]
    assert orjson.loads(paths[1].read_bytes()) == doc.to_json()
    assert ParityDocument.from_json(orjson.loads(paths[1].read_bytes())) == doc
    root = etree.fromstring(paths[2].read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases) == ["same", "shape", "silent | piped"]
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("errors") == "1"
    assert cases["shape"].find("failure").get("message") == "new divergence (tagged enum vs flat kind field)"
    assert len(cases["same"]) == 0


async def test_backtick_runs_in_answers_never_break_out_of_code(tmp_path: Path) -> None:
    # What a service sends is data: a run of backticks in it must not close the code
    # span or the fenced block it is shown in (else the rest renders as Markdown).
    def ticks(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/same":
            text = "a\n````\n# not a heading\n" if request.url.host == "tagged" else "b\n"
            return httpx.Response(200, text=text, headers={"content-type": "text/plain"})
        return httpx.Response(200, json={"v": "x``y" if request.url.host == "tagged" else "z"})

    loaded = make_project(tmp_path, cases=CASES.split('[[cases]]\nname = "silent')[0])
    endpoints = {n: Endpoint(n, f"http://{n}") for n in ("tagged", "flat")}
    result = await run_parity_async(loaded, endpoints, transport=httpx.MockTransport(ticks))
    lines = parity_markdown(result.data).splitlines()
    assert lines[lines.index("tagged (HTTP 200):") + 2] == "`````text"
    assert '- `$.v` (value): tagged ```"x``y"``` · flat `"z"`' in lines
