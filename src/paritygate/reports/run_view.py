"""Shape a run document (``paritygate.report/3``, core/run_doc.py) for the Markdown and
HTML run reports.

Every phase's data is its typed document (``doc.smoke``, ``doc.parity``, ``doc.review``,
``doc.stack``); a phase that made none (skipped, failed early) has None.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from paritygate.core.jsondoc import Absent, JsonValue
from paritygate.core.parity_doc import ClassDoc, DifferenceDoc, ParityDocument, TargetAnswer
from paritygate.core.paths import format_path
from paritygate.core.run_doc import Reason, RunDocument

__all__ = [
    "BodyLine",
    "CaseView",
    "DiffRow",
    "PhaseView",
    "ReasonView",
    "RunHeader",
    "TargetCell",
    "body_lines",
    "case_views",
    "json_or_text",
    "run_header",
]


@dataclass(slots=True, frozen=True)
class BodyLine:
    text: str
    hot: bool  # the line sits at (or under) a path that differs from another target


@dataclass(slots=True)
class TargetCell:
    target: str
    status: int | None
    error: str | None
    elapsed_ms: float | None
    status_differs: bool
    headers: dict[str, str]
    lines: list[BodyLine]


@dataclass(slots=True, frozen=True)
class DiffRow:
    left_target: str
    right_target: str
    diff: DifferenceDoc


@dataclass(slots=True)
class CaseView:
    name: str
    method: str
    path: str
    outcome: str
    status_match: bool
    body_match: bool
    class_key: str | None
    known: bool | None
    class_badge: str | None  # "known" | "new" | "came-back" (parity_view's badge of its class)
    cells: list[TargetCell]
    differences: list[DiffRow] = field(default_factory=list)
    operation: str = ""  # what its divergences are counted under ("GET /users/{id}")
    class_keys: list[str] = field(default_factory=list)  # every class it is in, one per cause

    @property
    def anchor(self) -> str:
        return "case-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.name)


def json_or_text(value: JsonValue | Absent) -> str:
    """Compact JSON of a value from the data, ``(absent)`` for no value at all."""
    if isinstance(value, Absent):
        return "(absent)"
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _json_text(value: JsonValue) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return orjson.dumps(str(value)).decode()


def _is_hot(path: str, hot_paths: set[str]) -> bool:
    if path in hot_paths:
        return True
    return any(path.startswith(h + ".") or path.startswith(h + "[") for h in hot_paths)


def oversized_line(answer: TargetAnswer) -> str:
    """What a report says about a body shown in part (over max_body_bytes, or too long
    to report whole), with a link to its file when kept."""
    file = answer.body_file
    where = f"[{file}]({file})" if isinstance(file, str) else "not kept (no divergence in it)"
    shown = len(str(answer.body).encode())
    return (
        f"body of {answer.body_size} bytes (sha256 {answer.body_sha256});"
        f" first {shown} bytes below; whole body: {where}"
    )


def _answer_lines(answer: TargetAnswer, paths: set[str]) -> list[BodyLine]:
    body = answer.body
    if body is None or isinstance(body, Absent):
        return []
    if answer.oversized:  # over max_body_bytes: what it is, then its first bytes
        return body_lines(f"{oversized_line(answer)}\n\n{body}", set())
    return body_lines(body, paths)


def body_lines(body: JsonValue, hot_paths: set[str]) -> list[BodyLine]:
    """Pretty-print a body (parsed JSON or text), marking the lines under a differing path."""
    if isinstance(body, str):
        hot = "$" in hot_paths
        return [BodyLine(line, hot) for line in body.splitlines() or [""]]
    lines: list[BodyLine] = []

    def emit(indent: str, prefix: str, value: JsonValue, parts: tuple[str | int, ...], trailing: str) -> None:
        hot = _is_hot(format_path(parts), hot_paths)
        if isinstance(value, dict) and value:
            lines.append(BodyLine(f"{indent}{prefix}{{", hot))
            items = list(value.items())
            for i, (key, item) in enumerate(items):
                comma = "," if i < len(items) - 1 else ""
                emit(indent + "  ", f"{_json_text(str(key))}: ", item, (*parts, str(key)), comma)
            lines.append(BodyLine(f"{indent}}}{trailing}", hot))
        elif isinstance(value, list) and value:
            lines.append(BodyLine(f"{indent}{prefix}[", hot))
            for i, item in enumerate(value):
                emit(indent + "  ", "", item, (*parts, i), "," if i < len(value) - 1 else "")
            lines.append(BodyLine(f"{indent}]{trailing}", hot))
        else:
            lines.append(BodyLine(f"{indent}{prefix}{_json_text(value)}{trailing}", hot))

    emit("", "", body, (), "")
    return lines


def _case_badge(classes: list[ClassDoc]) -> str | None:
    """A case is known when every class it is in is known; else came back when one of them
    did; else new (the same badges parity_view gives the classes)."""
    if not classes:
        return None
    if all(c.status == "known" for c in classes):
        return "known"
    return "came-back" if any(c.came_back for c in classes if c.status != "known") else "new"


def case_views(parity: ParityDocument) -> list[CaseView]:
    names = parity.target_names
    views: list[CaseView] = []
    for case in parity.cases:
        rows = [DiffRow(pair.left, pair.right, d) for pair, d in case.differences]
        hot: dict[str, set[str]] = {}
        for row in rows:
            hot.setdefault(row.left_target, set()).add(row.diff.path)
            hot.setdefault(row.right_target, set()).add(row.diff.path)
        cells: list[TargetCell] = []
        for name in names:
            answer = case.targets.get(name)
            paths = hot.get(name, set())
            cells.append(
                TargetCell(
                    target=name,
                    status=answer.status if answer else None,
                    error=answer.error if answer else "no answer recorded",
                    elapsed_ms=answer.elapsed_ms if answer else None,
                    status_differs="status" in paths,
                    headers=dict(answer.headers) if answer else {},
                    lines=_answer_lines(answer, paths) if answer else [],
                )
            )
        keys = case.class_keys or ([case.class_key] if case.class_key else [])
        badge = _case_badge([c for c in map(parity.class_of, keys) if c is not None])
        views.append(
            CaseView(
                name=case.name,
                method=case.method,
                path=case.path,
                outcome=case.outcome,
                status_match=case.status_match,
                body_match=case.body_match,
                class_key=case.class_key,
                known=case.known,
                class_badge=badge,
                cells=cells,
                differences=rows,
                operation=case.operation,
                class_keys=case.class_keys or ([case.class_key] if case.class_key else []),
            )
        )
    return views


@dataclass(slots=True, frozen=True)
class ReasonView:
    level: str
    kind: str
    message: str
    evidence: str
    ref: str  # where the evidence is shown (reports/refs.py)


@dataclass(slots=True, frozen=True)
class PhaseView:
    name: str
    status: str
    summary: str
    duration_s: float
    error: str | None


@dataclass(slots=True, frozen=True)
class RunHeader:
    """The run-level facts every run report shows, read once from report.json's object."""

    schema: str
    version: str
    run_id: str
    verdict: str
    project: str
    config: str
    demo: bool
    started_at: str
    duration_s: float
    reassessed_at: str | None
    reasons: list[ReasonView]
    warnings: list[ReasonView]
    phases: list[PhaseView]
    reports: list[str]
    phase_files: list[str]
    logs: list[str]

    def phase(self, name: str) -> PhaseView | None:
        return next((p for p in self.phases if p.name == name), None)

    @property
    def files(self) -> list[str]:
        return [*self.reports, *self.phase_files, *self.logs]


def _reason(reason: Reason) -> ReasonView:
    from paritygate.reports.refs import reason_ref

    return ReasonView(reason.level.value, reason.kind, reason.message, reason.evidence, reason_ref(reason))


def run_header(doc: RunDocument) -> RunHeader:
    """The run-level facts of ``doc`` as every run report shows them."""
    return RunHeader(
        schema=doc.schema,
        version=doc.paritygate_version,
        run_id=doc.run_id,
        verdict=doc.verdict.value,
        project=doc.project,
        config=doc.config,
        demo=doc.demo,
        started_at=doc.started_at,
        duration_s=doc.duration_s,
        reassessed_at=None if isinstance(doc.reassessed_at, Absent) else doc.reassessed_at,
        reasons=[_reason(r) for r in doc.reasons],
        warnings=[_reason(w) for w in doc.warnings],
        phases=[
            PhaseView(name, p.status.value, p.summary, p.duration_s, p.error)
            for name, p in doc.phases.items()
        ],
        reports=list(doc.files.reports),
        phase_files=list(doc.files.phase_files),
        logs=list(doc.files.logs),
    )
