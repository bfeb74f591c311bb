"""The tree diff: an iterative walk over two canonical body trees.

Speed comes from not looking at what is equal: each pair of containers is first
compared at C speed (:func:`exact_eq`) and skipped when equal; equal scalars are skipped
inline. Paths are kept as cons cells ``(parent, part)`` and only turned into strings when
a difference is reported. The walk uses an explicit stack, so depth never raises
RecursionError; subtrees too deep for the C-speed check are simply walked.

Differences come out in document order (pre-order, left document first). A value
difference that a typed matcher or learned noise excuses (:meth:`CompareRules.value_excuse`,
only ever at a place both sides have) is not reported but recorded in ``excused``.
"""

from __future__ import annotations

from typing import Any

from paritygate.compare.arrays import Step, plan_by_key, plan_ordered, plan_unordered
from paritygate.compare.model import Difference
from paritygate.compare.rules import CompareRules
from paritygate.compare.values import exact_eq, is_number
from paritygate.core.paths import PathPart, format_path

__all__ = ["Cons", "diff_trees", "parts_of"]

Cons = tuple[Any, PathPart] | None  # (parent cons, last part); None is the root "$"
_Pair = tuple[Any, Any, Cons, Cons, int]  # left, right, left path, right path, levels to skip eq
_DEEP_SKIP = 200  # after a too-deep equality check, walk this many levels before trying again


def parts_of(path: Cons) -> tuple[PathPart, ...]:
    out: list[PathPart] = []
    while path is not None:
        path, part = path
        out.append(part)
    out.reverse()
    return tuple(out)


def _text(path: Cons) -> str:
    return format_path(parts_of(path))


def _local(name: str) -> tuple[bool, str, str]:
    """(is attribute, namespace, local name) of an XML tree key."""
    attr = name.startswith("@")
    name = name[1:] if attr else name
    if name.startswith("{") and "}" in name:
        ns, _, local = name[1:].partition("}")
        return attr, ns, local
    return attr, "", name


class _Walker:
    def __init__(self, rules: CompareRules, xml: bool) -> None:
        self.rules = rules
        self.xml = xml
        self.check_ignores = rules.has_body_ignores
        self.check_arrays = rules.has_array_rules
        self.check_excuses = rules.has_value_excuses
        self.excused: list[tuple[str, str]] = []  # (matcher or noise label, concrete path)

    def diff(self, a: Any, b: Any, lp: Cons = None, rp: Cons = None, skip: int = 0) -> list[Difference]:
        out: list[Difference] = []
        stack: list[_Pair | Difference] = [(a, b, lp, rp, skip)]
        while stack:
            item = stack.pop()
            if isinstance(item, Difference):
                out.append(item)
                continue
            a, b, lp, rp, skip = item
            ta, tb = type(a), type(b)
            if ta is tb and (ta is dict or ta is list):
                child_skip = skip - 1 if skip > 0 else 0
                if skip == 0:
                    equal = exact_eq(a, b)
                    if equal:
                        continue
                    if equal is None:
                        child_skip = _DEEP_SKIP
                children = (
                    self._dict(a, b, lp, rp, child_skip)
                    if ta is dict
                    else self._list(a, b, lp, rp, child_skip)
                )
                stack.extend(reversed(children))
            else:
                leaf = self._leaf(a, b, lp, rp)
                if leaf is not None:
                    out.append(leaf)
        return out

    def _diff(self, kind: str, lp: Cons, rp: Cons, a: Any, b: Any) -> Difference:
        if kind == "extra":
            return Difference(_text(rp), kind, a, b)
        right = None if rp is lp else _text(rp)
        left = _text(lp)
        return Difference(left, kind, a, b, right if right != left else None)

    def _leaf(self, a: Any, b: Any, lp: Cons, rp: Cons) -> Difference | None:
        if type(a) is type(b):
            return None if a == b else self._diff("value", lp, rp, a, b)
        if is_number(a) and is_number(b):
            return self._diff("value", lp, rp, a, b)  # 1 vs 1.0: JSON-equal to some, not all
        return self._diff("type", lp, rp, a, b)

    def _ignored(self, path: Cons, *values: Any) -> bool:
        return self.check_ignores and self.rules.body_ignored(parts_of(path), values)

    def _excused(self, path: Cons, a: Any, b: Any) -> bool:
        """A differing pair both sides have, which a matcher or learned noise allows."""
        if not self.check_excuses:
            return False
        label = self.rules.value_excuse(parts_of(path), a, b)
        if label is None:
            return False
        self.excused.append((label, _text(path)))
        return True

    def _dict(
        self, a: dict[str, Any], b: dict[str, Any], lp: Cons, rp: Cons, skip: int
    ) -> list[_Pair | Difference]:
        children: list[_Pair | Difference] = []
        missing: list[str] = []
        for k, va in a.items():
            if k not in b:
                missing.append(k)
                continue
            vb = b[k]
            tv = type(va)
            if va is vb or (tv is type(vb) and tv is not dict and tv is not list and va == vb):
                continue
            lc: Cons = (lp, k)
            rc: Cons = lc if rp is lp else (rp, k)
            if not self._ignored(lc, va, vb) and not self._excused(lc, va, vb):
                children.append((va, vb, lc, rc, skip))
        extra = [k for k in b if k not in a] if len(b) != len(a) - len(missing) else []
        missing = [k for k in missing if not self._ignored((lp, k), a[k])]
        extra = [k for k in extra if not self._ignored((rp, k), b[k])]
        if self.xml and missing and extra:
            children += self._xml_pairs(a, b, lp, rp, missing, extra, skip)
        children += [self._diff("missing", (lp, k), (rp, k), a[k], None) for k in missing]
        children += [self._diff("extra", (lp, k), (rp, k), None, b[k]) for k in extra]
        return children

    def _xml_pairs(
        self,
        a: dict[str, Any],
        b: dict[str, Any],
        lp: Cons,
        rp: Cons,
        missing: list[str],
        extra: list[str],
        skip: int,
    ) -> list[_Pair | Difference]:
        """Element vs attribute of one name, or one element name in two namespaces."""
        out: list[_Pair | Difference] = []
        for k in list(missing):
            lattr, lns, local = _local(k)
            for e in extra:
                rattr, rns, rlocal = _local(e)
                if rlocal != local or (lattr == rattr and lns == rns):
                    continue
                lc, rc = (lp, k), (rp, e)
                if lattr != rattr:
                    out.append(self._diff("element_vs_attribute", lc, rc, a[k], b[e]))
                else:
                    out.append(self._diff("namespace", lc, rc, lns, rns))
                    out.append((a[k], b[e], lc, rc, skip))
                missing.remove(k)
                extra.remove(e)
                break
        return out

    def _list(self, a: list[Any], b: list[Any], lp: Cons, rp: Cons, skip: int) -> list[_Pair | Difference]:
        rule = self.rules.array_rule(parts_of(lp)) if self.check_arrays else None
        if rule is None:
            steps = plan_ordered(a, b)
        else:

            def equal_under_rules(i: int, j: int) -> bool:
                mark = len(self.excused)  # a trial pairing: only the final walk records excuses
                equal = not self.diff(a[i], b[j], (lp, i), (rp, j), 0)
                del self.excused[mark:]
                return equal

            if rule.mode == "by_key" and rule.key:
                steps = plan_by_key(a, b, rule.key, equal_under_rules)
            else:
                steps = plan_unordered(a, b, equal_under_rules)
        return self._apply(steps, a, b, lp, rp, skip)

    def _apply(
        self, steps: list[Step], a: list[Any], b: list[Any], lp: Cons, rp: Cons, skip: int
    ) -> list[_Pair | Difference]:
        out: list[_Pair | Difference] = []
        known_unequal = max(skip, 1)
        for step, i, j in steps:
            if step == "pair":
                lc: Cons = (lp, i)
                rc: Cons = lc if rp is lp and i == j else (rp, j)
                if not self._ignored(lc, a[i], b[j]) and not self._excused(lc, a[i], b[j]):
                    out.append((a[i], b[j], lc, rc, known_unequal))
            elif step == "missing":
                if not self._ignored((lp, i), a[i]):
                    out.append(self._diff("missing", (lp, i), (rp, i), a[i], None))
            elif step == "extra":
                if not self._ignored((rp, j), b[j]):
                    out.append(self._diff("extra", (lp, j), (rp, j), None, b[j]))
            elif step == "order":
                label = self.rules.order_excuse(parts_of(lp)) if self.check_excuses else None
                if label is None:
                    out.append(self._diff("order", lp, rp, a, b))
                else:
                    self.excused.append((label, _text(lp)))
            else:
                out.append(self._diff("length", lp, rp, len(a), len(b)))
        return out


def diff_trees(
    a: Any,
    b: Any,
    rules: CompareRules,
    *,
    xml: bool = False,
    excused: list[tuple[str, str]] | None = None,
) -> list[Difference]:
    """Every difference between two body trees of the same kind, honouring ``rules``;
    what matchers and learned noise excused is appended to ``excused``."""
    if rules.has_body_ignores and rules.body_ignored((), (a, b)):
        return []
    walker = _Walker(rules, xml)
    out = walker.diff(a, b)
    if excused is not None:
        excused.extend(walker.excused)
    return out
