"""What the history keeps of one run, extracted from its ``paritygate.report/1`` document.

The same extraction serves recording a run and diffing two run directories that were
never recorded, so both always agree on what "a case's outcome" and "a class" are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

__all__ = ["CaseOutcome", "ClassRecord", "RunSnapshot", "definition_digest", "snapshot_from_report"]


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
class RunSnapshot:
    run_id: str
    started_at: str
    verdict: str
    config_path: str = ""
    project: str = ""
    run_dir: str = ""
    interrupted: bool = False
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {status, summary, counts}
    cases: list[CaseOutcome] = field(default_factory=list)
    classes: list[ClassRecord] = field(default_factory=list)

    def ran(self, phase: str) -> bool:
        status = self.phases.get(phase, {}).get("status")
        return status in ("passed", "failed")

    def case_map(self) -> dict[tuple[str, str], CaseOutcome]:
        return {(c.phase, c.name): c for c in self.cases}

    def class_map(self) -> dict[str, ClassRecord]:
        return {c.key: c for c in self.classes}

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "verdict": self.verdict,
            "config": self.config_path,
            "project": self.project,
            "run_dir": self.run_dir,
            "interrupted": self.interrupted,
            "phases": self.phases,
        }


def definition_digest(value: Any) -> str:
    """The short hash a case's definition is compared by (JSON-ready ``value``, key order ignored)."""
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()[:16]


def _data(doc: dict[str, Any], phase: str) -> dict[str, Any]:
    raw = (doc.get("phases") or {}).get(phase) or {}
    data = raw.get("data")
    return data if isinstance(data, dict) else {}


def _counts(phase: str, data: dict[str, Any]) -> dict[str, Any]:
    if phase == "smoke":
        return {k: data[k] for k in ("total", "passed", "failed", "errors") if k in data}
    if phase == "parity":
        counts = dict(data.get("tally") or {})
        classes = data.get("classes") or []
        counts["new_classes"] = sum(1 for c in classes if c.get("status") == "new")
        counts["known_classes"] = sum(1 for c in classes if c.get("status") == "known")
        counts["fixed_rows"] = len(data.get("fixed") or [])
        return counts
    if phase == "review":
        findings = [f for f in data.get("findings") or [] if not f.get("retracted")]
        return {
            "findings": len(findings),
            "block": sum(1 for f in findings if f.get("severity") == "block"),
            "bundles": len(data.get("bundles") or []),
            "dry_run": bool(data.get("dry_run")),
        }
    if phase == "stack":
        return {"services": len(data.get("services") or [])}
    return {}


def _smoke_cases(data: dict[str, Any], hashes: dict[str, str]) -> list[CaseOutcome]:
    out = []
    for check in data.get("checks") or []:
        name = f"{check.get('chain')}/{check.get('name')}"  # as the smoke phase names a check
        # The URL's port changes every run (free ports); only its path is part of the definition.
        definition = {k: check.get(k) for k in ("chain", "name", "target", "method")}
        definition["path"] = urlsplit(str(check.get("url", ""))).path
        out.append(
            CaseOutcome(
                "smoke", name, str(check.get("status")), hashes.get(name) or definition_digest(definition)
            )
        )
    return out


def _parity_cases(data: dict[str, Any], hashes: dict[str, str]) -> list[CaseOutcome]:
    out = []
    for case in data.get("cases") or []:
        name = str(case.get("name"))
        definition = {k: case.get(k) for k in ("method", "path", "tags", "request")}
        out.append(
            CaseOutcome(
                "parity",
                name,
                str(case.get("outcome")),
                hashes.get(name) or definition_digest(definition),
                case.get("class_key"),
            )
        )
    return out


def _classes(data: dict[str, Any]) -> list[ClassRecord]:
    out: dict[str, ClassRecord] = {}
    for row in data.get("classes") or []:
        decision = row.get("decision") or {}
        out[str(row.get("key"))] = ClassRecord(
            key=str(row.get("key")),
            status=str(row.get("status") or "new"),
            outcome=str(row.get("outcome") or ""),
            endpoint=str(row.get("endpoint") or ""),
            title=str(row.get("title") or ""),
            decision_status=str(decision.get("status") or ""),
        )
    for row in data.get("fixed") or []:
        key = str(row.get("key"))
        out.setdefault(
            key,
            ClassRecord(
                key,
                "fixed",
                title=str(row.get("divergence") or ""),
                endpoint=str(row.get("area") or ""),
                decision_status=str(row.get("status") or ""),
            ),
        )
    return list(out.values())


def snapshot_from_report(doc: dict[str, Any], run_dir: str = "") -> RunSnapshot:
    """Extract the history's view of a run from its report document."""
    definitions = doc.get("definitions") or {}
    phases: dict[str, dict[str, Any]] = {}
    for name, raw in (doc.get("phases") or {}).items():
        phases[str(name)] = {
            "status": str(raw.get("status")),
            "summary": str(raw.get("summary") or ""),
            "counts": _counts(str(name), _data(doc, str(name))),
        }
    smoke, parity = _data(doc, "smoke"), _data(doc, "parity")
    return RunSnapshot(
        run_id=str(doc.get("run_id")),
        started_at=str(doc.get("started_at") or ""),
        verdict=str(doc.get("verdict")),
        config_path=str(doc.get("config") or ""),
        project=str(doc.get("project") or ""),
        run_dir=run_dir,
        interrupted=bool(doc.get("interrupted")),
        phases=phases,
        cases=_smoke_cases(smoke, definitions.get("smoke") or {})
        + _parity_cases(parity, definitions.get("parity") or {}),
        classes=_classes(parity),
    )
