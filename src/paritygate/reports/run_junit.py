"""``junit.xml`` for the whole run: one suite per phase plus the verdict, for CI dashboards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.reports.junit import JUnitCase, JUnitSuite, write_junit
from paritygate.reports.run_view import phase_data

__all__ = ["run_suites", "write_run_junit"]


def _phase_case(name: str, phase: dict[str, Any]) -> JUnitCase | None:
    """A stand-in case for a phase that errored or was skipped (so the suite is never silently empty)."""
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


def _smoke_cases(data: dict[str, Any]) -> list[JUnitCase]:
    cases = []
    for check in data.get("checks") or []:
        case = JUnitCase(
            name=f"{check.get('name')}",
            classname=f"smoke.{check.get('chain', 'chain')}",
            time_s=float(check.get("duration_ms") or 0) / 1000,
        )
        failures = check.get("failures") or []
        detail = "\n".join(f"{f.get('assertion')}: expected {f.get('expected')!s}, got {f.get('actual')!s}" for f in failures)
        if check.get("status") == "fail":
            case.failure = detail.splitlines()[0] if detail else "failed"
            case.failure_text = "\n".join([detail, str(check.get("body_snippet") or "")]).strip()
        elif check.get("status") == "error":
            case.error = detail or "error"
        if check.get("log_tail"):
            case.system_out = "\n".join(map(str, check["log_tail"]))
        cases.append(case)
    return cases


def _parity_cases(data: dict[str, Any]) -> list[JUnitCase]:
    cases = []
    for item in data.get("cases") or []:
        outcome = str(item.get("outcome", "?"))
        case = JUnitCase(name=str(item.get("name")), classname=f"parity.{item.get('method', '')} {item.get('path', '')}".strip())
        diffs = [f"{d.get('path')} ({d.get('kind')})" for p in item.get("pairs") or [] for d in p.get("differences") or []]
        if outcome == "error":
            errors = [f"{t}: {a.get('error')}" for t, a in (item.get("targets") or {}).items() if a.get("error")]
            case.error = "; ".join(errors) or "a target did not answer"
        elif outcome == "status" or (outcome != "match" and not item.get("known")):
            case.failure = f"{outcome} divergence, class {item.get('class_key')}"
            case.failure_text = "\n".join(diffs)
        elif outcome != "match":
            case.system_out = f"known divergence {item.get('class_key')} (tracked)\n" + "\n".join(diffs)
        cases.append(case)
    return cases


def _review_cases(doc: dict[str, Any]) -> list[JUnitCase]:
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


def run_suites(doc: dict[str, Any]) -> list[JUnitSuite]:
    phases = doc.get("phases") or {}
    suites: list[JUnitSuite] = []
    builders = {
        "stack": lambda: [JUnitCase(name=str(s.get("name")), classname="stack") for s in phase_data(doc, "stack").get("services") or []],
        "smoke": lambda: _smoke_cases(phase_data(doc, "smoke")),
        "parity": lambda: _parity_cases(phase_data(doc, "parity")),
        "review": lambda: _review_cases(doc),
    }
    for name, phase in phases.items():
        stand_in = _phase_case(name, phase)
        build = builders.get(name)
        cases = build() if build is not None else []
        if stand_in is not None and (stand_in.error is not None or not cases):
            cases.insert(0, stand_in)
        suites.append(JUnitSuite(name=f"paritygate.{name}", cases=cases))
    verdict = JUnitCase(name=str(doc.get("verdict")), classname="paritygate.verdict", time_s=float(doc.get("duration_s") or 0))
    messages = [f"[{r.get('level')}] {r.get('message')} (evidence: {r.get('evidence')})" for r in doc.get("reasons") or []]
    if doc.get("verdict") == "block":
        verdict.failure = messages[0] if messages else "block"
        verdict.failure_text = "\n".join(messages)
    else:
        verdict.system_out = "\n".join(messages)
    suites.append(JUnitSuite(name="paritygate.verdict", cases=[verdict]))
    return suites


def write_run_junit(path: Path, doc: dict[str, Any]) -> None:
    write_junit(path, run_suites(doc))
