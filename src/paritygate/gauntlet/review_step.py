"""The review phase inside ``paritygate run``.

With ``[[review.reviewers]]`` configured the phase runs as ``paritygate review`` does by
default (today's commits). Without reviewers (the demo, a first run) it is a dry run over
the last commit of the git work tree holding the project: bundles and prompts are built and
written to the run directory, nothing is sent. Only the last commit, because scanning for
secrets costs a fraction of a millisecond a line and a first ``paritygate run`` must stay quick. Outside a
git work tree there is no change to review: the phase is skipped, saying why and how to
enable it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.core.review_doc import ReviewDocument

if TYPE_CHECKING:
    from paritygate.phases.review import LastCommit

__all__ = ["review_in_run"]


def _enable_hint(loaded: LoadedConfig) -> str:
    where = "a paritygate.toml" if loaded.is_demo else loaded.path.name
    return f"add [review] with [[review.reviewers]] to {where} to enable real reviewers (docs/review.md)"


def _dry_run_line(data: ReviewDocument, last: LastCommit, hint: str) -> str:
    size = data.bytes
    shown = f"{round(size / 1024)} KB" if size >= 1024 else f"{size} bytes"
    what = "the root commit" if last.root else "the last commit"
    return (
        f"dry run over {what} ({data.range}) of {last.work_tree}: {len(data.bundles)} bundle(s), "
        f"{shown} written to review/, nothing sent; {hint}"
    )


def review_in_run(loaded: LoadedConfig, run_dir: Path) -> PhaseResult:
    """The review phase of a run (see the module docstring); writes into ``run_dir``."""
    from paritygate.phases.review import LAST_COMMIT, find_last_commit, run_review

    cfg = loaded.model.review
    if cfg is not None and cfg.reviewers:
        return run_review(loaded, repo=loaded.project_dir, out_dir=run_dir)
    hint = _enable_hint(loaded)
    last = find_last_commit(loaded.project_dir)
    if isinstance(last, str):
        return PhaseResult(
            "review",
            PhaseStatus.SKIPPED,
            f"skipped: {last}, nothing to review; run inside a git checkout to dry-run the review"
            f" over its last commit, or {hint}",
        )
    result = run_review(loaded, repo=last.work_tree, rev_range=LAST_COMMIT, dry_run=True, out_dir=run_dir)
    review = result.review
    if result.status is not PhaseStatus.SKIPPED and review is not None and review.dry_run:
        # One summary of the phase: review.md (the document's) says what report.md says.
        result.summary = review.summary = _dry_run_line(review, last, hint)
    return result
