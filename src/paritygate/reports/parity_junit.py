"""JUnit view of a parity run: one testcase per case.

A status mismatch or a divergence nobody decided on is a failure; a case without an
answer is an error; a known divergence (tracker row `_open_` or `accepted`) passes
with a note, so CI stays green on documented gaps and red on new ones.
"""

from __future__ import annotations

import orjson

from paritygate.core.jsondoc import Absent, JsonValue
from paritygate.core.parity_doc import CaseDoc, ParityDocument, StepDoc
from paritygate.reports.junit import JUnitCase, JUnitSuite

__all__ = ["parity_junit_suites"]


def _json(value: JsonValue | Absent) -> str:
    return "(absent)" if isinstance(value, Absent) else orjson.dumps(value, default=str).decode()


def _differences_text(case: CaseDoc) -> str:
    return "\n".join(
        f"{pair.left} vs {pair.right}: {d.path} ({d.kind}): {_json(d.left)} | {_json(d.right)}"
        for pair, d in case.differences
    )


def _case(doc: ParityDocument, case: CaseDoc, suite: str) -> JUnitCase:
    targets = case.targets
    elapsed = max((t.elapsed_ms for t in targets.values()), default=0.0) / 1000
    statuses = ", ".join(f"{n}={t.status if t.error is None else 'no answer'}" for n, t in targets.items())
    junit = JUnitCase(name=case.name, classname=f"{suite}.{case.method} {case.path}", time_s=elapsed)
    errors = [f"{n}: {t.error}" for n, t in targets.items() if t.error is not None]
    capture_errors = [f"{n}: {problem}" for n, problem in case.capture_errors.items()]
    cls = doc.class_of(case.class_key)
    if errors:
        junit.error = "no answer: " + "; ".join(errors)
    elif capture_errors:
        junit.error = "step error: " + "; ".join(capture_errors)
    elif not case.status_match:
        junit.failure = f"status mismatch: {statuses}"
        junit.failure_text = _differences_text(case)
    elif case.outcome != "match" and (cls is None or cls.status != "known"):
        name = cls.mapping.name if cls and cls.mapping else case.outcome
        junit.failure = f"new divergence ({name})"
        junit.failure_text = _differences_text(case)
    elif cls is not None:
        decision = cls.decision
        said = f"{decision.status} — {decision.decision}" if decision else "no row"
        junit.system_out = f"known divergence {cls.key} (tracker: {said})\n" + _differences_text(case)
    return junit


def _skipped(step: StepDoc, suite: str) -> JUnitCase:
    # setup and teardown are not tests; a skipped step is one that could not be tested
    return JUnitCase(name=step.name, classname=f"{suite}.{step.method} {step.path}", skipped=step.reason)


def parity_junit_suites(doc: ParityDocument, suite: str = "parity") -> list[JUnitSuite]:
    """The suite of a parity document; ``suite="fuzz"`` for a fuzz run's shrunk cases."""
    cases = [_case(doc, c, suite) for c in doc.cases]
    cases += [_skipped(s, suite) for s in doc.steps if s.state == "skipped"]
    return [JUnitSuite(name=suite, cases=cases)]
