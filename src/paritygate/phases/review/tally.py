"""The tally: one vote per reviewer per location, matching across reviewers, and
convergence counted in distinct *lineages*, not reviewers.

Two votes are one finding when they are at the same place **and** say the same thing:
same file, line ranges overlapping or within ``window`` lines, and claims (WHAT, then
WHAT + WHY) whose rapidfuzz ``token_set_ratio`` on content-word stems reaches
``similarity``. A range wider than ``max_span`` lines is too vague to match by place:
it joins another vote only on a near-identical claim (``token_sort_ratio`` ≥ 80 on the
whole claim: no credit for one claim being a subset of the other). "SQL injection" at line 10 and
"typo in log" at line 13 stay two findings.

A finding's severity is the *converged* one: the most severe level that
``min(threshold, lineages)`` lineages agree on (one lineage's block plus another's
minor is a minor), so a block needs block votes from ``threshold`` distinct lineages.

Three Claude models agreeing are one lineage, not three (the ``opus+opus+opus``
false-convergence bug). Lineages are the user's labels; two reviewers are of one
lineage when their label lists share a label, transitively.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from paritygate.core.review_doc import ReviewFindingDoc, VoteDoc

__all__ = [
    "SEVERITY_RANK",
    "TalliedFinding",
    "Vote",
    "claim_similarity",
    "dedupe_votes",
    "lineage_groups",
    "tally_votes",
]

SEVERITY_RANK = {"block": 0, "major": 1, "minor": 2, "nit": 3}
LOCATED = ("added", "context", "outside-diff")
STRONG_CLAIM = 80.0  # what a vague (wide-range) vote needs to match another
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "into",
        "than",
        "then",
        "there",
        "here",
        "not",
        "no",
        "can",
        "may",
        "might",
        "will",
        "would",
        "should",
        "could",
        "does",
        "do",
        "did",
        "has",
        "have",
        "had",
        "via",
        "when",
        "which",
        "who",
        "what",
        "why",
        "where",
        "how",
        "if",
        "else",
        "but",
        "so",
        "also",
        "only",
        "just",
        "very",
        "more",
        "most",
        "any",
        "all",
        "some",
        "such",
        "line",
        "lines",
        "code",
        "here",
    ]
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(slots=True)
class Vote:
    reviewer: str
    lineage: tuple[str, ...]
    bundle: str
    written: str  # the WHERE as the reviewer wrote it
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
    downgraded_from: str | None = None  # the reviewer lowered the severity later in its answer

    def to_doc(self) -> VoteDoc:
        return VoteDoc(
            reviewer=self.reviewer,
            downgraded_from=self.downgraded_from,
            lineage=list(self.lineage),
            where=self.written,
            path=self.path,
            start=self.start,
            end=self.end,
            severity=self.severity,
            what=self.what,
            why=self.why,
            line_kind=self.line_kind,
            reason=self.reason,
            retracted=self.retracted,
            retraction=self.retraction,
            incomplete=self.incomplete,
        )


@dataclass(slots=True)
class TalliedFinding:
    bundle: str
    path: str | None
    start: int | None
    end: int | None
    severity: str
    what: str
    why: str
    line_kind: str
    votes: list[Vote] = field(default_factory=list)
    lineages: list[str] = field(default_factory=list)  # one label per lineage group behind it
    block_lineages: list[str] = field(default_factory=list)  # the groups that said "block"
    retracted: bool = False

    @property
    def reviewers(self) -> list[str]:
        return sorted({v.reviewer for v in self.votes})

    @property
    def located(self) -> bool:
        return self.line_kind in LOCATED and not self.retracted

    @property
    def convergence(self) -> int:
        """Distinct lineages behind a located, valid, standing finding; 0 for anything else."""
        return len(self.lineages) if self.located else 0

    @property
    def evidence(self) -> str:
        if self.path is None or self.start is None:
            return f"{self.bundle}:{self.votes[0].written or 'unanchored'}"
        lines = str(self.start) if self.end in (None, self.start) else f"{self.start}-{self.end}"
        return f"{self.path}:{lines}"

    @property
    def id(self) -> str:
        key = f"{self.bundle}|{self.evidence}|{self.line_kind}|{self.retracted}|{self.reviewers}|{self.what}"
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def to_doc(self) -> ReviewFindingDoc:
        return ReviewFindingDoc(
            id=self.id,
            bundle=self.bundle,
            path=self.path,
            start=self.start,
            end=self.end,
            severity=self.severity,
            what=self.what,
            why=self.why,
            reviewers=self.reviewers,
            lineages=list(self.lineages),
            convergence=self.convergence,
            block_lineages=list(self.block_lineages),
            line_kind=self.line_kind,
            retracted=self.retracted,
            incomplete=all(v.incomplete for v in self.votes),
            votes=[v.to_doc() for v in self.votes],
        )


def lineage_groups(lineages: list[tuple[str, ...]]) -> list[str]:
    """Merge lineage label lists that share a label; one sorted ``a+b`` label per group."""
    groups: list[set[str]] = []
    for labels in lineages:
        merged = set(labels)
        for group in [g for g in groups if g & merged]:
            merged |= group
            groups.remove(group)
        groups.append(merged)
    return sorted("+".join(sorted(g)) for g in groups)


def dedupe_votes(votes: list[Vote]) -> tuple[list[Vote], int]:
    """One vote per reviewer per location (the most severe one); returns (kept, dropped)."""
    kept: dict[tuple[Any, ...], Vote] = {}
    singles: list[Vote] = []
    for vote in votes:
        if vote.line_kind not in LOCATED or vote.retracted:
            singles.append(vote)
            continue
        key = (vote.reviewer, vote.bundle, vote.path, vote.start, vote.end)
        old = kept.get(key)
        if old is None or SEVERITY_RANK[vote.severity] < SEVERITY_RANK[old.severity]:
            kept[key] = vote
    located = list(kept.values())
    return located + singles, len(votes) - len(located) - len(singles)


def _stems(text: str) -> str:
    # Six-letter prefixes: "injection" / "injected" / "inject", "concatenated" / "concat".
    return " ".join(w[:6] for w in _WORD.findall(text.lower()[:2000]) if len(w) > 1 and w not in _STOP)


def _similar(a: tuple[str, str], b: tuple[str, str]) -> float:
    return float(max(fuzz.token_set_ratio(a[0], b[0]), fuzz.token_set_ratio(a[1], b[1])))


def claim_similarity(a: Vote, b: Vote) -> float:
    """0-100: how much two votes say the same thing (WHAT alone, or WHAT + WHY)."""
    return _similar(
        (_stems(a.what), _stems(f"{a.what} {a.why}")), (_stems(b.what), _stems(f"{b.what} {b.why}"))
    )


def _near(a: Vote, b: Vote, window: int) -> bool:
    a0, a1 = a.start or 0, a.end or a.start or 0
    b0, b1 = b.start or 0, b.end or b.start or 0
    return a0 <= b1 + window and b0 <= a1 + window


def _span(v: Vote) -> int:
    return (v.end or v.start or 0) - (v.start or 0) + 1


def converged_severity(votes: list[Vote], threshold: int) -> str:
    """The most severe level ``min(threshold, lineages)`` lineages agree on."""
    per_lineage: dict[str, int] = {}
    for group in lineage_groups([v.lineage for v in votes]):
        labels = set(group.split("+"))
        ranks = [SEVERITY_RANK[v.severity] for v in votes if set(v.lineage) & labels]
        per_lineage[group] = min(ranks)
    ranked = sorted(per_lineage.values())
    need = max(1, min(threshold, len(ranked)))
    rank = ranked[need - 1]
    return next(s for s, r in SEVERITY_RANK.items() if r == rank)


def _finding(votes: list[Vote], *, threshold: int, retracted: bool = False) -> TalliedFinding:
    lead = min(votes, key=lambda v: SEVERITY_RANK[v.severity])
    starts = [v.start for v in votes if v.start is not None]
    ends = [v.end for v in votes if v.end is not None]
    return TalliedFinding(
        bundle=lead.bundle,
        path=lead.path,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        severity=converged_severity(votes, threshold),
        what=lead.what,
        why=lead.why,
        line_kind=next((k for k in LOCATED if any(v.line_kind == k for v in votes)), lead.line_kind),
        votes=votes,
        lineages=lineage_groups([v.lineage for v in votes]),
        block_lineages=lineage_groups([v.lineage for v in votes if v.severity == "block"]),
        retracted=retracted,
    )


def _clusters(votes: list[Vote], window: int, max_span: int, similarity: float) -> list[list[Vote]]:
    """Union-find over pairs of votes of different reviewers that match by place and claim."""
    parent = list(range(len(votes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    stems = [(_stems(v.what), _stems(f"{v.what} {v.why}")) for v in votes]
    order = sorted(range(len(votes)), key=lambda i: (votes[i].start or 0, votes[i].end or 0))
    for pos, i in enumerate(order):
        a = votes[i]
        for j in order[pos + 1 :]:
            b = votes[j]
            if (b.start or 0) > (a.end or a.start or 0) + window:
                break  # sorted by start: nothing later is near ``a``
            if a.reviewer == b.reviewer or not _near(a, b, window) or root(i) == root(j):
                continue
            if max(_span(a), _span(b)) > max_span:  # vague place: the whole claim must agree, word for word
                score = float(fuzz.token_sort_ratio(stems[i][1], stems[j][1]))
                need = STRONG_CLAIM
            else:
                score, need = _similar(stems[i], stems[j]), similarity
            if score >= need:
                parent[root(j)] = root(i)
    groups: dict[int, list[Vote]] = {}
    for i in order:
        groups.setdefault(root(i), []).append(votes[i])
    return list(groups.values())


def tally_votes(
    votes: list[Vote],
    *,
    window: int,
    threshold: int = 2,
    max_span: int = 20,
    similarity: float = 50.0,
) -> list[TalliedFinding]:
    """Cluster located votes on one file that match by place and by claim (module docstring)."""
    findings: list[TalliedFinding] = []
    by_path: dict[str, list[Vote]] = {}
    for vote in votes:
        if vote.retracted:
            findings.append(_finding([vote], threshold=threshold, retracted=True))
        elif vote.line_kind in LOCATED and vote.path is not None:
            by_path.setdefault(vote.path, []).append(vote)
        else:
            findings.append(_finding([vote], threshold=threshold))
    for path_votes in by_path.values():
        for cluster in _clusters(path_votes, window, max_span, similarity):
            findings.append(_finding(cluster, threshold=threshold))
    findings.sort(
        key=lambda f: (
            f.bundle,
            f.retracted,
            -f.convergence,
            SEVERITY_RANK[f.severity],
            f.path or "",
            f.start or 0,
        )
    )
    return findings
