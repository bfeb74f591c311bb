"""The value objects of the comparison engine; shared with the parity phase and reports."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from paritygate.compare.rules import CompareRules

if TYPE_CHECKING:  # these modules build on this one
    from paritygate.compare.jsonbody import DuplicateKey
    from paritygate.compare.textbody import TextFacts
    from paritygate.compare.xmltree import XmlFacts

__all__ = [
    "RELATIONS",
    "BodyKind",
    "Canonical",
    "Comparison",
    "Difference",
    "Outcome",
    "Response",
    "most_severe",
    "severity_of_kind",
]

BodyKind = Literal["json", "xml", "text", "bytes", "empty"]


@dataclass(slots=True)
class Response:
    """What one target answered to one request, or why it did not answer."""

    status: int | None
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received, in order
    body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None  # "timeout", "refused", "reset", ... when there was no answer
    # Set only for a body over [parity] max_body_bytes (probe.bodies): ``body`` then holds
    # just its first bytes; the pair is compared by length and SHA-256.
    body_size: int | None = None
    body_sha256: str | None = None
    body_file: str | None = None  # its file's name in the run's bodies/ directory, if kept

    @property
    def oversized(self) -> bool:
        return self.body_size is not None

    @property
    def content_type(self) -> str:
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value
        return ""


class Outcome(enum.StrEnum):
    """Outcome of one case for one pair of targets, most severe first."""

    ERROR = "error"  # one side failed to answer (timeout, refused, reset)
    STATUS = "status"  # status codes differ
    SHAPE = "shape"  # type differs, missing/extra field, array length, element vs attribute
    VALUE = "value"  # same shape, different leaf values
    ORDER = "order"  # same elements, different order
    MATCH = "match"


_RANK = {outcome: rank for rank, outcome in enumerate(Outcome)}  # lower = more severe

# Which outcome each Difference.kind implies.
_KIND_OUTCOME: dict[str, Outcome] = {
    "error": Outcome.ERROR,
    "status": Outcome.STATUS,
    "type": Outcome.SHAPE,
    "missing": Outcome.SHAPE,
    "extra": Outcome.SHAPE,
    "length": Outcome.SHAPE,
    "body_kind": Outcome.SHAPE,
    "element_vs_attribute": Outcome.SHAPE,
    "namespace": Outcome.SHAPE,
    "duplicate_key": Outcome.SHAPE,
    "value": Outcome.VALUE,
    "header": Outcome.VALUE,
    "order": Outcome.ORDER,
}


# The relations the engine names on a Difference (``Difference.relation``).
RELATIONS: dict[str, str] = {
    "trailing-newline": "text: one side ends with a line break, the other does not",
    "line-ending": "text: the lines end differently (LF, CRLF, CR or mixed)",
    "bom": "text: a byte-order mark on one side only, or two different ones",
    "encoding": "text: the same characters in two different encodings (charsets)",
    "invalid-byte": "text: bytes that are not valid in the declared charset (shown as \\xNN)",
    "bytes": "the bodies differ in bytes the decoded comparison cannot show",
    "opaque": "opaque (binary) bodies: lengths, first differing offset, excerpts",
    "duplicate-key": "JSON: an object holds the same key more than once (all values shown)",
    "child-order": "XML: differently named child elements come in a different order",
    "content-type": "the two bodies were declared with different content types",
}


def severity_of_kind(kind: str) -> Outcome:
    """The outcome a difference of this kind implies (unknown kinds count as ``value``)."""
    return _KIND_OUTCOME.get(kind, Outcome.VALUE)


def most_severe(outcomes: list[Outcome] | tuple[Outcome, ...]) -> Outcome:
    """ERROR > STATUS > SHAPE > VALUE > ORDER > MATCH; MATCH for an empty list."""
    return min(outcomes, key=_RANK.__getitem__, default=Outcome.MATCH)


_SIDE = re.compile(r"\bthe (left|right)(?: side)?\b")  # how every detail names a side


@dataclass(slots=True)
class Difference:
    """One differing place. ``path`` uses the one path grammar (core.paths); headers are
    ``header:<name>``, the status line is ``status``, a missing answer is ``error``.

    ``path`` is the concrete path in the left document, except for kind ``extra`` (present
    only on the right), where it is the path in the right document. ``right_path`` is set
    only when the right document holds the compared value at a different path (arrays
    aligned after an insertion, matched unordered or by key; XML element vs attribute)."""

    path: str
    kind: str  # "status" | "header" | "type" | "missing" | "extra" | "length" | "value" | "order" | ...
    left: Any
    right: Any
    right_path: str | None = None
    # What kind of difference this is beyond its kind, when the engine knows (see RELATIONS).
    relation: str | None = None
    detail: str | None = None  # one human sentence, e.g. "a final newline only on the right"

    def detail_for(self, left: str, right: str) -> str | None:
        """``detail`` with the sides named: "a final line break on s3rver only"."""
        if self.detail is None:
            return None
        names = {"left": left, "right": right}
        return _SIDE.sub(lambda m: names[m.group(1)], self.detail)

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "kind": self.kind, "left": self.left, "right": self.right}
        if self.right_path is not None:
            out["right_path"] = self.right_path
        if self.relation is not None:
            out["relation"] = self.relation
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(slots=True)
class Canonical:
    """One response reduced to what is compared: the status, the allow-listed headers, the
    body tree. ``recorded_headers`` holds every other header (reported, never compared)."""

    status: int | None
    headers: dict[str, str]
    recorded_headers: dict[str, str]
    kind: BodyKind
    body: Any  # JSON value, XML tree, list of lines, {"length", "sha256"} (bytes), or None
    note: str | None = None  # e.g. why a body declared as JSON was compared as text
    error: str | None = None
    media: str = ""  # the declared media type, lower-case, without parameters
    raw: bytes = b""  # the body as received (the same object, not a copy)
    text: TextFacts | None = None  # kind "text": what the lines do not show
    xml: XmlFacts | None = None  # kind "xml": namespaces and child order
    duplicates: tuple[DuplicateKey, ...] = ()  # kind "json": keys given more than once

    @property
    def all_headers(self) -> dict[str, str]:
        """Every header of the answer, compared or not."""
        return {**self.headers, **self.recorded_headers}


@dataclass(slots=True)
class Comparison:
    outcome: Outcome
    differences: list[Difference]
    notes: list[str] = field(default_factory=list)  # "left: declared JSON, not valid JSON ..."
    # What produced this comparison; classify() reuses it instead of parsing again.
    left_canonical: Canonical | None = field(default=None, repr=False)
    right_canonical: Canonical | None = field(default=None, repr=False)
    rules: CompareRules | None = field(default=None, repr=False)
    # value differences a typed matcher or learned noise allowed: (label, concrete path)
    excused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_match(self) -> bool:
        return not any(d.kind == "status" for d in self.differences) and (self.outcome is not Outcome.ERROR)

    @property
    def body_match(self) -> bool:
        """No body difference (status, header and error differences do not count)."""
        return self.outcome is not Outcome.ERROR and not any(
            not (d.path in ("status", "error") or d.path.startswith("header:")) for d in self.differences
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "differences": [d.to_dict() for d in self.differences],
            "notes": list(self.notes),
        }
