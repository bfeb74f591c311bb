"""Shape a ``paritygate.report/1`` document for the Markdown and HTML run reports.

Only JSON-ready phase data is read (never phase objects), so an old run directory can be
re-rendered. Anything missing from a phase's data (a skipped phase, an older schema)
renders as empty, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from paritygate.core.paths import format_path

__all__ = [
    "BodyLine",
    "CaseView",
    "TargetCell",
    "body_lines",
    "case_views",
    "json_or_text",
    "phase_data",
    "target_names",
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
    cells: list[TargetCell]
    differences: list[dict[str, Any]] = field(default_factory=list)  # with "left"/"right" target names

    @property
    def anchor(self) -> str:
        return "case-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in self.name)


def phase_data(doc: dict[str, Any], phase: str) -> dict[str, Any]:
    phases = doc.get("phases") or {}
    raw = phases.get(phase) or {}
    data = raw.get("data") if isinstance(raw, dict) else None
    return data if isinstance(data, dict) else {}


def target_names(parity: dict[str, Any]) -> list[str]:
    names = [str(t.get("name")) for t in parity.get("targets", []) if isinstance(t, dict)]
    if names:
        return names
    seen: list[str] = []
    for case in parity.get("cases", []):
        for name in case.get("targets") or {}:
            if name not in seen:
                seen.append(name)
    return seen


def json_or_text(value: Any) -> str:
    """Compact JSON of a value from the data, or its plain text when it is not JSON-ready."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return str(value)


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return orjson.dumps(str(value)).decode()


def _is_hot(path: str, hot_paths: set[str]) -> bool:
    if path in hot_paths:
        return True
    return any(path.startswith(h + ".") or path.startswith(h + "[") for h in hot_paths)


def body_lines(body: Any, hot_paths: set[str]) -> list[BodyLine]:
    """Pretty-print a body (parsed JSON or text), marking the lines under a differing path."""
    if isinstance(body, str):
        hot = "$" in hot_paths
        return [BodyLine(line, hot) for line in body.splitlines() or [""]]
    lines: list[BodyLine] = []

    def emit(indent: str, prefix: str, value: Any, parts: tuple[str | int, ...], trailing: str) -> None:
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


def _differences(case: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    rows: list[dict[str, Any]] = []
    hot: dict[str, set[str]] = {}
    for pair in case.get("pairs") or []:
        left, right = str(pair.get("left")), str(pair.get("right"))
        for diff in pair.get("differences") or []:
            path = str(diff.get("path", "$"))
            rows.append({"left_target": left, "right_target": right, **diff})
            hot.setdefault(left, set()).add(path)
            hot.setdefault(right, set()).add(path)
    return rows, hot


def case_views(parity: dict[str, Any]) -> list[CaseView]:
    names = target_names(parity)
    views: list[CaseView] = []
    for case in parity.get("cases", []):
        if not isinstance(case, dict):
            continue
        diffs, hot = _differences(case)
        answers = case.get("targets") or {}
        cells: list[TargetCell] = []
        for name in names:
            answer = answers.get(name) or {}
            paths = hot.get(name, set())
            cells.append(
                TargetCell(
                    target=name,
                    status=answer.get("status"),
                    error=answer.get("error"),
                    elapsed_ms=answer.get("elapsed_ms"),
                    status_differs="status" in paths,
                    headers={str(k): str(v) for k, v in (answer.get("headers") or {}).items()},
                    lines=body_lines(answer.get("body"), paths) if "body" in answer else [],
                )
            )
        views.append(
            CaseView(
                name=str(case.get("name", "?")),
                method=str(case.get("method", "")),
                path=str(case.get("path", "")),
                outcome=str(case.get("outcome", "?")),
                status_match=bool(case.get("status_match", False)),
                body_match=bool(case.get("body_match", False)),
                class_key=case.get("class_key"),
                known=case.get("known"),
                cells=cells,
                differences=diffs,
            )
        )
    return views
