"""How two unequal arrays are matched up: ordered (aligned), unordered, or by a key field.

Each planner returns steps for the walker: ``("pair", i, j)`` compare a[i] with b[j];
``("missing", i, -1)`` a[i] has no counterpart; ``("extra", -1, j)`` b[j] has none;
``("order", -1, -1)`` same elements in a different order; ``("length", -1, -1)`` the
lengths differ. Pairs are always of elements already known to differ (or too deep to
tell), so the walker skips its equality short-cut for them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from typing import Any

from paritygate.compare.values import differing_positions, exact_eq, fingerprint

__all__ = ["Step", "plan_by_key", "plan_ordered", "plan_unordered"]

Step = tuple[str, int, int]
_ALIGN_LIMIT = 20_000  # above this many elements, align by index instead of difflib
_PAIR_TRIALS = 2_500  # leftover pairs tried for "equal once ignore rules apply"

_LENGTH: Step = ("length", -1, -1)


def _by_index(a: list[Any], b: list[Any]) -> list[Step]:
    steps: list[Step] = [_LENGTH] if len(a) != len(b) else []
    steps += [("pair", i, i) for i in differing_positions(a, b)]
    steps += [("missing", i, -1) for i in range(len(b), len(a))]
    steps += [("extra", -1, j) for j in range(len(a), len(b))]
    return steps


def _match_equal(
    a: list[Any], b: list[Any], left: Iterable[int], right: Iterable[int]
) -> tuple[list[int], list[int]]:
    """Pair exactly equal elements of ``a[left]`` and ``b[right]`` (first come, first served);
    returns the indices left without a partner: left ones sorted, right ones in given order."""
    waiting: dict[object, deque[int]] = {}
    for i in left:
        waiting.setdefault(fingerprint(a[i]), deque()).append(i)
    unmatched_right: list[int] = []
    for j in right:
        queue = waiting.get(fingerprint(b[j]))
        if queue:
            queue.popleft()
        else:
            unmatched_right.append(j)
    return sorted(i for queue in waiting.values() for i in queue), unmatched_right


def _moved_and_changed(a: list[Any], b: list[Any], differing: list[int]) -> list[Step]:
    """Same-length arrays: elements found elsewhere are an order change; the rest are paired."""
    left, right = _match_equal(a, b, differing, differing)
    steps: list[Step] = [("order", -1, -1)] if len(right) < len(differing) else []
    return steps + [("pair", i, j) for i, j in zip(left, right, strict=True)]


def plan_ordered(a: list[Any], b: list[Any]) -> list[Step]:
    if len(a) == len(b):
        differing = differing_positions(a, b)
        return _moved_and_changed(a, b, differing) if differing else []
    if len(a) + len(b) > _ALIGN_LIMIT:
        return _by_index(a, b)
    # Align so that one inserted element does not make every later element "differ".
    matcher = SequenceMatcher(None, [fingerprint(x) for x in a], [fingerprint(y) for y in b], False)
    steps: list[Step] = [_LENGTH]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        common = min(i2 - i1, j2 - j1)
        steps += [("pair", i1 + n, j1 + n) for n in range(common)]
        steps += [("missing", i, -1) for i in range(i1 + common, i2)]
        steps += [("extra", -1, j) for j in range(j1 + common, j2)]
    return steps


def _settle(
    a: list[Any],
    b: list[Any],
    left: list[int],
    right: list[int],
    equal_under_rules: Callable[[int, int], bool],
    pair_rest: bool,
) -> list[Step]:
    """Steps for elements left unmatched by exact comparison."""
    if left and right and len(left) * len(right) <= _PAIR_TRIALS:
        # An ignore rule inside the elements can make two "different" elements equal.
        taken: set[int] = set()
        still: list[int] = []
        for i in left:
            j = next((j for j in right if j not in taken and equal_under_rules(i, j)), None)
            if j is None:
                still.append(i)
            else:
                taken.add(j)
        left, right = still, [j for j in right if j not in taken]
    steps: list[Step] = [_LENGTH] if len(a) != len(b) else []
    if pair_rest and len(a) == len(b):
        return steps + [("pair", i, j) for i, j in zip(left, right, strict=True)]
    steps += [("missing", i, -1) for i in left]
    steps += [("extra", -1, j) for j in right]
    return steps


def plan_unordered(a: list[Any], b: list[Any], equal_under_rules: Callable[[int, int], bool]) -> list[Step]:
    """Match equal elements wherever they are; what remains is paired (same length) or
    reported missing/extra."""
    left, right = _match_equal(a, b, range(len(a)), range(len(b)))
    if not left and not right:
        return []
    return _settle(a, b, left, right, equal_under_rules, pair_rest=True)


def plan_by_key(
    a: list[Any], b: list[Any], key: str, equal_under_rules: Callable[[int, int], bool]
) -> list[Step]:
    """Pair elements whose ``key`` field is equal; position does not matter."""

    def key_of(x: Any) -> object | None:
        return fingerprint(x[key]) if type(x) is dict and key in x else None

    by_key: dict[object, int] = {}
    left_rest: list[int] = []
    for i, x in enumerate(a):
        k = key_of(x)
        if k is None or k in by_key:
            left_rest.append(i)  # no key, or a duplicate key: matched like an unordered element
        else:
            by_key[k] = i
    steps: list[Step] = []
    right_rest: list[int] = []
    for j, y in enumerate(b):
        k = key_of(y)
        i = by_key.pop(k, -1) if k is not None else -1
        if i < 0:
            right_rest.append(j)
        elif exact_eq(a[i], y) is not True:
            steps.append(("pair", i, j))
    # Elements without a counterpart key: equal ones still match each other.
    unmatched_left, unmatched_right = _match_equal(
        a, b, sorted(left_rest + list(by_key.values())), right_rest
    )
    steps.sort(key=lambda s: s[1])
    if not unmatched_left and not unmatched_right:
        return steps
    return steps + _settle(a, b, unmatched_left, unmatched_right, equal_under_rules, pair_rest=False)
