"""``junit.xml`` for the whole run: the smoke and parity suites (the same ones their own
commands write), the stack, the review, and one case for the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.reports.junit import JUnitCase, JUnitSuite, write_junit
from paritygate.reports.parity_junit import parity_junit_suites
from paritygate.reports.refs import reason_line
from paritygate.reports.run_view import parity_document, phase_data, smoke_document
from paritygate.reports.smoke_report import smoke_junit_suites

__all__ = ["run_suites", "write_run_junit"]


def _stand_in(name: str, phase: dict[str, Any]) -> JUnitCase | None:
    """A case for a phase that errored or was skipped, so its suite never looks silently green."""
    status = phase.get("status")
    case = JUnitCase(name=name, classname=f"paritygate.{name}", time_s=float(phase.get("duration_s") or 0))
    if status == "error":
        case.error = str(phase.get("summary") or "error")
        case.system_out = str(phase.get("error") or "")
        return case
    if status == "skipped":
        case.skipped = str(phase.get("summary") or "skipped")
        return case
    return None


def _review_cases(doc: dict[str, Any]) -> list[JUnitCase]:
    """One case per review reason: a converged block fails, a single-lineage one is a note."""
    cases = []
    for reason in [*(doc.get("reasons") or []), *(doc.get("warnings") or [])]:
        if reason.get("phase") != "review":
            continue
        case = JUnitCase(name=str(reason.get("evidence")), classname="review")
        if reason.get("level") == "block":
            case.failure = str(reason.get("message"))
        else:
            case.system_out = str(reason.get("message"))
        cases.append(case)
    return cases


def _phase_suites(doc: dict[str, Any], name: str, phase: dict[str, Any]) -> list[JUnitSuite]:
    data = phase_data(doc, name)
    smoke = smoke_document(doc) if name == "smoke" else None
    if smoke is not None and smoke.checks:
        return smoke_junit_suites(smoke)
    parity = parity_document(doc) if name == "parity" else None
    if parity is not None and parity.cases:
        return parity_junit_suites(parity)
    if name == "stack":
        return [
            JUnitSuite(
                "stack",
                [JUnitCase(name=str(s.get("name")), classname="stack") for s in data.get("services") or []],
            )
        ]
    if name == "review":
        return [JUnitSuite("review", _review_cases(doc))]
    return []


def run_suites(doc: dict[str, Any]) -> list[JUnitSuite]:
    suites: list[JUnitSuite] = []
    for name, phase in (doc.get("phases") or {}).items():
        found = [s for s in _phase_suites(doc, name, phase) if s.cases]
        stand_in = _stand_in(name, phase)
        if stand_in is not None and (stand_in.error is not None or not found):
            found.insert(0, JUnitSuite(name, [stand_in]))
        suites += found
    verdict = JUnitCase(
        name=str(doc.get("verdict")), classname="paritygate.verdict", time_s=float(doc.get("duration_s") or 0)
    )
    lines = [reason_line(r) for r in doc.get("reasons") or []]
    if doc.get("verdict") == "block":
        verdict.failure = lines[0] if lines else "block"
        verdict.failure_text = "\n".join(lines)
    else:
        verdict.system_out = "\n".join(lines)
    suites.append(JUnitSuite("verdict", [verdict]))
    return suites


def write_run_junit(path: Path, doc: dict[str, Any]) -> None:
    write_junit(path, run_suites(doc))
