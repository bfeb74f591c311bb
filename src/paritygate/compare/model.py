"""The value objects of the comparison engine; shared with the parity phase and reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Comparison", "Difference", "Outcome", "Response"]


@dataclass(slots=True)
class Response:
    """What one target answered to one request, or why it did not answer."""

    status: int | None
    headers: list[tuple[str, str]] = field(default_factory=list)  # as received, in order
    body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None  # "timeout", "refused", "reset", ... when there was no answer

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


@dataclass(slots=True)
class Difference:
    """One differing place. ``path`` uses the one path grammar (core.paths); headers are
    ``header:<name>``, the status line is ``status``."""

    path: str
    kind: str  # "status" | "header" | "type" | "missing" | "extra" | "length" | "value" | "order" | ...
    left: Any
    right: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "left": self.left, "right": self.right}


@dataclass(slots=True)
class Comparison:
    outcome: Outcome
    differences: list[Difference]
    left_signature: str = ""  # structural signature of the left body (for class keys)
    right_signature: str = ""
