"""Typed matchers: "these values may differ, but both must be of this kind".

A matcher never excuses a difference of presence or of JSON type: the walk only asks it
about a place both sides have, and :func:`same_json_type` must hold first (a timestamp vs
the string ``"N/A"`` is still a divergence, and so is a number vs a string).

Kinds: ``timestamp`` (an ISO 8601 / RFC 3339 string, an HTTP date, or an epoch number in
seconds or milliseconds), ``uuid`` (any version, with or without braces), ``number`` (any
number; with ``tolerance`` the two may differ by at most that much), ``regex`` (both
match ``pattern`` with ``re.search``), ``present`` (any value of the same type).
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from paritygate.compare.values import is_number

__all__ = [
    "MATCH_KINDS",
    "MatchKind",
    "as_datetime",
    "is_timestamp",
    "is_uuid",
    "kind_accepts",
    "same_json_type",
]

MatchKind = Literal["timestamp", "uuid", "number", "regex", "present"]
MATCH_KINDS: tuple[str, ...] = get_args(MatchKind)

_UUID = re.compile(r"\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?")
_ISO_HINT = re.compile(r"\d{4}-\d{2}-\d{2}")
# Epoch numbers between 2001-09-09 and 2096-10-02, in seconds or in milliseconds.
_EPOCH_S = (1.0e9, 4.0e9)
_EPOCH_MS = (1.0e12, 4.0e12)


def same_json_type(a: Any, b: Any) -> bool:
    """Both numbers (int or float), or exactly the same JSON type (bool is not a number)."""
    return (is_number(a) and is_number(b)) or type(a) is type(b)


def as_datetime(value: Any) -> datetime | None:
    """The instant a timestamp value names (naive times are taken as UTC), else None."""
    if is_number(value):
        number = float(value)
        if _EPOCH_MS[0] <= number <= _EPOCH_MS[1]:
            number /= 1000.0
        if _EPOCH_S[0] <= number <= _EPOCH_S[1]:
            return datetime.fromtimestamp(number, UTC)
        return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    if _ISO_HINT.match(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if "," in text and ":" in text:  # RFC 1123 / RFC 2822: "Tue, 01 Dec 2026 21:12:47 GMT"
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def is_timestamp(value: Any) -> bool:
    return as_datetime(value) is not None


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def kind_accepts(
    kind: str, a: Any, b: Any, *, tolerance: float | None = None, pattern: re.Pattern[str] | None = None
) -> bool:
    """May ``a`` and ``b`` differ under a matcher of ``kind``? Both must be of the kind."""
    if not same_json_type(a, b):
        return False
    if kind == "present":
        return True
    if kind == "timestamp":
        return is_timestamp(a) and is_timestamp(b)
    if kind == "uuid":
        return is_uuid(a) and is_uuid(b)
    if kind == "number":
        if not (is_number(a) and is_number(b)):
            return False
        return tolerance is None or abs(float(a) - float(b)) <= tolerance
    if kind == "regex":
        return (
            pattern is not None
            and isinstance(a, str)
            and pattern.search(a) is not None
            and pattern.search(b) is not None
        )
    return False
