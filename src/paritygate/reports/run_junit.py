"""``junit.xml`` for the whole run: the smoke, parity and fuzz suites (the same ones their
own commands write), the stack, the review, and one case for the verdict."""

from __future__ import annotations

from pathlib import Path

from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.core.run_doc import ReasonLevel, RunDocument, VerdictKind
from paritygate.reports.junit import JUnitCase, JUnitSuite, write_junit
from paritygate.reports.parity_junit import parity_junit_suites
from paritygate.reports.refs import reason_line
from paritygate.reports.smoke_report import smoke_junit_suites

__all__ = ["run_suites", "write_run_junit"]


def _stand_in(name: str, phase: PhaseResult) -> JUnitCase | None:
    """A case for a phase that errored or was skipped, so its suite never looks silently green."""
    case = JUnitCase(name=name, classname=f"paritygate.{name}", time_s=phase.duration_s)
    if phase.status is PhaseStatus.ERROR:
        case.error = phase.summary or "error"
        case.system_out = phase.error or ""
        return case
    if phase.status is PhaseStatus.SKIPPED:
        case.skipped = phase.summary or "skipped"
        return case
    return None


def _review_cases(doc: RunDocument) -> list[JUnitCase]:
    """One case per review reason: a converged block fails, a single-lineage one is a note."""
    cases = []
    for reason in [*doc.reasons, *doc.warnings]:
        if reason.phase != "review":
            continue
        case = JUnitCase(name=reason.evidence, classname="review")
        if reason.level is ReasonLevel.BLOCK:
            case.failure = reason.message
        else:
            case.system_out = reason.message
        cases.append(case)
    return cases


def _phase_suites(doc: RunDocument, name: str, phase: PhaseResult) -> list[JUnitSuite]:
    if phase.smoke is not None and phase.smoke.checks:
        return smoke_junit_suites(phase.smoke)
    fuzz = phase.fuzz
    if fuzz is not None:
        if fuzz.parity.cases:
            return parity_junit_suites(fuzz.parity, suite="fuzz")
        # nothing found is a result too: one passing case saying what was sent
        found = JUnitCase(name="generated requests", classname="fuzz", system_out=fuzz.line)
        return [JUnitSuite("fuzz", [found])]
    if phase.parity is not None and phase.parity.cases:
        return parity_junit_suites(phase.parity)
    if phase.stack is not None:
        return [
            JUnitSuite("stack", [JUnitCase(name=s.name, classname="stack") for s in phase.stack.services])
        ]
    if name == "review":
        return [JUnitSuite("review", _review_cases(doc))]
    return []


def run_suites(doc: RunDocument) -> list[JUnitSuite]:
    suites: list[JUnitSuite] = []
    for name, phase in doc.phases.items():
        found = [s for s in _phase_suites(doc, name, phase) if s.cases]
        stand_in = _stand_in(name, phase)
        if stand_in is not None and (stand_in.error is not None or not found):
            found.insert(0, JUnitSuite(name, [stand_in]))
        suites += found
    verdict = JUnitCase(name=doc.verdict.value, classname="paritygate.verdict", time_s=doc.duration_s)
    lines = [reason_line(r) for r in doc.reasons]
    if doc.verdict is VerdictKind.BLOCK:
        verdict.failure = lines[0] if lines else "block"
        verdict.failure_text = "\n".join(lines)
    else:
        verdict.system_out = "\n".join(lines)
    suites.append(JUnitSuite("verdict", [verdict]))
    return suites


def write_run_junit(path: Path, doc: RunDocument) -> None:
    write_junit(path, run_suites(doc))
