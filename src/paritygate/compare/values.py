"""Helpers on JSON-like values: exact equality, hashable fingerprints, text for regexes.

Python's ``==`` says ``True == 1`` and ``1 == 1.0``; JSON does not. ``a == b`` still runs
at C speed, so :func:`exact_eq` uses it first and confirms a True with the sorted-key
orjson serialisation, which tells booleans, integers and floats apart.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = [
    "differing_positions",
    "dumps_sorted",
    "exact_eq",
    "fingerprint",
    "is_number",
    "same_text",
    "value_text",
]

_SORT = orjson.OPT_SORT_KEYS


def dumps_sorted(value: Any) -> bytes | None:
    """Compact JSON with sorted keys, or None when too deep (orjson stops at 254 levels)."""
    try:
        return orjson.dumps(value, option=_SORT)
    except (orjson.JSONEncodeError, RecursionError):
        return None


def exact_eq(a: Any, b: Any) -> bool | None:
    """JSON equality (dict key order ignored); None when the values are too deep to decide."""
    if a is b:
        return True
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is not dict and ta is not list:
        return bool(a == b)
    try:
        if a != b:
            return False
    except RecursionError:
        return None
    return same_text(a, b)


def same_text(a: Any, b: Any) -> bool | None:
    """Do two ``==``-equal values serialise alike (so no ``1`` is a ``1.0`` or a ``true``)?
    None when too deep. Most pairs keep one key order, so the plain serialisation is tried
    before the sorted one."""
    try:
        if orjson.dumps(a) == orjson.dumps(b):
            return True
    except (orjson.JSONEncodeError, RecursionError):
        return None
    da = dumps_sorted(a)
    if da is None:
        return None
    return da == dumps_sorted(b)


def differing_positions(a: list[Any], b: list[Any]) -> list[int]:
    """The indexes ``i < min(len(a), len(b))`` where ``a[i]`` and ``b[i]`` are not
    :func:`exact_eq` (too deep to tell counts as differing). The elements ``==`` calls
    equal are confirmed with one serialisation of them all, not one per element."""
    n = min(len(a), len(b))
    try:
        loose = [i for i in range(n) if a[i] is not b[i] and a[i] != b[i]]
    except RecursionError:
        return [i for i in range(n) if exact_eq(a[i], b[i]) is not True]
    if len(loose) == n:
        return loose
    unequal = set(loose)
    rest = [i for i in range(n) if i not in unequal and a[i] is not b[i] and type(a[i]) in (dict, list)]
    if not rest or same_text([a[i] for i in rest], [b[i] for i in rest]):
        scalars = [i for i in range(n) if i not in unequal and type(a[i]) is not type(b[i])]
        return sorted(loose + scalars) if scalars else loose
    return [i for i in range(n) if exact_eq(a[i], b[i]) is not True]


def fingerprint(value: Any) -> object:
    """A hashable stand-in for a JSON value; equal fingerprints mean exactly equal values."""
    tv = type(value)
    if tv is dict or tv is list:
        text = dumps_sorted(value)
        return ("~", id(value)) if text is None else text  # too deep: equal only to itself
    return (tv.__name__, value)


def is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def value_text(value: Any) -> str:
    """The text a ``when`` regex sees: strings as-is, numbers via str(), the rest as JSON."""
    if isinstance(value, str):
        return value
    if is_number(value):
        return str(value)
    text = dumps_sorted(value)
    return text.decode() if text is not None else f"<{type(value).__name__} nested too deep>"
