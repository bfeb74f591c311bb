"""Phase 3: the per-component multi-reviewer LLM review (the "scrum").

Entry points: :func:`run_review` (sync) and :func:`run_review_async`; both return a
``PhaseResult("review")`` whose ``data`` is a ``ReviewDocument`` (``paritygate.review/2``,
core/review_doc.py).
:func:`recent_range` gives the ``rev_range`` of a repository's last commit.
Reports are written from that document by :mod:`paritygate.reports.review_files`.
"""

from paritygate.core.review_doc import SCHEMA
from paritygate.phases.review.gitrange import LAST_COMMIT, LastCommit, find_last_commit, recent_range
from paritygate.phases.review.phase import run_review, run_review_async

__all__ = [
    "LAST_COMMIT",
    "SCHEMA",
    "LastCommit",
    "find_last_commit",
    "recent_range",
    "run_review",
    "run_review_async",
]
