"""Build the parity document (``paritygate.parity/2``, core/parity_doc.py) from the case runs,
match its classes against the tracker, and derive the findings from it.

Findings are derived from the document alone, so ``assess DIR`` (which matches the
classes against the tracker again with :func:`apply_tracker`) weighs exactly what the
live run weighed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paritygate.compare import (
    CompareRules,
    DivergenceClass,
    Flaky,
    body_for_report,
    group_causes,
    suggestions,
)
from paritygate.compare.canonical import normalize_headers
from paritygate.compare.model import Difference, Response
from paritygate.config.phases import OperationRule
from paritygate.core.jsondoc import ABSENT
from paritygate.core.models import Endpoint, Finding, FindingKind, PhaseStatus, TrackerEvidence
from paritygate.core.parity_doc import (
    CalibrationDoc,
    CaseDoc,
    ClassDoc,
    DecisionDoc,
    DifferenceDoc,
    ExampleDoc,
    ExampleSide,
    FlakyDoc,
    MappingDoc,
    NoiseDoc,
    OperationCount,
    OrderDoc,
    OutdatedRowDoc,
    PairDoc,
    ParityDocument,
    StepAnswer,
    StepDoc,
    SuggestionDoc,
    TargetAnswer,
    TargetRef,
)
from paritygate.phases.parity.headers import one_sided_headers
from paritygate.phases.parity.nway import describe_odd_one_out
from paritygate.phases.parity.probe_run import Calibration, CaseRun, ProbeRun
from paritygate.phases.parity.tracker import DecisionRow, Tracker, match_class, unmatched_rows
from paritygate.phases.parity.tracker_keys import outdated_rows
from paritygate.probe.operation import request_summary
from paritygate.probe.templates import text_form

__all__ = [
    "RunFacts",
    "apply_tracker",
    "build_document",
    "findings_from",
    "new_rows",
    "status_from",
    "summary_from",
]

_NO_ANSWER_FIXED = "some cases got no answer, so a missing class proves nothing"


@dataclass(slots=True)
class RunFacts:
    project: str
    date: str
    targets: list[Endpoint]
    reference: str | None
    rules: CompareRules  # what was compared: the headers, json_types
    ignored: list[str]  # configured ignore rules, as paths or header:<name>
    noise_runs: int
    twin_urls: dict[str, str]  # primary target -> its twin's URL (noise = "twin")
    cases_file: str
    duration_s: float
    group_by: str = "cause"
    operation: OperationRule | None = None
    order: OrderDoc = dataclasses.field(default_factory=OrderDoc)  # how the steps went out


def _answer(resp: Response, rules: CompareRules, namespaces: dict[str, str]) -> TargetAnswer:
    return TargetAnswer(
        status=resp.status,
        headers=normalize_headers(resp.headers),  # every header: recorded, judged only if compared
        body=body_for_report(resp, rules) if resp.error is None else ABSENT,
        error=resp.error,
        elapsed_ms=round(resp.elapsed_ms, 3),
        # over max_body_bytes: its length, digest and file (relative to the run directory)
        body_size=resp.body_size if resp.body_size is not None else ABSENT,
        body_sha256=resp.body_sha256 if resp.body_sha256 is not None else ABSENT,
        body_file=f"bodies/{resp.body_file}" if resp.body_file else ABSENT,
        namespaces=namespaces,
    )


def _difference(d: Difference, left: str, right: str) -> DifferenceDoc:
    # a `missing` path has no right value and an `extra` one no left value: absent, not null
    return DifferenceDoc(
        path=d.path,
        kind=d.kind,
        left=ABSENT if d.kind == "extra" else d.left,
        right=ABSENT if d.kind == "missing" else d.right,
        right_path=d.right_path,
        relation=ABSENT if d.relation is None else d.relation,
        detail=ABSENT if d.detail is None else d.detail_for(left, right) or ABSENT,
    )


def _unreachable(runs: list[CaseRun], names: list[str]) -> list[str]:
    if not runs:
        return []
    return [n for n in names if all(run.responses[n].error is not None for run in runs)]


def _case(run: CaseRun, names: list[str], facts: RunFacts) -> CaseDoc:
    rules = facts.rules
    namespaces = run.namespaces
    return CaseDoc(
        name=run.case.name,
        method=run.case.method,
        path=run.case.path,
        tags=list(run.case.tags),
        targets={n: _answer(run.responses[n], rules, namespaces.get(n, {})) for n in names},
        status_match=run.status_match,
        body_match=run.body_match,
        outcome=run.outcome.value,
        class_key=run.class_key,
        class_keys=run.class_keys,
        operation=run.operation,
        request=request_summary(run.case, facts.operation),
        pairs=[
            PairDoc(
                left=p.left,
                right=p.right,
                outcome=p.comparison.outcome.value,
                class_key=p.class_key,
                class_keys=list(p.class_keys),
                differences=[_difference(d, p.left, p.right) for d in p.comparison.differences],
                notes=list(p.comparison.notes),
            )
            for p in run.pairs
        ],
        groups=run.groups,
        odd_one_out=run.odd_one_out,
        odd_one_out_text=describe_odd_one_out(run.odd_one_out, run.groups) if run.odd_one_out else None,
        noise_paths=sorted({p.path for paths in run.noise.values() for p in paths}),
        scenario=run.case.scenario,
        step=run.case.step or run.case.name,
        state=run.state,
        capture_errors=dict(run.capture_errors),
        captured=_captured(run),
        excused=dict(sorted(run.excused.items())),
        flaky=[_flaky(f) for f in run.flaky],
        repeated=run.repeated,
    )


def _captured(run: CaseRun) -> dict[str, dict[str, str]]:
    return {t: {k: text_form(v) for k, v in values.items()} for t, values in run.captured.items()}


def _step(run: CaseRun, names: list[str]) -> StepDoc:
    """A step that was not compared: setup, teardown, or skipped."""
    case = run.case
    answers = {
        n: StepAnswer(run.responses[n].status, run.responses[n].error) if n in run.responses else None
        for n in names
    }
    return StepDoc(
        name=case.name,
        method=case.method,
        path=case.path,
        state=run.state,
        role=case.role,
        scenario=case.scenario,
        step=case.step or case.name,
        reason=run.reason,
        targets=answers,
        capture_errors=dict(run.capture_errors),
        captured=_captured(run),
    )


def _flaky(f: Flaky) -> FlakyDoc:
    return FlakyDoc(f.case, f.target, f.source, list(f.statuses), f.detail)


def _example(raw: dict[str, Any]) -> ExampleDoc:
    left, right = raw["left"], raw["right"]
    return ExampleDoc(
        case=raw["case"],
        operation=raw["operation"],
        path=raw["path"],
        left=ExampleSide(left["target"], left["value"]),
        right=ExampleSide(right["target"], right["value"]),
    )


def _class(found: DivergenceClass) -> ClassDoc:
    mapping = found.mapping
    return ClassDoc(
        key=found.key,
        title=found.title,
        endpoint=found.endpoint,
        outcome=found.outcome.value,
        cases=list(found.cases),
        mapping=None if mapping is None else MappingDoc(mapping.name, mapping.description, mapping.fix),
        kind=found.kind,
        relation=found.relation,
        place=found.place,
        places=list(found.places),
        summary=found.summary,
        operations=[OperationCount(name, n) for name, n in found.operations.items()],
        examples=[_example(e) for e in found.examples],
    )


def calibration_text(cal: Calibration) -> str:
    """One honest sentence: which calibration ran and what it rests on."""
    repeats = (
        f"noise from repeats: {cal.repeated_cases} safe case(s) re-sent {cal.noise_runs} time(s); "
        f"{cal.unrepeated_cases} stateful case(s) "
        + ("calibrated by twins" if cal.twins else "not calibrated (unsafe to repeat)")
    )
    if cal.mode == "none":
        return "none — noise not measured" + (f"; {repeats}" if cal.noise_runs else "")
    parts = []
    if cal.twins:
        pairs = ", ".join(f"{p} ~ {t}" for p, t in cal.twins.items())
        parts.append(f"twins ({pairs}): every request sent to each target and its twin in lockstep")
    if cal.noise_runs:
        parts.append(repeats)
    threshold = f"a path is noise when it differed in >= {cal.min_count} and >= {cal.min_ratio:.0%} of its observations"
    return f"{' + '.join(parts)}; {cal.observations} observation(s); {threshold}"


def _calibration(cal: Calibration, twin_urls: dict[str, str]) -> CalibrationDoc:
    return CalibrationDoc(
        mode=cal.mode,
        text=calibration_text(cal),
        twins=dict(cal.twins),
        twin_urls=dict(twin_urls),
        noise_runs=cal.noise_runs,
        repeated_cases=cal.repeated_cases,
        unrepeated_cases=cal.unrepeated_cases,
        observations=cal.observations,
        min_count=cal.min_count,
        min_ratio=cal.min_ratio,
    )


def _excused_by(runs: list[CaseRun], prefix: str) -> dict[tuple[str, str], int]:
    """(operation, path) -> differences excused, for the labels starting with ``prefix``."""
    out: dict[tuple[str, str], int] = {}
    for run in runs:
        for label, count in run.excused.items():
            if label.startswith(prefix):
                key = (run.operation, label.removeprefix(prefix))
                out[key] = out.get(key, 0) + count
    return out


def _noise(probe: ProbeRun) -> list[NoiseDoc]:
    excused = _excused_by(probe.runs, "noise:")
    return [
        NoiseDoc(
            target=n.target,
            path=n.path,
            examples=list(n.examples),
            suggested_rule=n.suggested_rule,
            cases=list(n.cases),
            operation=n.operation,
            source=n.source,
            observations=n.observations,
            differed=n.differed,
            clock=n.clock,
            kind=n.kind,
            excused=excused.get((n.operation, n.path), 0),
        )
        for n in probe.noise
    ]


def _matcher_counts(runs: list[CaseRun]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (_, label), count in _excused_by(runs, "").items():
        if label.startswith("match:"):
            counts[label] = counts.get(label, 0) + count
    return dict(sorted(counts.items()))


def _suggestions(probe: ProbeRun) -> list[SuggestionDoc]:
    return [
        SuggestionDoc(s.path, s.kind, s.rule, s.operation, s.targets, s.observations, s.differed)
        for s in suggestions(probe.noise, probe.operations)
    ]


def build_document(facts: RunFacts, probe: ProbeRun, tracker: Tracker, recorded: set[str]) -> ParityDocument:
    all_runs = probe.runs
    names = [t.name for t in facts.targets]
    runs = [r for r in all_runs if r.state in ("compared", "error")]  # tallies, classes: compared only
    found = group_causes((o for run in runs for o in run.occurrences), group_by=facts.group_by)
    cases = [_case(run, names, facts) for run in runs]
    doc = ParityDocument(
        project=facts.project,
        date=facts.date,
        targets=[TargetRef(t.name, t.base_url) for t in facts.targets],
        cases=cases,
        reference=facts.reference,
        compared_headers=list(facts.rules.headers),
        ignored=facts.ignored,
        cases_file=facts.cases_file,
        noise_runs=facts.noise_runs,
        duration_s=round(facts.duration_s, 4),
        classes=[_class(c) for c in found],
        group_by=facts.group_by,
        fixed_skipped=_NO_ANSWER_FIXED if any(not c.answered for c in cases) else None,
        noise=_noise(probe),
        unreachable=_unreachable(runs, names),
        one_sided_headers=one_sided_headers(
            [(r.case.name, r.operation, r.responses) for r in runs], facts.rules.headers
        ),
        order=facts.order,
        steps=[_step(r, names) for r in all_runs if r.state in ("skipped", "not_compared")],
        calibration=_calibration(probe.calibration, facts.twin_urls),
        suggestions=_suggestions(probe),
        matchers_excused=_matcher_counts(runs),
        flaky=[_flaky(f) for f in probe.flaky],
    )
    return apply_tracker(doc, tracker, recorded)


def apply_tracker(doc: ParityDocument, tracker: Tracker, recorded: set[str]) -> ParityDocument:
    """``doc`` with every class matched against ``tracker`` (:func:`match_class`), each case's
    ``known`` following its class, and the ``fixed?`` rows (not when a case got no answer).
    ``recorded``: the keys whose rows this very run wrote (they stay new)."""
    classes = []
    for cls in doc.classes:
        match = match_class(tracker, cls.key, recorded=cls.key in recorded)
        classes.append(
            dataclasses.replace(
                cls,
                status=match.status,
                decision=match.row.to_doc() if match.row is not None else None,
                came_back=match.came_back,
                recorded=cls.key in recorded,
            )
        )
    status = {c.key: c.status for c in classes}
    cases = [dataclasses.replace(c, known=_known(c, status)) for c in doc.cases]
    outdated = [
        OutdatedRowDoc(o.row.line, o.row.key, list(o.likely), o.message)
        for o in outdated_rows(tracker, [c.to_json() for c in classes])
    ]
    # a row keyed in the old format gets its own message, never a silent `fixed?`
    seen = {*status, *(o.key for o in outdated)}
    fixed = [] if doc.fixed_skipped else [r.to_doc() for r in unmatched_rows(tracker, seen)]
    return dataclasses.replace(
        doc, classes=classes, cases=cases, fixed=fixed, outdated_rows=outdated, tracker=str(tracker.path)
    )


def _known(case: CaseDoc, status: Mapping[str, str]) -> bool | None:
    """A case is known when every class it is in is known; None when it is in none."""
    keys = case.class_keys or ([case.class_key] if case.class_key else [])
    return None if not keys else all(status.get(k) == "known" for k in keys)


def new_rows(doc: ParityDocument) -> list[DecisionRow]:
    """An `_open_` tracker row for every new class of the document."""
    rows = []
    names = ", ".join(doc.target_names)
    for cls in doc.classes:
        if cls.status != "new":
            continue
        mapping = cls.mapping
        decision = f"to decide; suggested: {mapping.fix}" if mapping and mapping.fix else "to decide"
        shown = ", ".join(cls.cases[:10]) + (
            f" and {len(cls.cases) - 10} more" if len(cls.cases) > 10 else ""
        )
        evidence = f"parity {doc.date} ({names}): {shown}"
        area = cls.endpoint if len(cls.endpoint) <= 80 else f"{len(cls.operations)} operations"
        rows.append(DecisionRow(cls.key, area, cls.name, "_open_", decision, evidence))
    return rows


def _status_line(case: CaseDoc) -> str:
    return " · ".join(
        f"{name} {t.status}" if t.error is None else f"{name} no answer ({t.error})"
        for name, t in case.targets.items()
    )


def _on(cls: ClassDoc) -> str:
    """Where a class showed: its operations, or their number when there are many."""
    return cls.endpoint if len(cls.operations) <= 3 else f"{len(cls.operations)} operations"


def _subject(cls: ClassDoc) -> str:
    """What a reason says a class is: "<title> on <operations> (N cases)[ (<mapping>)]"."""
    n = len(cls.cases)
    text = f"{cls.title} on {_on(cls)} ({n} case{'s' if n != 1 else ''})"
    if cls.mapping and cls.mapping.name not in cls.title:
        text += f" ({cls.mapping.name})"
    return text


def _evidence(doc: ParityDocument, row: DecisionDoc | None) -> TrackerEvidence | None:
    if row is None:
        return None
    return TrackerEvidence(doc.tracker, row.status, row.decision, row.line, expires=row.expires)


def _class_finding(doc: ParityDocument, cls: ClassDoc) -> Finding:
    where = f"{_on(cls)} in {len(cls.cases)} case(s)"
    tracker = _evidence(doc, cls.decision)
    decide = f"decide it with `paritygate tracker accept {cls.key} --note WHY`, or fix it"
    if cls.outcome == "status" and not cls.came_back:
        # A status-code divergence blocks (block_on_status_mismatch) until it is accepted:
        # an `_open_` row only says it is known. One reason per class, never one per case too.
        row = cls.decision
        if cls.status == "known" and row is not None and row.status == "_open_":
            message = f"status codes differ: {cls.name}, {where}; its tracker row (line {row.line}) is _open_: {decide}"
            return Finding(FindingKind.STATUS_MISMATCH, cls.key, message, _subject(cls), tracker)
        if cls.status == "new" and not (row is not None and row.status == "accepted" and row.expires):
            message = f"status codes differ: {cls.name}, {where}; no decision yet: {decide}"
            return Finding(FindingKind.STATUS_MISMATCH, cls.key, message, _subject(cls), tracker)
    if cls.status == "known":
        decision = cls.decision
        said = (decision.decision if decision else "") or "no decision text"
        status = decision.status if decision else "?"
        message = f"known divergence ({status} in the tracker: {said}): {cls.name}, {where}"
        return Finding(FindingKind.KNOWN_DIVERGENCE, cls.key, message, _subject(cls), tracker)
    if cls.came_back:
        message = f"divergence came back (its tracker row says fixed): {cls.name}, {where}"
        return Finding(FindingKind.CAME_BACK, cls.key, message, _subject(cls), tracker)
    message = f"new divergence: {cls.name}, {where}"
    # a row recorded by this run stays the class's evidence: where the decision will be made
    return Finding(FindingKind.NEW_DIVERGENCE, cls.key, message, _subject(cls), tracker)


def findings_from(doc: ParityDocument) -> list[Finding]:
    out: list[Finding] = []
    urls = {t.name: t.url for t in doc.targets}
    unreachable = set(doc.unreachable)
    for name in doc.unreachable:
        first = next((c.targets[name].error or "no answer" for c in doc.cases), "no answer")
        out.append(Finding(FindingKind.UNREACHABLE, name, f"{name} ({urls[name]}) never answered: {first}"))
    for case in doc.cases:
        answered = {t.status for t in case.targets.values() if t.error is None}
        silent = [n for n, t in case.targets.items() if t.error is not None and n not in unreachable]
        if silent and not answered:  # nobody answered: there is no status code to differ
            message = f"no target answered case {case.name}: {_status_line(case)}"
            out.append(Finding(FindingKind.UNREACHABLE, case.name, message))
        # a case in a divergence class is weighed once, through its classes (one reason each)
        elif ((len(answered) > 1 or silent) and not case.class_keys) or case.capture_errors:
            message = _status_line(case) + "".join(
                f" · step error on {n}: {problem}" for n, problem in case.capture_errors.items()
            )
            out.append(Finding(FindingKind.STATUS_MISMATCH, case.name, message))
    for flaky in doc.flaky:
        out.append(Finding(FindingKind.FLAKY, flaky.case, f"{flaky.detail}: {flaky.series}"))
    out += [_class_finding(doc, cls) for cls in doc.classes]
    out += [Finding(FindingKind.NOTE, old.key, old.message) for old in doc.outdated_rows]
    for row in doc.fixed:
        message = f"fixed? tracker row (line {row.line}, {row.status}) not seen in this run: {row.divergence}"
        subject = f"{row.divergence} on {row.area}" if row.area else row.divergence
        out.append(Finding(FindingKind.FIXED_DIVERGENCE, row.key, message, subject, _evidence(doc, row)))
    return out


def status_from(findings: list[Finding]) -> PhaseStatus:
    kinds = {f.kind for f in findings}
    if FindingKind.UNREACHABLE in kinds:
        return PhaseStatus.ERROR
    if kinds & {FindingKind.STATUS_MISMATCH, FindingKind.NEW_DIVERGENCE, FindingKind.CAME_BACK}:
        return PhaseStatus.FAILED
    return PhaseStatus.PASSED


def summary_from(doc: ParityDocument) -> str:
    tally = doc.tally
    parts = [
        f"{tally.status_match}/{tally.cases} status match",
        f"{tally.match} match · {tally.diff} diff",
        f"{len(doc.classes)} class(es) ({doc.known_classes} known, {doc.new_classes} new)",
    ]
    if doc.fixed:
        parts.append(f"{len(doc.fixed)} fixed?")
    if tally.errors:
        parts.append(f"{tally.errors} error(s)")
    skipped = sum(1 for st in doc.steps if st.state == "skipped")
    if skipped:
        parts.append(f"{skipped} step(s) skipped")
    if doc.flaky:
        parts.append(f"{len({f.case for f in doc.flaky})} flaky case(s)")
    if doc.unreachable:
        parts.append(f"unreachable: {', '.join(doc.unreachable)}")
    return " · ".join(parts)
