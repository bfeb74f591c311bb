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

Names are the local name, or ``{namespace-uri}local`` (Clark notation) inside a namespace,
so the prefix never matters and a different URI is a different name:
``$['{urn:x}order']['{urn:x}item'][0]['@id']``. Attributes are an unordered map.
Children of different names are compared as a map (their relative order is not compared);
children of the same name are a list, ordered unless an array rule says otherwise.
Text pieces that are only whitespace are ignored; comments and processing instructions
are dropped.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

__all__ = ["XmlBodyError", "parse_xml"]


class XmlBodyError(ValueError):
    """The body is not well-formed XML (or exceeds the safe parser's limits)."""


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


def parse_xml(body: bytes) -> dict[str, Any]:
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlBodyError(str(exc)) from None
    return {str(root.tag): _element(root)}


def _element(elem: etree._Element) -> Any:
    out: dict[str, Any] = {f"@{name}": value for name, value in elem.attrib.items()}
    pieces = [elem.text] if elem.text else []
    for child in elem:
        if isinstance(child, etree._Entity):
            pieces.append(f"&{child.name};")  # an unresolved reference stays a reference
        elif isinstance(child.tag, str):
            out.setdefault(child.tag, []).append(_element(child))
        if child.tail:
            pieces.append(child.tail)
    text = "".join(p for p in pieces if p.strip())
    if not out:
        return text
    if text:
        out["#text"] = text
    return out
