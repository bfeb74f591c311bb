"""Phase 3, the per-component scrum review: bundles → size guard → secrets out →
prompts → token budgets → reviewers in parallel → usability → parse → location checks →
claim-aware lineage tally → quorum."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from paritygate.config import LoadedConfig
from paritygate.config.review import ReviewConfig
from paritygate.core.aio import blocking
from paritygate.core.fs import atomic_write_text
from paritygate.core.models import Finding, FindingKind, PhaseResult, PhaseStatus
from paritygate.core.review_doc import SCHEMA, BundleDoc, LimitsDoc, ReviewDocument
from paritygate.errors import ConfigError
from paritygate.phases.review import gitrange
from paritygate.phases.review.assemble import TallySettings, assemble
from paritygate.phases.review.budget import fit_to_budgets
from paritygate.phases.review.bundles import Bundle, assign_bundles
from paritygate.phases.review.diff import parse_diff
from paritygate.phases.review.locations import BundleIndex
from paritygate.phases.review.prompt import PromptRenderer, template_source
from paritygate.phases.review.reviewers import CallResult, Job, run_calls
from paritygate.phases.review.secrets import redact_files
from paritygate.phases.review.sizeguard import FORCE_ENV, apply_size_guard
from paritygate.phases.review.tokens import Measured

__all__ = ["SCHEMA", "run_review", "run_review_async"]

ENABLE_HINT = (
    "add [[review.reviewers]] entries to paritygate.toml to enable real reviewers (see docs/review.md)"
)
Progress = Callable[[str], None]


def _limits(loaded: LoadedConfig, cfg: ReviewConfig) -> LimitsDoc:
    assess = loaded.model.assess
    return LimitsDoc(
        warn_kb=cfg.warn_kb,
        max_kb=cfg.max_kb,
        match_window=cfg.match_window,
        max_span_lines=cfg.max_span_lines,
        claim_similarity=cfg.claim_similarity,
        block_lineages=assess.review_block_lineages,
        quorum="block" if assess.block_on_unreviewed else "warn",
        deadline_s=cfg.deadline,
    )


def _document(
    loaded: LoadedConfig,
    cfg: ReviewConfig,
    *,
    dry: bool,
    auto: bool,
    summary: str,
    rng: gitrange.ResolvedRange | None,
) -> ReviewDocument:
    """The review document with what is known before any bundle is built (the range, if any)."""
    doc = ReviewDocument(
        dry_run=dry,
        dry_run_reason=("no reviewers configured" if auto else "requested") if dry else None,
        range=rng.label if rng is not None else None,
        limits=_limits(loaded, cfg),
        sarif_findings=cfg.sarif,
        prompt_template=template_source(loaded.resolve(cfg.prompt_template) if cfg.prompt_template else None),
        summary=summary,
    )
    if rng is not None:
        doc.base, doc.tip, doc.commits = rng.base, rng.tip, rng.commits
        doc.base_is_empty_tree = rng.base_is_empty_tree
    return doc


def _stem(bundle_id: str, component: str) -> str:
    return f"review/{bundle_id}-{component}"


def _write_artifacts(bundles: list[Bundle], prompts: dict[str, str], out_dir: Path) -> None:
    """Each bundle's diff and prompt as files, before any reviewer is called."""
    for bundle in bundles:
        stem = _stem(bundle.id, bundle.component)
        atomic_write_text(out_dir / f"{stem}.diff", bundle.text())
        if bundle.id in prompts:
            atomic_write_text(out_dir / f"{stem}.prompt.md", prompts[bundle.id])


def _name_artifacts(docs: list[BundleDoc], prompts: dict[str, str]) -> None:
    """The files :func:`_write_artifacts` wrote, relative to the run directory, in each bundle's document."""
    for doc in docs:
        stem = _stem(doc.id, doc.component)
        doc.diff_file = f"{stem}.diff"
        prompt = prompts.get(doc.id)
        if prompt is not None:
            doc.prompt_file = f"{stem}.prompt.md"
            doc.prompt_bytes = len(prompt.encode("utf-8"))
        else:
            doc.skipped = "nothing reviewable: every change was left out"


def _write_replies(calls: list[CallResult], out_dir: Path) -> dict[tuple[str, str], str]:
    """Each answer as received (and the one a repair replaced, as ``.before-repair.md``)."""
    written: dict[tuple[str, str], str] = {}
    for call in calls:
        if call.status == "failed" and not call.text:
            continue
        rel = f"review/replies/{call.bundle}-{call.reviewer}.md"
        atomic_write_text(out_dir / rel, call.text)
        if call.first_text is not None:
            atomic_write_text(out_dir / rel.replace(".md", ".before-repair.md"), call.first_text)
        written[(call.bundle, call.reviewer)] = rel
    return written


def _notes(bundles: list[Bundle]) -> list[Finding]:
    notes = []
    for b in bundles:
        for text in [*b.clipped, *(w for w in b.warnings if b.oversize == "forced")]:
            notes.append(Finding(FindingKind.NOTE, b.id, text))
    # One note per bundle for redactions, however many parts it was split into.
    redacted: dict[str, set[tuple[str, int, str]]] = {}
    for b in bundles:
        if b.redactions:
            places = redacted.setdefault(b.id.split(".")[0], set())
            places.update((r.path, r.line, r.side) for r in b.redactions)
    for bundle_id, places in redacted.items():
        where = ", ".join(dict.fromkeys(f"{path}:{line}" for path, line, _ in sorted(places)))
        message = f"{len(places)} secret(s) redacted before sending: {where}"
        notes.append(Finding(FindingKind.NOTE, bundle_id, message))
    return notes


async def run_review_async(
    loaded: LoadedConfig,
    *,
    repo: Path,
    rev_range: str | None = None,
    since: str | None = None,
    dry_run: bool | None = None,
    out_dir: Path,
    split: bool = False,
    force_oversize: bool = False,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
) -> PhaseResult:
    started = time.monotonic()
    environ = os.environ if environ is None else environ
    cfg = loaded.model.review or ReviewConfig()
    auto = not cfg.reviewers  # nothing to call: a dry run that says how to enable reviewers
    if dry_run is False and auto:
        raise ConfigError(
            "no reviewers configured; a real review needs them",
            file=loaded.path,
            key="review.reviewers",
            hint=ENABLE_HINT,
        )
    dry = auto or bool(dry_run)

    def skipped(summary: str, rng: gitrange.ResolvedRange | None = None) -> PhaseResult:
        doc = _document(loaded, cfg, dry=dry, auto=auto, summary=summary, rng=rng)
        return PhaseResult(
            "review", PhaseStatus.SKIPPED, summary, data=doc, duration_s=time.monotonic() - started
        )

    if not gitrange.git_available():
        return skipped("review skipped: git is not installed")
    if not gitrange.is_git_repo(repo):
        return skipped(f"review skipped: {repo} is not a git repository")
    default_range = rev_range is None and since is None
    rng = gitrange.resolve_range(repo, rev_range, since, fallback_last_commit=auto and default_range)
    if rng is None:
        what = rev_range or (f"since {since}" if since else "today on the current branch")
        return skipped(f"review skipped: no commits in range ({what})")
    changed = gitrange.list_changed_files(repo, rng)
    if not changed:
        return skipped(f"review skipped: range {rng.label} changes no files", rng)

    files = parse_diff(gitrange.raw_diff(repo, rng), [c.path for c in changed])
    bundles = assign_bundles(files, cfg)
    redactions = redact_files([f for b in bundles for f in b.files], cfg.secrets, config_file=loaded.path)
    for bundle in bundles:
        paths = set(bundle.paths)
        bundle.redactions = [r for r in redactions if r.path in paths]
    force = force_oversize or environ.get(FORCE_ENV) == "1"
    # With no reviewer there is nothing to refuse sending: split so the dry run always shows bundles.
    bundles = apply_size_guard(
        bundles, warn_kb=cfg.warn_kb, max_kb=cfg.max_kb, split=split or auto, force=force
    )

    renderer = PromptRenderer(loaded.resolve(cfg.prompt_template) if cfg.prompt_template else None)

    def render(bundle: Bundle) -> str:
        return renderer.render(bundle, range_label=rng.label)

    measured: dict[tuple[str, str], Measured] = {}
    budget_warnings: list[str] = []
    if not dry:  # counted in each reviewer's tokens (its server's tokenizer where it has one)
        bundles, measured, budget_warnings = await fit_to_budgets(bundles, cfg.reviewers, render)
    prompts = {b.id: render(b) for b in bundles if b.files}
    _write_artifacts(bundles, prompts, out_dir)
    counts = gitrange.new_line_counts(repo, rng.tip, sorted({p for b in bundles for p in b.paths}))
    indexes = {b.id: BundleIndex(b, counts) for b in bundles}

    calls: list[CallResult] = []
    if not dry:
        jobs = [
            Job(r, b.id, prompts[b.id], tuple(b.paths))
            for b in bundles
            if b.id in prompts
            for r in cfg.reviewers
        ]
        deadline = started + cfg.deadline if cfg.deadline is not None else None
        calls = await run_calls(jobs, cfg, environ=environ, progress=progress, deadline=deadline)
    threshold = loaded.model.assess.review_block_lineages
    outcome = assemble(
        bundles,
        indexes,
        cfg.reviewers,
        calls,
        _write_replies(calls, out_dir),
        settings=TallySettings(
            window=cfg.match_window,
            threshold=threshold,
            max_span=cfg.max_span_lines,
            similarity=cfg.claim_similarity,
        ),
        dry_run=dry,
        measured=measured,
    )
    _name_artifacts(outcome.bundles, prompts)

    blocks = [f for f in outcome.phase_findings if f.kind is FindingKind.REVIEW_BLOCK]
    total_kb = round(sum(doc.bytes for doc in outcome.bundles) / 1024)
    if dry:
        why = "no [[review.reviewers]] configured" if auto else "--dry-run"
        summary = (
            f"dry run ({why}): {len(bundles)} bundle(s), {total_kb} KB from {rng.label} written to "
            f"{out_dir / 'review'}; no reviewer called" + (f"; {ENABLE_HINT}" if auto else "")
        )
    else:
        convergent = sum(d.convergent for d in outcome.bundles)
        distinct = sum(d.distinct for d in outcome.bundles)
        usable = sum(r.usable for d in outcome.bundles for r in d.reviews)
        summary = (
            f"{len(bundles)} bundle(s) × {len(cfg.reviewers)} reviewer(s): {usable}/{len(calls)} usable "
            f"answers, {convergent} convergent / {distinct} distinct, {len(blocks)} converged block(s)"
        )
        failed = sorted({f"{c.reviewer} on {c.bundle}" for c in calls if c.status == "failed"})
        if failed:
            summary += f"; failed (left out of convergence): {', '.join(failed)}"
        unreviewed = [d.id for d in outcome.bundles if d.unreviewed]
        if unreviewed:
            summary += f"; unreviewed (fewer than {threshold} usable lineages): {', '.join(unreviewed)}"
    quorum_blocks = loaded.model.assess.block_on_unreviewed and any(
        f.kind is FindingKind.REVIEW_UNREVIEWED for f in outcome.phase_findings
    )
    status = PhaseStatus.FAILED if blocks or quorum_blocks else PhaseStatus.PASSED
    error = None
    if calls and all(c.status == "failed" for c in calls):
        status, error = PhaseStatus.ERROR, f"every reviewer call failed; first error: {calls[0].error}"
    doc = _document(loaded, cfg, dry=dry, auto=auto, summary=summary, rng=rng)
    doc.budget_warnings = budget_warnings
    doc.lineage_warnings = outcome.lineage_warnings
    doc.prompt_template = renderer.source
    doc.bundles = outcome.bundles
    doc.reviewers = outcome.reviewers
    doc.findings = [f.to_doc() for f in outcome.findings]
    doc.duplicates_dropped = outcome.duplicates
    doc.redactions = len(redactions)
    return PhaseResult(
        "review",
        status,
        summary,
        findings=[*outcome.phase_findings, *_notes(bundles)],
        data=doc,
        duration_s=time.monotonic() - started,
        error=error,
    )


run_review = blocking(run_review_async)
