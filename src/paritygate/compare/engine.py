"""compare(): two responses to the same request → one outcome and every difference.

Order of the checks: a side that did not answer makes the outcome ``error``; otherwise the
status, the allow-listed headers and the body are all diffed, and the outcome is the most
severe difference (a status difference dominates, but the body differences are still
listed). Learned noise is passed as ``noise`` (paths, or ``header:<name>``): like a typed
matcher it may excuse a value difference at a place both answers have, never a missing or
extra field or header, and each excuse is recorded in ``Comparison.excused``. A body
compared as bytes has no paths: no body rule applies inside it. Two byte-identical bodies
of the same declared kind are never parsed (they cannot differ).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

from paritygate.compare.canonical import canonicalize, declared_kind, describe, reconcile
from paritygate.compare.jsonbody import DuplicateKey, value_at
from paritygate.compare.model import (
    Canonical,
    Comparison,
    Difference,
    Outcome,
    Response,
    most_severe,
    severity_of_kind,
)
from paritygate.compare.opaque import opaque_difference
from paritygate.compare.rules import CompareRules
from paritygate.compare.textbody import text_fact_differences
from paritygate.compare.values import exact_eq
from paritygate.compare.walk import diff_trees
from paritygate.compare.xmldiff import xml_fact_differences
from paritygate.core.paths import PathPart, format_path

__all__ = ["compare", "diff_canonical"]


Excused = list[tuple[str, str]]  # (matcher or noise label, concrete path or header:<name>)


def _header_differences(
    left: Canonical, right: Canonical, rules: CompareRules, excused: Excused
) -> list[Difference]:
    out: list[Difference] = []
    for name in rules.headers:
        lv, rv = left.headers.get(name), right.headers.get(name)
        if lv == rv:
            continue
        present = [v for v in (lv, rv) if v is not None]
        if rules.header_ignored(name, present):
            continue
        label = rules.header_excuse(name, lv, rv) if lv is not None and rv is not None else None
        if label is not None:
            excused.append((label, f"header:{name}"))
            continue
        out.append(Difference(f"header:{name}", "header", lv, rv))
    return out


def _repeated_keys(left: Canonical, right: Canonical, rules: CompareRules) -> list[Difference]:
    """A key given more than once on either side, unless both sides repeat it alike."""
    lrep = {d.path: d for d in left.duplicates}
    rrep = {d.path: d for d in right.duplicates}
    out: list[Difference] = []
    for path in dict.fromkeys([*lrep, *rrep]):
        ld, rd = lrep.get(path), rrep.get(path)
        if ld is not None and rd is not None and exact_eq(list(ld.values), list(rd.values)):
            continue
        values = [list(d.values) for d in (ld, rd) if d is not None]
        if rules.has_body_ignores and rules.body_ignored(path, values):
            continue
        where = format_path(path)
        sides = " and ".join(side for side, d in (("left", ld), ("right", rd)) if d is not None)
        out.append(
            Difference(
                where,
                "duplicate_key",
                _repeated_value(left, path, ld),
                _repeated_value(right, path, rd),
                relation="duplicate-key",
                detail=f"the key at {where} is given more than once on the {sides}"
                " (all values shown, in order; parsers disagree on which one wins)",
            )
        )
    return out


def _repeated_value(side: Canonical, path: tuple[PathPart, ...], repeat: DuplicateKey | None) -> object:
    """Every value of a repeated key, else the one value there (None when absent)."""
    return list(repeat.values) if repeat is not None else value_at(side.body, path)[1]


def _body_differences(
    left: Canonical, right: Canonical, rules: CompareRules, excused: Excused
) -> list[Difference]:
    if left.kind != right.kind:
        if rules.has_body_ignores and rules.body_ignored((), (left.body, right.body)):
            return []
        detail = f"the left is {describe(left)}; the right is {describe(right)}"
        return [Difference("$", "body_kind", left.kind, right.kind, detail=detail)]
    if left.kind == "empty":
        return []
    if rules.has_body_ignores and rules.body_ignored((), (left.body, right.body)):
        return []
    if left.kind == "bytes":
        return [] if left.raw == right.raw else [opaque_difference(left.raw, right.raw)]
    out = diff_trees(left.body, right.body, rules, xml=left.kind == "xml", excused=excused)
    if left.kind == "json" and (left.duplicates or right.duplicates):
        out += _repeated_keys(left, right, rules)
    elif left.kind == "xml" and left.xml is not None and right.xml is not None:
        out += xml_fact_differences(left.body, right.body, left.xml, right.xml, rules)
    elif left.kind == "text" and left.text is not None and right.text is not None and left.raw != right.raw:
        lines_equal = not out and left.body == right.body
        out += text_fact_differences(
            left.text, right.text, out, (left.raw, right.raw), lines_equal=lines_equal
        )
    return out


def diff_canonical(
    left: Canonical,
    right: Canonical,
    rules: CompareRules,
    *,
    body: bool = True,
    excused: Excused | None = None,
) -> list[Difference]:
    """Status, header and (unless ``body`` is False) body differences of two answers;
    what matchers and learned noise excused is appended to ``excused``."""
    sink: Excused = excused if excused is not None else []
    out: list[Difference] = []
    if left.status != right.status:
        out.append(Difference("status", "status", left.status, right.status))
    out += _header_differences(left, right, rules, sink)
    if body:
        out += _body_differences(left, right, rules, sink)
    return out


def _same_body_bytes(left: Response, right: Response, rules: CompareRules) -> bool:
    return left.body == right.body and declared_kind(left.content_type, rules) == declared_kind(
        right.content_type, rules
    )


def _digest_canonical(resp: Response, rules: CompareRules) -> Canonical:
    size = resp.body_size if resp.body_size is not None else len(resp.body)
    digest = resp.body_sha256 or hashlib.sha256(resp.body).hexdigest()
    canon = canonicalize(dataclasses.replace(resp, body=b""), rules)  # status and headers only
    note = f"body of {size} bytes is over [parity] max_body_bytes: compared by length and SHA-256"
    return dataclasses.replace(
        canon, kind="bytes", body={"length": size, "sha256": digest}, note=note if resp.oversized else None
    )


def _notes(left: Canonical, right: Canonical) -> list[str]:
    if left.note is None and right.note is None:  # the usual case
        return []
    return [f"{side}: {c.note}" for side, c in (("left", left), ("right", right)) if c.note]


def _outcome(differences: list[Difference]) -> Outcome:
    # each kind once: a body differing in many places has a few kinds of difference
    return most_severe([severity_of_kind(kind) for kind in {d.kind for d in differences}])


def _compare_by_digest(left: Response, right: Response, rules: CompareRules) -> Comparison:
    """A pair with a body over the limit: status and headers as always, the body by length and digest."""
    lc, rc = _digest_canonical(left, rules), _digest_canonical(right, rules)
    differences = diff_canonical(lc, rc, rules, body=False)
    if lc.body != rc.body:
        differences.append(
            Difference(
                "$",
                "value",
                lc.body,
                rc.body,
                relation="digest",
                detail="the bodies differ in length or SHA-256 (over [parity] max_body_bytes, not parsed)",
            )
        )
    notes = _notes(lc, rc)
    outcome = _outcome(differences)
    return Comparison(outcome, differences, notes=notes, left_canonical=lc, right_canonical=rc, rules=rules)


def compare(
    left: Response,
    right: Response,
    rules: CompareRules | None = None,
    *,
    noise: Sequence[str] = (),
) -> Comparison:
    """Compare two answers to one request. ``noise``: extra ignored paths (learned noise)."""
    rules = (rules if rules is not None else CompareRules()).with_noise(noise)
    if left.error is None and right.error is None and (left.oversized or right.oversized):
        return _compare_by_digest(left, right, rules)
    # Byte-identical bodies of the same declared kind cannot differ: neither is parsed.
    same_bytes = _same_body_bytes(left, right, rules)
    lc, rc = canonicalize(left, rules, parse=not same_bytes), canonicalize(right, rules, parse=not same_bytes)
    if not same_bytes:
        lc, rc = reconcile(lc, rc)
    notes = _notes(lc, rc)
    if left.error is not None or right.error is not None:
        diff = Difference("error", "error", left.error, right.error)
        return Comparison(
            Outcome.ERROR, [diff], notes=notes, left_canonical=lc, right_canonical=rc, rules=rules
        )
    excused: Excused = []
    differences = diff_canonical(lc, rc, rules, body=not same_bytes, excused=excused)
    outcome = _outcome(differences)
    return Comparison(
        outcome,
        differences,
        notes=notes,
        left_canonical=lc,
        right_canonical=rc,
        rules=rules,
        excused=excused,
    )
