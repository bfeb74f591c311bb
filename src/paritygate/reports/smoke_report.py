"""Smoke results for people and for CI: plain text, JSON and JUnit.

Every writer reads the typed smoke document (``SmokeDocument``, ``paritygate.smoke/1``),
which a finished run directory's JSON decodes back to, so it can be re-rendered. The data
is already masked by the phase.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from paritygate.core.escaping import one_line
from paritygate.core.fs import atomic_write_bytes
from paritygate.core.jsondoc import JsonObject
from paritygate.core.smoke_doc import SmokeCheck, SmokeDocument
from paritygate.reports.junit import JUnitCase, JUnitSuite, write_junit

__all__ = [
    "check_line",
    "failure_lines",
    "render_text",
    "smoke_junit_suites",
    "write_smoke_json",
    "write_smoke_junit",
]


def check_line(check: SmokeCheck) -> str:
    """``PASS  chain/check  3.1 ms``: the status, the check and its time (masked data only)."""
    attempts = len(check.attempts)
    tries = f"  ({attempts} attempts)" if attempts > 1 else ""
    return f"{check.status.upper():<5} {check.label}  {check.duration_ms:.1f} ms{tries}"


def failure_lines(check: SmokeCheck) -> list[str]:
    """Everything needed to act on one failed check: expected vs actual, the body, the service log."""
    attempts = check.attempts
    noun = "attempt" if len(attempts) == 1 else "attempts"
    service = "" if str(check.target).startswith(("http://", "https://")) else f"{check.target}: "
    lines = [
        f"{check.status.upper()} {check.label}  "
        f"({service}{check.method} {check.url}, {len(attempts)} {noun}, {check.duration_ms:.1f} ms)"
    ]
    if check.error:
        lines.append(f"  error: {check.error}")
    for failure in check.failures:
        lines.append(f"  {failure.assertion}: expected {failure.expected}, actual {failure.actual}")
    if len(attempts) > 1:
        tried = ", ".join(
            f"#{a.n} {a.status_code if a.status_code is not None else a.error} {'pass' if a.passed else 'fail'}"
            for a in attempts
        )
        lines.append(f"  attempts: {tried}")
    if check.body_snippet:
        lines.append("  body:")
        lines.extend(f"    {line}" for line in check.body_snippet.splitlines())
    if check.log_tail:
        count = len(check.log_tail)
        lines.append(f"  log of {check.target} (last {'line' if count == 1 else f'{count} lines'}):")
        lines.extend(f"    | {line}" for line in check.log_tail)
    # values, bodies and logs come from the service: each line shows its control characters
    return [one_line(line) for line in lines]


def render_text(doc: SmokeDocument, summary: str, *, per_check: bool = True) -> str:
    """The human report: (optionally) one line per check, a block per failure, the summary line."""
    lines = [check_line(c) for c in doc.checks] if per_check else []
    failed = [c for c in doc.checks if c.status != "pass"]
    if failed:
        lines.append("")
        for check in failed:
            lines.extend(failure_lines(check))
            lines.append("")
    lines.append(summary)
    return "\n".join(lines)


def write_smoke_json(path: Path, result: JsonObject) -> None:
    """smoke.json: the smoke phase result's JSON form (``PhaseResult.to_dict()``) as it is."""
    atomic_write_bytes(path, orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")


def smoke_junit_suites(doc: SmokeDocument) -> list[JUnitSuite]:
    """One suite per chain, one testcase per check (time, failure message and details)."""
    suites: dict[str, JUnitSuite] = {}
    for check in doc.checks:
        suite = suites.setdefault(check.chain, JUnitSuite(f"smoke.{check.chain}"))
        case = JUnitCase(name=check.name, classname=f"smoke.{check.chain}", time_s=check.duration_ms / 1000)
        if check.status != "pass":
            details = "\n".join(failure_lines(check))
            if check.status == "error":
                case.error = check.error or "error"
                case.system_out = details
            else:
                first = check.failures[0] if check.failures else None
                case.failure = (
                    f"{first.assertion}: expected {first.expected}, actual {first.actual}"
                    if first
                    else "failed"
                )
                case.failure_text = details
        suite.cases.append(case)
    return list(suites.values())


def write_smoke_junit(path: Path, doc: SmokeDocument) -> None:
    write_junit(path, smoke_junit_suites(doc))
