"""``report.md``: the run report for terminals, pull requests and chat.

Headings are stable: the verdict's reasons point at them (``report.md#divergence-classes``).
Everything that came from a service or a reviewer is escaped for Markdown (table pipes,
HTML-looking text, backtick runs in code), so it reads as text wherever it is rendered.
"""

from __future__ import annotations

from pathlib import Path

from paritygate.core.fs import atomic_write_text
from paritygate.core.jsondoc import Absent
from paritygate.core.parity_doc import ParityDocument
from paritygate.core.run_doc import Reason, RunDocument
from paritygate.reports.markdown import code_cell, fenced, table, text_cell
from paritygate.reports.parity_view import class_views, fixed_view, tally_line
from paritygate.reports.refs import reason_ref
from paritygate.reports.review_files import REVIEW_FILES
from paritygate.reports.review_md import finding_where
from paritygate.reports.run_view import CaseView, case_views, json_or_text

__all__ = ["render_markdown", "write_markdown"]

_VERDICT_MARK = {"ship": "✅ SHIP", "ship-with-known-gap": "🟡 SHIP WITH KNOWN GAP", "block": "⛔ BLOCK"}
_OUTCOME_MARK = {"match": "✓ match", "error": "✗ error", "status": "✗ status"}


def _reason_text(r: Reason) -> str:
    return f"{text_cell(r.message)} (evidence {code_cell(r.evidence)}; see {text_cell(reason_ref(r))})"


def _verdict(doc: RunDocument) -> list[str]:
    verdict = doc.verdict.value
    out = [f"# paritygate run {text_cell(doc.run_id)}: {_VERDICT_MARK.get(verdict, verdict)}", ""]
    meta = [
        f"project {code_cell(doc.project)}",
        f"config {code_cell(doc.config)}" + (" (bundled demo)" if doc.demo else ""),
        f"started {text_cell(doc.started_at)}",
        f"took {doc.duration_s:.2f}s",
    ]
    if not isinstance(doc.reassessed_at, Absent) and doc.reassessed_at:
        meta.append(f"re-assessed {text_cell(doc.reassessed_at)}")
    out += [" · ".join(meta), "", "## Verdict", "", f"**{verdict}**", ""]
    if not doc.reasons:
        out.append("No reason to hold this change back: every phase that ran passed.")
    out += [f"- **{text_cell(r.level.value)}** {_reason_text(r)}" for r in doc.reasons]
    if doc.warnings:
        out += ["", "### Warnings", "", *(f"- {_reason_text(w)}" for w in doc.warnings)]
    return [*out, ""]


def _phases(doc: RunDocument) -> list[str]:
    rows = [
        [text_cell(name), text_cell(p.status.value), text_cell(p.summary), f"{p.duration_s:.2f}s"]
        for name, p in doc.phases.items()
    ]
    out = ["## Phases", "", *table(["phase", "status", "summary", "time"], rows), ""]
    for name, phase in doc.phases.items():
        if phase.error and phase.error != "interrupted":
            out += [f"**{text_cell(name)} error**", "", *fenced(phase.error), ""]
    return out


def _smoke(doc: RunDocument) -> list[str]:
    data = doc.smoke
    out = ["## Smoke checks", ""]
    if data is None or not data.checks:
        return [*out, "Smoke did not run.", ""]
    out += [f"{data.passed}/{data.total} passed · {data.failed} failed · {data.errors} errors", ""]
    rows = [
        [
            text_cell(c.chain),
            code_cell(c.name),
            text_cell(c.target),
            code_cell(f"{c.method} {c.url}"),
            text_cell(c.status),
            f"{c.duration_ms:.1f} ms",
        ]
        for c in data.checks
    ]
    out += [*table(["chain", "check", "target", "request", "status", "time"], rows), ""]
    for c in data.checks:
        if c.status == "pass":
            continue
        out += [f"### Check {code_cell(c.name)}: {text_cell(c.status)}", ""]
        for f in c.failures:
            out.append(
                f"- {text_cell(f.assertion)}: expected {code_cell(f.expected)}, got {code_cell(f.actual)}"
            )
        if c.body_snippet:
            out += ["", "Body:", *fenced(c.body_snippet)]
        if c.log_tail:
            out += ["", "Log tail:", *fenced("\n".join(c.log_tail))]
        out.append("")
    return out


def _case_detail(view: CaseView) -> list[str]:
    out = [f"### DIFF: {code_cell(view.name)} ({text_cell(view.outcome)})", ""]
    if view.differences:
        rows = [
            [
                code_cell(row.diff.path),
                text_cell(row.diff.kind_text + (f": {row.diff.detail_text}" if row.diff.detail_text else "")),
                f"{text_cell(row.left_target)}: {code_cell(json_or_text(row.diff.left))}",
                f"{text_cell(row.right_target)}: {code_cell(json_or_text(row.diff.right))}",
            ]
            for row in view.differences
        ]
        out += [*table(["path", "kind", "left", "right"], rows), ""]
    for cell in view.cells:
        answer = cell.error or f"HTTP {cell.status}"
        out += [
            f"{text_cell(cell.target)} ({text_cell(answer)}):",
            *fenced("\n".join(line.text for line in cell.lines), "json"),
            "",
        ]
    return out


def _parity(doc: RunDocument) -> list[str]:
    data = doc.parity
    out = ["## Parity cases", ""]
    if data is None or not data.cases:
        return [*out, "Parity did not run.", ""]
    views = case_views(data)
    out += [tally_line(data.tally), ""]
    rows = []
    for v in views:
        cells = [text_cell(c.error or c.status) for c in v.cells]
        keys = v.class_keys
        cls = (
            ", ".join(code_cell(k) for k in keys[:3])
            + (f" +{len(keys) - 3}" if len(keys) > 3 else "")
            + f" ({v.class_badge})"
            if keys
            else ""
        )
        rows.append(
            [
                code_cell(v.name),
                *cells,
                "✓" if v.status_match else "✗",
                "✓" if v.body_match else "✗",
                _OUTCOME_MARK.get(v.outcome, v.outcome),
                cls,
            ]
        )
    out += [
        *table(
            ["case", *map(text_cell, data.target_names), "status match", "body match", "outcome", "class"],
            rows,
        ),
        "",
    ]
    for v in views:
        if v.outcome != "match":
            out += _case_detail(v)
    return out


def _class_table(data: ParityDocument | None) -> list[str]:
    views = class_views(data) if data is not None else []
    if not views:
        return ["No divergence classes.", ""]
    rows = [
        [
            code_cell(v.key),
            text_cell(v.endpoint),
            text_cell(v.outcome),
            str(len(v.cases)),
            f"**{text_cell(v.status_text)}**",
            text_cell(v.mapping_name),
            text_cell(v.fix),
            text_cell(v.tracker),
        ]
        for v in views
    ]
    return [
        *table(
            ["class", "endpoint", "outcome", "cases", "status", "mapping", "fix", "tracker decision"],
            rows,
        ),
        "",
    ]


def _classes(doc: RunDocument) -> list[str]:
    data = doc.parity
    out = ["## Divergence classes", "", *_class_table(data)]
    fixed = fixed_view(data)
    out += ["## Fixed tracker rows", ""]
    if fixed.rows:
        rows = [
            [code_cell(f.key), text_cell(f.area), text_cell(f.divergence), text_cell(f.status)]
            for f in fixed.rows
        ]
        out += [
            "Tracker rows not seen in this run (fixed? update the tracker):",
            "",
            *table(["row", "area", "divergence", "status"], rows),
        ]
    else:
        out.append(text_cell(fixed.intro or "None."))
    noise = data.noise if data is not None else []
    calibration = data.calibration.text if data is not None else "none — noise not measured"
    out += ["", "## Noise", "", f"Calibration: {text_cell(calibration)}.", ""]
    if noise:
        for n in noise:
            out += [
                f"- {text_cell(n.target)} {text_cell(n.operation)} {code_cell(n.path)} differed in {n.differed} of {n.observations} observation(s), excused {n.excused}, e.g. {code_cell(json_or_text(n.examples))}",
                *["  " + line for line in fenced(n.suggested_rule, "toml")],
            ]
    elif data is not None and data.calibration.mode != "none":
        out.append("No path was learned as noise.")
    if data is not None and data.flaky:
        out += ["", "Flaky cases (one implementation answered the same request differently):", ""]
        out += [f"- {code_cell(f.case)}: {text_cell(f.detail)}: {f.series}" for f in data.flaky]
    return [*out, ""]


def _fuzz(doc: RunDocument) -> list[str]:
    """Only in a run that selected the fuzz phase (it is off by default)."""
    phase = doc.phase("fuzz")
    if phase is None:
        return []
    out = ["## Fuzz", ""]
    fuzz = doc.fuzz
    if fuzz is None:  # skipped or errored before it had a document: the summary says why
        return [*out, text_cell(phase.summary or "Fuzz did not run."), ""]
    out += [text_cell(fuzz.line) + ".", "", f"Calibration: {text_cell(fuzz.parity.calibration.text)}.", ""]
    if fuzz.classes:
        saved = (
            f" (each one's shrunk case: [{fuzz.saved_cases}]({fuzz.saved_cases}))" if fuzz.saved_cases else ""
        )
        out += [f"Divergence classes found by generated requests{saved}; details in [fuzz.md](fuzz.md):", ""]
    out += _class_table(fuzz.parity)
    for v in case_views(fuzz.parity):
        if v.outcome != "match":
            out += _case_detail(v)
    return out


def _review(doc: RunDocument) -> list[str]:
    phase = doc.phases.get("review")
    data = doc.review
    out = ["## Review", ""]
    summary = text_cell((phase.summary if phase is not None else "") or "Review did not run.")
    if data is None or not data.bundles:  # skipped before any bundle was built: the summary says why
        return [*out, summary, ""]
    if data.dry_run:
        why = text_cell(data.dry_run_reason or "requested")
        out += [
            f"**Dry run — not sent** ({why}): bundles and prompts were written, no reviewer was called.",
            "",
        ]
    out += [summary, "", f"Range {code_cell(data.range)}; tally per bundle:", ""]
    out += [f"- {text_cell(b.tally_line)}" for b in data.bundles]
    details = [n for n in REVIEW_FILES if n in doc.files.names]
    if details:
        out += ["", "Details: " + " · ".join(f"[{n}]({n})" for n in details)]
    if data.reviewers:
        rows = [
            [text_cell(r.name), text_cell(", ".join(r.lineage)), text_cell(r.status), text_cell(r.tokens_out)]
            for r in data.reviewers
        ]
        out += ["", *table(["reviewer", "lineage", "status", "tokens out"], rows)]
    findings = data.not_retracted
    if findings:
        rows = [
            [
                text_cell(f.severity),
                code_cell(finding_where(f)),
                text_cell(f.what),
                text_cell(", ".join(f.lineages)),
                str(f.convergence),
            ]
            for f in findings
        ]
        out += ["", *table(["severity", "where", "what", "lineages", "convergence"], rows)]
    return [*out, ""]


def _files(doc: RunDocument) -> list[str]:
    return ["## Files", "", *[f"- [{text_cell(n)}]({n})" for n in doc.files.names], ""]


def render_markdown(doc: RunDocument) -> str:
    parts = [
        _verdict(doc),
        _phases(doc),
        _smoke(doc),
        _parity(doc),
        _classes(doc),
        _fuzz(doc),
        _review(doc),
        _files(doc),
    ]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def write_markdown(path: Path, doc: RunDocument) -> None:
    atomic_write_text(path, render_markdown(doc))
