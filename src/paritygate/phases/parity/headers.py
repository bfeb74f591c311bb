"""Headers some targets send and others do not: information per operation, never judged.

Only the ``[parity] headers`` are compared; every other header is recorded in parity.json
and, when not every answering target sends it, listed here so a user can discover it
(and add it to ``headers`` if it matters). One entry per operation and header, counting
the cases where it was one-sided.
"""

from __future__ import annotations

from paritygate.compare.canonical import normalize_headers
from paritygate.compare.model import Response
from paritygate.core.parity_doc import OneSidedHeaderDoc

__all__ = ["one_sided_headers"]

_EXAMPLE = 80  # characters of an example value kept


def one_sided_headers(
    cases: list[tuple[str, str, dict[str, Response]]], compared: tuple[str, ...]
) -> list[OneSidedHeaderDoc]:
    """``cases``: (case name, operation, answers by target). Headers in ``compared`` are
    left out: they are judged (a difference is a divergence), not information."""
    found: dict[tuple[str, str, tuple[str, ...]], OneSidedHeaderDoc] = {}
    for name, operation, answers in cases:
        answered = {t: normalize_headers(r.headers) for t, r in answers.items() if r.error is None}
        if len(answered) < 2:
            continue
        names = sorted({h for headers in answered.values() for h in headers} - set(compared))
        for header in names:
            sent_by = [t for t, headers in answered.items() if header in headers]
            if len(sent_by) == len(answered):
                continue
            key = (operation, header, tuple(sent_by))
            entry = found.get(key)
            if entry is None:
                value = answered[sent_by[0]][header]
                example = value if len(value) <= _EXAMPLE else value[: _EXAMPLE - 1] + "…"
                entry = found[key] = OneSidedHeaderDoc(
                    operation, header, sent_by, [t for t in answered if t not in sent_by], example=example
                )
            entry.cases.append(name)
    return list(found.values())
