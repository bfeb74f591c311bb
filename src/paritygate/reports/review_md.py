"""review.md: the review for humans: tally lines, manifests, findings by convergence, the audit."""

from __future__ import annotations

from pathlib import Path

from paritygate.core.fs import atomic_write_text
from paritygate.core.review_doc import BundleDoc, ReviewCallDoc, ReviewDocument, ReviewerDoc, ReviewFindingDoc
from paritygate.reports.markdown import code_cell, code_span, table, text_cell

__all__ = ["finding_where", "review_markdown", "write_review_md"]


# Where a redacted line was, when not on the new side of the file.
_SIDES = {"old": " (deleted line)", "hunk-header": " (hunk heading)"}


def finding_where(f: ReviewFindingDoc) -> str:
    """``path:start-end`` of a tallied finding, or the reviewer's own WHERE when it has no place."""
    return f.where


def _review_line(review: ReviewCallDoc) -> str:
    reason = f" ({review.usability_reason})" if review.usability_reason else ""
    line = (
        f"{review.reviewer}: **{review.usability}**{reason}, {review.status}, "
        f"{review.prompt_tokens} prompt tokens ({review.prompt_tokens_method}; server "
        f"{review.prompt_tokens_server}), {review.tokens_out} tokens out, "
        f"finish {review.finish_reason}, served by {review.served_model}, "
        f"verdict {review.verdict}, {review.rejected_locations} rejected location(s), "
        f"{review.duration_s} s (+{review.queued_s} s queued)"
    )
    if review.repaired:
        line += f", repaired after: {review.repaired}"
    if len(review.attempts) > 1:
        line += f", attempts: {' → '.join(a.outcome for a in review.attempts)}"
    if review.retracted_verdicts:
        line += f", self-retracted verdict(s): {', '.join(review.retracted_verdicts)}"
    if review.error:
        line += f", error: {review.error}"
    return "- " + text_cell(line)  # served model, errors and reasons come from outside


def _bundle_section(b: BundleDoc) -> list[str]:
    out = [f"### {b.tally_line}", ""]
    out.append(
        f"- {b.bytes} bytes, ~{b.tokens_est} tokens ({b.tokens_method}), {len(b.files)} file(s)"
        + (f", part {b.part} of {b.parts}" if b.parts > 1 else "")
    )
    if b.usable_line:
        flag = " — **unreviewed** (too few usable lineages)" if b.unreviewed else ""
        out.append(f"- usable answers: {text_cell(b.usable_line)}{flag}")
    if b.tokens_line:
        out.append(f"- tokens (prompt in / answer out): {text_cell(b.tokens_line)}")
    if b.failed:
        out.append(
            f"- **failed, left out of convergence:** {', '.join(b.failed)} "
            f"(answered: {', '.join(b.answered.reviewers) or 'nobody'}; "
            f"lineages: {', '.join(b.answered.lineages) or 'none'})"
        )
    out += [f"- ⚠ {warning}" for warning in b.warnings]
    out += [f"- ✂ **clipped:** {note}" for note in b.clipped]
    if b.skipped:
        out.append(f"- skipped: {b.skipped}")
    out += [f"- left out: {code_span(item.path)}: {text_cell(item.why)}" for item in b.left_out]
    if b.redactions:
        where = ", ".join(
            code_span(f"{r.path}:{r.line}") + f"{_SIDES.get(r.side, '')} ({text_cell(', '.join(r.types))})"
            for r in b.redactions
        )
        out.append(f"- {len(b.redactions)} secret(s) redacted before sending: {where}")
    out += [_review_line(review) for review in b.reviews]
    out.append("")
    return out


def _reviewer_row(r: ReviewerDoc) -> list[str]:
    return [
        text_cell(r.name),
        text_cell(", ".join(r.lineage)),
        text_cell(r.status),
        text_cell(r.usable),
        text_cell(r.unusable_kinds or r.unusable),
        text_cell(r.prompt_tokens),
        text_cell(r.prompt_tokens_server),
        text_cell(r.tokens_out),
        text_cell(r.finish_reason),
        text_cell(r.served_model),
        text_cell(r.rejected_locations),
    ]


def _findings(data: ReviewDocument) -> list[str]:
    lines: list[str] = []
    standing = data.standing
    rejected = [f for f in data.findings if f.rejected]
    retracted = [f for f in data.findings if f.retracted]
    if standing:
        lines += [
            "## Findings",
            "",
            "| convergence | severity | where | line | reviewers | lineages | what |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in standing:
            flag = " (incomplete answer)" if f.incomplete else ""
            said = [s for s in f.vote_severities if s != f.severity]
            votes = " " + text_cell(f"(votes: {', '.join(said)})") if said else ""
            lines.append(
                f"| {f.convergence} | {text_cell(f.severity)}{votes} | {code_cell(f.where)} | {f.line_kind} "
                f"| {text_cell(', '.join(f.reviewers))} | {text_cell(', '.join(f.lineages))} "
                f"| {text_cell(f.what)}{flag} |"
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
            reason = f.votes[0].reason if f.votes else ""
            lines.append(
                f"- {text_cell(', '.join(f.reviewers))}: {code_span(f.where)} ({text_cell(reason)}): "
                f"{text_cell(f.what)}"
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
            retraction = f.votes[0].retraction if f.votes else None
            lines.append(
                f"- {text_cell(', '.join(f.reviewers))}: {text_cell(f.severity)} at {code_span(f.where)}: "
                f"{text_cell(f.what)} — retraction: “{text_cell(retraction)}”"
            )
        lines.append("")
    return lines


def review_markdown(data: ReviewDocument) -> str:
    lines = ["# Review", ""]
    lines.append(f"Range: `{data.range}`" + (f" ({data.commits} commit(s))" if data.commits else ""))
    lines.append("")
    if data.summary:
        lines += [data.summary, ""]
    if data.dry_run:
        lines += [
            f"**Dry run** ({data.dry_run_reason or 'requested'}): bundles and prompts were written; "
            "no reviewer was called.",
            "",
        ]
    lines += ["## Bundles", ""]
    for bundle in data.bundles:
        lines += _bundle_section(bundle)
    if data.reviewers:
        head = ["reviewer", "lineage", "status", "usable", "unusable", "prompt tokens", "server prompt tokens",
                "tokens out", "finish", "served model", "rejected locations"]  # fmt: skip
        lines += ["## Reviewers", "", *table(head, [_reviewer_row(r) for r in data.reviewers]), ""]
    warnings = [*data.lineage_warnings, *data.budget_warnings]
    if warnings:
        lines += ["## Warnings", "", *(f"- {text_cell(w)}" for w in warnings), ""]
    lines += _findings(data)
    return "\n".join(lines)


def write_review_md(path: Path, data: ReviewDocument) -> None:
    atomic_write_text(path, review_markdown(data))
