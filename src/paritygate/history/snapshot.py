"""What the history keeps of one run, extracted from its run document (``paritygate.report/3``).

The same extraction serves recording a run and diffing two run directories that were
never recorded, so both always agree on what "a case's outcome" and "a class" are.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import orjson

from paritygate.core.jsondoc import JsonObject
from paritygate.core.models import PhaseResult
from paritygate.core.parity_doc import ParityDocument
from paritygate.core.run_doc import RunDocument
from paritygate.core.smoke_doc import SmokeDocument

__all__ = [
    "CaseOutcome",
    "ClassRecord",
    "PhaseRecord",
    "RunSnapshot",
    "definition_digest",
    "snapshot_from_report",
]


@dataclass(slots=True, frozen=True)
class CaseOutcome:
    phase: str  # "smoke" | "parity"
    name: str
    outcome: str  # smoke: pass/fail/error; parity: match/order/value/shape/status/error
    definition_hash: str
    class_key: str | None = None


@dataclass(slots=True, frozen=True)
class ClassRecord:
    key: str
    status: str  # "known" | "new" | "fixed" (a tracker row not seen in this run)
    outcome: str = ""
    endpoint: str = ""
    title: str = ""
    decision_status: str = ""  # the tracker row's status, e.g. "_open_", "accepted", "fixed"

    @property
    def tracker_says_fixed(self) -> bool:
        return self.decision_status.strip("_* ").lower() == "fixed"


@dataclass(slots=True)
class PhaseRecord:
    status: str  # a PhaseStatus value
    summary: str
    counts: dict[str, int | bool] = field(default_factory=dict)  # what `history` shows per phase


@dataclass(slots=True)
class RunSnapshot:
    run_id: str
    started_at: str
    verdict: str
    config_path: str = ""
    project: str = ""
    run_dir: str = ""
    interrupted: bool = False
    phases: dict[str, PhaseRecord] = field(default_factory=dict)
    cases: list[CaseOutcome] = field(default_factory=list)
    classes: list[ClassRecord] = field(default_factory=list)
    # service -> fingerprint of what it ran (gauntlet/fingerprint.py); empty for older runs
    implementations: dict[str, str] = field(default_factory=dict)

    def ran(self, phase: str) -> bool:
        record = self.phases.get(phase)
        return record is not None and record.status in ("passed", "failed")

    def case_map(self) -> dict[tuple[str, str], CaseOutcome]:
        return {(c.phase, c.name): c for c in self.cases}

    def class_map(self) -> dict[str, ClassRecord]:
        return {c.key: c for c in self.classes}

    def to_dict(self) -> JsonObject:  # a run's line of `history --json`
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "verdict": self.verdict,
            "config": self.config_path,
            "project": self.project,
            "run_dir": self.run_dir,
            "interrupted": self.interrupted,
            "phases": {name: asdict(p) for name, p in self.phases.items()},
        }


def definition_digest(value: object) -> str:
    """The short hash a case's definition is compared by (JSON-ready ``value``, key order ignored)."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:16]


def _counts(result: PhaseResult) -> dict[str, int | bool]:
    if result.smoke is not None:
        smoke = result.smoke
        return {"total": smoke.total, "passed": smoke.passed, "failed": smoke.failed, "errors": smoke.errors}
    if result.parity is not None:  # a fuzz result's: its shrunk cases' parity document
        parity = result.parity
        counts: dict[str, int | bool] = {
            **asdict(parity.tally),
            "new_classes": parity.new_classes,
            "known_classes": parity.known_classes,
            "fixed_rows": len(parity.fixed),
        }
        if result.fuzz is not None:
            counts["sent"] = result.fuzz.sent
        return counts
    review, stack = result.review, result.stack
    if result.phase == "review":  # zeros for a review that made no document (skipped)
        findings = review.not_retracted if review is not None else []
        return {
            "findings": len(findings),
            "block": sum(1 for f in findings if f.severity == "block"),
            "bundles": len(review.bundles) if review is not None else 0,
            "dry_run": review is not None and review.dry_run,
        }
    if result.phase == "stack":
        return {"services": len(stack.services) if stack is not None else 0}
    return {}


def _smoke_cases(smoke: SmokeDocument | None, hashes: dict[str, str]) -> list[CaseOutcome]:
    out = []
    for check in smoke.checks if smoke is not None else []:
        name = check.label  # as the smoke phase names a check
        # The URL's port changes every run (free ports); only its path is part of the definition.
        definition = {
            "chain": check.chain,
            "name": check.name,
            "target": check.target,
            "method": check.method,
        }
        definition["path"] = urlsplit(check.url).path
        out.append(
            CaseOutcome("smoke", name, check.status, hashes.get(name) or definition_digest(definition))
        )
    return out


def _parity_cases(parity: ParityDocument | None, hashes: dict[str, str]) -> list[CaseOutcome]:
    if parity is None:
        return []
    out = []
    for case in parity.cases:
        definition = {"method": case.method, "path": case.path, "tags": case.tags}
        digest = hashes.get(case.name) or definition_digest(definition)
        out.append(CaseOutcome("parity", case.name, case.outcome, digest, case.class_key))
    return out


def _classes(parity: ParityDocument | None, fuzz: ParityDocument | None = None) -> list[ClassRecord]:
    """parity's classes and its `fixed?` rows, then the classes only the fuzz phase found."""
    out: dict[str, ClassRecord] = {}
    found = [*(parity.classes if parity is not None else []), *(fuzz.classes if fuzz is not None else [])]
    for cls in found:
        if cls.key in out:
            continue
        out[cls.key] = ClassRecord(
            key=cls.key,
            status=cls.status,
            outcome=cls.outcome,
            endpoint=cls.endpoint,
            title=cls.title,
            decision_status=cls.decision.status if cls.decision else "",
        )
    for row in parity.fixed if parity is not None else []:
        out.setdefault(
            row.key,
            ClassRecord(
                row.key, "fixed", title=row.divergence, endpoint=row.area, decision_status=row.status
            ),
        )
    return list(out.values())


def snapshot_from_report(doc: RunDocument, run_dir: str = "") -> RunSnapshot:
    """Extract the history's view of a run from its report document."""
    smoke, parity = doc.smoke, doc.parity
    return RunSnapshot(
        run_id=doc.run_id,
        started_at=doc.started_at,
        verdict=doc.verdict.value,
        config_path=doc.config,
        project=doc.project,
        run_dir=run_dir,
        interrupted=doc.interrupted,
        phases={
            name: PhaseRecord(result.status.value, result.summary, _counts(result))
            for name, result in doc.phases.items()
        },
        cases=_smoke_cases(smoke, doc.definitions.get("smoke") or {})
        + _parity_cases(parity, doc.definitions.get("parity") or {}),
        classes=_classes(parity, doc.fuzz.parity if doc.fuzz is not None else None),
        implementations={name: info.fingerprint for name, info in doc.implementations.items()},
    )
