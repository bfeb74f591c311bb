"""Build the ``paritygate.parity/1`` document from the case runs, and the findings from it.

Findings are derived from the document alone, so a re-rendered run directory weighs
exactly what the live run weighed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paritygate.compare import DivergenceClass, body_for_report
from paritygate.compare.model import Outcome, Response
from paritygate.core.models import Endpoint, Finding, FindingKind, PhaseStatus
from paritygate.phases.parity.nway import describe_odd_one_out
from paritygate.phases.parity.probe_run import CaseRun
from paritygate.phases.parity.tracker import DecisionRow, Tracker

__all__ = ["SCHEMA", "RunFacts", "build_document", "findings_from", "status_from", "summary_from"]

SCHEMA = "paritygate.parity/1"


@dataclass(slots=True)
class RunFacts:
    project: str
    date: str
    targets: list[Endpoint]
    reference: str | None
    header_names: tuple[str, ...]
    ignored: list[str]  # configured ignore rules, as paths or header:<name>
    noise_runs: int
    cases_file: str
    duration_s: float


def _target_doc(resp: Response, header_names: tuple[str, ...]) -> dict[str, Any]:
    wanted = {h.lower() for h in header_names}
    return {
        "status": resp.status,
        "headers": {k.lower(): v for k, v in resp.headers if k.lower() in wanted},
        "body": body_for_report(resp) if resp.error is None else None,
        "error": resp.error,
        "elapsed_ms": round(resp.elapsed_ms, 3),
    }


def _unreachable(runs: list[CaseRun], names: list[str]) -> list[str]:
    if not runs:
        return []
    return [n for n in names if all(run.responses[n].error is not None for run in runs)]


def _class_doc(
    found: DivergenceClass, cases: list[str], tracker: Tracker, recorded: set[str]
) -> dict[str, Any]:
    active = tracker.active_row(found.key)
    shown = active or tracker.latest_row(found.key)
    mapping = found.mapping
    return {
        "key": found.key,
        "title": found.title,
        "endpoint": found.endpoint,
        "outcome": found.outcome.value,
        "mapping": None if mapping is None else mapping.to_dict(),
        "cases": cases,
        # a row recorded by this very run does not make its class known: it was new when found
        "status": "known" if active is not None and found.key not in recorded else "new",
        "decision": shown.to_dict() if shown is not None else None,
        # only `fixed` rows before this run: the class came back
        "regressed": (active is None or found.key in recorded)
        and any(r.key == found.key and r.status == "fixed" for r in tracker.rows),
        "recorded": found.key in recorded,
    }


def build_document(
    facts: RunFacts, runs: list[CaseRun], tracker: Tracker, recorded: set[str]
) -> dict[str, Any]:
    names = [t.name for t in facts.targets]
    unreachable = _unreachable(runs, names)
    classes: dict[str, tuple[DivergenceClass, list[str]]] = {}
    for run in runs:
        for found in run.classes:
            classes.setdefault(found.key, (found, []))[1].append(run.case.name)
    class_docs = [_class_doc(found, cases, tracker, recorded) for found, cases in classes.values()]
    status_by_key = {c["key"]: c["status"] for c in class_docs}
    case_docs = []
    noise: dict[tuple[str, str], dict[str, Any]] = {}
    for run in runs:
        key = run.class_key
        for target, paths in run.noise.items():
            for p in paths:
                entry = noise.setdefault(
                    (target, p.path),
                    {
                        "target": target,
                        "path": p.path,
                        "examples": list(p.examples),
                        "suggested_rule": p.suggested_rule,
                        "cases": [],
                    },
                )
                entry["cases"].append(run.case.name)
        case_docs.append(
            {
                "name": run.case.name,
                "method": run.case.method,
                "path": run.case.path,
                "tags": list(run.case.tags),
                "targets": {n: _target_doc(run.responses[n], facts.header_names) for n in names},
                "status_match": run.status_match,
                "body_match": run.body_match,
                "outcome": run.outcome.value,
                "class_key": key,
                "known": None if key is None else status_by_key[key] == "known",
                "pairs": [
                    {
                        "left": p.left,
                        "right": p.right,
                        "outcome": p.comparison.outcome.value,
                        "class_key": p.class_key,
                        "differences": [d.to_dict() for d in p.comparison.differences],
                        "notes": list(p.comparison.notes),
                    }
                    for p in run.pairs
                ],
                "groups": run.groups,
                "odd_one_out": run.odd_one_out,
                "odd_one_out_text": describe_odd_one_out(run.odd_one_out, run.groups)
                if run.odd_one_out
                else None,
                "noise_paths": sorted({p.path for paths in run.noise.values() for p in paths}),
            }
        )
    matches = sum(1 for c in case_docs if c["outcome"] == Outcome.MATCH.value)
    errors = sum(1 for c in case_docs if c["outcome"] == Outcome.ERROR.value)
    fixed: list[dict[str, Any]] = []
    fixed_skipped = None
    if errors:
        fixed_skipped = "some cases got no answer, so a missing class proves nothing"
    else:  # a key's first active row stands for it: listed once, however many rows it has
        fixed = [
            {**row.to_dict(), "line": row.line}
            for row in tracker.rows
            if row.key not in classes and tracker.active_row(row.key) is row
        ]
    return {
        "schema": SCHEMA,
        "project": facts.project,
        "date": facts.date,
        "targets": [{"name": t.name, "url": t.base_url} for t in facts.targets],
        "reference": facts.reference,
        "compared_headers": list(facts.header_names),
        "ignored": facts.ignored,
        "cases_file": facts.cases_file,
        "tracker": str(tracker.path),
        "noise_runs": facts.noise_runs,
        "duration_s": round(facts.duration_s, 4),
        "cases": case_docs,
        "tally": {
            "cases": len(case_docs),
            "status_match": sum(1 for c in case_docs if c["status_match"]),
            "body_match": sum(1 for c in case_docs if c["body_match"]),
            "body_diff": sum(
                1 for c in case_docs if not c["body_match"] and c["outcome"] != Outcome.ERROR.value
            ),
            "errors": errors,
            "match": matches,
            "diff": len(case_docs) - matches - errors,
        },
        "classes": class_docs,
        "fixed": fixed,
        "fixed_skipped": fixed_skipped,
        "noise": list(noise.values()),
        "unreachable": unreachable,
    }


def _named(cls: dict[str, Any]) -> str:
    """The class title, followed by its mapping's name when that says something more."""
    title, mapping = str(cls["title"]), cls["mapping"]
    return title + (f" ({mapping['name']})" if mapping and mapping["name"] != title else "")


def new_rows(doc: dict[str, Any]) -> list[DecisionRow]:
    """An `_open_` tracker row for every new class of the document."""
    rows = []
    for cls in doc["classes"]:
        if cls["status"] != "new":
            continue
        mapping = cls["mapping"]
        decision = (
            f"to decide; suggested: {mapping['fix']}" if mapping and mapping.get("fix") else "to decide"
        )
        names = ", ".join(t["name"] for t in doc["targets"])
        evidence = f"parity {doc['date']} ({names}): {', '.join(cls['cases'])}"
        rows.append(DecisionRow(cls["key"], cls["endpoint"], _named(cls), "_open_", decision, evidence))
    return rows


def _status_line(case: dict[str, Any]) -> str:
    return " · ".join(
        f"{name} {t['status']}" if t["error"] is None else f"{name} no answer ({t['error']})"
        for name, t in case["targets"].items()
    )


def findings_from(doc: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    urls = {t["name"]: t["url"] for t in doc["targets"]}
    unreachable = set(doc["unreachable"])
    for name in doc["unreachable"]:
        first = next((c["targets"][name]["error"] for c in doc["cases"]), "no answer")
        out.append(Finding(FindingKind.UNREACHABLE, name, f"{name} ({urls[name]}) never answered: {first}"))
    for case in doc["cases"]:
        targets = case["targets"]
        answered = {t["status"] for n, t in targets.items() if t["error"] is None}
        silent = [n for n, t in targets.items() if t["error"] is not None and n not in unreachable]
        if len(answered) > 1 or silent:
            out.append(Finding(FindingKind.STATUS_MISMATCH, case["name"], _status_line(case)))
    for cls in doc["classes"]:
        where = f"{cls['endpoint']} in {len(cls['cases'])} case(s)"
        named = _named(cls)
        if cls["status"] == "new":
            extra = " (its tracker row says fixed: it came back)" if cls["regressed"] else ""
            out.append(
                Finding(FindingKind.NEW_DIVERGENCE, cls["key"], f"new divergence: {named}, {where}{extra}")
            )
        else:
            decision = cls["decision"]
            out.append(
                Finding(
                    FindingKind.KNOWN_DIVERGENCE,
                    cls["key"],
                    f"known divergence ({decision['status']} in the tracker: {decision['decision'] or 'no decision text'}):"
                    f" {named}, {where}",
                )
            )
    for row in doc["fixed"]:
        out.append(
            Finding(
                FindingKind.FIXED_DIVERGENCE,
                row["key"],
                f"fixed? tracker row (line {row['line']}, {row['status']}) not seen in this run: {row['divergence']}",
            )
        )
    return out


def status_from(findings: list[Finding]) -> PhaseStatus:
    kinds = {f.kind for f in findings}
    if FindingKind.UNREACHABLE in kinds:
        return PhaseStatus.ERROR
    if kinds & {FindingKind.STATUS_MISMATCH, FindingKind.NEW_DIVERGENCE}:
        return PhaseStatus.FAILED
    return PhaseStatus.PASSED


def summary_from(doc: dict[str, Any]) -> str:
    tally = doc["tally"]
    known = sum(1 for c in doc["classes"] if c["status"] == "known")
    new = len(doc["classes"]) - known
    parts = [
        f"{tally['status_match']}/{tally['cases']} status match",
        f"{tally['match']} match · {tally['diff']} diff",
        f"{len(doc['classes'])} class(es) ({known} known, {new} new)",
    ]
    if doc["fixed"]:
        parts.append(f"{len(doc['fixed'])} fixed?")
    if tally["errors"]:
        parts.append(f"{tally['errors']} error(s)")
    if doc["unreachable"]:
        parts.append(f"unreachable: {', '.join(doc['unreachable'])}")
    return " · ".join(parts)
