"""Named wire-shape mappings: two shapes that carry the same information.

A structural mapping explains a *set* of body differences, and claims information
equivalence for exactly that set; the differences it does not explain are other causes
(see :mod:`paritygate.compare.classify`):

* tagged enum vs flat kind field — ``{"Schema": {"field": "x", "reason": "y"}}`` vs
  ``{"Kind": "schema", "Field": "x", "Reason": "y"}``: the tag equals the kind field
  case-insensitively and the payload fields equal the other flat fields modulo key case,
  an empty string or null counting as absent. Found anywhere in the tree; it explains
  every difference below the place where the two shapes meet.
* key case styles — a key present on one side only and, at the same place on the other
  side, the same key in another case style (snake_case / camelCase / PascalCase) holding
  the same value (its own keys compared modulo case too).
* field renamed — a key present on one side only and, at the same place on the other
  side, another key holding exactly the same (non-empty) value, the only such pair there:
  ``{"email": "a@x"}`` vs ``{"mail": "a@x"}``. The key names the two field names, not the
  place, so one rename is one class on every operation and at every depth.

Three more mappings name a per-place value relation (:mod:`paritygate.compare.relations`)
whose fix is known: null vs absent, number vs numeric string, timestamp precision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from paritygate.compare.model import Difference
from paritygate.compare.pathrules import PathRules, RuleState, pruned
from paritygate.compare.places import concrete_parts, generalize_path
from paritygate.compare.values import dumps_sorted, exact_eq
from paritygate.core.paths import PathPart, format_path

__all__ = ["MAPPINGS", "RELATION_MAPPINGS", "MappingMatch", "WireMapping", "detect_mappings"]


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
RENAMED = WireMapping(
    "field renamed",
    "Both sides send the same value under two different field names at the same place.",
    'use one field name on the wire: #[serde(rename = "...")] on the Rust side, the json:"..." '
    "struct tag on the Go side, or accept both names while clients move",
)
MAPPINGS = (TAGGED_FLAT, KEY_CASE, RENAMED, NULL_ABSENT, NUMBER_STRING, TIMESTAMP)


@dataclass(frozen=True, slots=True)
class MappingMatch:
    mapping: WireMapping
    slug: str  # short, key-safe, orientation-free: "tagged-enum~flat-kind", "key-case·camelCase~snake_case"
    explained: tuple[int, ...]  # indexes of the body differences this mapping explains
    places: tuple[str, ...]  # generalised places where it was seen, for the report


# Per-place value relations that have a named mapping (and so a known fix).
RELATION_MAPPINGS = {
    "null~absent": NULL_ABSENT,
    "number~string": NUMBER_STRING,
    "timestamp-precision": TIMESTAMP,
}

_KIND_FIELDS = ("kind", "type", "tag", "variant")
_MAX_DEPTH = 64
Parts = tuple[PathPart, ...]


def _norm(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _norm_fields(obj: dict[str, Any], skip: str | None = None) -> dict[str, Any] | None:
    """Keys normalised modulo case, empty/null values dropped; None on a key collision."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == skip or value is None or value == "":
            continue
        norm = _norm(key)
        if norm in out:
            return None
        out[norm] = value
    return out


def _tagged_vs_flat(tagged: Any, flat: Any) -> bool:
    """Whether the two carry the same information (a tagged enum and a flat kind field)."""
    payload: Any
    if isinstance(tagged, str):
        tag, payload = tagged, {}  # a unit variant is serialised as a bare string
    elif isinstance(tagged, dict) and len(tagged) == 1:
        tag, payload = next(iter(tagged.items()))
        payload = {} if payload is None else payload
    else:
        return False
    if not isinstance(payload, dict) or not isinstance(flat, dict):
        return False
    want = _norm(tag)
    candidates = [k for k, v in flat.items() if isinstance(v, str) and _norm(v) == want]
    if not candidates:
        return False
    if len(candidates) > 1:
        candidates.sort(key=lambda k: (_norm(k) not in _KIND_FIELDS, k))
    fields = _norm_fields(payload)
    if fields is None:
        return False
    for kind_field in candidates:
        rest = _norm_fields(flat, skip=kind_field)
        if rest is not None and exact_eq(rest, fields):
            return True
    return False


class _EnumFinder:
    """Every place where one tree holds a tagged enum and the other its flat form, walking
    both trees in parallel (common keys, equal-length arrays) as the ignore rules leave them:
    the trees are not pruned; each node's kept children are found as the walk reaches it,
    and only a candidate pair of nodes is copied without its ignored parts."""

    def __init__(self, paths: PathRules) -> None:
        self.paths = paths
        self.found: list[Parts] = []

    def _equal(self, x: Any, y: Any, xs: RuleState, ys: RuleState) -> bool:
        """True only when the two nodes, as the rules leave them, are equal (then no place
        below can hold the two shapes, see :func:`_tagged_vs_flat`)."""
        try:
            if x != y:
                return False
        except RecursionError:
            return False
        if not (xs.ignore_below or ys.ignore_below):
            return True
        if xs is ys:  # one path: the same parts are dropped, unless a `when` tells 1 from 1.0
            return not self.paths.conditional or exact_eq(x, y) is True
        return exact_eq(pruned(x, xs), pruned(y, ys)) is True

    def _unequal(self, x: list[Any], y: list[Any], xs: RuleState, ys: RuleState) -> Iterable[int]:
        """The positions of two same-length arrays whose elements may differ once ruled (as
        :meth:`_equal` would tell them, at C speed where it can)."""
        if xs is ys and not (xs.ignore_below and self.paths.conditional):
            try:
                return [n for n in range(len(x)) if x[n] is not y[n] and x[n] != y[n]]
            except RecursionError:
                pass
        return [n for n in range(len(x)) if x[n] is not y[n]]

    def _kept(self, node: Any, state: RuleState) -> list[tuple[PathPart, Any, RuleState]]:
        items = node.items() if type(node) is dict else enumerate(node)
        if not state.live:
            return [(k, v, state) for k, v in items]
        kept = []
        for k, v in items:
            child = state.step(k)
            if not (child.ignores and child.ignored((v,))):
                kept.append((k, v, child))
        return kept

    def _candidate(self, tagged: Any, flat: Any, ts: RuleState) -> bool:
        """Cheap necessary conditions of :func:`_tagged_vs_flat` on the kept parts."""
        if type(flat) is not dict or not any(type(v) is str for v in flat.values()):
            return False
        return type(tagged) is str or (type(tagged) is dict and len(self._kept(tagged, ts)) == 1)

    def find(self, x: Any, y: Any, xs: RuleState, ys: RuleState, path: Parts, depth: int) -> None:
        if depth > _MAX_DEPTH or self._equal(x, y, xs, ys):
            return
        if self._candidate(x, y, xs) or self._candidate(y, x, ys):
            px, py = pruned(x, xs), pruned(y, ys)
            if _tagged_vs_flat(px, py) or _tagged_vs_flat(py, px):
                self.found.append(path)
                return
        if type(x) is dict and type(y) is dict:
            left = {k: (v, s) for k, v, s in self._kept(x, xs)}
            for k, w, t in self._kept(y, ys):
                if k in left:
                    self.find(left[k][0], w, left[k][1], t, (*path, k), depth + 1)
        elif type(x) is list and type(y) is list:
            if not (xs.drops_index or ys.drops_index):  # every element kept, in place
                if len(x) == len(y):
                    for n in self._unequal(x, y, xs, ys):
                        sa = xs.step(n)
                        self.find(x[n], y[n], sa, sa if ys is xs else ys.step(n), (*path, n), depth + 1)
                return
            kx, ky = self._kept(x, xs), self._kept(y, ys)
            if len(kx) == len(ky):  # positions as the rules leave the arrays
                for n, ((_, a, sa), (_, b, sb)) in enumerate(zip(kx, ky, strict=True)):
                    self.find(a, b, sa, sb, (*path, n), depth + 1)


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


def _tagged_enums(left: Any, right: Any, paths: PathRules, parsed: list[Parts | None]) -> MappingMatch | None:
    finder = _EnumFinder(paths)
    root = paths.root
    # a side whose whole body is ignored is no tree at all (null)
    finder.find(
        None if root.ignored((left,)) else left, None if root.ignored((right,)) else right, root, root, (), 0
    )
    found = finder.found
    if not found:
        return None
    below: list[int] = []  # the differences at or below a place found
    for i, parts in enumerate(parsed):
        if parts is not None:
            for place in found:
                if parts[: len(place)] == place:
                    below.append(i)
                    break
    explained = tuple(below)
    if not explained:
        return None
    places = tuple(sorted({generalize_path(format_path(f)) for f in found}))
    return MappingMatch(TAGGED_FLAT, "tagged-enum~flat-kind", explained, places)


def _key_cases(diffs: list[Difference], parsed: list[Parts | None], taken: set[int]) -> list[MappingMatch]:
    """Pairs (missing key, extra key) at one place that differ only by key case style."""
    extras: dict[tuple[Parts, str], list[int]] = {}
    for i, d in enumerate(diffs):
        parts = parsed[i]
        if i in taken or d.kind != "extra" or not parts or not isinstance(parts[-1], str):
            continue
        extras.setdefault((parts[:-1], _norm(parts[-1])), []).append(i)
    by_styles: dict[str, tuple[list[int], set[str]]] = {}
    for i, d in enumerate(diffs):
        parts = parsed[i]
        if i in taken or d.kind != "missing" or not parts or not isinstance(parts[-1], str):
            continue
        key = parts[-1]
        for j in extras.get((parts[:-1], _norm(key)), []):
            other = parsed[j]
            assert other is not None
            if j in taken or other[-1] == key or not exact_eq(_rekey(d.left), _rekey(diffs[j].right)):
                continue
            styles = "~".join(sorted((_style(key), _style(str(other[-1])))))
            indexes, places = by_styles.setdefault(styles, ([], set()))
            indexes += [i, j]
            places.add(generalize_path(format_path(parts)))
            taken.update((i, j))
            break
    return [
        MappingMatch(KEY_CASE, f"key-case·{styles}", tuple(sorted(indexes)), tuple(sorted(places)))
        for styles, (indexes, places) in sorted(by_styles.items())
    ]


def _renames(diffs: list[Difference], parsed: list[Parts | None], taken: set[int]) -> list[MappingMatch]:
    """Pairs (missing key, extra key) at one place holding the same value: one pair per place
    and value, so two fields that happen to hold one value are never guessed at."""
    sides: dict[tuple[Parts, str], dict[str, list[int]]] = {}
    for i, d in enumerate(diffs):
        parts = parsed[i]
        if i in taken or d.kind not in ("missing", "extra") or not parts or not isinstance(parts[-1], str):
            continue
        value = d.left if d.kind == "missing" else d.right
        if value is None or isinstance(value, bool) or value in ("", [], {}):
            continue
        token = dumps_sorted(value)
        if token is None:
            continue
        group = sides.setdefault((parts[:-1], token.decode()), {"missing": [], "extra": []})
        group[d.kind].append(i)
    by_names: dict[str, tuple[list[int], set[str]]] = {}
    for (parent, _), group in sides.items():
        if len(group["missing"]) != 1 or len(group["extra"]) != 1:
            continue
        i, j = group["missing"][0], group["extra"][0]
        left_name, right_name = str(parsed[i][-1]), str(parsed[j][-1])  # type: ignore[index]
        names = "~".join(sorted((left_name, right_name)))
        indexes, places = by_names.setdefault(names, ([], set()))
        indexes += [i, j]
        places.add(generalize_path(format_path(parent)))
        taken.update((i, j))
    return [
        MappingMatch(RENAMED, f"rename·{names}", tuple(sorted(indexes)), tuple(sorted(places)))
        for names, (indexes, places) in sorted(by_names.items())
    ]


def detect_mappings(
    kind: str, left: Any, right: Any, body_diffs: list[Difference], paths: PathRules
) -> list[MappingMatch]:
    """The structural mappings that explain some of the body differences of two trees, as
    the ignore rules in ``paths`` leave them; each difference is explained by at most one
    mapping."""
    if kind != "json" or not body_diffs:
        return []
    parsed = [concrete_parts(d.path) for d in body_diffs]
    out: list[MappingMatch] = []
    taken: set[int] = set()
    enums = _tagged_enums(left, right, paths, parsed)
    if enums is not None:
        out.append(enums)
        taken.update(enums.explained)
    if len(taken) < len(body_diffs):  # else nothing is left to explain
        out += _key_cases(body_diffs, parsed, taken)
        out += _renames(body_diffs, parsed, taken)
    return out
