"""Opaque (binary) bodies: compared byte for byte, reported by offset and excerpt.

An opaque body has no inner paths, so its one difference sits at ``$`` (the whole body)
with relation ``opaque``; each side's value says what a person needs to find the spot::

    {"length": 1048576, "at": 4088, "hex": "00 01 02 …", "text": "...."}

``at`` is where the excerpt starts (a few bytes before the first differing byte, which
``detail`` names); ``text`` shows printable ASCII as is and everything else as ``.``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from paritygate.compare.model import Difference

__all__ = ["digest", "digest_text", "first_difference", "opaque_difference"]

_BEFORE = 8  # bytes shown before the first difference
_WIDTH = 24  # bytes shown in all
_CHUNK = 4096


def digest(data: bytes) -> dict[str, Any]:
    """The canonical tree of an opaque body: equal exactly when the bytes are (JSON-ready,
    so a noise example or an ignore rule's ``when`` can show it)."""
    return {"length": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def digest_text(data: bytes) -> str:
    return f"<{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()}>"


def first_difference(a: bytes, b: bytes) -> int:
    """The offset of the first differing byte (the shorter length when one is a prefix)."""
    end = min(len(a), len(b))
    start = 0
    while start < end and a[start : start + _CHUNK] == b[start : start + _CHUNK]:
        start += _CHUNK
    for i in range(start, min(start + _CHUNK, end)):
        if a[i] != b[i]:
            return i
    return end


def _excerpt(data: bytes, at: int) -> dict[str, Any]:
    piece = data[at : at + _WIDTH]
    return {
        "length": len(data),
        "at": at,
        "hex": piece.hex(" "),
        "text": "".join(chr(c) if 0x20 <= c < 0x7F else "." for c in piece),
    }


def opaque_difference(a: bytes, b: bytes, *, relation: str = "opaque") -> Difference:
    """The one difference of two unequal byte strings (``relation`` names the context)."""
    offset = first_difference(a, b)
    at = max(0, offset - _BEFORE)
    if offset == min(len(a), len(b)):
        longer = "left" if len(a) > len(b) else "right"
        where = f"the {longer} side goes on after byte {offset}"
    else:
        where = f"first difference at byte {offset}"
    detail = f"{len(a)} vs {len(b)} bytes, {where}"
    return Difference("$", "value", _excerpt(a, at), _excerpt(b, at), relation=relation, detail=detail)
