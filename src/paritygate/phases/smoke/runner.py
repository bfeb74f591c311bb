"""Running a smoke plan: chains in parallel (``jobs`` at a time), checks of a chain in order.

One shared async httpx client serves every chain. Each check is tried up to
``retry + 1`` times, ``interval`` seconds apart, and every attempt is recorded.
Captured values live in a per-chain copy of the variables, so they never leak
into another chain. Every result is masked before anyone sees it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from paritygate.config import LoadedConfig
from paritygate.core.masking import Masker
from paritygate.core.models import Endpoint, Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.core.smoke_doc import SCHEMA, SmokeCheck, SmokeDocument
from paritygate.errors import StackError
from paritygate.phases.smoke.assertions import evaluate
from paritygate.phases.smoke.logtail import tail_lines
from paritygate.phases.smoke.plan import PlannedCheck, SmokePlan, load_smoke
from paritygate.probe.extract import Failure, Reply, extract_capture
from paritygate.probe.templates import MissingVariable, render_text, render_value, text_form

__all__ = ["SCHEMA", "run_plan", "run_plan_async", "run_smoke"]

_SNIPPET = 600  # characters of the body shown for a failed check

CheckCallback = Callable[[SmokeCheck], None]


def _build(
    client: httpx.AsyncClient, check: PlannedCheck, base: str, variables: dict[str, Any]
) -> httpx.Request:
    """The request of one attempt; raises MissingVariable when a capture it needs never happened."""
    headers = {name: render_text(value, variables) for name, value in check.headers.items()}
    params = {
        name: render_text(value if isinstance(value, str) else text_form(value), variables)
        for name, value in check.query.items()
    }
    content: bytes | None = None
    if check.body_kind == "json":
        content = orjson.dumps(render_value(check.body, variables))
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
    elif check.body_kind == "text":
        content = render_text(check.body, variables).encode()
    elif check.body_kind == "repeat":
        text, times = check.body
        content = (render_text(text, variables) * times).encode()
    return client.build_request(
        check.method,
        base + render_text(check.path, variables),
        params=params or None,
        headers=headers,
        content=content,
        timeout=check.timeout,
    )


_UNREACHABLE = "cannot connect: "


def _transport_error(exc: httpx.HTTPError, check: PlannedCheck) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: no answer within {check.timeout:g}s"
    if isinstance(exc, httpx.ConnectError):
        return f"{_UNREACHABLE}{exc}"
    return f"{type(exc).__name__}: {exc}"


async def _attempt(
    client: httpx.AsyncClient, request: httpx.Request, check: PlannedCheck, variables: dict[str, Any], n: int
) -> tuple[dict[str, Any], Reply | None, list[Failure], dict[str, Any]]:
    """One try: (attempt record, the reply or None, failures, captured values)."""
    started = time.perf_counter()
    try:
        response = await client.send(request)
    except httpx.HTTPError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        record: dict[str, Any] = {
            "n": n,
            "status_code": None,
            "duration_ms": round(elapsed, 3),
            "passed": False,
            "error": _transport_error(exc, check),
            "failures": [],
        }
        return record, None, [], {}
    elapsed = (time.perf_counter() - started) * 1000
    reply = Reply(response.status_code, response.headers, response.content, elapsed)
    failures = [f for f in (evaluate(a, reply, variables) for a in check.assertions) if f is not None]
    captured: dict[str, Any] = {}
    for capture in check.captures:
        value, failure = extract_capture(capture, reply)
        if failure is not None:
            failures.append(failure)
        else:
            captured[capture.name] = value
    record = {
        "n": n,
        "status_code": reply.status,
        "duration_ms": round(elapsed, 3),
        "passed": not failures,
        "error": None,
        "failures": [f.to_dict() for f in failures],
    }
    return record, reply, failures, captured


async def _run_check(
    client: httpx.AsyncClient,
    check: PlannedCheck,
    endpoint: Endpoint | None,
    variables: dict[str, Any],
    log_lines: int,
) -> dict[str, Any]:
    base = endpoint.base_url.rstrip("/") if endpoint is not None else (check.url or "")
    result: dict[str, Any] = {
        "chain": check.chain,
        "name": check.name,
        "target": check.service or check.url,
        "method": check.method,
        "url": base + check.path,
        "status": "error",
        "duration_ms": 0.0,
        "attempts": [],
        "failures": [],
        "body_snippet": "",
        "log_tail": [],
        "error": None,
        "captured": {},
    }
    started = time.perf_counter()
    records: list[dict[str, Any]] = []
    reply: Reply | None = None
    failures: list[Failure] = []
    try:
        for n in range(1, check.retry + 2):
            request = _build(client, check, base, variables)
            result["url"] = str(request.url)
            record, reply, failures, captured = await _attempt(client, request, check, variables, n)
            records.append(record)
            if record["passed"]:
                variables.update(captured)
                result["captured"] = {name: text_form(value) for name, value in captured.items()}
                break
            if n <= check.retry:
                await asyncio.sleep(check.interval)
    except MissingVariable as exc:
        result["error"] = f"{{{{{exc.name}}}}} has no value: the check of this chain that captures it failed"
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    result["attempts"] = records
    if records and records[-1]["passed"]:
        result["status"] = "pass"
        return result
    if records and records[-1]["error"] is not None:
        result["error"] = records[-1]["error"]
    result["status"] = "error" if result["error"] else "fail"
    result["failures"] = [f.to_dict() for f in failures]
    if reply is not None:
        result["body_snippet"] = reply.text[:_SNIPPET] + ("…" if len(reply.text) > _SNIPPET else "")
    result["log_tail"] = tail_lines(endpoint.log_path if endpoint is not None else None, log_lines)
    return result


def _summary(passed: int, failed: int, errors: int, total: int, seconds: float) -> str:
    parts = [f"{passed}/{total} PASS"]
    if failed:
        parts.append(f"{failed} FAIL")
    if errors:
        parts.append(f"{errors} ERROR")
    return f"{', '.join(parts)} in {seconds:.2f}s"


def _finding(check: SmokeCheck) -> Finding:
    label = check.label
    if check.status == "error":
        return Finding(FindingKind.SMOKE_FAILED, label, f"{label}: {check.error}")
    first = check.failures[0] if check.failures else None
    what = (
        f"{first.assertion}: expected {first.expected}, got {first.actual}"
        if first
        else "?: expected ?, got ?"
    )
    more = f" (+{len(check.failures) - 1} more)" if len(check.failures) > 1 else ""
    return Finding(FindingKind.SMOKE_FAILED, label, f"{label}: {what}{more}")


def _phase_result(checks: list[SmokeCheck], seconds: float) -> PhaseResult:
    counts = {status: sum(c.status == status for c in checks) for status in ("pass", "fail", "error")}
    total = len(checks)
    data = SmokeDocument(
        schema=SCHEMA,
        total=total,
        passed=counts["pass"],
        failed=counts["fail"],
        errors=counts["error"],
        duration_s=round(seconds, 4),
        checks=checks,
    )
    if total == 0:
        return PhaseResult("smoke", PhaseStatus.SKIPPED, "no smoke checks configured", data=data)
    findings = [_finding(c) for c in checks if c.status != "pass"]
    # A target where nothing listens is the environment failing (exit 3), not a failed check.
    unreachable = sorted(
        {str(c.target) for c in checks if c.status == "error" and _UNREACHABLE in str(c.error)}
    )
    findings += [
        Finding(
            FindingKind.UNREACHABLE, name, f"smoke target {name}: nothing listens (a check could not connect)"
        )
        for name in unreachable
    ]
    status = PhaseStatus.ERROR if unreachable else PhaseStatus.FAILED if findings else PhaseStatus.PASSED
    summary = _summary(counts["pass"], counts["fail"], counts["error"], total, seconds)
    return PhaseResult("smoke", status, summary, findings=findings, data=data, duration_s=seconds)


async def run_plan_async(
    plan: SmokePlan,
    endpoints: dict[str, Endpoint],
    *,
    jobs: int | None = None,
    on_check: CheckCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PhaseResult:
    """Run a validated plan; ``on_check`` gets each finished check's masked result as it completes."""
    missing = sorted(plan.services - set(endpoints))
    if missing:
        raise StackError(
            f"service {missing[0]!r} is not running (no endpoint), but smoke checks target it",
            hint="start the stack first (`paritygate stack up`) or pass --up",
        )
    jobs = max(1, jobs or os.cpu_count() or 1)
    masker = Masker(plan.secrets)
    gate = asyncio.Semaphore(jobs)
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=max(10, 2 * jobs), max_keepalive_connections=max(10, 2 * jobs))
    # trust_env=False: no proxy from the environment between us and the stack.
    async with httpx.AsyncClient(
        transport=transport, limits=limits, trust_env=False, follow_redirects=False
    ) as client:

        async def run_chain(checks: list[PlannedCheck]) -> list[SmokeCheck]:
            variables = dict(plan.variables)  # captures stay inside this chain
            out: list[SmokeCheck] = []
            async with gate:
                for check in checks:
                    endpoint = endpoints.get(check.service) if check.service else None
                    # the record is masked as the JSON tree it is, then read as the typed check
                    masked = masker.tree(await _run_check(client, check, endpoint, variables, plan.log_lines))
                    result = SmokeCheck.from_json(masked)
                    out.append(result)
                    if on_check is not None:
                        on_check(result)
            return out

        per_chain = await asyncio.gather(*(run_chain(chain.checks) for chain in plan.chains))
    checks = [result for chain_results in per_chain for result in chain_results]
    return _phase_result(checks, time.perf_counter() - started)


def run_plan(
    plan: SmokePlan,
    endpoints: dict[str, Endpoint],
    *,
    jobs: int | None = None,
    on_check: CheckCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PhaseResult:
    """Synchronous :func:`run_plan_async` (a display subscribes through ``on_check``)."""
    return asyncio.run(run_plan_async(plan, endpoints, jobs=jobs, on_check=on_check, transport=transport))


def run_smoke(
    loaded: LoadedConfig,
    endpoints: dict[str, Endpoint],
    *,
    variables: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    jobs: int | None = None,
    on_check: CheckCallback | None = None,
) -> PhaseResult:
    """Phase 2: validate ``[smoke]`` (ConfigError before any request), then run it against ``endpoints``."""
    plan = load_smoke(loaded, variables=variables, secrets=secrets)
    return run_plan(plan, endpoints, jobs=jobs, on_check=on_check)
