"""A straightforward reference for the compiled rules and the single walk (tests only).

Every question is answered from the whole concrete path, matched against every rule with
:meth:`PathPattern.matches`; ignored parts are removed by copying the tree; the diff is a
plain recursion over path tuples. Slow and obvious, so the fast walk can be checked
against it on random trees and random rules.
"""

from __future__ import annotations

import re
from typing import Any

from paritygate.compare import ArrayRule, CompareRules, Difference
from paritygate.compare.arrays import plan_by_key, plan_ordered, plan_unordered
from paritygate.compare.matchers import kind_accepts, same_json_type
from paritygate.compare.values import exact_eq, is_number, value_text
from paritygate.core.paths import PathPart, PathPattern, format_path, parse_path

Parts = tuple[PathPart, ...]


def _when(regex: re.Pattern[str] | None, values: tuple[Any, ...]) -> bool:
    return regex is None or all(regex.search(value_text(v)) is not None for v in values)


class ReferenceRules:
    def __init__(self, rules: CompareRules) -> None:
        self.ignores = [
            (parse_path(r.path), re.compile(r.when) if r.when is not None else None)
            for r in rules.ignore
            if r.path is not None
        ]
        self.arrays: list[tuple[PathPattern, ArrayRule]] = [(parse_path(r.path), r) for r in rules.arrays]
        self.matchers = [
            (
                parse_path(m.path),
                m.kind or "number",
                m.tolerance,
                re.compile(m.pattern) if m.pattern else None,
                f"match:{m.path}",
            )
            for m in rules.match
            if m.path is not None
        ]
        self.noise = [(parse_path(t), f"noise:{t}") for t in rules.noise if not t.startswith("header:")]

    def ignored(self, parts: Parts, values: tuple[Any, ...]) -> bool:
        return any(p.matches(parts) and _when(w, values) for p, w in self.ignores)

    def excuse(self, parts: Parts, a: Any, b: Any) -> str | None:
        for pattern, kind, tolerance, regex, label in self.matchers:
            if pattern.matches(parts):
                return label if kind_accepts(kind, a, b, tolerance=tolerance, pattern=regex) else None
        if isinstance(a, dict | list) or isinstance(b, dict | list) or not same_json_type(a, b):
            return None
        return self.order_excuse(parts)

    def order_excuse(self, parts: Parts) -> str | None:
        return next((label for p, label in self.noise if p.matches(parts)), None)

    def array(self, parts: Parts) -> ArrayRule | None:
        return next((r for p, r in self.arrays if p.matches(parts)), None)

    def prune(self, tree: Any, path: Parts = ()) -> Any:
        """A copy without the ignored parts (the node itself is not checked)."""
        if isinstance(tree, dict):
            return {
                k: self.prune(v, (*path, k)) for k, v in tree.items() if not self.ignored((*path, k), (v,))
            }
        if isinstance(tree, list):
            return [
                self.prune(v, (*path, i)) for i, v in enumerate(tree) if not self.ignored((*path, i), (v,))
            ]
        return tree


def _local(name: str) -> tuple[bool, str, str]:
    attr = name.startswith("@")
    name = name.removeprefix("@")
    if name.startswith("{") and "}" in name:
        ns, _, local = name[1:].partition("}")
        return attr, ns, local
    return attr, "", name


class ReferenceWalk:
    def __init__(self, rules: CompareRules, xml: bool = False) -> None:
        self.ref = ReferenceRules(rules)
        self.xml = xml
        self.excused: list[tuple[str, str]] = []

    def _d(self, kind: str, lp: Parts, rp: Parts, a: Any, b: Any) -> Difference:
        if kind == "extra":
            return Difference(format_path(rp), kind, a, b)
        left, right = format_path(lp), format_path(rp)
        return Difference(left, kind, a, b, right if right != left else None)

    def _kept(self, lp: Parts, a: Any, b: Any) -> bool:
        if self.ref.ignored(lp, (a, b)):
            return False
        label = self.ref.excuse(lp, a, b)
        if label is not None:
            self.excused.append((label, format_path(lp)))
        return label is None

    def diff(self, a: Any, b: Any, lp: Parts = (), rp: Parts = ()) -> list[Difference]:
        if lp == () and self.ref.ignored((), (a, b)):
            return []
        if type(a) is type(b) and isinstance(a, dict | list):
            if exact_eq(a, b):
                return []
            out: list[Difference] = []
            items = self._dict(a, b, lp, rp) if isinstance(a, dict) else self._list(a, b, lp, rp)
            for item in items:
                out += [item] if isinstance(item, Difference) else self.diff(*item)
            return out
        if type(a) is type(b):
            return [] if a == b else [self._d("value", lp, rp, a, b)]
        return [self._d("value" if is_number(a) and is_number(b) else "type", lp, rp, a, b)]

    def _dict(self, a: dict[str, Any], b: dict[str, Any], lp: Parts, rp: Parts) -> list[Any]:
        items: list[Any] = []
        for k, v in a.items():
            if k not in b:
                continue
            w = b[k]  # equal scalars are skipped at once; containers are asked about first
            if v is w or (type(v) is type(w) and not isinstance(v, dict | list) and v == w):
                continue
            if self._kept((*lp, k), v, w):
                items.append((v, w, (*lp, k), (*rp, k)))
        missing = [k for k in a if k not in b and not self.ref.ignored((*lp, k), (a[k],))]
        extra = [k for k in b if k not in a and not self.ref.ignored((*rp, k), (b[k],))]
        if self.xml:
            for k in list(missing):
                lattr, lns, local = _local(k)
                e = next((e for e in extra if _local(e)[2] == local and _local(e)[:2] != (lattr, lns)), None)
                if e is None:
                    continue
                if _local(e)[0] != lattr:
                    items.append(self._d("element_vs_attribute", (*lp, k), (*rp, e), a[k], b[e]))
                else:
                    items.append(self._d("namespace", (*lp, k), (*rp, e), lns, _local(e)[1]))
                    items.append((a[k], b[e], (*lp, k), (*rp, e)))
                missing.remove(k)
                extra.remove(e)
        items += [self._d("missing", (*lp, k), (*rp, k), a[k], None) for k in missing]
        items += [self._d("extra", (*lp, k), (*rp, k), None, b[k]) for k in extra]
        return items

    def _list(self, a: list[Any], b: list[Any], lp: Parts, rp: Parts) -> list[Any]:
        rule = self.ref.array(lp)

        def equal_under_rules(i: int, j: int) -> bool:
            mark = len(self.excused)
            equal = not self.diff(a[i], b[j], (*lp, i), (*rp, j))
            del self.excused[mark:]
            return equal

        if rule is None:
            steps = plan_ordered(a, b)
        elif rule.mode == "by_key" and rule.key:
            steps = plan_by_key(a, b, rule.key, equal_under_rules)
        else:
            steps = plan_unordered(a, b, equal_under_rules)
        items: list[Any] = []
        for step, i, j in steps:
            if step == "pair" and self._kept((*lp, i), a[i], b[j]):
                items.append((a[i], b[j], (*lp, i), (*rp, j)))
            elif step == "missing" and not self.ref.ignored((*lp, i), (a[i],)):
                items.append(self._d("missing", (*lp, i), (*rp, i), a[i], None))
            elif step == "extra" and not self.ref.ignored((*rp, j), (b[j],)):
                items.append(self._d("extra", (*lp, j), (*rp, j), None, b[j]))
            elif step == "order":
                label = self.ref.order_excuse(lp)
                if label is None:
                    items.append(self._d("order", lp, rp, a, b))
                else:
                    self.excused.append((label, format_path(lp)))
            elif step == "length":
                items.append(self._d("length", lp, rp, len(a), len(b)))
        return items
