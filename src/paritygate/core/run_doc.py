"""The whole-run document, ``report.json`` (``paritygate.report/3``), typed: the verdict and
its reasons, every phase's result (its typed document inside), what ran and what the run
directory holds.

The gauntlet builds it, ``assess DIR`` reads it back, and every run writer (report.md,
report.html, junit.xml, the phase files), the history and ``history diff`` read the same
objects, through one codec (core/jsondoc.py). Absent and null are two values: a run never
re-assessed has no ``reassessed_at`` key; one not interrupted has ``"signal": null``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Self

from paritygate.core.fuzz_doc import FuzzDocument
from paritygate.core.jsondoc import ABSENT, Absent, JsonDoc, check_schema
from paritygate.core.models import PhaseResult
from paritygate.core.parity_doc import ParityDocument, Tally
from paritygate.core.review_doc import ReviewDocument
from paritygate.core.smoke_doc import SmokeDocument
from paritygate.core.stack_doc import StackDocument

__all__ = [
    "SCHEMA",
    "FilesListing",
    "Implementation",
    "Reason",
    "ReasonLevel",
    "RunDocument",
    "Verdict",
    "VerdictKind",
]

SCHEMA = "paritygate.report/3"


class VerdictKind(enum.StrEnum):
    SHIP = "ship"
    SHIP_WITH_KNOWN_GAP = "ship-with-known-gap"
    BLOCK = "block"


class ReasonLevel(enum.StrEnum):
    BLOCK = "block"  # makes the verdict block
    GAP = "gap"  # a documented, accepted-or-open gap: ship-with-known-gap
    NOTICE = "notice"  # reported loudly, changes nothing (e.g. a `fixed?` tracker row)
    WARNING = "warning"  # worth a look (single-lineage review block, a disabled blocker)


@dataclass(slots=True)
class Reason(JsonDoc):
    level: ReasonLevel
    kind: str  # a FindingKind value, or "interrupted"
    phase: str
    evidence: str  # check name, case name, class key, path:line, phase name
    message: str
    tracker: str | None = None  # the tracker file (name) where the decision lives, for a class


@dataclass(slots=True)
class Verdict(JsonDoc):
    verdict: VerdictKind
    reasons: list[Reason] = field(default_factory=list)  # block, gap and notice reasons
    warnings: list[Reason] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.verdict is VerdictKind.BLOCK else 0


@dataclass(slots=True, frozen=True)
class Implementation(JsonDoc):
    """What one service ran (gauntlet/fingerprint.py): the history tells a changed one apart."""

    fingerprint: str
    command: str = ""
    code: str = ""


@dataclass(slots=True)
class FilesListing(JsonDoc):
    """What the run directory holds, relative to it (filled in when the reports are written)."""

    reports: list[str] = field(default_factory=list)
    phase_files: list[str] = field(default_factory=list)  # smoke.json, parity.*, review.*, review/
    logs: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [*self.reports, *self.phase_files, *self.logs]


@dataclass(slots=True, kw_only=True)
class RunDocument(JsonDoc):
    """report.json. Every key is written on every run, so a missing one is an error, not a
    default -- except ``reassessed_at``, absent until ``assess DIR`` judges the run again."""

    schema: str = SCHEMA
    paritygate_version: str
    run_id: str
    project: str
    config: str  # the config file the run used
    demo: bool  # the bundled demo's config
    tracker: str | None  # the decisions tracker parity matched against; null without [parity]
    started_at: str
    finished_at: str
    duration_s: float
    verdict: VerdictKind
    reasons: list[Reason]
    warnings: list[Reason]
    interrupted: bool
    signal: str | None  # the signal that interrupted the run; null when none did
    kept_up: bool
    tally: Tally | None  # the parity counts; null when parity made no document
    phases: dict[str, PhaseResult]  # in gauntlet order
    definitions: dict[str, dict[str, str]]  # phase -> check/case name -> definition hash
    implementations: dict[str, Implementation]
    files: FilesListing = field(default_factory=FilesListing)
    reassessed_at: str | Absent = ABSENT

    @property
    def judged(self) -> Verdict:
        return Verdict(self.verdict, list(self.reasons), list(self.warnings))

    def judge(self, verdict: Verdict) -> None:
        """Take ``verdict`` as the run's (``assess DIR``)."""
        self.verdict, self.reasons, self.warnings = verdict.verdict, verdict.reasons, verdict.warnings

    def phase(self, name: str) -> PhaseResult | None:
        return self.phases.get(name)

    @property
    def parity(self) -> ParityDocument | None:
        """The parity document, None when parity did not run or got no document made."""
        result = self.phases.get("parity")
        return result.parity if result is not None else None

    @property
    def smoke(self) -> SmokeDocument | None:
        result = self.phases.get("smoke")
        return result.smoke if result is not None else None

    @property
    def fuzz(self) -> FuzzDocument | None:
        """The fuzz document (its shrunk cases' parity document inside), None when the run
        did not fuzz (off by default) or the fuzz phase got no document made."""
        result = self.phases.get("fuzz")
        return result.fuzz if result is not None else None

    @property
    def review(self) -> ReviewDocument | None:
        """The review document, None when review did not run or stopped before making one."""
        result = self.phases.get("review")
        return result.review if result is not None else None

    @property
    def stack(self) -> StackDocument | None:
        result = self.phases.get("stack")
        return result.stack if result is not None else None

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        """Read report.json's object; another schema version is rejected first, by name."""
        check_schema(raw, SCHEMA, where, "run the gauntlet")
        return super(RunDocument, cls).from_json(raw, where)
