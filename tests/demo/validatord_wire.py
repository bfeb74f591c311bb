"""Reading validatord answers back into one neutral form, checking each wire shape strictly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TAGGED_VARIANTS = {"Schema": "schema", "Completeness": "completeness", "Consistency": "consistency"}
VALIDATE_STATUSES = {200, 400, 413, 422}


@dataclass(frozen=True)
class Rejected:
    """An error answer independent of its wire shape; field is "" unless kind is schema."""

    status: int
    kind: str
    field: str
    reason: str


def schema(field: str, reason: str, status: int = 422) -> Rejected:
    return Rejected(status, "schema", field, reason)


def completeness(reason: str) -> Rejected:
    return Rejected(422, "completeness", "", reason)


def consistency(reason: str) -> Rejected:
    return Rejected(422, "consistency", "", reason)


def read_tagged(status: int, body: Any) -> Rejected:
    """{"Schema": {"field", "reason"}} | {"Completeness": {"reason"}} | {"Consistency": ...}."""
    assert isinstance(body, dict), body
    assert len(body) == 1, body
    ((variant, inner),) = body.items()
    assert variant in TAGGED_VARIANTS, body
    assert isinstance(inner, dict), body
    expected_keys = ["field", "reason"] if variant == "Schema" else ["reason"]
    assert list(inner) == expected_keys, body
    assert all(isinstance(value, str) for value in inner.values()), body
    return Rejected(status, TAGGED_VARIANTS[variant], inner.get("field", ""), inner["reason"])


def read_flat(status: int, body: Any) -> Rejected:
    """{"Kind": ..., "Field": ..., "Reason": ...} in exactly that key order."""
    assert isinstance(body, dict), body
    assert list(body) == ["Kind", "Field", "Reason"], body
    assert all(isinstance(value, str) for value in body.values()), body
    assert body["Kind"] in TAGGED_VARIANTS.values(), body
    if body["Kind"] != "schema":
        assert body["Field"] == "", body
    return Rejected(status, body["Kind"], body["Field"], body["Reason"])


def read_rejection(implementation: str, status: int, body: Any) -> Rejected:
    rejection = read_tagged(status, body) if implementation == "tagged" else read_flat(status, body)
    if rejection.kind != "schema":
        assert status == 422, (status, body)
    return rejection


def read_success(body: Any) -> str:
    """The artifact kind of a 200 answer, after checking the answer's exact keys."""
    assert isinstance(body, dict), body
    assert list(body) == ["valid", "kind", "elapsed_ms"], body
    assert body["valid"] is True, body
    assert body["kind"] in ("playbook", "fill"), body
    assert isinstance(body["elapsed_ms"], float), body
    assert body["elapsed_ms"] >= 0.0, body
    return str(body["kind"])
