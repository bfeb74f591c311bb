"""XML bodies as canonical trees, read with a safe lxml parser.

The parser never resolves entities, never loads a DTD, never touches the network and
keeps libxml2's limits (huge_tree=False: at most 256 levels, bounded text nodes), so a
billion-laughs or external-entity body is read as the unexpanded reference ``&name;``.

How an XML document maps onto the one path grammar (core.paths)::

    document            {"<root>": <element>}                   $.order
    element, text only  its text ("" when empty)                 $.order.note[0]
    element, otherwise  a dict of
        "@<attr>"         the attribute value                    $.order.item[0]['@id']
        "<child>"         list of the child elements of that     $.order.item[1]
                          name, in document order
        "#text"           the element's own text                 $.order.note[0]['#text']

Names are **local names**: the prefix never matters and the namespace is not part of the
path (``$.ListBucketResult.Contents[0].LastModified`` whatever namespace S3 declares), so
``$..LastModified`` matches in any namespace. Only where two siblings share a local name
in different namespaces are they told apart as ``{namespace-uri}local``.

What the tree leaves out is kept in :class:`XmlFacts` and compared on its own
(:mod:`paritygate.compare.xmldiff`): the namespace of each element and attribute (a
different URI is a ``namespace`` difference), and the document order of an element's
differently named children (a different order is an ``order`` difference, unless an
``unordered`` array rule names that element). Same-name children are a list, ordered
unless an array rule says otherwise. Formatting never counts: whitespace-only text,
attribute order, prefixes, quoting, ``<a/>`` vs ``<a></a>``, CDATA vs escaped text, the
XML declaration, comments and processing instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from paritygate.core.paths import PathPart

__all__ = ["XmlBodyError", "XmlFacts", "parse_xml"]

Path = tuple[PathPart, ...]


class XmlBodyError(ValueError):
    """The body is not well-formed XML (or exceeds the safe parser's limits)."""


@dataclass(slots=True)
class XmlFacts:
    """What the tree of an XML document does not show."""

    # prefix ("" for the default namespace) -> URI, as first declared: the report's legend
    namespaces: dict[str, str] = field(default_factory=dict)
    # element path -> its namespace URI ("" for none), recorded where it differs from the parent's
    element_ns: dict[Path, str] = field(default_factory=dict)
    # attribute path -> namespace URI, for namespaced attributes only
    attr_ns: dict[Path, str] = field(default_factory=dict)
    # element path -> its child keys in document order, for elements with 2+ distinct ones
    order: dict[Path, tuple[str, ...]] = field(default_factory=dict)


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not safe to share across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _split(tag: str) -> tuple[str, str]:
    """(namespace URI, local name) of a Clark-notation name."""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _keys(names: list[tuple[str, str]]) -> list[str]:
    """Local names, or Clark names where one local name occurs in several namespaces."""
    seen: dict[str, str] = {}
    clash: set[str] = set()
    for ns, local in names:
        if seen.setdefault(local, ns) != ns:
            clash.add(local)
    if not clash:
        return [local for _, local in names]
    return [f"{{{ns}}}{local}" if local in clash and ns else local for ns, local in names]


def parse_xml(body: bytes) -> tuple[dict[str, Any], XmlFacts]:
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlBodyError(str(exc)) from None
    facts = XmlFacts()
    ns, local = _split(str(root.tag))
    facts.element_ns[(local,)] = ns
    return {local: _Reader(facts).element(root, (local,), ns)}, facts


class _Reader:
    def __init__(self, facts: XmlFacts) -> None:
        self.facts = facts

    def element(self, elem: etree._Element, path: Path, ns: str) -> Any:
        facts = self.facts
        for prefix, uri in elem.nsmap.items():
            facts.namespaces.setdefault(prefix or "", uri)
        out: dict[str, Any] = {}
        if elem.attrib:
            names = [_split(str(n)) for n in elem.attrib]
            for (ans, _), key, value in zip(names, _keys(names), elem.attrib.values(), strict=True):
                out[f"@{key}"] = value
                if ans:
                    facts.attr_ns[(*path, f"@{key}")] = ans
        pieces = [elem.text] if elem.text else []
        children: list[tuple[etree._Element, str, str]] = []
        for child in elem:
            if isinstance(child, etree._Entity):
                pieces.append(f"&{child.name};")  # an unresolved reference stays a reference
            elif isinstance(child.tag, str):
                cns, clocal = _split(child.tag)
                children.append((child, cns, clocal))
            if child.tail:
                pieces.append(child.tail)
        if children:
            keys = _keys([(cns, clocal) for _, cns, clocal in children])
            for (child, cns, _), key in zip(children, keys, strict=True):
                siblings = out.setdefault(key, [])
                here = (*path, key, len(siblings))
                if cns != ns:
                    facts.element_ns[here] = cns
                siblings.append(self.element(child, here, cns))
            if len(out) - len(elem.attrib) > 1:
                facts.order[path] = tuple(keys)
        text = "".join(p for p in pieces if p.strip())
        if not out:
            return text
        if text:
            out["#text"] = text
        return out
