"""Divergence classes: cases that diverge for one cause share one stable key.

Key construction (``·`` separates the four parts; a key never holds ``|`` or a newline,
so it fits a Markdown table cell)::

    <endpoint>·<outcome>·<slug>·<8 hex digits>
    POST /v1/validate·shape·tagged-enum~flat-kind·5d1c0e9a

* endpoint: as given ("METHOD /path"), whitespace collapsed, ``|`` replaced by ``¦``.
* outcome: the comparison's outcome (``shape``, ``value``, ...).
* slug: the recognised wire-shape mapping (``tagged-enum~flat-kind``, ``key-case``,
  ``null~absent``, ``number~string``, ``timestamp-precision``), else ``status``,
  ``no-answer`` or ``unmapped``.
* the key is orientation-free: of the keys of (A, B) and (B, A) the smaller is used.
* hex: the first 8 hex digits of SHA-256 over what identifies the cause, never leaf values
  and never anything that depends on case order:
  - mapped: the mapping's abstract signature (for a tagged enum: where it sits, which side
    is tagged and the name of the kind field; variant names and payloads are abstracted),
  - status: the two status codes; no answer: the two error kinds,
  - otherwise: both structural signatures (ignored paths removed) and the sorted set of
    difference kinds at generalised paths (``value@$.items[*].price``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from paritygate.compare.canonical import canonicalize
from paritygate.compare.mappings import WireMapping, detect_mapping
from paritygate.compare.model import Comparison, Difference, Outcome, Response
from paritygate.compare.rules import CompareRules
from paritygate.compare.signature import generalize_path, prune, signature

__all__ = ["KEY_SEPARATOR", "DivergenceClass", "class_key", "classify"]

KEY_SEPARATOR = "·"
_TITLE_PLACES = 3


@dataclass(slots=True)
class DivergenceClass:
    key: str
    title: str
    endpoint: str
    outcome: Outcome
    mapping: WireMapping | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "endpoint": self.endpoint,
            "outcome": self.outcome.value,
            "mapping": self.mapping.to_dict() if self.mapping else None,
        }


def _clean_endpoint(endpoint: str) -> str:
    return re.sub(r"\s+", " ", endpoint).strip().replace("|", "¦")


def class_key(endpoint: str, outcome: Outcome, slug: str, material: str) -> str:
    digest = hashlib.sha256(material.encode()).hexdigest()[:8]
    return KEY_SEPARATOR.join([_clean_endpoint(endpoint), outcome.value, slug, digest])


def _places(diffs: list[Difference]) -> list[str]:
    return sorted({f"{d.kind}@{generalize_path(d.path)}" for d in diffs})


def _title(outcome: Outcome, diffs: list[Difference]) -> str:
    places = [p.replace("@", " at ", 1) for p in _places(diffs)]
    shown = ", ".join(places[:_TITLE_PLACES])
    more = f" (+{len(places) - _TITLE_PLACES} more)" if len(places) > _TITLE_PLACES else ""
    return f"{outcome.value} difference: {shown}{more}"


@dataclass(slots=True)
class _Side:
    """One side of a comparison as classification sees it."""

    response: Response
    signature: str
    tree: Any  # the body with ignored paths removed


def _sides(comparison: Comparison, left: Response, right: Response) -> tuple[_Side, _Side]:
    """Both sides, pruned and signed once for both orientations (status and no-answer
    classes never look at the bodies)."""
    if comparison.outcome in (Outcome.ERROR, Outcome.STATUS):
        return _Side(left, "", None), _Side(right, "", None)
    rules = comparison.rules or CompareRules()
    lc = comparison.left_canonical or canonicalize(left, rules)
    rc = comparison.right_canonical or canonicalize(right, rules)
    lt, rt = prune(lc.body, rules), prune(rc.body, rules)
    return (
        _Side(left, comparison.left_signature or signature(lc.kind, lt), lt),
        _Side(right, comparison.right_signature or signature(rc.kind, rt), rt),
    )


def classify(
    endpoint: str, comparison: Comparison, left: Response, right: Response
) -> DivergenceClass | None:
    """The divergence class of one compared pair; None when it matched.

    The key does not depend on which target was on the left: the pair is also classified
    the other way round and the smaller of the two keys is kept, so reordering the targets
    (or an N-way run comparing B with A) never orphans a tracker row.
    """
    if comparison.outcome is Outcome.MATCH:
        return None
    a, b = _sides(comparison, left, right)
    found = _classify_oriented(endpoint, comparison, a, b)
    mirrored = _classify_oriented(endpoint, _mirror(comparison), b, a)
    if mirrored.key < found.key:
        found.key = mirrored.key
    return found


_MIRRORED_KIND = {"missing": "extra", "extra": "missing"}


def _mirror(comparison: Comparison) -> Comparison:
    """The same comparison seen from the other side (no second parse, same ignored paths)."""
    diffs = [
        Difference(
            path=d.right_path or d.path,
            kind=_MIRRORED_KIND.get(d.kind, d.kind),
            left=d.right,
            right=d.left,
            right_path=d.path if d.right_path else None,
        )
        for d in comparison.differences
    ]
    return Comparison(
        comparison.outcome,
        diffs,
        comparison.right_signature,
        comparison.left_signature,
        list(comparison.notes),
        comparison.right_canonical,
        comparison.left_canonical,
        comparison.rules,
    )


def _classify_oriented(endpoint: str, comparison: Comparison, left: _Side, right: _Side) -> DivergenceClass:
    outcome = comparison.outcome
    endpoint = _clean_endpoint(endpoint)
    if outcome is Outcome.ERROR:
        errors = f"{left.response.error or 'answered'}~{right.response.error or 'answered'}"
        title = f"no answer ({errors.replace('~', ' vs ')})"
        return DivergenceClass(
            class_key(endpoint, outcome, "no-answer", errors), title, endpoint, outcome, None
        )
    if outcome is Outcome.STATUS:
        lstatus, rstatus = left.response.status, right.response.status
        title = f"status {lstatus} vs {rstatus}"
        key = class_key(endpoint, outcome, "status", f"{lstatus}~{rstatus}")
        return DivergenceClass(key, title, endpoint, outcome, None)
    body_diffs = [d for d in comparison.differences if d.path.startswith("$")]
    match = None
    lkind = left.signature.partition(":")[0]
    if len(body_diffs) == len(comparison.differences) and lkind == right.signature.partition(":")[0]:
        match = detect_mapping(lkind, left.tree, right.tree, body_diffs, comparison.rules or CompareRules())
    if match is not None:
        key = class_key(endpoint, outcome, match.slug, f"{match.slug} {match.signature}")
        return DivergenceClass(key, match.mapping.name, endpoint, outcome, match.mapping)
    material = "\n".join([left.signature, right.signature, *_places(comparison.differences)])
    key = class_key(endpoint, outcome, "unmapped", material)
    return DivergenceClass(key, _title(outcome, comparison.differences), endpoint, outcome, None)
