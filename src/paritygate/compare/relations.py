"""Value relations: how two differing leaf values relate, so one cause is named once.

``"1.50"`` vs ``"1.5"`` is not "a different value" but *the same number spelled
differently*; every place where an implementation does that is one cause. A relation is
symmetric (the order of the two values never changes it), and the first that holds wins:

=====================  ==============================================================
``number-spelling``    the same number written differently (``"1.50"`` / ``"1.5"``, ``1`` / ``1.0``)
``number~string``      a number on one side, a string holding that number on the other
``timestamp-precision`` the same instant at a different precision or offset notation
``percent-encoding``   the same text once percent-decoded (``a%20b`` / ``a b``)
``case-only``          the same text modulo letter case
``whitespace-only``    the same text modulo whitespace
``same-suffix``        a common suffix, a different prefix (``com.amazonaws...#X`` / ``com.amazon.coral.validate#X``)
``same-prefix``        a common prefix, a different ending
``same-prefix-and-suffix`` only the middle differs (an account id inside an ARN)
``null~value``         null on one side, a value on the other
``type``               different JSON types otherwise (``shape``)
``different``          plain different values (``value``)
=====================  ==============================================================
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

from paritygate.compare.timestamps import same_instant
from paritygate.compare.values import is_number

__all__ = ["RELATION_TEXT", "shared_affixes", "value_relation"]

# What each relation says in a title ("numbers spelled differently: `1.50` vs `1.5` at ...").
RELATION_TEXT = {
    "number-spelling": "numbers spelled differently",
    "number~string": "a number on one side, a numeric string on the other",
    "timestamp-precision": "timestamps at a different precision",
    "percent-encoding": "percent-encoded differently",
    "case-only": "text differs in letter case only",
    "whitespace-only": "text differs in whitespace only",
    "same-suffix": "same ending, different prefix",
    "same-prefix": "same beginning, different ending",
    "same-prefix-and-suffix": "same beginning and ending, different middle",
    "null~value": "null on one side, a value on the other",
    "type": "different types",
    "different": "different values",
}

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MIN_AFFIX = 3  # shorter shared parts are coincidences ("s", "_id")


def _number(value: Any) -> Decimal | None:
    if is_number(value):
        try:
            return Decimal(str(value))
        except InvalidOperation:  # nan, inf
            return None
    if isinstance(value, str) and len(value) <= 64 and _NUMBER.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def _is_delimiter(ch: str) -> bool:
    return not ch.isalnum()


def shared_affixes(a: str, b: str) -> tuple[int, int]:
    """(prefix, suffix) lengths the two texts share, each cut back to a delimiter (a
    character that is no letter or digit), so ``InvalidArgumentException`` and
    ``ValidationException`` share no suffix but ``x#NotFound`` and ``y#NotFound`` do."""
    shortest = min(len(a), len(b))
    prefix = 0
    while prefix < shortest and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    if prefix < min(len(a), len(b)):  # the shared beginning must end at a delimiter
        cut = max((i + 1 for i in range(prefix) if _is_delimiter(a[i])), default=0)
        prefix = cut
    if suffix < shortest - prefix or suffix < shortest:
        tail = a[len(a) - suffix :] if suffix else ""
        first = next((i for i, ch in enumerate(tail) if _is_delimiter(ch)), None)
        suffix = 0 if first is None else suffix - first
    return prefix, suffix


def _affix(a: str, b: str) -> str | None:
    """``same-suffix`` / ``same-prefix`` / ``same-prefix-and-suffix`` when the shared parts
    are at least a third of the shorter text."""
    prefix, suffix = shared_affixes(a, b)
    shortest = min(len(a), len(b))
    big = [n >= _MIN_AFFIX for n in (prefix, suffix)]
    if (prefix + suffix) * 3 < shortest or not any(big):
        return None
    if all(big) and min(prefix, suffix) * 4 >= max(prefix, suffix):
        return "same-prefix-and-suffix"
    if all(big):
        return "same-prefix" if prefix > suffix else "same-suffix"
    return "same-prefix" if big[0] else "same-suffix"


def _text_relation(a: str, b: str) -> str:
    if same_instant(a, b):
        return "timestamp-precision"
    if ("%" in a or "%" in b) and unquote(a) == unquote(b):
        return "percent-encoding"
    if a.casefold() == b.casefold():
        return "case-only"
    if "".join(a.split()) == "".join(b.split()):
        return "whitespace-only"
    return _affix(a, b) or "different"


def value_relation(left: Any, right: Any) -> str:
    """The relation between two differing leaf values (see the module docstring)."""
    ln, rn = _number(left), _number(right)
    if ln is not None and rn is not None and ln == rn:
        same_kind = isinstance(left, str) == isinstance(right, str)
        return "number-spelling" if same_kind else "number~string"
    if left is None or right is None:
        return "null~value"
    if isinstance(left, str) and isinstance(right, str):
        return _text_relation(left, right)
    if type(left) is not type(right) and not (is_number(left) and is_number(right)):
        return "type"
    return "different"
