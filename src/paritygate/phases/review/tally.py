"""The tally: one vote per reviewer per location, matching across reviewers, and
convergence counted in distinct *lineages*, not reviewers.

Three Claude models agreeing are one lineage, not three (the ``opus+opus+opus``
false-convergence bug). Lineages are the user's labels; two reviewers are of one
lineage when their label lists share a label, transitively.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SEVERITY_RANK", "TalliedFinding", "Vote", "dedupe_votes", "lineage_groups", "tally_votes"]

SEVERITY_RANK = {"block": 0, "major": 1, "minor": 2, "nit": 3}
LOCATED = ("added", "context", "outside-diff")


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "lineage": list(self.lineage),
            "where": self.written,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "severity": self.severity,
            "what": self.what,
            "why": self.why,
            "line_kind": self.line_kind,
            "reason": self.reason,
            "retracted": self.retracted,
            "retraction": self.retraction,
            "incomplete": self.incomplete,
        }


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bundle": self.bundle,
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "severity": self.severity,
            "what": self.what,
            "why": self.why,
            "reviewers": self.reviewers,
            "lineages": self.lineages,
            "convergence": self.convergence,
            "block_lineages": self.block_lineages,
            "line_kind": self.line_kind,
            "retracted": self.retracted,
            "incomplete": all(v.incomplete for v in self.votes),
            "votes": [v.to_dict() for v in self.votes],
        }


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


def _finding(votes: list[Vote], *, retracted: bool = False) -> TalliedFinding:
    lead = min(votes, key=lambda v: SEVERITY_RANK[v.severity])
    starts = [v.start for v in votes if v.start is not None]
    ends = [v.end for v in votes if v.end is not None]
    return TalliedFinding(
        bundle=lead.bundle,
        path=lead.path,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        severity=lead.severity,
        what=lead.what,
        why=lead.why,
        line_kind=next((k for k in LOCATED if any(v.line_kind == k for v in votes)), lead.line_kind),
        votes=votes,
        lineages=lineage_groups([v.lineage for v in votes]),
        block_lineages=lineage_groups([v.lineage for v in votes if v.severity == "block"]),
        retracted=retracted,
    )


def tally_votes(votes: list[Vote], *, window: int) -> list[TalliedFinding]:
    """Cluster located votes on one file whose line ranges overlap or lie within ``window`` lines."""
    findings: list[TalliedFinding] = []
    by_path: dict[str, list[Vote]] = {}
    for vote in votes:
        if vote.retracted:
            findings.append(_finding([vote], retracted=True))
        elif vote.line_kind in LOCATED and vote.path is not None:
            by_path.setdefault(vote.path, []).append(vote)
        else:
            findings.append(_finding([vote]))
    for path_votes in by_path.values():
        path_votes.sort(key=lambda v: (v.start or 0, v.end or 0))
        cluster: list[Vote] = []
        reach = 0
        for vote in path_votes:
            start, end = vote.start or 0, vote.end or 0
            if cluster and start > reach + window:
                findings.append(_finding(cluster))
                cluster = []
            reach = max(reach, end) if cluster else end
            cluster.append(vote)
        if cluster:
            findings.append(_finding(cluster))
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
