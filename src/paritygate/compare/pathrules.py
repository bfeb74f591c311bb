"""Every body-path rule of a rule set compiled into one automaton over path parts.

A walk over a body tree carries one :class:`RuleState` per node instead of the node's
path: stepping to a child is a dictionary look-up, and each state knows at once which
ignore rules (with their ``when`` regexes), the first matcher, the first learned-noise
path and the first array rule that match there. :attr:`RuleState.live` says whether any
rule can still match at or below the node; below a dead state nothing is checked at all,
so a rule on ``$.elapsed_ms`` costs nothing inside ``$.records``.

The states are the subsets of (pattern, segment) positions of the patterns read side by
side (``..key`` stays on its position for each intermediate step), built lazily and
shared. Only parts a pattern names get a transition of their own; every other key or
index takes one shared transition, so the automaton stays as small as the rules, however
many distinct keys and indexes the bodies hold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paritygate.compare.values import value_text
from paritygate.core.paths import PathPart, PathPattern

__all__ = ["PathRules", "RuleState", "pruned", "when_matches"]

_Position = tuple[int, int]  # (pattern index, segment index)


def when_matches(regex: re.Pattern[str] | None, values: Sequence[Any]) -> bool:
    """Does an ignore rule's ``when`` hold for every value a side that has the place holds?"""
    return regex is None or all(regex.search(value_text(v)) is not None for v in values)


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: PathPattern
    category: str  # "ignore" | "match" | "noise" | "array"
    payload: Any  # when-regex, (MatchRule, regex), noise label, ArrayRule


class RuleState:
    """Where a walk stands in the automaton: what matches at this node, what may below."""

    __slots__ = (
        "_automaton",
        "_literals",
        "_other",
        "_positions",
        "_trans",
        "array",
        "drops_index",
        "ignore_below",
        "ignores",
        "live",
        "matcher",
        "noise",
    )

    def __init__(self, automaton: PathRules, positions: frozenset[_Position]) -> None:
        self._automaton = automaton
        self._positions = positions
        self._trans: dict[PathPart, RuleState] = {}
        self._other: RuleState | None = None
        rules = automaton.rules
        here = sorted(p for p, s in positions if s == len(rules[p].pattern.segments))
        of = {c: [rules[p].payload for p in here if rules[p].category == c] for c in _CATEGORIES}
        self.ignores: tuple[re.Pattern[str] | None, ...] = tuple(of["ignore"])  # whens; None = always
        self.matcher: Any = of["match"][0] if of["match"] else None  # the first in config order
        self.noise: str | None = of["noise"][0] if of["noise"] else None
        self.array: Any = of["array"][0] if of["array"] else None
        self.live = bool(positions)
        # may an ignore rule match a strict descendant? (else a subtree is kept as it is)
        self.ignore_below = any(
            rules[p].category == "ignore" and s < len(rules[p].pattern.segments) for p, s in positions
        )
        # may an ignore rule drop a direct child: an array element, an object member?
        last = [
            rules[p].pattern.segments[s]
            for p, s in positions
            if rules[p].category == "ignore" and s == len(rules[p].pattern.segments) - 1
        ]
        self.drops_index = any(
            seg.kind in ("any", "index") or (seg.kind == "desc" and seg.key is None) for seg in last
        )
        literals: set[PathPart] = set()
        for p, s in positions:
            segs = rules[p].pattern.segments
            key = segs[s].key if s < len(segs) else None
            if key is not None:
                literals.add(key)
        self._literals = frozenset(literals)

    def step(self, part: PathPart) -> RuleState:
        """The state of the child ``part`` of this node."""
        if part in self._literals:  # only the parts a pattern names have a transition of their own
            found = self._trans.get(part)
            if found is None:
                found = self._trans[part] = self._automaton.state(self._advance(part))
            return found
        if self._other is None:
            self._other = self._automaton.state(self._advance(None))
        return self._other

    def _advance(self, part: PathPart | None) -> frozenset[_Position]:
        """Positions after one step; ``part`` None stands for any part no pattern names."""
        out: set[_Position] = set()
        rules = self._automaton.rules
        for p, s in self._positions:
            segs = rules[p].pattern.segments
            if s == len(segs):
                continue
            seg = segs[s]
            kind = seg.kind
            if kind == "desc":
                out.add((p, s))  # an intermediate step
                if seg.key is None or (part is not None and part == seg.key):
                    out.add((p, s + 1))
            elif kind == "any" or (
                part is not None and part == seg.key and isinstance(part, str) == (kind == "key")
            ):
                out.add((p, s + 1))
        return frozenset(out)

    def ignored(self, values: Sequence[Any]) -> bool:
        """Is this place ignored, given the values the sides that have it hold there?"""
        return bool(self.ignores) and any(when_matches(w, values) for w in self.ignores)


_CATEGORIES = ("ignore", "match", "noise", "array")


class PathRules:
    """The compiled automaton of one rule set; :attr:`root` is the state of ``$``."""

    def __init__(self, rules: Sequence[tuple[PathPattern, str, Any]]) -> None:
        self.rules = tuple(_Rule(pattern, category, payload) for pattern, category, payload in rules)
        self._states: dict[frozenset[_Position], RuleState] = {}
        # does an ignore rule depend on the value (``when``)? then equal paths may prune apart
        self.conditional = any(r.category == "ignore" and r.payload is not None for r in self.rules)
        self.dead = self.state(frozenset())
        self.root = self.state(frozenset((p, 0) for p in range(len(self.rules))))

    def state(self, positions: frozenset[_Position]) -> RuleState:
        found = self._states.get(positions)
        if found is None:
            found = self._states[positions] = RuleState(self, positions)
        return found

    def at(self, parts: Sequence[PathPart]) -> RuleState:
        """The state of a concrete path."""
        state = self.root
        for part in parts:
            if not state.live:
                break
            state = state.step(part)
        return state


def pruned(tree: Any, state: RuleState) -> Any:
    """A copy of ``tree`` (the node at ``state``) without the children the ignore rules drop
    (``when`` sees this tree's values only); a subtree no ignore rule can reach is shared,
    not copied, so a rule on ``$.elapsed_ms`` copies one object. The node itself is not
    checked. Iterative, so any depth is fine."""
    if not state.ignore_below or type(tree) not in (dict, list):
        return tree
    root: Any = {} if type(tree) is dict else []
    stack: list[tuple[Any, Any, RuleState]] = [(tree, root, state)]
    while stack:
        src, dst, here = stack.pop()
        items = src.items() if type(src) is dict else enumerate(src)
        for key, value in items:
            child = here.step(key)
            if child.ignores and child.ignored((value,)):
                continue
            copy: Any = value
            if child.ignore_below and type(value) in (dict, list):
                copy = {} if type(value) is dict else []
                stack.append((value, copy, child))
            if type(dst) is dict:
                dst[key] = copy
            else:
                dst.append(copy)
    return root
