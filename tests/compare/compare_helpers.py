"""Small builders for responses, shared by the compare tests."""

from __future__ import annotations

from typing import Any

import orjson

from paritygate.compare import Response

JSON = [("content-type", "application/json")]


def jresp(body: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, list(headers) if headers is not None else list(JSON), orjson.dumps(body))


def raw(body: bytes, content_type: str | None, status: int = 200) -> Response:
    headers = [("Content-Type", content_type)] if content_type is not None else []
    return Response(status, headers, body)


def xresp(text: str, status: int = 200) -> Response:
    return raw(text.encode(), "application/xml", status)


def tresp(text: str, status: int = 200) -> Response:
    return raw(text.encode(), "text/plain; charset=utf-8", status)


# The seed's six cases: (name, status, tagged body, flat body).
SEED_CASES: list[tuple[str, int, Any, Any]] = [
    (
        "playbook_missing_fingerprint",
        422,
        {"Schema": {"field": "fingerprint", "reason": "missing — required for Phase 25 validity window"}},
        {
            "Field": "fingerprint",
            "Kind": "schema",
            "Reason": "missing — required for Phase 25 validity window",
        },
    ),
    (
        "playbook_wrong_prefix",
        422,
        {"Schema": {"field": "operation", "reason": 'expected `fill: ...` prefix, got "sms_draft: hello"'}},
        {
            "Field": "operation",
            "Kind": "schema",
            "Reason": 'expected `fill: ...` prefix, got "sms_draft: hello"',
        },
    ),
    (
        "playbook_empty_endorsed",
        422,
        {"Completeness": {"reason": "endorsed_names must be non-empty"}},
        {"Field": "", "Kind": "completeness", "Reason": "endorsed_names must be non-empty"},
    ),
    (
        "playbook_overfull",
        422,
        {"Completeness": {"reason": "endorsed_names (3) exceeds target_count × 2 (2)"}},
        {"Field": "", "Kind": "completeness", "Reason": "endorsed_names (3) exceeds target_count × 2 (2)"},
    ),
    (
        "fill_phantom",
        422,
        {
            "Consistency": {
                "reason": 'fills[0].candidate_id "W-PHANTOM-NEVER-EXISTS" does not exist in worker roster'
            }
        },
        {
            "Field": "",
            "Kind": "consistency",
            "Reason": 'fills[0].candidate_id "W-PHANTOM-NEVER-EXISTS" does not exist in worker roster',
        },
    ),
]
HAPPY = (
    {"valid": True, "kind": "playbook", "elapsed_ms": 0.137},
    {"valid": True, "kind": "playbook", "elapsed_ms": 0.412},
)
