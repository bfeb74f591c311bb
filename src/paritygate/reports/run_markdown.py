"""``report.md``: the run report for terminals, pull requests and chat.

Headings are stable: the verdict's reasons point at them (``report.md#divergence-classes``).
Everything that came from a service or a reviewer is escaped for Markdown (table pipes,
HTML-looking text, backtick runs in code), so it reads as text wherever it is rendered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from paritygate.core.fs import atomic_write_text
from paritygate.reports.review_files import REVIEW_FILES
from paritygate.reports.review_md import finding_where
from paritygate.reports.run_view import CaseView, case_views, json_or_text, phase_data, target_names

__all__ = ["render_markdown", "write_markdown"]

_VERDICT_MARK = {"ship": "✅ SHIP", "ship-with-known-gap": "🟡 SHIP WITH KNOWN GAP", "block": "⛔ BLOCK"}
_OUTCOME_MARK = {"match": "✓ match", "error": "✗ error", "status": "✗ status"}


def _text(value: Any) -> str:
    """Plain text safe in a Markdown paragraph or table cell."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("\r", "")
    return " ".join(text.split("\n")).strip()


def _code(value: Any) -> str:
    text = " ".join(("" if value is None else str(value)).split("\n"))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _block(text: str, lang: str = "") -> list[str]:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", text, fence]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _verdict(doc: dict[str, Any]) -> list[str]:
    verdict = str(doc.get("verdict", "?"))
    out = [f"# paritygate run {_text(doc.get('run_id'))}: {_VERDICT_MARK.get(verdict, verdict)}", ""]
    meta = [
        f"project {_code(doc.get('project'))}",
        f"config {_code(doc.get('config'))}" + (" (bundled demo)" if doc.get("demo") else ""),
        f"started {_text(doc.get('started_at'))}",
        f"took {float(doc.get('duration_s') or 0):.2f}s",
    ]
    if doc.get("reassessed_at"):
        meta.append(f"re-assessed {_text(doc['reassessed_at'])}")
    out += [" · ".join(meta), "", "## Verdict", "", f"**{verdict}**", ""]
    reasons = doc.get("reasons") or []
    if not reasons:
        out.append("No reason to hold this change back: every phase that ran passed.")
    for r in reasons:
        out.append(
            f"- **{_text(r.get('level'))}** {_text(r.get('message'))} (evidence {_code(r.get('evidence'))}; see {_text(r.get('ref'))})"
        )
    warnings = doc.get("warnings") or []
    if warnings:
        out += ["", "### Warnings", ""]
        out += [
            f"- {_text(w.get('message'))} (evidence {_code(w.get('evidence'))}; see {_text(w.get('ref'))})"
            for w in warnings
        ]
    return [*out, ""]


def _phases(doc: dict[str, Any]) -> list[str]:
    rows = []
    for name, phase in (doc.get("phases") or {}).items():
        rows.append(
            [
                _text(name),
                _text(phase.get("status")),
                _text(phase.get("summary")),
                f"{float(phase.get('duration_s') or 0):.2f}s",
            ]
        )
    out = ["## Phases", "", *_table(["phase", "status", "summary", "time"], rows), ""]
    for name, phase in (doc.get("phases") or {}).items():
        if phase.get("error") and phase.get("error") != "interrupted":
            out += [f"**{_text(name)} error**", "", *_block(str(phase["error"])), ""]
    return out


def _smoke(doc: dict[str, Any]) -> list[str]:
    data = phase_data(doc, "smoke")
    checks = data.get("checks") or []
    out = ["## Smoke checks", ""]
    if not checks:
        return [*out, "Smoke did not run.", ""]
    out += [
        f"{data.get('passed', 0)}/{data.get('total', len(checks))} passed · {data.get('failed', 0)} failed · {data.get('errors', 0)} errors",
        "",
    ]
    rows = [
        [
            _text(c.get("chain")),
            _code(c.get("name")),
            _text(c.get("target")),
            _code(f"{c.get('method', '')} {c.get('url', '')}"),
            _text(c.get("status")),
            f"{float(c.get('duration_ms') or 0):.1f} ms",
        ]
        for c in checks
    ]
    out += [*_table(["chain", "check", "target", "request", "status", "time"], rows), ""]
    for c in checks:
        if c.get("status") == "pass":
            continue
        out += [f"### Check {_code(c.get('name'))}: {_text(c.get('status'))}", ""]
        for f in c.get("failures") or []:
            out.append(
                f"- {_text(f.get('assertion'))}: expected {_code(f.get('expected'))}, got {_code(f.get('actual'))}"
            )
        if c.get("body_snippet"):
            out += ["", "Body:", *_block(str(c["body_snippet"]))]
        if c.get("log_tail"):
            out += ["", "Log tail:", *_block("\n".join(map(str, c["log_tail"])))]
        out.append("")
    return out


def _case_detail(view: CaseView) -> list[str]:
    out = [f"### DIFF: {_code(view.name)} ({_text(view.outcome)})", ""]
    if view.differences:
        rows = [
            [
                _code(d.get("path")),
                _text(d.get("kind")),
                f"{_text(d.get('left_target'))}: {_code(json_or_text(d.get('left')))}",
                f"{_text(d.get('right_target'))}: {_code(json_or_text(d.get('right')))}",
            ]
            for d in view.differences
        ]
        out += [*_table(["path", "kind", "left", "right"], rows), ""]
    for cell in view.cells:
        answer = cell.error or f"HTTP {cell.status}"
        out += [
            f"{_text(cell.target)} ({_text(answer)}):",
            *_block("\n".join(line.text for line in cell.lines), "json"),
            "",
        ]
    return out


def _parity(doc: dict[str, Any]) -> list[str]:
    data = phase_data(doc, "parity")
    views = case_views(data)
    out = ["## Parity cases", ""]
    if not views:
        return [*out, "Parity did not run.", ""]
    tally = data.get("tally") or {}
    out += [
        f"{tally.get('status_match', '?')}/{tally.get('cases', len(views))} status codes match · "
        f"{tally.get('body_match', '?')} body match · {tally.get('body_diff', '?')} diff · {tally.get('errors', 0)} errors",
        "",
    ]
    names = target_names(data)
    rows = []
    for v in views:
        cells = [_text(c.error or c.status) for c in v.cells]
        cls = (
            _code(v.class_key) + (" (known)" if v.known else " (new)" if v.class_key else "")
            if v.class_key
            else ""
        )
        rows.append(
            [
                _code(v.name),
                *cells,
                "✓" if v.status_match else "✗",
                "✓" if v.body_match else "✗",
                _OUTCOME_MARK.get(v.outcome, v.outcome),
                cls,
            ]
        )
    out += [*_table(["case", *map(_text, names), "status match", "body match", "outcome", "class"], rows), ""]
    for v in views:
        if v.outcome != "match":
            out += _case_detail(v)
    return out


def _classes(doc: dict[str, Any]) -> list[str]:
    data = phase_data(doc, "parity")
    out = ["## Divergence classes", ""]
    classes = data.get("classes") or []
    if not classes:
        out += ["No divergence classes.", ""]
    else:
        rows = []
        for c in classes:
            mapping = c.get("mapping") or {}
            decision = c.get("decision") or {}
            rows.append(
                [
                    _code(c.get("key")),
                    _text(c.get("endpoint")),
                    _text(c.get("outcome")),
                    str(len(c.get("cases") or [])),
                    f"**{_text(c.get('status'))}**",
                    _text(mapping.get("name")),
                    _text(mapping.get("fix")),
                    _text(f"{decision.get('status', '')} {decision.get('decision', '')}".strip()),
                ]
            )
        out += [
            *_table(
                ["class", "endpoint", "outcome", "cases", "status", "mapping", "fix", "tracker decision"],
                rows,
            ),
            "",
        ]
    fixed = data.get("fixed") or []
    out += ["## Fixed tracker rows", ""]
    if fixed:
        rows = [
            [_code(f.get("key")), _text(f.get("area")), _text(f.get("divergence")), _text(f.get("status"))]
            for f in fixed
        ]
        out += [
            "Tracker rows not seen in this run (fixed? update the tracker):",
            "",
            *_table(["row", "area", "divergence", "status"], rows),
        ]
    else:
        out.append("None.")
    noise = data.get("noise") or []
    out += ["", "## Noise", ""]
    if noise:
        for n in noise:
            out += [
                f"- {_text(n.get('target'))} {_code(n.get('path'))} varies between identical requests, e.g. {_code(json_or_text(n.get('examples')))}",
                *["  " + line for line in _block(str(n.get("suggested_rule", "")), "toml")],
            ]
    else:
        out.append("No noise detected" + (" (noise runs off)." if not data.get("noise_runs") else "."))
    return [*out, ""]


def _review(doc: dict[str, Any]) -> list[str]:
    phase = (doc.get("phases") or {}).get("review") or {}
    data = phase_data(doc, "review")
    out = ["## Review", ""]
    summary = _text(phase.get("summary") or "Review did not run.")
    bundles = data.get("bundles") or []
    if not bundles:  # skipped before any bundle was built: the summary says why
        return [*out, summary, ""]
    if data.get("dry_run"):
        why = _text(data.get("dry_run_reason") or "requested")
        out += [
            f"**Dry run — not sent** ({why}): bundles and prompts were written, no reviewer was called.",
            "",
        ]
    out += [summary, "", f"Range {_code(data.get('range'))}; tally per bundle:", ""]
    out += [f"- {_text(b.get('tally_line'))}" for b in bundles]
    details = [n for n in REVIEW_FILES if n in _file_names(doc)]
    if details:
        out += ["", "Details: " + " · ".join(f"[{n}]({n})" for n in details)]
    reviewers = data.get("reviewers") or []
    if reviewers:
        rows = [
            [
                _text(r.get("name")),
                _text(", ".join(r.get("lineage") or [])),
                _text(r.get("status")),
                _text(r.get("tokens_out")),
            ]
            for r in reviewers
        ]
        out += ["", *_table(["reviewer", "lineage", "status", "tokens out"], rows)]
    findings = [f for f in data.get("findings") or [] if not f.get("retracted")]
    if findings:
        rows = [
            [
                _text(f.get("severity")),
                _code(finding_where(f)),
                _text(f.get("what")),
                _text(", ".join(f.get("lineages") or [])),
                str(f.get("convergence", "")),
            ]
            for f in findings
        ]
        out += ["", *_table(["severity", "where", "what", "lineages", "convergence"], rows)]
    return [*out, ""]


def _file_names(doc: dict[str, Any]) -> list[str]:
    files = doc.get("files") or {}
    return [*files.get("reports", []), *files.get("phase_files", []), *files.get("logs", [])]


def _files(doc: dict[str, Any]) -> list[str]:
    return ["## Files", "", *[f"- [{_text(n)}]({n})" for n in _file_names(doc)], ""]


def render_markdown(doc: dict[str, Any]) -> str:
    parts = [_verdict(doc), _phases(doc), _smoke(doc), _parity(doc), _classes(doc), _review(doc), _files(doc)]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def write_markdown(path: Path, doc: dict[str, Any]) -> None:
    atomic_write_text(path, render_markdown(doc))
