"""The review phase inside ``paritygate run``.

With ``[[review.reviewers]]`` configured the phase runs as ``paritygate review`` does by
default (today's commits). Without reviewers (the demo, a first run) it is a dry run over
the last commit of the git work tree holding the project: bundles and prompts are built and
written to the run directory, nothing is sent. Only the last commit, because scanning for
secrets costs about 5 ms a line and a first ``paritygate run`` must stay quick. Outside a
git work tree there is no change to review: the phase is skipped, saying why and how to
enable it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paritygate.config.loader import LoadedConfig
from paritygate.core.models import PhaseResult, PhaseStatus

__all__ = ["LAST_COMMIT_RANGE", "LastCommit", "find_last_commit", "review_in_run"]

LAST_COMMIT_RANGE = "HEAD~1..HEAD"  # on a root commit the review starts from the empty tree


@dataclass(slots=True, frozen=True)
class LastCommit:
    work_tree: Path
    root: bool  # HEAD has no parent: its diff is taken against the empty tree


def _enable_hint(loaded: LoadedConfig) -> str:
    where = "a paritygate.toml" if loaded.is_demo else loaded.path.name
    return f"add [review] with [[review.reviewers]] to {where} to enable real reviewers (docs/review.md)"


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    """Run git in ``directory``; None when git cannot be run at all."""
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(
            ["git", *args], cwd=directory, env=env, capture_output=True, text=True, check=False
        )
    except OSError:
        return None


def find_last_commit(directory: Path) -> LastCommit | str:
    """The work tree holding ``directory`` and whether its HEAD is a root commit, or why
    there is no commit to review (as a phrase: "git is not installed", ...)."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    if top is None:
        return "git is not installed"
    if top.returncode != 0:
        return f"{directory} is not inside a git work tree"
    work_tree = Path(top.stdout.strip())
    head = _git(work_tree, "rev-parse", "--verify", "-q", "HEAD")
    if head is None or head.returncode != 0:
        return f"the git repository at {work_tree} has no commit yet"
    parent = _git(work_tree, "rev-parse", "--verify", "-q", "HEAD~1")
    return LastCommit(work_tree, root=parent is None or parent.returncode != 0)


def _dry_run_line(data: dict[str, Any], last: LastCommit, hint: str) -> str:
    bundles = data.get("bundles") or []
    size = sum(int(b.get("bytes") or 0) for b in bundles)
    shown = f"{round(size / 1024)} KB" if size >= 1024 else f"{size} bytes"
    what = "the root commit" if last.root else "the last commit"
    return (
        f"dry run over {what} ({data.get('range')}) of {last.work_tree}: {len(bundles)} bundle(s), "
        f"{shown} written to review/, nothing sent; {hint}"
    )


def review_in_run(loaded: LoadedConfig, run_dir: Path) -> PhaseResult:
    """The review phase of a run (see the module docstring); writes into ``run_dir``."""
    from paritygate.phases.review import run_review

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
    result = run_review(
        loaded, repo=last.work_tree, rev_range=LAST_COMMIT_RANGE, dry_run=True, out_dir=run_dir
    )
    if result.status is not PhaseStatus.SKIPPED and result.data.get("dry_run"):
        result.summary = _dry_run_line(result.data, last, hint)
    return result
