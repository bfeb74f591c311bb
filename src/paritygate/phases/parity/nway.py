"""N-way comparison of one case: which pairs to report, agreement classes, the odd one out.

Two targets make one pair. With more, every pair is reported (or, with a reference,
every target against the reference); targets are grouped into agreement classes
(targets whose answers match), and when all but one agree, that one is named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

from paritygate.compare.model import Comparison, Outcome, Response

__all__ = ["CaseComparison", "compare_case", "describe_odd_one_out", "reported_pairs"]

CompareFn = Callable[[Response, Response], Comparison]


@dataclass(slots=True)
class CaseComparison:
    pairs: list[tuple[str, str, Comparison]]  # reported pairs, in order
    groups: list[list[str]]  # agreement classes, largest first
    odd_one_out: str | None = None


def reported_pairs(names: list[str], reference: str | None) -> list[tuple[str, str]]:
    if reference is not None:
        return [(reference, n) for n in names if n != reference]
    return list(combinations(names, 2))


def describe_odd_one_out(odd: str, groups: list[list[str]]) -> str:
    others = [n for g in groups for n in g if n != odd]
    listed = ", ".join(others[:-1]) + f" and {others[-1]}" if len(others) > 1 else others[0]
    return f"{odd} disagrees with {listed}"


def compare_case(
    names: list[str], responses: dict[str, Response], reference: str | None, compare: CompareFn
) -> CaseComparison:
    cache: dict[tuple[str, str], Comparison] = {}
    order = {n: i for i, n in enumerate(names)}

    def pair(a: str, b: str) -> Comparison:
        key = (a, b)
        if key not in cache:
            cache[key] = compare(responses[a], responses[b])
        return cache[key]

    def agree(a: str, b: str) -> bool:
        for known in ((a, b), (b, a)):
            if known in cache:
                return cache[known].outcome is Outcome.MATCH
        left, right = sorted((a, b), key=order.__getitem__)
        return pair(left, right).outcome is Outcome.MATCH

    pairs = [(a, b, pair(a, b)) for a, b in reported_pairs(names, reference)]
    groups: list[list[str]] = []
    # the reference (if any) founds the first group, so "agrees with the reference" reads first
    seeded = [reference] if reference is not None else []
    for name in seeded + [n for n in names if n != reference]:
        for group in groups:
            if agree(group[0], name):
                group.append(name)
                break
        else:
            groups.append([name])
    groups.sort(key=len, reverse=True)
    odd = None
    if len(groups) == 2 and len(groups[1]) == 1 and len(groups[0]) >= 2:
        odd = groups[1][0]
    return CaseComparison(pairs, groups, odd)
