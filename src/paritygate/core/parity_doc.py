"""The parity phase's document (``paritygate.parity/2``): what parity.json holds, what every
writer, the verdict's findings, ``assess DIR``, the history and ``diff`` read.

It lives in ``core`` because the phase builds it and the reports and the history read it
(neither may import a phase). Every count is defined once, in :class:`Tally` (the
definitions are stated in docs/parity.md); a writer shows these numbers, it never counts.
Adding a field: add it with a default to the dataclass; the JSON follows (core/jsondoc.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Self

from paritygate.core.jsondoc import (
    ABSENT,
    Absent,
    JsonDoc,
    JsonObject,
    JsonValue,
    check_schema,
)

__all__ = [
    "SCHEMA",
    "CalibrationDoc",
    "CaseDoc",
    "ClassDoc",
    "ClassStatus",
    "DecisionDoc",
    "DifferenceDoc",
    "ExampleDoc",
    "ExampleSide",
    "FlakyDoc",
    "MappingDoc",
    "NoiseDoc",
    "OneSidedHeaderDoc",
    "OperationCount",
    "OrderDoc",
    "OutdatedRowDoc",
    "PairDoc",
    "ParityDocument",
    "StepAnswer",
    "StepDoc",
    "SuggestionDoc",
    "Tally",
    "TargetAnswer",
    "TargetRef",
]

SCHEMA = "paritygate.parity/2"
ClassStatus = Literal["known", "new"]


@dataclass(slots=True)
class TargetRef(JsonDoc):
    name: str
    url: str


@dataclass(slots=True)
class TargetAnswer(JsonDoc):
    """What one target answered to one case. ``body`` is ABSENT when there was no answer
    (``error`` says why); an empty body is ``""``, a JSON ``null`` body is ``None``."""

    status: int | None
    # every header received (names lower-cased, repeats joined with ", "); only
    # ParityDocument.compared_headers are judged
    headers: dict[str, str] = field(default_factory=dict)
    body: JsonValue | Absent = ABSENT
    error: str | None = None
    elapsed_ms: float = 0.0
    # Set only for a body over [parity] max_body_bytes: ``body`` is then the text of its
    # first bytes, and the whole body is the run directory's ``body_file`` (if kept).
    body_size: int | Absent = ABSENT
    body_sha256: str | Absent = ABSENT
    body_file: str | Absent = ABSENT
    # an XML body's namespaces, prefix ("" = default) -> URI: the legend of its local-name paths
    namespaces: dict[str, str] = field(default_factory=dict)

    @property
    def oversized(self) -> bool:
        return not isinstance(self.body_size, Absent)

    @property
    def answered(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class DifferenceDoc(JsonDoc):
    """One differing place; ``left``/``right`` is ABSENT on the side that lacks the path
    (kind ``missing``: the right; kind ``extra``: the left)."""

    path: str
    kind: str
    left: JsonValue | Absent = ABSENT
    right: JsonValue | Absent = ABSENT
    right_path: str | None = None
    # what the engine knows beyond the kind (compare.model.RELATIONS), e.g. "trailing-newline";
    # absent (left out of the JSON) when it knows nothing more
    relation: str | Absent = ABSENT
    detail: str | Absent = ABSENT  # one sentence naming the targets: "a final line break on s3rver only"

    @property
    def kind_text(self) -> str:
        """``value, trailing-newline``: the kind, and the relation when the engine named one."""
        return self.kind if isinstance(self.relation, Absent) else f"{self.kind}, {self.relation}"

    @property
    def detail_text(self) -> str:
        return "" if isinstance(self.detail, Absent) else self.detail

    @property
    def in_body(self) -> bool:
        """False for the status line, a header, or a missing answer."""
        return not (self.path in ("status", "error") or self.path.startswith("header:"))


@dataclass(slots=True)
class PairDoc(JsonDoc):
    left: str
    right: str
    outcome: str
    class_key: str | None = None  # the first of class_keys
    differences: list[DifferenceDoc] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    class_keys: list[str] = field(default_factory=list)  # one per cause of this pair, sorted


@dataclass(slots=True)
class FlakyDoc(JsonDoc):
    """One implementation answered the same request with different statuses (or body kinds)
    between repeats or between it and its twin; ``statuses`` in the order answered."""

    case: str
    target: str
    source: str  # "twins" | "repeats"
    statuses: list[int | None]
    detail: str

    @property
    def series(self) -> str:
        return " then ".join(str(s) for s in self.statuses)


@dataclass(slots=True)
class CaseDoc(JsonDoc):
    name: str
    method: str
    path: str
    targets: dict[str, TargetAnswer]
    outcome: str  # the most severe pair outcome: match/order/value/shape/status/error
    status_match: bool  # every target answered, all with the same status
    body_match: bool  # every target answered and no pair differs in the body
    tags: list[str] = field(default_factory=list)
    class_key: str | None = None  # the first of class_keys
    known: bool | None = None  # None: no class; else whether every class it is in is known
    pairs: list[PairDoc] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    odd_one_out: str | None = None
    odd_one_out_text: str | None = None
    noise_paths: list[str] = field(default_factory=list)
    operation: str = ""  # the operation its divergences are counted under ("GET /users/{id}")
    # what the report shows of the request: method, path, query, the naming header, the body
    request: dict[str, JsonValue] = field(default_factory=dict)
    class_keys: list[str] = field(default_factory=list)  # every class it is in (one per cause)
    scenario: str | None = None  # None for the file's [[cases]]; the name is "scenario/step"
    step: str = ""  # the step's own name
    state: str = "compared"  # compared | error (a capture failed on a target: capture_errors)
    capture_errors: dict[str, str] = field(default_factory=dict)  # target -> what failed
    captured: dict[str, dict[str, str]] = field(default_factory=dict)  # target -> name -> value as text
    excused: dict[str, int] = field(default_factory=dict)  # differences each matcher/learned path excused
    flaky: list[FlakyDoc] = field(default_factory=list)
    repeated: int = 0  # extra sends of this case to each target (safe repeats)

    @property
    def answered(self) -> bool:
        """Every target answered (a case some target did not answer counts as "no answer")."""
        return self.outcome != "error" and all(t.answered for t in self.targets.values())

    @property
    def differences(self) -> list[tuple[PairDoc, DifferenceDoc]]:
        return [(p, d) for p in self.pairs for d in p.differences]


@dataclass(slots=True)
class MappingDoc(JsonDoc):
    name: str
    description: str = ""
    fix: str = ""


@dataclass(slots=True)
class DecisionDoc(JsonDoc):
    """One row of the decisions tracker; ``line`` is 1-based (0: not written yet)."""

    key: str
    area: str
    divergence: str
    status: str  # _open_ | accepted | fixed
    decision: str
    evidence: str
    line: int = 0
    owner: str = ""
    ticket: str = ""
    expires: str = ""  # YYYY-MM-DD, or "": an accepted row past it decides nothing any more


@dataclass(slots=True)
class OperationCount(JsonDoc):
    name: str
    cases: int


@dataclass(slots=True)
class ExampleSide(JsonDoc):
    target: str
    value: str  # shortened for display


@dataclass(slots=True)
class ExampleDoc(JsonDoc):
    """One place where a class's cause showed, with both values (shortened)."""

    case: str
    operation: str
    path: str
    left: ExampleSide
    right: ExampleSide


@dataclass(slots=True)
class ClassDoc(JsonDoc):
    """A divergence class of this run (one cause, every operation that showed it), with
    what the tracker says about it."""

    key: str
    title: str  # the cause in one line, at most ~120 characters
    endpoint: str  # the operations as one line
    outcome: str
    cases: list[str]
    mapping: MappingDoc | None = None
    status: ClassStatus = "new"
    decision: DecisionDoc | None = None  # the row that makes it known, else the latest row for its key
    came_back: bool = False  # new, and a `fixed` row for its key exists: it was fixed and is back
    recorded: bool = False  # recorded as `_open_` by this very run (--record-decisions)
    kind: str = ""  # status | no-answer | header | mapping | shape | value | order
    relation: str = ""  # "400~404", "content-type", "tagged-enum~flat-kind", "number-spelling", ...
    place: str = ""  # generalised path or leaf place ("*.N"), header name, or ""
    places: list[str] = field(default_factory=list)  # a mapping: where it was seen
    summary: str = ""  # the title with its counts: "... — 4 cases on 4 operations"
    operations: list[OperationCount] = field(default_factory=list)  # first seen first
    examples: list[ExampleDoc] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The class title, followed by its mapping's name when that says something more."""
        mapping = self.mapping
        return self.title + (f" ({mapping.name})" if mapping and mapping.name not in self.title else "")

    @property
    def label(self) -> str:
        """The short name a heading shows: the title (it names the mapping when there is one)."""
        return self.title

    @property
    def headline(self) -> str:
        """The title with its counts, as a one-line list shows a class."""
        return self.summary or self.title


@dataclass(slots=True)
class OutdatedRowDoc(JsonDoc):
    """A tracker row keyed in the old format, with the new key(s) it most likely stands for."""

    line: int
    key: str
    likely: list[str]
    message: str


@dataclass(slots=True)
class NoiseDoc(JsonDoc):
    """A path learned as noise for one target and operation, and what it rests on."""

    target: str
    path: str
    examples: list[JsonValue]
    suggested_rule: str
    cases: list[str] = field(default_factory=list)
    operation: str = ""
    source: str = ""  # "twins" | "repeats"
    observations: int = 0  # pairs of answers of this implementation that both had the path
    differed: int = 0  # of which the value differed
    clock: bool = False  # a clock reading in every observation
    kind: str = "present"  # the suggested matcher kind (or "unordered")
    excused: int = 0  # differences it excused in this run


@dataclass(slots=True)
class SuggestionDoc(JsonDoc):
    """A config entry to paste; ``operation`` None is a global rule."""

    path: str
    kind: str
    rule: str
    operation: str | None = None
    targets: list[str] = field(default_factory=list)
    observations: int = 0
    differed: int = 0


@dataclass(slots=True)
class CalibrationDoc(JsonDoc):
    """Which noise calibration ran and what it rests on; ``text`` says it in one sentence."""

    mode: str = "none"  # twins | repeats | twins+repeats | none
    text: str = "none — noise not measured"
    twins: dict[str, str] = field(default_factory=dict)  # target -> its twin's name
    twin_urls: dict[str, str] = field(default_factory=dict)
    noise_runs: int = 0
    repeated_cases: int = 0
    unrepeated_cases: int = 0
    observations: int = 0
    min_count: int = 1
    min_ratio: float = 0.5


@dataclass(slots=True)
class OneSidedHeaderDoc(JsonDoc):
    """A header not in ``compared_headers`` that some answering targets sent on an
    operation and others did not: information, never a divergence."""

    operation: str
    header: str
    sent_by: list[str]
    not_by: list[str]
    cases: list[str] = field(default_factory=list)
    example: str = ""  # one value sent (shortened)


@dataclass(slots=True)
class StepAnswer(JsonDoc):
    status: int | None
    error: str | None = None


@dataclass(slots=True)
class StepDoc(JsonDoc):
    """A step that was not compared: setup or teardown (run on every target), or skipped."""

    name: str
    method: str
    path: str
    state: str  # not_compared (setup, teardown) | skipped
    role: str = "step"  # step | setup | teardown
    scenario: str | None = None
    step: str = ""
    reason: str | None = None  # why it was skipped, or not sent to some target
    targets: dict[str, StepAnswer | None] = field(default_factory=dict)  # None: not sent there
    capture_errors: dict[str, str] = field(default_factory=dict)
    captured: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(slots=True)
class OrderDoc(JsonDoc):
    """How the steps went out: ``lockstep`` (file order, one step at a time, each to every
    target at once) or ``parallel``; ``sequences`` ran, up to ``concurrency`` at once."""

    mode: str = "lockstep"
    sequences: int = 0
    scenarios: int = 0
    concurrency: int = 0
    in_flight: int = 0  # the most case sends in flight at once (0: not sent by this run)
    in_flight_note: str = ""  # why that is below ``concurrency``, when the probe held back (probe.gate)


@dataclass(slots=True, frozen=True)
class Tally(JsonDoc):
    """Every count of a parity run, defined once (docs/parity.md, "Counts"):

    * ``errors`` — cases some target did not answer ("no answer");
    * ``match`` — cases every target answered identically: status, compared headers and
      body (modulo the ignore rules and learned noise);
    * ``diff`` — answered cases that are not a match: ``cases = match + diff + errors``;
    * ``body_match`` / ``body_diff`` — answered cases whose bodies agree / differ, so
      ``body_match + body_diff + errors = cases``; a case whose only differences are its
      status or a compared header is a ``diff`` with a body match (``header_only``);
    * ``status_match`` — cases every target answered with the same status code.
    """

    cases: int
    status_match: int
    match: int
    diff: int
    body_match: int
    body_diff: int
    header_only: int
    errors: int

    @classmethod
    def of(cls, cases: list[CaseDoc]) -> Tally:
        answered = [c for c in cases if c.answered]
        match = sum(1 for c in answered if c.outcome == "match")
        body_match = sum(1 for c in answered if c.body_match)
        return cls(
            cases=len(cases),
            status_match=sum(1 for c in answered if c.status_match),
            match=match,
            diff=len(answered) - match,
            body_match=body_match,
            body_diff=len(answered) - body_match,
            header_only=sum(1 for c in answered if c.body_match and c.outcome != "match"),
            errors=len(cases) - len(answered),
        )


@dataclass(slots=True)
class ParityDocument(JsonDoc):
    """parity.json. ``fixed`` lists the tracker's active rows no class of this run matched;
    it is not computed (``fixed_skipped`` says why) when some case got no answer."""

    project: str
    date: str
    targets: list[TargetRef]
    cases: list[CaseDoc]
    reference: str | None = None
    compared_headers: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # the ignore rules applied: paths or header:<name>
    cases_file: str = ""
    tracker: str = ""
    noise_runs: int = 0
    duration_s: float = 0.0
    classes: list[ClassDoc] = field(default_factory=list)
    fixed: list[DecisionDoc] = field(default_factory=list)
    fixed_skipped: str | None = None
    noise: list[NoiseDoc] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    group_by: str = "cause"  # [parity] group_by: one class per cause, or per operation and cause
    outdated_rows: list[OutdatedRowDoc] = field(default_factory=list)  # never `fixed?`
    one_sided_headers: list[OneSidedHeaderDoc] = field(default_factory=list)
    order: OrderDoc = field(default_factory=OrderDoc)
    steps: list[StepDoc] = field(default_factory=list)  # setup, teardown and skipped steps
    calibration: CalibrationDoc = field(default_factory=CalibrationDoc)
    suggestions: list[SuggestionDoc] = field(default_factory=list)
    matchers_excused: dict[str, int] = field(default_factory=dict)  # configured matcher label -> count
    flaky: list[FlakyDoc] = field(default_factory=list)
    schema: str = SCHEMA

    @property
    def tally(self) -> Tally:
        return Tally.of(self.cases)

    @property
    def target_names(self) -> list[str]:
        return [t.name for t in self.targets]

    def class_of(self, key: str | None) -> ClassDoc | None:
        return next((c for c in self.classes if c.key == key), None) if key else None

    @property
    def known_classes(self) -> int:
        return sum(1 for c in self.classes if c.status == "known")

    @property
    def new_classes(self) -> int:
        return sum(1 for c in self.classes if c.status == "new")

    def to_json(self) -> JsonObject:
        out = JsonDoc.to_json(self)
        out["tally"] = self.tally.to_json()  # written for readers of the file; read back from the cases
        return out

    @classmethod
    def from_json(cls, raw: object, where: str = "") -> Self:
        check_schema(raw, SCHEMA, where, "run parity")
        return super(ParityDocument, cls).from_json(raw, where)
