"""From reviewer answers to the phase's output: votes, the tally per bundle, the
``paritygate.review/1`` document and the findings the verdict weighs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paritygate.config.review import ReviewerConfig
from paritygate.core.models import Finding, FindingKind
from paritygate.phases.review.answers import ParsedAnswer, parse_answer
from paritygate.phases.review.bundles import Bundle
from paritygate.phases.review.locations import BundleIndex
from paritygate.phases.review.reviewers import CallResult
from paritygate.phases.review.tally import TalliedFinding, Vote, dedupe_votes, lineage_groups, tally_votes

__all__ = ["Outcome", "assemble", "bundle_tally_line"]


@dataclass(slots=True)
class Outcome:
    bundles: list[dict[str, Any]]
    reviewers: list[dict[str, Any]]
    findings: list[TalliedFinding]
    phase_findings: list[Finding] = field(default_factory=list)
    duplicates: int = 0


def bundle_tally_line(bundle: Bundle, convergent: int, distinct: int, *, dry_run: bool) -> str:
    head = f"{bundle.id} {bundle.component} ({bundle.kb_label})"
    if dry_run:
        return f"{head} → dry run, not sent"
    return f"{head} → {convergent} convergent / {distinct} distinct"


def _votes(
    call: CallResult, parsed: ParsedAnswer, reviewer: ReviewerConfig, index: BundleIndex
) -> list[Vote]:
    votes = []
    for raw in parsed.findings:
        path, kind, reason = index.classify(raw.path, raw.start, raw.end)
        votes.append(
            Vote(
                reviewer=reviewer.name,
                lineage=tuple(reviewer.lineage),
                bundle=call.bundle,
                written=raw.where,
                path=path if path is not None else raw.path,
                start=raw.start,
                end=raw.end,
                severity=raw.severity,
                what=raw.what,
                why=raw.why,
                line_kind=kind,
                reason=reason,
                retracted=raw.retracted,
                retraction=raw.retraction,
                incomplete=call.status == "incomplete",
            )
        )
    return votes


def _call_dict(
    call: CallResult, parsed: ParsedAnswer | None, votes: list[Vote], reply_file: str | None
) -> dict[str, Any]:
    return {
        "reviewer": call.reviewer,
        "status": call.status,
        "tokens_out": call.tokens_out,
        "finish_reason": call.finish_reason,
        "served_model": call.served_model,
        "attempts": [a.to_dict() for a in call.attempts],
        "error": call.error,
        "verdict": parsed.verdict if parsed else None,
        "retracted_verdicts": parsed.retracted_verdicts if parsed else [],
        "findings": len(votes),
        "retracted": sum(v.retracted for v in votes),
        "rejected_locations": sum(v.line_kind == "invalid" for v in votes),
        "reply_file": reply_file,
        "duration_s": round(call.duration_s, 3),
    }


def _phase_findings(findings: list[TalliedFinding], threshold: int) -> list[Finding]:
    """A block-severity finding that enough lineages point at blocks; one lineage only warns.

    Convergence counts every lineage that flagged the location, whatever severity it gave
    (they agree something is wrong there); ``block_lineages`` in the data says who said block.
    """
    out: list[Finding] = []
    for f in findings:
        if f.retracted or f.severity != "block":
            continue
        who = f"{', '.join(f.lineages)}; reviewers {', '.join(f.reviewers)}"
        if f.located and f.convergence >= threshold:
            message = f"block converged across {f.convergence} lineages ({who}): {f.what}"
            out.append(Finding(FindingKind.REVIEW_BLOCK, f.evidence, message))
        elif f.located:
            message = f"block from {f.convergence} lineage(s) ({who}): {f.what}"
            out.append(Finding(FindingKind.REVIEW_WARNING, f.evidence, message))
        else:
            reason = f.votes[0].reason or f.line_kind
            message = f"block at a location that cannot be checked ({f.line_kind}: {reason}; {who}): {f.what}"
            out.append(Finding(FindingKind.REVIEW_WARNING, f.evidence, message))
    return out


def assemble(
    bundles: list[Bundle],
    indexes: dict[str, BundleIndex],
    reviewers: list[ReviewerConfig],
    calls: list[CallResult],
    reply_files: dict[tuple[str, str], str],
    *,
    window: int,
    threshold: int,
    dry_run: bool,
) -> Outcome:
    by_name = {r.name: r for r in reviewers}
    all_votes: list[Vote] = []
    per_bundle_calls: dict[str, list[dict[str, Any]]] = {}
    for call in calls:
        parsed = parse_answer(call.text) if call.status != "failed" else None
        votes = _votes(call, parsed, by_name[call.reviewer], indexes[call.bundle]) if parsed else []
        all_votes += votes
        entry = _call_dict(call, parsed, votes, reply_files.get((call.bundle, call.reviewer)))
        per_bundle_calls.setdefault(call.bundle, []).append(entry)
    kept, duplicates = dedupe_votes(all_votes)
    findings = tally_votes(kept, window=window)

    bundle_docs = []
    for bundle in bundles:
        mine = [f for f in findings if f.bundle == bundle.id and not f.retracted]
        convergent = sum(f.convergence >= 2 for f in mine)
        distinct = sum(f.line_kind != "invalid" for f in mine)
        reviews = per_bundle_calls.get(bundle.id, [])
        answered = [r for r in reviews if r["status"] != "failed"]
        doc = bundle.manifest() | {
            "convergent": convergent,
            "distinct": distinct,
            "tally_line": bundle_tally_line(bundle, convergent, distinct, dry_run=dry_run),
            "reviews": reviews,
            "answered": {
                "reviewers": [r["reviewer"] for r in answered],
                "lineages": lineage_groups([tuple(by_name[r["reviewer"]].lineage) for r in answered]),
            },
            "failed": [r["reviewer"] for r in reviews if r["status"] == "failed"],
            "tokens_line": " · ".join(
                f"{r['reviewer']} {r['tokens_out'] if r['status'] != 'failed' else 'failed'}"
                + (" (incomplete)" if r["status"] == "incomplete" else "")
                for r in reviews
            ),
        }
        bundle_docs.append(doc)

    reviewer_docs = []
    for reviewer in reviewers:
        mine_calls = [c for c in calls if c.reviewer == reviewer.name]
        statuses = {c.status for c in mine_calls}
        status = "failed" if statuses == {"failed"} else "incomplete" if "incomplete" in statuses else "ok"
        served = sorted({c.served_model for c in mine_calls if c.served_model})
        finishes = sorted({c.finish_reason for c in mine_calls if c.finish_reason})
        reviewer_docs.append(
            {
                "name": reviewer.name,
                "lineage": reviewer.lineage,
                "provider": reviewer.provider,
                "model": reviewer.model,
                "status": status if mine_calls else "not-called",
                "tokens_out": sum(c.tokens_out or 0 for c in mine_calls),
                "finish_reason": ",".join(finishes) or None,
                "served_model": ",".join(served) or None,
                "rejected_locations": sum(
                    v.line_kind == "invalid" for v in all_votes if v.reviewer == reviewer.name
                ),
                "failed_bundles": [c.bundle for c in mine_calls if c.status == "failed"],
                "incomplete_bundles": [c.bundle for c in mine_calls if c.status == "incomplete"],
            }
        )
    phase_findings = _phase_findings(findings, threshold)
    for call in calls:
        if call.status == "failed":
            note = f"reviewer {call.reviewer} failed on {call.bundle} ({call.error}); left out of convergence"
            phase_findings.append(Finding(FindingKind.NOTE, f"{call.bundle}:{call.reviewer}", note))
        elif call.status == "incomplete":
            note = (
                f"reviewer {call.reviewer} was cut off on {call.bundle} (finish reason {call.finish_reason}); "
                "its answer is incomplete, its findings are kept and flagged"
            )
            phase_findings.append(Finding(FindingKind.NOTE, f"{call.bundle}:{call.reviewer}", note))
    return Outcome(bundle_docs, reviewer_docs, findings, phase_findings, duplicates)
