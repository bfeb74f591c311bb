"""The tree diff: one iterative walk over two canonical body trees, rules applied as it goes.

Speed comes from not looking at what is equal: each pair of containers is first
compared at C speed (:func:`exact_eq`) and skipped when equal; equal scalars are skipped
inline. Paths are kept as cons cells ``(parent, part)`` and only turned into strings when
a difference is reported. Next to each path the walk carries its state in the compiled
rule automaton (:mod:`paritygate.compare.pathrules`), so asking which rule applies to a
child is one step, never a match of the whole path against every rule; below a place no
rule can reach, nothing is asked at all. The walk uses an explicit stack, so depth never
raises RecursionError; subtrees too deep for the C-speed check are simply walked.

Differences come out in document order (pre-order, left document first). A value
difference that a typed matcher or learned noise excuses (:func:`value_excuse_at`, only
ever at a place both sides have) is not reported but recorded in ``excused``.
"""

from __future__ import annotations

import functools
from typing import Any

from paritygate.compare.arrays import Step, plan_by_key, plan_ordered, plan_unordered
from paritygate.compare.model import Difference
from paritygate.compare.pathrules import RuleState
from paritygate.compare.rules import CompareRules, value_excuse_at
from paritygate.compare.values import exact_eq, is_number
from paritygate.core.paths import PathPart, format_path

__all__ = ["Cons", "diff_trees", "parts_of"]

Cons = tuple[Any, PathPart] | None  # (parent cons, last part); None is the root "$"
# left, right, left path, right path, their rule states, levels to skip the equality check
_Pair = tuple[Any, Any, Cons, Cons, RuleState, RuleState, int]
_DEEP_SKIP = 200  # after a too-deep equality check, walk this many levels before trying again


def parts_of(path: Cons) -> tuple[PathPart, ...]:
    out: list[PathPart] = []
    while path is not None:
        path, part = path
        out.append(part)
    out.reverse()
    return tuple(out)


# the same few places differ in every case of a run: format each once (cached on the flat
# parts, never on the cells: hashing nested cells recurses in C, as deep as the tree)
_format = functools.lru_cache(maxsize=4096)(format_path)


def _text(path: Cons) -> str:
    return _format(parts_of(path))


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
        self.xml = xml
        self.root = rules.paths.root
        self.excused: list[tuple[str, str]] = []  # (matcher or noise label, concrete path)

    def diff(
        self,
        a: Any,
        b: Any,
        lp: Cons = None,
        rp: Cons = None,
        ls: RuleState | None = None,
        rs: RuleState | None = None,
        skip: int = 0,
    ) -> list[Difference]:
        out: list[Difference] = []
        ls = ls if ls is not None else self.root
        stack: list[_Pair | Difference] = [(a, b, lp, rp, ls, rs if rs is not None else ls, skip)]
        while stack:
            item = stack.pop()
            if isinstance(item, Difference):
                out.append(item)
                continue
            a, b, lp, rp, ls, rs, skip = item
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
                    self._dict(a, b, lp, rp, ls, rs, child_skip)
                    if ta is dict
                    else self._list(a, b, lp, rp, ls, rs, child_skip)
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

    def _kept(self, state: RuleState, path: Cons, a: Any, b: Any) -> bool:
        """A differing pair both sides have, neither ignored nor excused by a matcher or noise."""
        if state.ignores and state.ignored((a, b)):
            return False
        if state.matcher is None and state.noise is None:
            return True
        label = value_excuse_at(state, a, b)
        if label is None:
            return True
        self.excused.append((label, _text(path)))
        return False

    def _dict(
        self,
        a: dict[str, Any],
        b: dict[str, Any],
        lp: Cons,
        rp: Cons,
        ls: RuleState,
        rs: RuleState,
        skip: int,
    ) -> list[_Pair | Difference]:
        children: list[_Pair | Difference] = []
        missing: list[str] = []
        same = rp is lp
        for k, va in a.items():
            if k not in b:
                missing.append(k)
                continue
            vb = b[k]
            tv = type(va)
            if va is vb or (tv is type(vb) and tv is not dict and tv is not list and va == vb):
                continue
            lc: Cons = (lp, k)
            cls = ls.step(k)
            if not cls.live or self._kept(cls, lc, va, vb):  # no rule reaches this subtree
                children.append((va, vb, lc, lc if same else (rp, k), cls, cls if same else rs.step(k), skip))
        extra = [k for k in b if k not in a] if len(b) != len(a) - len(missing) else []
        if missing and ls.live:
            missing = [k for k in missing if not ls.step(k).ignored((a[k],))]
        if extra and rs.live:
            extra = [k for k in extra if not rs.step(k).ignored((b[k],))]
        if self.xml and missing and extra:
            children += self._xml_pairs(a, b, lp, rp, ls, rs, missing, extra, skip)
        for k in missing:
            lc = (lp, k)
            children.append(self._diff("missing", lc, lc if same else (rp, k), a[k], None))
        for k in extra:
            children.append(self._diff("extra", (lp, k), (rp, k), None, b[k]))
        return children

    def _xml_pairs(
        self,
        a: dict[str, Any],
        b: dict[str, Any],
        lp: Cons,
        rp: Cons,
        ls: RuleState,
        rs: RuleState,
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
                    out.append((a[k], b[e], lc, rc, ls.step(k), rs.step(e), skip))
                missing.remove(k)
                extra.remove(e)
                break
        return out

    def _list(
        self, a: list[Any], b: list[Any], lp: Cons, rp: Cons, ls: RuleState, rs: RuleState, skip: int
    ) -> list[_Pair | Difference]:
        rule = ls.array
        if rule is None:
            steps = plan_ordered(a, b)
        else:

            def equal_under_rules(i: int, j: int) -> bool:
                mark = len(self.excused)  # a trial pairing: only the final walk records excuses
                equal = not self.diff(a[i], b[j], (lp, i), (rp, j), ls.step(i), rs.step(j), 0)
                del self.excused[mark:]
                return equal

            if rule.mode == "by_key" and rule.key:
                steps = plan_by_key(a, b, rule.key, equal_under_rules)
            else:
                steps = plan_unordered(a, b, equal_under_rules)
        return self._apply(steps, a, b, lp, rp, ls, rs, skip)

    def _apply(
        self,
        steps: list[Step],
        a: list[Any],
        b: list[Any],
        lp: Cons,
        rp: Cons,
        ls: RuleState,
        rs: RuleState,
        skip: int,
    ) -> list[_Pair | Difference]:
        out: list[_Pair | Difference] = []
        known_unequal = max(skip, 1)
        for step, i, j in steps:
            if step == "pair":
                lc: Cons = (lp, i)
                same = rp is lp and i == j
                cls = ls.step(i)
                if not cls.live or self._kept(cls, lc, a[i], b[j]):
                    crs = cls if same else rs.step(j)
                    out.append((a[i], b[j], lc, lc if same else (rp, j), cls, crs, known_unequal))
            elif step == "missing":
                if not ls.step(i).ignored((a[i],)):
                    out.append(self._diff("missing", (lp, i), (rp, i), a[i], None))
            elif step == "extra":
                if not rs.step(j).ignored((b[j],)):
                    out.append(self._diff("extra", (lp, j), (rp, j), None, b[j]))
            elif step == "order":
                label = ls.noise
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
    if rules.paths.root.ignored((a, b)):
        return []
    walker = _Walker(rules, xml)
    out = walker.diff(a, b)
    if excused is not None:
        excused.extend(walker.excused)
    return out
