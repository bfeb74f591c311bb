"""review.md: the review for humans: tally lines, manifests, findings by convergence, the audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.core.fs import atomic_write_text
from paritygate.reports.markdown import code_cell, code_span, table, text_cell

__all__ = ["finding_where", "review_markdown", "write_review_md"]


# Where a redacted line was, when not on the new side of the file.
_SIDES = {"old": " (deleted line)", "hunk-header": " (hunk heading)"}


def finding_where(f: dict[str, Any]) -> str:
    """``path:start-end`` of a tallied finding, or the reviewer's own WHERE when it has no place."""
    if not f.get("path") or not f.get("start"):
        votes = f.get("votes") or [{}]
        return str(votes[0].get("where") or "(no WHERE)")
    end = f.get("end")
    return f"{f['path']}:{f['start']}" + (f"-{end}" if end and end != f["start"] else "")


def _bundle_section(b: dict[str, Any]) -> list[str]:
    out = [f"### {b['tally_line']}", ""]
    out.append(
        f"- {b['bytes']} bytes, ~{b['tokens_est']} tokens ({b.get('tokens_method', 'bytes/4')}), "
        f"{len(b['files'])} file(s)"
        + (f", part {b['part']} of {b['parts']}" if b.get("parts", 1) > 1 else "")
    )
    if b.get("usable_line"):
        flag = " — **unreviewed** (too few usable lineages)" if b.get("unreviewed") else ""
        out.append(f"- usable answers: {text_cell(b['usable_line'])}{flag}")
    if b.get("tokens_line"):
        out.append(f"- tokens (prompt in / answer out): {text_cell(b['tokens_line'])}")
    answered = b.get("answered") or {}
    if b.get("failed"):
        out.append(
            f"- **failed, left out of convergence:** {', '.join(b['failed'])} "
            f"(answered: {', '.join(answered.get('reviewers', [])) or 'nobody'}; "
            f"lineages: {', '.join(answered.get('lineages', [])) or 'none'})"
        )
    for warning in b.get("warnings", []):
        out.append(f"- ⚠ {warning}")
    for note in b.get("clipped", []):
        out.append(f"- ✂ **clipped:** {note}")
    if b.get("skipped"):
        out.append(f"- skipped: {b['skipped']}")
    for item in b.get("left_out", []):
        out.append(f"- left out: {code_span(item['path'])}: {text_cell(item['why'])}")
    redactions = b.get("redactions", [])
    if redactions:
        where = ", ".join(
            code_span(f"{r['path']}:{r['line']}")
            + f"{_SIDES.get(r.get('side', 'new'), '')} ({text_cell(', '.join(r['types']))})"
            for r in redactions
        )
        out.append(f"- {len(redactions)} secret(s) redacted before sending: {where}")
    for review in b.get("reviews", []):
        attempts = " → ".join(a["outcome"] for a in review.get("attempts", []))
        usability = review.get("usability", "usable")
        reason = f" ({review['usability_reason']})" if review.get("usability_reason") else ""
        line = (
            f"- {review['reviewer']}: **{usability}**{reason}, {review['status']}, "
            f"{review.get('prompt_tokens')} prompt tokens ({review.get('prompt_tokens_method')}; server "
            f"{review.get('prompt_tokens_server')}), {review.get('tokens_out')} tokens out, "
            f"finish {review.get('finish_reason')}, served by {review.get('served_model')}, "
            f"verdict {review.get('verdict')}, {review.get('rejected_locations', 0)} rejected location(s), "
            f"{review.get('duration_s')} s (+{review.get('queued_s', 0)} s queued)"
        )
        if review.get("repaired"):
            line += f", repaired after: {review['repaired']}"
        if attempts and len(review.get("attempts", [])) > 1:
            line += f", attempts: {attempts}"
        if review.get("retracted_verdicts"):
            line += f", self-retracted verdict(s): {', '.join(review['retracted_verdicts'])}"
        if review.get("error"):
            line += f", error: {review['error']}"
        out.append("- " + text_cell(line[2:]))  # served model, errors and reasons come from outside
    out.append("")
    return out


def review_markdown(data: dict[str, Any]) -> str:
    lines = ["# Review", ""]
    lines.append(
        f"Range: `{data.get('range')}`"
        + (f" ({data.get('commits')} commit(s))" if data.get("commits") else "")
    )
    lines.append("")
    if data.get("summary"):
        lines += [str(data["summary"]), ""]
    if data.get("dry_run"):
        lines += [
            f"**Dry run** ({data.get('dry_run_reason') or 'requested'}): bundles and prompts were written; no reviewer was called.",
            "",
        ]
    lines += ["## Bundles", ""]
    for bundle in data.get("bundles", []):
        lines += _bundle_section(bundle)
    reviewers = data.get("reviewers", [])
    if reviewers:
        head = ["reviewer", "lineage", "status", "usable", "unusable", "prompt tokens", "server prompt tokens",
                "tokens out", "finish", "served model", "rejected locations"]  # fmt: skip
        rows = [
            [
                text_cell(r["name"]),
                text_cell(", ".join(r["lineage"])),
                text_cell(r["status"]),
                text_cell(r.get("usable")),
                text_cell(
                    ", ".join(f"{k} {n}" for k, n in (r.get("usability") or {}).items() if k != "usable")
                    or r.get("unusable")
                ),
                text_cell(r.get("prompt_tokens")),
                text_cell(r.get("prompt_tokens_server")),
                text_cell(r["tokens_out"]),
                text_cell(r.get("finish_reason")),
                text_cell(r.get("served_model")),
                text_cell(r.get("rejected_locations")),
            ]
            for r in reviewers
        ]
        lines += ["## Reviewers", "", *table(head, rows), ""]
    warnings = [*data.get("lineage_warnings", []), *data.get("budget_warnings", [])]
    if warnings:
        lines += ["## Warnings", "", *(f"- {text_cell(w)}" for w in warnings), ""]
    findings = data.get("findings", [])
    standing = [f for f in findings if not f.get("retracted") and f.get("line_kind") != "invalid"]
    rejected = [f for f in findings if not f.get("retracted") and f.get("line_kind") == "invalid"]
    retracted = [f for f in findings if f.get("retracted")]
    if standing:
        lines += [
            "## Findings",
            "",
            "| convergence | severity | where | line | reviewers | lineages | what |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in standing:
            flag = " (incomplete answer)" if f.get("incomplete") else ""
            said = sorted({v.get("severity") for v in f.get("votes", [])} - {f["severity"]})
            votes = " " + text_cell(f"(votes: {', '.join(str(x) for x in said)})") if said else ""
            lines.append(
                f"| {f['convergence']} | {text_cell(f['severity'])}{votes} | {code_cell(finding_where(f))} | {f['line_kind']} | {text_cell(', '.join(f['reviewers']))} "
                f"| {text_cell(', '.join(f['lineages']))} | {text_cell(f['what'])}{flag} |"
            )
        lines.append("")
    if rejected:
        lines += [
            "## Rejected locations",
            "",
            "Not in the bundle's diff or beyond the file: never counted toward convergence.",
            "",
        ]
        for f in rejected:
            vote = (f.get("votes") or [{}])[0]
            lines.append(
                f"- {text_cell(', '.join(f['reviewers']))}: {code_span(finding_where(f))} ({text_cell(vote.get('reason', ''))}): {text_cell(f['what'])}"
            )
        lines.append("")
    if retracted:
        lines += [
            "## Self-retracted (audit)",
            "",
            "Withdrawn by the reviewer later in the same answer; not counted.",
            "",
        ]
        for f in retracted:
            vote = (f.get("votes") or [{}])[0]
            lines.append(
                f"- {text_cell(', '.join(f['reviewers']))}: {text_cell(f['severity'])} at {code_span(finding_where(f))}: {text_cell(f['what'])} — retraction: “{text_cell(vote.get('retraction'))}”"
            )
        lines.append("")
    return "\n".join(lines)


def write_review_md(path: Path, data: dict[str, Any]) -> None:
    atomic_write_text(path, review_markdown(data))
