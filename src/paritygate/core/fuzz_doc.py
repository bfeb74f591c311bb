"""The fuzz phase's document (``paritygate.fuzz/1``): what fuzz.json holds.

A fuzz run is judged as a parity run of the shrunk cases, so the document carries that
parity document whole (``parity``): every writer, the verdict's findings, ``assess DIR``
and the history read the fuzz classes exactly as they read parity's. Around it: what
was generated from what, with which budget and seed, and how fast it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from paritygate.core.jsondoc import ABSENT, Absent, JsonDoc, JsonObject, check_schema
from paritygate.core.parity_doc import ParityDocument

__all__ = ["FUZZ_SCHEMA", "FuzzClassDoc", "FuzzDocument"]

FUZZ_SCHEMA = "paritygate.fuzz/1"


@dataclass(slots=True)
class FuzzClassDoc(JsonDoc):
    """A divergence class the search found: its shrunk case and the first request that showed
    it; for a class a sequence along OpenAPI links showed, also the scenario it is saved as
    and every step (``case`` is then the step that shows the class)."""

    key: str
    case: JsonObject  # a regular case (cases-file form), the one the report shows
    first_case: JsonObject
    scenario: str | Absent = ABSENT
    steps: list[JsonObject] | Absent = ABSENT
    first_steps: list[JsonObject] | Absent = ABSENT


@dataclass(slots=True)
class FuzzDocument(JsonDoc):
    source: str  # "openapi.json (2 operation(s))" or "cases.toml (6 case(s) mutated)"
    seed: int
    max_examples: int
    parity: ParityDocument  # the shrunk cases, compared and checked against the tracker
    deadline_s: float | None = None
    deadline_hit: bool = False
    sent: int = 0  # requests sent, shrinking included (each to every target)
    examples: int = 0  # generated examples
    rounds: int = 0
    duration_s: float = 0.0
    requests_per_s: float = 0.0
    classes: list[FuzzClassDoc] = field(default_factory=list)
    saved_cases: str | None = None  # the cases file the shrunk cases were written to (a run's own)
    schema: str = FUZZ_SCHEMA

    def summary(self, judged: str) -> str:
        """The phase's one-line summary: what was found from what, then ``judged`` (the
        parity summary of the shrunk cases, which says new and known)."""
        return (
            f"{len(self.classes)} class(es) from {self.sent} generated request(s) "
            f"({self.requests_per_s:.0f} req/s, seed {self.seed}); {judged}"
        )

    @property
    def line(self) -> str:
        """One sentence: what was sent, how fast, what was found."""
        hit = ", deadline hit" if self.deadline_hit else ""
        return (
            f"{self.sent} request(s) generated from {self.source}, {self.requests_per_s:.0f} req/s, "
            f"seed {self.seed}{hit}: {len(self.classes)} divergence class(es) shrunk"
        )

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        """Another schema version is rejected first; the parity document inside is read by
        its own reader (its schema checked too, core/jsondoc.py)."""
        check_schema(raw, FUZZ_SCHEMA, where, "run fuzz")
        return super(FuzzDocument, cls).from_json(raw, where)
