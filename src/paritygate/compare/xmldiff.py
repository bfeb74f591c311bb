"""The XML facts the tree does not hold, compared: namespaces and the order of children.

Runs after the tree walk (:mod:`paritygate.compare.walk`) over the small fact tables of
:class:`~paritygate.compare.xmltree.XmlFacts` only, never over the tree again:

* ``namespace`` — an element present on both sides whose namespace URI differs (each
  element's URI is inherited from its parent unless it sets its own, so a document moved
  to another namespace is one difference at the root), or a namespaced attribute;
* ``order`` (relation ``child-order``) — an element whose differently named children come
  in another order. Only names that occur equally often on both sides are compared (a
  missing or extra child is the walk's ``missing``/``length``), and an ``unordered`` array
  rule on the element's path turns it off: ``[[parity.arrays]] path =
  "$.ListBucketResult.Contents[*]"``, ``mode = "unordered"``.

Both honour ignore rules: an ignored element (or ancestor) is not looked at, and an
ignored child name is left out of the order.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from paritygate.compare.jsonbody import value_at
from paritygate.compare.model import Difference
from paritygate.compare.rules import CompareRules
from paritygate.compare.xmltree import Path, XmlFacts
from paritygate.core.paths import format_path

__all__ = ["xml_fact_differences"]


def _effective(table: dict[Path, str], path: Path) -> str:
    for n in range(len(path), 0, -1):
        found = table.get(path[:n])
        if found is not None:
            return found
    return ""


def _ignored(rules: CompareRules, path: Path, values: tuple[Any, ...]) -> bool:
    if not rules.has_body_ignores:
        return False
    return any(rules.body_ignored(path[:n], values) for n in range(1, len(path) + 1))


def _runs(names: list[str]) -> list[str]:
    """``a, b, b, b`` -> ``a, b ×3``: long listings stay readable."""
    out: list[str] = []
    for name in names:
        if out and (out[-1] == name or out[-1].startswith(f"{name} ×")):
            count = int(out[-1].rpartition("×")[2]) + 1 if "×" in out[-1] else 2
            out[-1] = f"{name} ×{count}"
        else:
            out.append(name)
    return out


def _namespaces(lt: Any, rt: Any, left: XmlFacts, right: XmlFacts, rules: CompareRules) -> list[Difference]:
    out: list[Difference] = []
    for table_l, table_r, inherit in (
        (left.element_ns, right.element_ns, True),
        (left.attr_ns, right.attr_ns, False),
    ):
        for path in dict.fromkeys([*table_l, *table_r]):
            if inherit:
                lns, rns = _effective(table_l, path), _effective(table_r, path)
            else:
                lns, rns = table_l.get(path, ""), table_r.get(path, "")
            if lns == rns:
                continue
            (lhas, lv), (rhas, rv) = value_at(lt, path), value_at(rt, path)
            if not (lhas and rhas) or _ignored(rules, path, (lv, rv)):
                continue
            where = format_path(path)
            out.append(
                Difference(
                    where,
                    "namespace",
                    lns or None,
                    rns or None,
                    detail=f"{where} is in namespace {lns or '(none)'} on the left, {rns or '(none)'} on the right",
                )
            )
    return out


def _order(lt: Any, rt: Any, left: XmlFacts, right: XmlFacts, rules: CompareRules) -> list[Difference]:
    out: list[Difference] = []
    for path, lseq in left.order.items():
        rseq = right.order.get(path)
        if rseq is None or rseq == lseq:
            continue
        rule = rules.array_rule(path) if rules.has_array_rules else None
        if rule is not None and rule.mode == "unordered":
            continue
        (_, lnode), (_, rnode) = value_at(lt, path), value_at(rt, path)
        if _ignored(rules, path, (lnode, rnode)):
            continue
        lcount, rcount = Counter(lseq), Counter(rseq)
        keep = {
            name
            for name in lcount
            if lcount[name] == rcount.get(name)
            and not (rules.has_body_ignores and rules.body_ignored((*path, name), (lnode[name], rnode[name])))
        }
        lnames = [n for n in lseq if n in keep]
        rnames = [n for n in rseq if n in keep]
        if lnames == rnames:
            continue
        where = format_path(path)
        out.append(
            Difference(
                where,
                "order",
                _runs(lnames),
                _runs(rnames),
                relation="child-order",
                detail=f"the children of {where} come in a different order",
            )
        )
    return out


def xml_fact_differences(
    lt: Any, rt: Any, left: XmlFacts, right: XmlFacts, rules: CompareRules
) -> list[Difference]:
    """Namespace and child-order differences of two XML documents (trees ``lt``, ``rt``)."""
    return _namespaces(lt, rt, left, right, rules) + _order(lt, rt, left, right, rules)
