"""RFC 3339 timestamps that name the same instant at different precisions or notations."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

__all__ = ["same_instant"]

# At most 30 fraction digits (attoseconds need 18): a longer run is no timestamp, and
# int() would refuse one of more than 4300 digits.
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,30}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)


def _parse(text: str) -> tuple[datetime, Fraction, int] | None:
    """(whole seconds, fraction of a second, number of fraction digits)."""
    m = _TIMESTAMP.fullmatch(text)
    if m is None:
        return None
    date, clock, digits, zulu, sign, hours, minutes = m.groups()
    try:
        whole = datetime.fromisoformat(f"{date}T{clock}")
    except ValueError:
        return None
    if zulu:
        whole = whole.replace(tzinfo=UTC)
    elif sign:
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        try:
            whole = whole.replace(tzinfo=timezone(offset if sign == "+" else -offset))
        except ValueError:
            return None
    fraction = Fraction(int(digits), 10 ** len(digits)) if digits else Fraction(0)
    return whole, fraction, len(digits or "")


def same_instant(left: Any, right: Any) -> bool:
    """Two different timestamp strings for one instant, equal to the coarser precision
    (truncated or rounded) — e.g. ``...17.123456789Z`` vs ``...17.123+00:00``."""
    if not isinstance(left, str) or not isinstance(right, str) or left == right:
        return False
    a, b = _parse(left), _parse(right)
    if a is None or b is None or (a[0].tzinfo is None) != (b[0].tzinfo is None):
        return False
    seconds = Fraction(int((a[0] - b[0]).total_seconds()))
    gap = abs(seconds + a[1] - b[1])
    return gap < Fraction(1, 10 ** min(a[2], b[2]))
