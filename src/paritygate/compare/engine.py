"""compare(): two responses to the same request → one outcome and every difference.

Order of the checks: a side that did not answer makes the outcome ``error``; otherwise the
status, the allow-listed headers and the body are all diffed, and the outcome is the most
severe difference (a status difference dominates, but the body differences are still
listed). Learned noise is passed as ``noise`` (paths, or ``header:<name>``) and ignored
exactly like an ignore rule; nothing else is ever left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from paritygate.compare.canonical import canonicalize, declared_kind
from paritygate.compare.model import (
    Canonical,
    Comparison,
    Difference,
    Outcome,
    Response,
    most_severe,
    severity_of_kind,
)
from paritygate.compare.rules import CompareRules
from paritygate.compare.signature import prune, signature
from paritygate.compare.walk import diff_trees

__all__ = ["compare", "diff_canonical"]


def _header_differences(left: Canonical, right: Canonical, rules: CompareRules) -> list[Difference]:
    out: list[Difference] = []
    for name in rules.headers:
        lv, rv = left.headers.get(name), right.headers.get(name)
        if lv == rv:
            continue
        present = [v for v in (lv, rv) if v is not None]
        if not rules.header_ignored(name, present):
            out.append(Difference(f"header:{name}", "header", lv, rv))
    return out


def _body_differences(left: Canonical, right: Canonical, rules: CompareRules) -> list[Difference]:
    if left.kind != right.kind:
        if rules.has_body_ignores and rules.body_ignored((), (left.body, right.body)):
            return []
        return [Difference("$", "body_kind", left.kind, right.kind)]
    if left.kind == "empty":
        return []
    return diff_trees(left.body, right.body, rules, xml=left.kind == "xml")


def diff_canonical(
    left: Canonical, right: Canonical, rules: CompareRules, *, body: bool = True
) -> list[Difference]:
    """Status, header and (unless ``body`` is False) body differences of two answers."""
    out: list[Difference] = []
    if left.status != right.status:
        out.append(Difference("status", "status", left.status, right.status))
    out += _header_differences(left, right, rules)
    if body:
        out += _body_differences(left, right, rules)
    return out


def _same_body_bytes(left: Response, right: Response) -> bool:
    return left.body == right.body and declared_kind(left.content_type) == declared_kind(right.content_type)


def compare(
    left: Response,
    right: Response,
    rules: CompareRules | None = None,
    *,
    noise: Sequence[str] = (),
) -> Comparison:
    """Compare two answers to one request. ``noise``: extra ignored paths (learned noise)."""
    rules = (rules if rules is not None else CompareRules()).with_noise(noise)
    lc, rc = canonicalize(left, rules), canonicalize(right, rules)
    notes = [f"{side}: {c.note}" for side, c in (("left", lc), ("right", rc)) if c.note]
    if left.error is not None or right.error is not None:
        diff = Difference("error", "error", left.error, right.error)
        return Comparison(
            Outcome.ERROR, [diff], notes=notes, left_canonical=lc, right_canonical=rc, rules=rules
        )
    # Byte-identical bodies of the same declared kind cannot differ: skip the tree walk.
    differences = diff_canonical(lc, rc, rules, body=not _same_body_bytes(left, right))
    outcome = most_severe([severity_of_kind(d.kind) for d in differences])
    result = Comparison(outcome, differences, notes=notes, left_canonical=lc, right_canonical=rc, rules=rules)
    if outcome is not Outcome.MATCH:  # only divergences need signatures (class keys)
        result.left_signature = signature(lc.kind, prune(lc.body, rules))
        result.right_signature = signature(rc.kind, prune(rc.body, rules))
    return result
