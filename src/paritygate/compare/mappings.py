"""Named wire-shape mappings: two shapes that carry the same information.

A mapping is recognised only when it explains EVERY body difference of a comparison
(after ignore rules), so naming one is a claim of information equivalence:

* tagged enum vs flat kind field — ``{"Schema": {"field": "x", "reason": "y"}}`` vs
  ``{"Kind": "schema", "Field": "x", "Reason": "y"}``: the tag equals the kind field
  case-insensitively and the payload fields equal the other flat fields modulo key case,
  an empty string or null counting as absent. Found anywhere in the tree.
* key case styles — same values, keys differ only by snake_case / camelCase / PascalCase.
* null vs absent — every difference is a field that is null on one side, absent on the other.
* number vs numeric string — ``"3"`` vs ``3``.
* timestamp precision — the same instant with a different fractional-second precision
  or offset notation (``Z`` vs ``+00:00``).

Each detector also returns the abstract signature that goes into the class key, so all
cases explained by one mapping at the same places share one key.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from paritygate.compare.model import Difference
from paritygate.compare.rules import ArrayRule, CompareRules
from paritygate.compare.signature import generalize_path, signature
from paritygate.compare.timestamps import same_instant
from paritygate.compare.values import exact_eq
from paritygate.compare.walk import diff_trees
from paritygate.core.paths import format_path, parse_path

__all__ = ["MAPPINGS", "MappingMatch", "WireMapping", "detect_mapping"]


@dataclass(frozen=True, slots=True)
class WireMapping:
    name: str
    description: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "description": self.description, "fix": self.fix}


TAGGED_FLAT = WireMapping(
    "tagged enum vs flat kind field",
    'One side sends an externally tagged enum ({"Variant": {payload}}), the other a flat '
    "object whose kind field names the variant next to the payload fields; the tag, the "
    "kind and every payload field carry the same information.",
    "make the flat side emit the tagged shape (custom MarshalJSON on the error type) or the "
    'tagged side emit the flat shape (#[serde(tag = "kind")])',
)
KEY_CASE = WireMapping(
    "key case styles",
    "Both sides send the same values; object keys differ only by case style.",
    'pick one key style for the wire: #[serde(rename_all = "...")] on the Rust side, '
    'json:"..." struct tags on the Go side, an alias generator in Python',
)
NULL_ABSENT = WireMapping(
    "null vs absent",
    "One side sends null for a field the other side leaves out.",
    "decide whether empty optional fields are sent: #[serde(skip_serializing_if = "
    '"Option::is_none")] or `omitempty` on the Go struct tag, or send null on both sides',
)
NUMBER_STRING = WireMapping(
    "number vs numeric string",
    "One side sends a number as a JSON number, the other as a string holding the same number.",
    "send the number the same way on both sides: drop the `,string` struct tag option in Go "
    "or serde_with::DisplayFromStr in Rust, or add it on the other side",
)
TIMESTAMP = WireMapping(
    "timestamp precision",
    "Both sides send the same instant; the fractional-second precision or the UTC offset "
    "notation (Z vs +00:00) differs.",
    "format timestamps identically on both sides: RFC 3339 in UTC with 'Z' and a fixed "
    "fractional precision (e.g. chrono SecondsFormat::Millis with use_z, and the same layout "
    "in Go instead of time.RFC3339Nano)",
)
MAPPINGS = (TAGGED_FLAT, KEY_CASE, NULL_ABSENT, NUMBER_STRING, TIMESTAMP)


@dataclass(frozen=True, slots=True)
class MappingMatch:
    mapping: WireMapping
    slug: str  # short, key-safe name: "tagged-enum~flat-kind"
    signature: str  # abstract signature of both sides; hashed into the class key


_KIND_FIELDS = ("kind", "type", "tag", "variant")
_MAX_DEPTH = 64


def _norm(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _norm_fields(obj: dict[str, Any], skip: str | None = None) -> dict[str, Any] | None:
    """Keys normalised modulo case, empty/null values dropped; None on a key collision."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == skip or value is None or value == "":
            continue
        if _norm(key) in out:
            return None
        out[_norm(key)] = value
    return out


def _tagged_vs_flat(tagged: Any, flat: Any) -> tuple[str, dict[str, Any]] | None:
    """(kind field of the flat side, normal form) when the two carry the same information."""
    payload: Any
    if isinstance(tagged, str):
        tag, payload = tagged, {}  # a unit variant is serialised as a bare string
    elif isinstance(tagged, dict) and len(tagged) == 1:
        tag, payload = next(iter(tagged.items()))
        payload = {} if payload is None else payload
    else:
        return None
    if not isinstance(payload, dict) or not isinstance(flat, dict):
        return None
    candidates = [k for k, v in flat.items() if isinstance(v, str) and _norm(v) == _norm(tag)]
    candidates.sort(key=lambda k: (_norm(k) not in _KIND_FIELDS, k))
    for kind_field in candidates:
        rest, fields = _norm_fields(flat, skip=kind_field), _norm_fields(payload)
        if rest is not None and fields is not None and exact_eq(rest, fields):
            return kind_field, {"\x00kind": _norm(tag), **fields}
    return None


class _EnumFinder:
    """Walks both trees in parallel, replacing each tagged/flat pair by one normal form."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def pair(self, x: Any, y: Any, path: tuple[Any, ...], depth: int) -> tuple[Any, Any, Any]:
        """(normal left, normal right, abstract tree for the signature)."""
        if exact_eq(x, y):
            return x, y, x
        for tagged, flat, side in ((x, y, "left"), (y, x, "right")):
            match = _tagged_vs_flat(tagged, flat)
            if match is not None:
                kind_field, normal = match
                where = generalize_path(format_path(path))
                self.found.append(f"{where} tagged={side} kind-field={kind_field}")
                return normal, normal, "<tagged enum>"
        if depth > _MAX_DEPTH:
            return x, y, x
        if isinstance(x, dict) and isinstance(y, dict):
            nx, ny, ab = dict(x), dict(y), dict(x)
            for key in x.keys() & y.keys():
                nx[key], ny[key], ab[key] = self.pair(x[key], y[key], (*path, key), depth + 1)
            return nx, ny, ab
        if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            triples = [
                self.pair(a, b, (*path, i), depth + 1) for i, (a, b) in enumerate(zip(x, y, strict=True))
            ]
            return [t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples]
        return x, y, x


def _rekey(value: Any, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        out = {_norm(k): _rekey(v, depth + 1) for k, v in value.items()}
        return out if len(out) == len(value) else {"\x00collision": value}
    if isinstance(value, list):
        return [_rekey(v, depth + 1) for v in value]
    return value


def _style(key: str) -> str:
    if "_" in key:
        return "snake_case"
    if "-" in key:
        return "kebab-case"
    if key[:1].isupper():
        return "PascalCase"
    return "camelCase" if any(c.isupper() for c in key) else "lowercase"


def _last_key(path: str) -> str | None:
    parts = parse_path(path).concrete_parts()
    return parts[-1] if parts and isinstance(parts[-1], str) else None


def _key_styles(diffs: list[Difference]) -> str:
    styles: dict[str, Counter[str]] = {"missing": Counter(), "extra": Counter()}
    for d in diffs:
        key = _last_key(d.path) if d.kind in styles else None
        if key is not None:
            styles[d.kind][_style(key)] += 1
    left = styles["missing"].most_common(1)
    right = styles["extra"].most_common(1)
    return f"{left[0][0] if left else '?'}~{right[0][0] if right else '?'}"


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _numeric_string(text: Any, number: Any) -> bool:
    return (
        isinstance(text, str)
        and type(number) in (int, float)
        and _NUMBER.fullmatch(text) is not None
        and float(text) == float(number)
    )


def _paths(diffs: list[Difference]) -> str:
    return ",".join(sorted({f"{d.kind}@{generalize_path(d.path)}" for d in diffs}))


def _diffwise(diffs: list[Difference]) -> MappingMatch | None:
    if all(
        (d.kind == "missing" and d.left is None) or (d.kind == "extra" and d.right is None) for d in diffs
    ):
        return MappingMatch(NULL_ABSENT, "null~absent", _paths(diffs))
    if all(
        d.kind == "type" and (_numeric_string(d.left, d.right) or _numeric_string(d.right, d.left))
        for d in diffs
    ):
        sides = "".join(sorted({"L" if isinstance(d.left, str) else "R" for d in diffs}))
        return MappingMatch(NUMBER_STRING, "number~string", f"string={sides} {_paths(diffs)}")
    if all(d.kind == "value" and same_instant(d.left, d.right) for d in diffs):
        return MappingMatch(TIMESTAMP, "timestamp-precision", _paths(diffs))
    return None


@lru_cache(maxsize=64)
def _arrays_only(arrays: tuple[ArrayRule, ...]) -> CompareRules:
    # Compiled once per rule set, not once per classified pair (read-only once built).
    return CompareRules(headers=(), arrays=arrays)


def detect_mapping(
    kind: str, left: Any, right: Any, body_diffs: list[Difference], rules: CompareRules
) -> MappingMatch | None:
    """The mapping that explains every body difference of two (pruned) trees, if any."""
    if not body_diffs:
        return None
    arrays_only = _arrays_only(rules.arrays)
    if kind == "json":
        finder = _EnumFinder()
        nl, nr, abstract = finder.pair(left, right, (), 0)
        if finder.found and not diff_trees(nl, nr, arrays_only):
            where = ";".join(sorted(set(finder.found)))
            return MappingMatch(TAGGED_FLAT, "tagged-enum~flat-kind", f"{where} {signature(kind, abstract)}")
        if any(d.kind in ("missing", "extra") for d in body_diffs):
            rl, rr = _rekey(left), _rekey(right)
            if not diff_trees(rl, rr, arrays_only):
                sig = f"{_key_styles(body_diffs)} {signature(kind, rl)}"
                return MappingMatch(KEY_CASE, "key-case", sig)
    return _diffwise(body_diffs)
