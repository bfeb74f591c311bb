"""The review phase's document, ``paritygate.review/2``, typed: what review.json holds and
what review.md, review.sarif, the run's reports, the review CLI and the history read.

It lives in ``core`` because the phase builds it and the reports read it (neither may
import the other). Built by the review phase (phases/review/assemble.py and phase.py),
read back from review.json or report.json through the one codec (core/jsondoc.py), which
names the JSON path of a bad value. ``from_json`` rejects another schema version.

Absent is not null: a review skipped before a range was resolved has no ``base``,
``tip``, ``commits`` or ``base_is_empty_tree`` (left out of the JSON); a bundle with
nothing reviewable has no ``prompt_file`` or ``prompt_bytes`` and says why in
``skipped``; ``verdict: null`` is an answer that gave no verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Self

from paritygate.core.jsondoc import ABSENT, Absent, JsonDoc, check_schema

__all__ = [
    "SCHEMA",
    "AnsweredDoc",
    "AttemptDoc",
    "BundleDoc",
    "LeftOutDoc",
    "LimitsDoc",
    "RedactionDoc",
    "ReviewCallDoc",
    "ReviewDocument",
    "ReviewFindingDoc",
    "ReviewerDoc",
    "VoteDoc",
]

SCHEMA = "paritygate.review/2"


@dataclass(slots=True, frozen=True)
class LeftOutDoc(JsonDoc):
    """A changed file (or part of one) a bundle does not send, and why."""

    path: str
    why: str


@dataclass(slots=True, frozen=True, kw_only=True)
class RedactionDoc(JsonDoc):
    """A line a secret was redacted from before sending."""

    path: str
    line: int  # new-file line; old-file line for a deleted line; the hunk's first new line for its heading
    side: str  # "new" | "old" | "hunk-header"
    types: list[str]  # detect-secrets' secret types found there, e.g. ["AWS Access Key"]


@dataclass(slots=True, frozen=True, kw_only=True)
class AttemptDoc(JsonDoc):
    n: int
    outcome: str  # "ok", "http 429", "timeout", "connection error", "repair", ...
    wait_s: float = 0.0  # slept after this attempt before the next one


@dataclass(slots=True, kw_only=True)
class ReviewCallDoc(JsonDoc):
    """One reviewer's answer on one bundle."""

    reviewer: str
    status: str  # ok | incomplete (cut off by the token limit) | failed
    usability: str  # usable | no-verdict | format-not-followed | echoed-template | empty | truncated | failed
    usability_reason: str = ""
    repaired: str | None = None  # why the answer was repaired, when it was
    prompt_tokens: int | None = None  # as paritygate counted the prompt before sending (None: dry run)
    prompt_tokens_method: str | None = None  # server:/tokenize | tiktoken:o200k_base | estimate:bytes/2.5
    prompt_tokens_server: int | None = None  # as the server counted them
    tokens_out: int | None = None
    finish_reason: str | None = None
    served_model: str | None = None
    attempts: list[AttemptDoc] = field(default_factory=list)
    error: str | None = None
    verdict: str | None = None  # ship | block, None: the answer gave none
    retracted_verdicts: list[str] = field(default_factory=list)
    findings: int = 0  # findings parsed from a usable answer
    retracted: int = 0
    downgraded: int = 0
    rejected_locations: int = 0
    reply_file: str | None = None  # relative to the run directory
    duration_s: float = 0.0
    queued_s: float = 0.0

    @property
    def usable(self) -> bool:
        return self.usability == "usable"

    @property
    def failed(self) -> bool:
        return self.status == "failed"


@dataclass(slots=True, frozen=True, kw_only=True)
class AnsweredDoc(JsonDoc):
    reviewers: list[str] = field(default_factory=list)
    lineages: list[str] = field(default_factory=list)  # one "a+b" label per lineage group


@dataclass(slots=True, kw_only=True)
class BundleDoc(JsonDoc):
    """One bundle (or one part of a split bundle): its manifest, what its reviewers said,
    and the files written for it."""

    id: str  # "c1", or "c1.2" for the second part of a split bundle
    component: str
    bytes: int
    tokens_est: int
    tokens_method: str
    files: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    left_out: list[LeftOutDoc] = field(default_factory=list)
    part: int = 1
    parts: int = 1
    clipped: list[str] = field(default_factory=list)
    oversize: str = "ok"  # ok | warn | forced | split
    warnings: list[str] = field(default_factory=list)
    redactions: list[RedactionDoc] = field(default_factory=list)
    convergent: int = 0
    distinct: int = 0
    tally_line: str = ""
    usable_line: str = ""  # "3/4 usable (qwen truncated)"; "" when no reviewer was called
    reviews: list[ReviewCallDoc] = field(default_factory=list)
    answered: AnsweredDoc = field(default_factory=AnsweredDoc)  # every reviewer that did not fail
    usable: AnsweredDoc = field(default_factory=AnsweredDoc)  # those that answered usably
    unreviewed: bool = False  # answered usably by fewer lineages than the quorum
    failed: list[str] = field(default_factory=list)  # reviewers whose call failed
    tokens_line: str = ""
    diff_file: str = ""  # relative to the run directory
    prompt_file: str | Absent = ABSENT  # absent: nothing reviewable, no prompt (see skipped)
    prompt_bytes: int | Absent = ABSENT
    skipped: str | Absent = ABSENT  # why no prompt was made


@dataclass(slots=True, frozen=True, kw_only=True)
class VoteDoc(JsonDoc):
    """One reviewer's finding as it wrote it, resolved against the bundle."""

    reviewer: str
    downgraded_from: str | None = None  # the reviewer lowered the severity later in its answer
    lineage: list[str]
    where: str  # the WHERE as the reviewer wrote it
    path: str | None  # the bundle path it resolved to
    start: int | None
    end: int | None
    severity: str
    what: str
    why: str
    line_kind: str
    reason: str = ""  # why a location is invalid
    retracted: bool = False
    retraction: str | None = None
    incomplete: bool = False  # parsed from an answer cut off by the token limit


@dataclass(slots=True, frozen=True, kw_only=True)
class ReviewFindingDoc(JsonDoc):
    """A tallied finding: the votes that say the same thing at the same place."""

    id: str
    bundle: str
    path: str | None
    start: int | None
    end: int | None
    severity: str  # the converged severity: block | major | minor | nit
    what: str
    why: str
    reviewers: list[str] = field(default_factory=list)
    lineages: list[str] = field(default_factory=list)
    convergence: int = 0  # distinct lineages behind a located, standing finding
    block_lineages: list[str] = field(default_factory=list)
    line_kind: str  # added | context | outside-diff | invalid | unanchored
    retracted: bool = False
    incomplete: bool = False  # every vote came from a cut-off answer
    votes: list[VoteDoc] = field(default_factory=list)

    @property
    def where(self) -> str:
        """``path:start-end``, or the reviewer's own WHERE when it has no place."""
        if not self.path or not self.start:
            return (self.votes[0].where if self.votes else "") or "(no WHERE)"
        end = self.end
        return f"{self.path}:{self.start}" + (f"-{end}" if end and end != self.start else "")

    @property
    def placed(self) -> bool:
        """At a checked line of a file (what SARIF can show)."""
        return bool(self.path and self.start) and self.line_kind not in ("invalid", "unanchored")

    @property
    def standing(self) -> bool:
        """Not withdrawn and at a valid location: counted."""
        return not self.retracted and self.line_kind != "invalid"

    @property
    def rejected(self) -> bool:
        return not self.retracted and self.line_kind == "invalid"

    @property
    def vote_severities(self) -> list[str]:
        return sorted({v.severity for v in self.votes})

    @property
    def retraction(self) -> str | None:
        return next((v.retraction for v in self.votes if v.retraction), None)


@dataclass(slots=True, kw_only=True)
class ReviewerDoc(JsonDoc):
    """One configured reviewer, over every bundle."""

    name: str
    lineage: list[str]
    provider: str
    model: str
    status: str  # ok | incomplete | failed | not-called
    usable: int = 0
    unusable: int = 0
    usability: dict[str, int] = field(default_factory=dict)  # verdict -> answers
    prompt_tokens: int | None = None
    prompt_tokens_server: int | None = None
    tokens_out: int = 0
    duration_s: float = 0.0
    finish_reason: str | None = None  # every finish reason seen, comma-separated
    served_model: str | None = None
    rejected_locations: int = 0
    failed_bundles: list[str] = field(default_factory=list)
    incomplete_bundles: list[str] = field(default_factory=list)

    @property
    def unusable_kinds(self) -> str:
        """``truncated 1, empty 2``: the unusable answers by kind."""
        return ", ".join(f"{k} {n}" for k, n in self.usability.items() if k != "usable")


@dataclass(slots=True, frozen=True, kw_only=True)
class LimitsDoc(JsonDoc):
    """The settings the review ran with ([review] and [assess])."""

    warn_kb: float
    max_kb: float
    match_window: int
    max_span_lines: int
    claim_similarity: float
    block_lineages: int  # [assess] review_block_lineages: for a converged block, and the quorum
    quorum: Literal["block", "warn"]  # what an unreviewed bundle does ([assess] block_on_unreviewed)
    deadline_s: float | None = None


@dataclass(slots=True, kw_only=True)
class ReviewDocument(JsonDoc):
    """review.json. A review skipped before it built bundles (no git, no commits, no
    change) has no bundles, and ``summary`` says why."""

    schema: str = SCHEMA
    dry_run: bool
    dry_run_reason: str | None  # "no reviewers configured" | "requested"; None: not a dry run
    range: str | None  # "A..B"; None: no range resolved
    base: str | Absent = ABSENT  # the range's details: absent when no range was resolved
    tip: str | Absent = ABSENT
    commits: int | Absent = ABSENT
    base_is_empty_tree: bool | Absent = ABSENT
    limits: LimitsDoc
    sarif_findings: Literal["all", "converged"] = "all"
    budget_warnings: list[str] = field(default_factory=list)
    lineage_warnings: list[str] = field(default_factory=list)
    prompt_template: str = ""
    bundles: list[BundleDoc] = field(default_factory=list)
    reviewers: list[ReviewerDoc] = field(default_factory=list)
    findings: list[ReviewFindingDoc] = field(default_factory=list)
    duplicates_dropped: int = 0
    redactions: int = 0  # secrets redacted before sending, over every bundle
    summary: str

    @property
    def bytes(self) -> int:
        return sum(b.bytes for b in self.bundles)

    @property
    def standing(self) -> list[ReviewFindingDoc]:
        return [f for f in self.findings if f.standing]

    @property
    def not_retracted(self) -> list[ReviewFindingDoc]:
        return [f for f in self.findings if not f.retracted]

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        check_schema(raw, SCHEMA, where, "run review")
        return super(ReviewDocument, cls).from_json(raw, where)
