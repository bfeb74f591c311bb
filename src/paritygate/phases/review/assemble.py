"""From reviewer answers to the phase's output: usability, votes, the tally per bundle,
quorum, the bundles' and reviewers' parts of the review document (core/review_doc.py) and
the findings the verdict weighs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from paritygate.config.review import ReviewerConfig
from paritygate.core.models import Finding, FindingKind
from paritygate.core.review_doc import AnsweredDoc, BundleDoc, ReviewCallDoc, ReviewerDoc
from paritygate.phases.review.answers import ParsedAnswer, parse_answer
from paritygate.phases.review.bundles import Bundle
from paritygate.phases.review.lineage import LineageCheck, check_lineages
from paritygate.phases.review.locations import BundleIndex
from paritygate.phases.review.reviewers import CallResult
from paritygate.phases.review.tally import TalliedFinding, Vote, dedupe_votes, lineage_groups, tally_votes
from paritygate.phases.review.tokens import Measured
from paritygate.phases.review.usability import Usability, judge

__all__ = ["Outcome", "TallySettings", "assemble", "bundle_tally_line"]


@dataclass(slots=True)
class Outcome:
    bundles: list[BundleDoc]
    reviewers: list[ReviewerDoc]
    findings: list[TalliedFinding]
    phase_findings: list[Finding] = field(default_factory=list)
    duplicates: int = 0
    lineage_warnings: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class TallySettings:
    window: int
    threshold: int  # [assess] review_block_lineages: lineages for a converged block, and the quorum
    max_span: int = 20
    similarity: float = 50.0


def bundle_tally_line(
    bundle: Bundle, convergent: int, distinct: int, *, dry_run: bool, usable: str = ""
) -> str:
    head = f"{bundle.id} {bundle.component} ({bundle.kb_label})"
    if dry_run:
        return f"{head} → dry run, not sent"
    return f"{head} → {convergent} convergent / {distinct} distinct" + (f" · {usable}" if usable else "")


def _votes(
    call: CallResult, parsed: ParsedAnswer, lineage: tuple[str, ...], reviewer: str, index: BundleIndex
) -> list[Vote]:
    votes = []
    for raw in parsed.findings:
        path, kind, reason = index.classify(raw.path, raw.start, raw.end)
        votes.append(
            Vote(
                reviewer=reviewer,
                lineage=lineage,
                bundle=call.bundle,
                written=raw.where,
                path=path if path is not None else raw.path,
                start=raw.start,
                end=raw.end,
                severity=raw.severity or "minor",  # usable answers have a severity on every block
                what=raw.what,
                why=raw.why,
                line_kind=kind,
                reason=reason,
                retracted=raw.retracted,
                retraction=raw.retraction,
                incomplete=call.status == "incomplete",
                downgraded_from=raw.downgraded_from,
            )
        )
    return votes


def _call_doc(
    call: CallResult,
    parsed: ParsedAnswer | None,
    usability: Usability,
    votes: list[Vote],
    reply_file: str | None,
    measured: Measured | None,
) -> ReviewCallDoc:
    return ReviewCallDoc(
        reviewer=call.reviewer,
        status=call.status,
        usability=usability.verdict,
        usability_reason=usability.reason,
        repaired=call.repair_reason,
        prompt_tokens=measured.tokens if measured else None,
        prompt_tokens_method=measured.method if measured else None,
        prompt_tokens_server=call.prompt_tokens,
        tokens_out=call.tokens_out,
        finish_reason=call.finish_reason,
        served_model=call.served_model,
        attempts=[a.to_doc() for a in call.attempts],
        error=call.error,
        verdict=parsed.verdict if parsed else None,
        retracted_verdicts=list(parsed.retracted_verdicts) if parsed else [],
        findings=len(votes),
        retracted=sum(v.retracted for v in votes),
        downgraded=sum(v.downgraded_from is not None for v in votes),
        rejected_locations=sum(v.line_kind == "invalid" for v in votes),
        reply_file=reply_file,
        duration_s=round(call.duration_s, 3),
        queued_s=round(call.queued_s, 3),
    )


def _phase_findings(findings: list[TalliedFinding], threshold: int) -> list[Finding]:
    """A converged block blocks: block severity from ``threshold`` distinct lineages at a
    place both claims agree on. A block from fewer lineages, or unplaceable, only warns."""
    out: list[Finding] = []
    for f in findings:
        said_block = [v for v in f.votes if v.severity == "block"]
        if f.retracted or not said_block:
            continue
        who = f"block from {', '.join(f.block_lineages)}; reviewers {', '.join(f.reviewers)}"
        if f.located and f.severity == "block" and len(f.block_lineages) >= threshold:
            message = f"block converged across {len(f.block_lineages)} lineages ({who}): {f.what}"
            out.append(Finding(FindingKind.REVIEW_BLOCK, f.evidence, message))
        elif f.located:
            others = f" (converged severity {f.severity} across {f.convergence})" if f.convergence > 1 else ""
            message = f"block from {len(f.block_lineages)} lineage(s) ({who}){others}: {f.what}"
            out.append(Finding(FindingKind.REVIEW_WARNING, f.evidence, message))
        else:
            reason = f.votes[0].reason or f.line_kind
            message = f"block at a location that cannot be checked ({f.line_kind}: {reason}; {who}): {f.what}"
            out.append(Finding(FindingKind.REVIEW_WARNING, f.evidence, message))
    return out


def _tokens(review: ReviewCallDoc) -> str:
    """``opus 815 in / 900 out`` (``in`` as paritygate counted the prompt before sending)."""
    if review.failed:
        return f"{review.reviewer} failed"
    sent = review.prompt_tokens if review.prompt_tokens is not None else "?"
    cut = " (incomplete)" if review.status == "incomplete" else ""
    return f"{review.reviewer} {sent} in / {review.tokens_out} out{cut}"


def _usable_line(reviews: list[ReviewCallDoc]) -> str:
    usable = sum(r.usable for r in reviews)
    bad = [f"{r.reviewer} {r.usability}" for r in reviews if not r.usable]
    return f"{usable}/{len(reviews)} usable" + (f" ({', '.join(bad)})" if bad else "")


def _reviewer_doc(
    reviewer: ReviewerConfig, calls: list[CallResult], docs: list[ReviewCallDoc], votes: list[Vote]
) -> ReviewerDoc:
    statuses = {c.status for c in calls}
    status = "failed" if statuses == {"failed"} else "incomplete" if "incomplete" in statuses else "ok"
    served = sorted({c.served_model for c in calls if c.served_model})
    finishes = sorted({c.finish_reason for c in calls if c.finish_reason})
    usability: dict[str, int] = {}
    for doc in docs:
        usability[doc.usability] = usability.get(doc.usability, 0) + 1
    measured = [d.prompt_tokens for d in docs if d.prompt_tokens is not None]
    server = [d.prompt_tokens_server for d in docs if d.prompt_tokens_server is not None]
    return ReviewerDoc(
        name=reviewer.name,
        lineage=list(reviewer.lineage),
        provider=reviewer.provider,
        model=reviewer.model,
        status=status if calls else "not-called",
        usable=usability.get("usable", 0),
        unusable=sum(n for k, n in usability.items() if k != "usable"),
        usability=usability,
        prompt_tokens=sum(measured) if measured else None,
        prompt_tokens_server=sum(server) if server else None,
        tokens_out=sum(c.tokens_out or 0 for c in calls),
        duration_s=round(sum(c.duration_s for c in calls), 3),
        finish_reason=",".join(finishes) or None,
        served_model=",".join(served) or None,
        rejected_locations=sum(v.line_kind == "invalid" for v in votes if v.reviewer == reviewer.name),
        failed_bundles=[c.bundle for c in calls if c.status == "failed"],
        incomplete_bundles=[c.bundle for c in calls if c.status == "incomplete"],
    )


def _call_notes(call: CallResult, doc: ReviewCallDoc, measured: Measured | None) -> list[Finding]:
    where = f"{call.bundle}:{call.reviewer}"
    notes: list[Finding] = []
    if call.status == "failed":
        note = f"reviewer {call.reviewer} failed on {call.bundle} ({call.error}); left out of convergence"
        notes.append(Finding(FindingKind.NOTE, where, note))
    elif not doc.usable:
        note = (
            f"reviewer {call.reviewer} gave no usable answer on {call.bundle} ({doc.usability}: "
            f"{doc.usability_reason}); not counted as a review"
        )
        notes.append(Finding(FindingKind.NOTE, where, note))
    server = call.prompt_tokens
    # Against a real tokenizer's count only: the estimate is deliberately high.
    exact = measured is not None and not measured.method.startswith("estimate")
    if measured is not None and exact and server is not None and server < 0.8 * measured.tokens:
        note = (
            f"{call.reviewer} on {call.bundle}: the server counted {server} prompt tokens, paritygate "
            f"{measured.tokens} ({measured.method}); the server may have truncated the prompt"
        )
        notes.append(Finding(FindingKind.NOTE, where, note))
    return notes


def assemble(
    bundles: list[Bundle],
    indexes: dict[str, BundleIndex],
    reviewers: list[ReviewerConfig],
    calls: list[CallResult],
    reply_files: dict[tuple[str, str], str],
    *,
    settings: TallySettings,
    dry_run: bool,
    measured: dict[tuple[str, str], Measured] | None = None,
) -> Outcome:
    measured = measured or {}
    lineage: LineageCheck = check_lineages(reviewers, calls)
    all_votes: list[Vote] = []
    per_bundle: dict[str, list[ReviewCallDoc]] = {}
    per_reviewer: dict[str, list[ReviewCallDoc]] = {}
    notes: list[Finding] = []
    for call in calls:
        failed = call.status == "failed"
        parsed = None if failed else parse_answer(call.text)
        usability = judge(
            call.text, parsed, failed=failed, cut=call.status == "incomplete", error=call.error or ""
        )
        votes: list[Vote] = []
        if parsed is not None and usability.usable:  # only a usable answer is a review
            votes = _votes(call, parsed, lineage.labels[call.reviewer], call.reviewer, indexes[call.bundle])
        all_votes += votes
        size = measured.get((call.bundle, call.reviewer))
        answer = _call_doc(
            call, parsed, usability, votes, reply_files.get((call.bundle, call.reviewer)), size
        )
        per_bundle.setdefault(call.bundle, []).append(answer)
        per_reviewer.setdefault(call.reviewer, []).append(answer)
        notes += _call_notes(call, answer, size)
    kept, duplicates = dedupe_votes(all_votes)
    findings = tally_votes(
        kept,
        window=settings.window,
        threshold=settings.threshold,
        max_span=settings.max_span,
        similarity=settings.similarity,
    )

    bundle_docs: list[BundleDoc] = []
    unreviewed: list[Finding] = []
    for bundle in bundles:
        mine = [f for f in findings if f.bundle == bundle.id and not f.retracted]
        convergent = sum(f.convergence >= 2 for f in mine)
        distinct = sum(f.line_kind != "invalid" for f in mine)
        reviews = per_bundle.get(bundle.id, [])
        usable = [r for r in reviews if r.usable]
        usable_lineages = lineage_groups([lineage.labels[r.reviewer] for r in usable])
        is_unreviewed = bool(reviews) and len(usable_lineages) < settings.threshold
        usable_line = _usable_line(reviews) if reviews else ""
        answered = [r.reviewer for r in reviews if not r.failed]
        doc = replace(
            bundle.manifest(),
            convergent=convergent,
            distinct=distinct,
            tally_line=bundle_tally_line(bundle, convergent, distinct, dry_run=dry_run, usable=usable_line),
            usable_line=usable_line,
            reviews=reviews,
            answered=AnsweredDoc(
                reviewers=answered, lineages=lineage_groups([lineage.labels[r] for r in answered])
            ),
            usable=AnsweredDoc(reviewers=[r.reviewer for r in usable], lineages=usable_lineages),
            unreviewed=is_unreviewed,
            failed=[r.reviewer for r in reviews if r.failed],
            tokens_line=" · ".join(_tokens(r) for r in reviews),
        )
        if is_unreviewed:
            said = ", ".join(usable_lineages) or "none"
            message = (
                f"{bundle.id} {bundle.component}: {len(usable_lineages)} lineage(s) gave a usable answer "
                f"({said}), fewer than the {settings.threshold} needed to converge; {usable_line}"
            )
            unreviewed.append(Finding(FindingKind.REVIEW_UNREVIEWED, bundle.id, message))
        bundle_docs.append(doc)

    reviewer_docs = [
        _reviewer_doc(r, [c for c in calls if c.reviewer == r.name], per_reviewer.get(r.name, []), all_votes)
        for r in reviewers
    ]
    phase_findings = _phase_findings(findings, settings.threshold) + unreviewed + notes
    phase_findings += [Finding(FindingKind.NOTE, "lineage", w) for w in lineage.warnings]
    return Outcome(bundle_docs, reviewer_docs, findings, phase_findings, duplicates, lineage.warnings)
