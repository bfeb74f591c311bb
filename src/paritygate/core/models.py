"""Value objects that cross layer boundaries: endpoints of a running stack and phase results.

Phases produce a :class:`PhaseResult`; the assessor reads only its ``findings`` (each
carrying its evidence, including what the decisions tracker says); the report writers read
its ``data``, the phase's typed document (:class:`ParityDocument`, :class:`SmokeDocument`,
:class:`ReviewDocument`, :class:`StackDocument`; docs/phase-data.md), or None for a phase that
made none (skipped or errored before it could).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from paritygate.core.fuzz_doc import FUZZ_SCHEMA, FuzzDocument
from paritygate.core.jsondoc import DocumentError, JsonDoc, JsonObject
from paritygate.core.parity_doc import SCHEMA as PARITY_SCHEMA
from paritygate.core.parity_doc import ParityDocument
from paritygate.core.review_doc import SCHEMA as REVIEW_SCHEMA
from paritygate.core.review_doc import ReviewDocument
from paritygate.core.smoke_doc import SCHEMA as SMOKE_SCHEMA
from paritygate.core.smoke_doc import SmokeDocument
from paritygate.core.stack_doc import SCHEMA as STACK_SCHEMA
from paritygate.core.stack_doc import StackDocument

__all__ = [
    "Endpoint",
    "Finding",
    "FindingKind",
    "PhaseData",
    "PhaseResult",
    "PhaseStatus",
    "TrackerEvidence",
]


@dataclass(slots=True, frozen=True)
class Endpoint:
    """Where a service of a stack answers. ``log_path`` is None for ad-hoc ``--target NAME=URL``."""

    name: str
    base_url: str
    log_path: Path | None = None


class FindingKind(enum.StrEnum):
    """Everything a phase reports that the verdict policy may weigh."""

    SMOKE_FAILED = "smoke_failed"  # evidence: check name
    STATUS_MISMATCH = "status_mismatch"  # evidence: case name
    NEW_DIVERGENCE = "new_divergence"  # evidence: class key (no tracker row)
    CAME_BACK = "came_back"  # evidence: class key whose tracker row says `fixed`, seen again
    KNOWN_DIVERGENCE = "known_divergence"  # evidence: class key (tracker row open/accepted)
    FIXED_DIVERGENCE = "fixed_divergence"  # evidence: class key of a tracker row not seen any more
    UNREACHABLE = "unreachable"  # evidence: target name (and case)
    FLAKY = "flaky"  # evidence: case name; one implementation changed its status between twins/repeats
    PHASE_ERROR = "phase_error"  # evidence: phase name
    REVIEW_BLOCK = "review_block"  # evidence: path:line; converged across >= 2 lineages
    REVIEW_WARNING = "review_warning"  # evidence: path:line; single-lineage block
    REVIEW_UNREVIEWED = "review_unreviewed"  # evidence: bundle id; too few lineages answered usably
    NOTE = "note"  # informational, never changes the verdict


@dataclass(slots=True, frozen=True)
class TrackerEvidence(JsonDoc):
    """The decisions-tracker row a divergence finding was weighed against."""

    file: str  # the tracker file
    status: str  # _open_ | accepted | fixed
    decision: str
    line: int = 0
    expires: str = ""  # the row's expires date (YYYY-MM-DD), if it has one


@dataclass(slots=True)
class Finding(JsonDoc):
    """One thing a phase found. ``evidence`` is the id a reader looks up (check, case, class
    key, path:line); ``subject`` says in words what it is about (for a divergence class:
    its name, endpoint and cases); ``tracker`` is the row it was weighed against, if any."""

    kind: FindingKind
    evidence: str
    message: str
    subject: str = ""
    tracker: TrackerEvidence | None = None

    def to_dict(self) -> JsonObject:
        return self.to_json()

    @classmethod
    def from_dict(cls, raw: object) -> Finding:
        return cls.from_json(raw)


class PhaseStatus(enum.StrEnum):
    PASSED = "passed"  # ran, found nothing that fails
    FAILED = "failed"  # ran, found a failure
    ERROR = "error"  # could not run to the end (crash, unreachable, bad input)
    SKIPPED = "skipped"


# A phase's document; None: the phase made none (skipped, or errored before it could).
PhaseData = ParityDocument | FuzzDocument | SmokeDocument | ReviewDocument | StackDocument | None
_Document = ParityDocument | FuzzDocument | SmokeDocument | ReviewDocument | StackDocument
_DOCUMENTS: tuple[tuple[str, type[_Document]], ...] = (
    (PARITY_SCHEMA, ParityDocument),
    (FUZZ_SCHEMA, FuzzDocument),
    (SMOKE_SCHEMA, SmokeDocument),
    (REVIEW_SCHEMA, ReviewDocument),
    (STACK_SCHEMA, StackDocument),
)


def _data_from_json(raw: object, where: str) -> PhaseData:
    """The document a phase result's ``data`` holds, by its schema's name; ``{}`` is none."""
    if not isinstance(raw, dict):
        raise DocumentError(where, "expected an object")
    if not raw:
        return None
    schema = str(raw.get("schema", ""))
    for known, cls in _DOCUMENTS:
        if schema.split("/")[0] == known.split("/")[0]:
            return cls.from_json(raw, where)  # rejects another version with a clear message
    names = ", ".join(repr(known) for known, _ in _DOCUMENTS)
    raise DocumentError(f"{where}.schema" if where else "schema", f"expected one of {names}, got {schema!r}")


@dataclass(slots=True)
class PhaseResult(JsonDoc):
    """A phase's outcome; in report.json, one entry of ``phases`` (its JSON form is
    :meth:`to_dict`, read back by :meth:`from_dict`, which dispatches ``data`` on its schema)."""

    phase: str  # "stack" | "smoke" | "parity" | "fuzz" | "review"
    status: PhaseStatus
    summary: str  # one human line, e.g. "21/21 PASS in 0.31s"
    findings: list[Finding] = field(default_factory=list)
    data: PhaseData = None
    duration_s: float = 0.0
    error: str | None = None

    @property
    def parity(self) -> ParityDocument | None:
        """The parity document, when this is a parity result that got as far as making one;
        for a fuzz result, the parity document of its shrunk cases (its classes, its findings)."""
        if isinstance(self.data, FuzzDocument):
            return self.data.parity
        return self.data if isinstance(self.data, ParityDocument) else None

    @property
    def fuzz(self) -> FuzzDocument | None:
        """The fuzz document, when this is a fuzz result that got as far as making one."""
        return self.data if isinstance(self.data, FuzzDocument) else None

    @property
    def smoke(self) -> SmokeDocument | None:
        """The smoke document, when this is a smoke result."""
        return self.data if isinstance(self.data, SmokeDocument) else None

    @property
    def review(self) -> ReviewDocument | None:
        """The review document, when this is a review result that got as far as making one."""
        return self.data if isinstance(self.data, ReviewDocument) else None

    @property
    def stack(self) -> StackDocument | None:
        """The stack document: the services up, when the stack phase got them up."""
        return self.data if isinstance(self.data, StackDocument) else None

    @property
    def json_data(self) -> JsonObject:
        """The document's JSON form (``{}``: none), as report.json and the phase's file hold it."""
        return self.data.to_json() if self.data is not None else {}

    def to_dict(self) -> dict[str, Any]:  # the JSON form report.json holds: a JSON boundary
        return {
            "phase": self.phase,
            "status": self.status.value,
            "summary": self.summary,
            "findings": [f.to_json() for f in self.findings],
            "data": self.json_data,
            "duration_s": round(self.duration_s, 4),
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, raw: object, where: str = "") -> PhaseResult:
        """Read a phase result back (report.json); a DocumentError names the bad value."""
        if not isinstance(raw, dict):
            raise DocumentError(where, "expected a phase result object")

        def at(key: str) -> str:
            return f"{where}.{key}" if where else key

        for key in ("phase", "status"):
            if not isinstance(raw.get(key), str):
                raise DocumentError(at(key), "expected a string")
        try:
            status = PhaseStatus(raw["status"])
        except ValueError:
            raise DocumentError(at("status"), f"unknown phase status {raw['status']!r}") from None
        findings = raw.get("findings", [])
        if not isinstance(findings, list):
            raise DocumentError(at("findings"), "expected an array")
        error = raw.get("error")
        return cls(
            phase=str(raw["phase"]),
            status=status,
            summary=str(raw.get("summary", "")),
            findings=[Finding.from_json(f, f"{at('findings')}[{i}]") for i, f in enumerate(findings)],
            data=_data_from_json(raw.get("data", {}), at("data")),
            duration_s=float(raw.get("duration_s", 0.0) or 0.0),
            error=None if error is None else str(error),
        )

    def to_json(self) -> JsonObject:
        return self.to_dict()

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        result = cls.from_dict(raw, where)
        assert isinstance(result, cls)
        return result
