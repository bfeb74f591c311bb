"""JUnit view of a parity run: one testcase per case.

A status mismatch or a divergence nobody decided on is a failure; a case without an
answer is an error; a known divergence (tracker row `_open_` or `accepted`) passes
with a note, so CI stays green on documented gaps and red on new ones.
"""

from __future__ import annotations

from typing import Any

import orjson

from paritygate.reports.junit import JUnitCase, JUnitSuite

__all__ = ["parity_junit_suites"]


def _differences_text(case: dict[str, Any]) -> str:
    lines = []
    for pair in case["pairs"]:
        for d in pair["differences"]:
            left = orjson.dumps(d["left"], default=str).decode()
            right = orjson.dumps(d["right"], default=str).decode()
            lines.append(f"{pair['left']} vs {pair['right']}: {d['path']} ({d['kind']}): {left} | {right}")
    return "\n".join(lines)


def _case(case: dict[str, Any], classes: dict[str, dict[str, Any]]) -> JUnitCase:
    targets = case["targets"]
    elapsed = max((t["elapsed_ms"] for t in targets.values()), default=0.0) / 1000
    statuses = ", ".join(
        f"{n}={t['status'] if t['error'] is None else 'no answer'}" for n, t in targets.items()
    )
    junit = JUnitCase(name=case["name"], classname=f"parity.{case['method']} {case['path']}", time_s=elapsed)
    errors = [f"{n}: {t['error']}" for n, t in targets.items() if t["error"] is not None]
    cls = classes.get(case["class_key"]) if case["class_key"] else None
    if errors:
        junit.error = "no answer: " + "; ".join(errors)
    elif not case["status_match"]:
        junit.failure = f"status mismatch: {statuses}"
        junit.failure_text = _differences_text(case)
    elif case["outcome"] != "match" and (cls is None or cls["status"] != "known"):
        name = cls["mapping"]["name"] if cls and cls["mapping"] else case["outcome"]
        junit.failure = f"new divergence ({name})"
        junit.failure_text = _differences_text(case)
    elif cls is not None:
        decision = cls["decision"] or {}
        junit.system_out = (
            f"known divergence {cls['key']} (tracker: {decision.get('status')} — {decision.get('decision')})\n"
            + _differences_text(case)
        )
    return junit


def parity_junit_suites(doc: dict[str, Any]) -> list[JUnitSuite]:
    classes = {c["key"]: c for c in doc["classes"]}
    return [JUnitSuite(name="parity", cases=[_case(c, classes) for c in doc["cases"]])]
