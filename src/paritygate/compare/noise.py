"""Noise: what changes between repeats of the SAME request to the SAME target.

:func:`detect_noise` only reports; nothing is ignored until the caller passes the paths to
``compare(..., noise=[...])`` or the user pastes the suggested rule into paritygate.toml.
Concrete paths that differ only by array index are merged into one ``[*]`` pattern, and a
path inside an already noisy subtree is not listed again. An array whose order changes
between repeats gets an ``[[parity.arrays]]`` unordered rule suggested instead of an
ignore rule. Repeats are compared within the most common (status, body kind); repeats
that did not answer or answered otherwise are flakiness, not a noisy field, and skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from paritygate.compare.canonical import canonicalize
from paritygate.compare.engine import diff_canonical
from paritygate.compare.model import Canonical, Response
from paritygate.compare.rules import CompareRules
from paritygate.compare.signature import generalize_path
from paritygate.compare.values import fingerprint
from paritygate.core.paths import parse_path

__all__ = ["NoisyPath", "detect_noise", "suggest_rule"]

_EXAMPLES = 5


@dataclass(slots=True)
class NoisyPath:
    path: str  # a path (maybe with [*]) or header:<name>; pass it to compare(noise=...)
    examples: list[Any]  # distinct values seen, in sample order
    suggested_rule: str  # TOML that pastes into paritygate.toml

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "examples": self.examples, "suggested_rule": self.suggested_rule}


def _toml_string(text: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes).
    return orjson.dumps(text).decode()


def suggest_rule(path: str, *, order_only: bool = False) -> str:
    """The paritygate.toml entry that silences a noisy path."""
    if path.startswith("header:"):
        return f"[[parity.ignore]]\nheader = {_toml_string(path.removeprefix('header:'))}"
    if order_only:
        return f'[[parity.arrays]]\npath = {_toml_string(path)}\nmode = "unordered"'
    return f"[[parity.ignore]]\npath = {_toml_string(path)}"


def _values_at(path: str, sample: Canonical) -> list[Any]:
    if path.startswith("header:"):
        value = sample.headers.get(path.removeprefix("header:"))
        return [] if value is None else [value]
    return [value for _, value in parse_path(path).find(sample.body)]


def _examples(path: str, samples: list[Canonical]) -> list[Any]:
    seen: set[object] = set()
    out: list[Any] = []
    for sample in samples:
        for value in _values_at(path, sample):
            fp = fingerprint(value)
            if fp not in seen and len(out) < _EXAMPLES:
                seen.add(fp)
                out.append(value)
    return out


def _inside(path: str, ancestor: str) -> bool:
    if path == ancestor or ancestor.startswith("header:") or path.startswith("header:"):
        return False
    outer, inner = parse_path(ancestor), parse_path(path)
    if inner.is_concrete:
        return outer.matches_prefix(inner.concrete_parts())
    return inner.segments[: len(outer.segments)] == outer.segments


def detect_noise(samples: Sequence[Response], rules: CompareRules | None = None) -> list[NoisyPath]:
    """Paths whose value changes between repeats of one request to one target."""
    rules = rules if rules is not None else CompareRules()
    answered = [canonicalize(s, rules) for s in samples if s.error is None]
    # Compare within the most common (status, body kind); the odd ones out are flakiness.
    groups = Counter((c.status, c.kind) for c in answered)
    if not groups:
        return []
    usual = groups.most_common(1)[0][0]
    canon = [c for c in answered if (c.status, c.kind) == usual]
    kinds: dict[str, set[str]] = {}  # concrete path -> difference kinds seen there
    for other in canon[1:]:
        for diff in diff_canonical(canon[0], other, rules):
            kinds.setdefault(diff.path, set()).add(diff.kind)
    # Merge index-only variants: $.items[0].ts, $.items[1].ts -> $.items[*].ts
    merged: dict[str, set[str]] = {}
    members: dict[str, int] = {}
    for path, seen in kinds.items():
        general = generalize_path(path)
        merged.setdefault(general, set()).update(seen)
        members[general] = members.get(general, 0) + 1
    chosen: dict[str, set[str]] = {}
    for path, seen in kinds.items():
        general = generalize_path(path)
        key = general if members[general] > 1 else path
        chosen.setdefault(key, set()).update(merged[general] if key == general else seen)
    paths = [p for p in chosen if not any(_inside(p, other) for other in chosen)]
    return [
        NoisyPath(p, _examples(p, canon), suggest_rule(p, order_only=chosen[p] == {"order"})) for p in paths
    ]
