"""The smoke phase's document, ``paritygate.smoke/1``, typed: what each check did, as the
writers (text, JSON, JUnit, report.md/html) and the history read it.

Built by the smoke phase from each check's masked record, read back from report.json or
smoke.json through the same codec (core/jsondoc.py), which names the JSON path of a bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Self

from paritygate.core.jsondoc import JsonDoc, check_schema

__all__ = ["SCHEMA", "SmokeAttempt", "SmokeCheck", "SmokeDocument", "SmokeFailure"]

SCHEMA = "paritygate.smoke/1"


@dataclass(slots=True, frozen=True)
class SmokeFailure(JsonDoc):
    """One assertion (or capture) that did not hold, as text the service's values were masked in."""

    assertion: str
    expected: str
    actual: str


@dataclass(slots=True, frozen=True)
class SmokeAttempt(JsonDoc):
    n: int
    status_code: int | None  # None: no answer (see error)
    duration_ms: float
    passed: bool
    error: str | None
    failures: list[SmokeFailure] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class SmokeCheck(JsonDoc):
    chain: str
    name: str
    target: str | None  # the service, or the URL of a check that names one
    method: str
    url: str
    status: Literal["pass", "fail", "error"]
    duration_ms: float
    attempts: list[SmokeAttempt] = field(default_factory=list)
    failures: list[SmokeFailure] = field(default_factory=list)
    body_snippet: str = ""
    log_tail: list[str] = field(default_factory=list)
    error: str | None = None
    captured: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``chain/name``: how findings, the history and the reports name a check."""
        return f"{self.chain}/{self.name}"


@dataclass(slots=True, frozen=True)
class SmokeDocument(JsonDoc):
    schema: str = SCHEMA
    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    duration_s: float = 0.0
    checks: list[SmokeCheck] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        check_schema(raw, SCHEMA, where, "run smoke")
        return super(SmokeDocument, cls).from_json(raw, where)
