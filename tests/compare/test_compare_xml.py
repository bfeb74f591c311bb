"""XML bodies: namespaces, attributes, whitespace, element vs attribute, hostile documents."""

from __future__ import annotations

from pathlib import Path

from compare_helpers import raw, xresp

from paritygate.compare import ArrayRule, CompareRules, Difference, IgnoreRule, Outcome, canonicalize, compare
from paritygate.core.paths import parse_path


def test_attribute_order_and_whitespace_do_not_matter() -> None:
    left = xresp('<order id="7" state="open">\n  <item sku="a">2</item>\n  <note>hi</note>\n</order>')
    right = xresp('<order state="open" id="7"><item sku="a">2</item><note>hi</note></order>')
    assert compare(left, right).outcome is Outcome.MATCH


def test_namespace_prefix_does_not_matter_uri_does() -> None:
    left = xresp('<a:order xmlns:a="urn:shop"><a:item>1</a:item></a:order>')
    same = xresp('<b:order xmlns:b="urn:shop"><b:item>1</b:item></b:order>')
    default = xresp('<order xmlns="urn:shop"><item>1</item></order>')
    other = xresp('<order xmlns="urn:other"><item>1</item></order>')
    assert compare(left, same).outcome is Outcome.MATCH
    assert compare(left, default).outcome is Outcome.MATCH
    attrs = xresp('<r xmlns:x="urn:x" x:id="1" plain="2"/>'), xresp('<r plain="2" xmlns:y="urn:x" y:id="1"/>')
    assert compare(*attrs).outcome is Outcome.MATCH
    assert canonicalize(attrs[0]).body == {"r": {"@id": "1", "@plain": "2"}}
    result = compare(left, other)
    assert result.outcome is Outcome.SHAPE
    # one difference at the root: the children inherit its namespace
    assert [(d.kind, d.path, d.right_path, d.left, d.right) for d in result.differences] == [
        ("namespace", "$.order", None, "urn:shop", "urn:other")
    ]
    moved = compare(xresp('<r xmlns:x="urn:x" x:id="1"/>'), xresp('<r xmlns:x="urn:y" x:id="1"/>'))
    assert [(d.kind, d.path, d.left, d.right) for d in moved.differences] == [
        ("namespace", "$.r['@id']", "urn:x", "urn:y")
    ]
    inner = compare(
        xresp('<r xmlns="urn:a"><i>1</i></r>'), xresp('<r xmlns="urn:a"><i xmlns="urn:b">1</i></r>')
    )
    assert [(d.kind, d.path, d.left, d.right) for d in inner.differences] == [
        ("namespace", "$.r.i[0]", "urn:a", "urn:b")
    ]


def test_paths_are_local_names_with_a_legend() -> None:
    body = (
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/" xmlns:x="urn:x">'
        "<Name>b</Name><Contents><Key>k</Key><x:Size>1</x:Size></Contents></ListBucketResult>"
    )
    canon = canonicalize(xresp(body))
    assert canon.body == {"ListBucketResult": {"Name": ["b"], "Contents": [{"Key": ["k"], "Size": ["1"]}]}}
    assert canon.xml is not None
    assert canon.xml.namespaces == {"": "http://s3.amazonaws.com/doc/2006-03-01/", "x": "urn:x"}
    # siblings sharing a local name in two namespaces keep their namespace in the key
    clash = canonicalize(xresp('<r xmlns:a="urn:a"><a:item>1</a:item><item>2</item></r>'))
    assert clash.body == {"r": {"{urn:a}item": ["1"], "item": ["2"]}}


def test_order_of_differently_named_children_is_compared() -> None:
    left = xresp("<r><a>1</a><b>2</b><c>3</c></r>")
    right = xresp("<r><b>2</b><a>1</a><c>3</c></r>")
    result = compare(left, right)
    assert result.outcome is Outcome.ORDER
    [diff] = result.differences
    assert (diff.path, diff.kind, diff.relation, diff.left, diff.right) == (
        "$.r",
        "order",
        "child-order",
        ["a", "b", "c"],
        ["b", "a", "c"],
    )
    assert compare(left, right, CompareRules(arrays=(ArrayRule("$.r"),))).outcome is Outcome.MATCH
    # interleaving counts; a missing child is a shape difference, not an order one
    assert compare(xresp("<r><a/><b/><a/></r>"), xresp("<r><a/><a/><b/></r>")).outcome is Outcome.ORDER
    gone = compare(xresp("<r><a/><b/><a/></r>"), xresp("<r><a/><b/></r>"))
    assert [d.kind for d in gone.differences] == ["length", "missing"]
    # an ignored child is left out of the order
    ignore_b = CompareRules(ignore=(IgnoreRule(path="$.r.b"),))
    assert compare(left, right, ignore_b).outcome is Outcome.MATCH
    deep = compare(
        xresp("<r><i><x/><y/></i><i><x/><y/></i></r>"), xresp("<r><i><x/><y/></i><i><y/><x/></i></r>")
    )
    assert [d.path for d in deep.differences] == ["$.r.i[1]"]
    assert (
        compare(
            xresp("<r><i><x/><y/></i><i><x/><y/></i></r>"),
            xresp("<r><i><x/><y/></i><i><y/><x/></i></r>"),
            CompareRules(arrays=(ArrayRule("$.r.i[*]"),)),
        ).outcome
        is Outcome.MATCH
    )


def test_last_modified_rule_ignores_it_in_any_namespace() -> None:
    left = xresp('<R xmlns="urn:one"><LastModified>2024-01-01</LastModified><Key>k</Key></R>')
    right = xresp('<R xmlns="urn:one"><LastModified>2025-05-05</LastModified><Key>k</Key></R>')
    other_ns = [
        xresp('<R xmlns="urn:two"><LastModified>2024-01-01</LastModified><Key>k</Key></R>'),
        xresp('<R xmlns="urn:two"><LastModified>2026-06-06</LastModified><Key>k</Key></R>'),
    ]
    rules = CompareRules(ignore=(IgnoreRule(path="$..LastModified"),))
    assert compare(left, right).outcome is Outcome.VALUE
    assert compare(left, right, rules).outcome is Outcome.MATCH
    assert compare(*other_ns, rules).outcome is Outcome.MATCH
    # across the two namespaces: the namespace is still its own divergence
    across = compare(left, other_ns[1], rules)
    assert [d.kind for d in across.differences] == ["namespace"]


def test_element_vs_attribute_is_shape() -> None:
    result = compare(
        xresp('<user id="7"><name>Ada</name></user>'), xresp("<user><id>7</id><name>Ada</name></user>")
    )
    assert result.outcome is Outcome.SHAPE
    assert result.differences == [
        Difference("$.user['@id']", "element_vs_attribute", "7", ["7"], "$.user.id")
    ]


def test_paths_follow_the_documented_mapping() -> None:
    left = xresp('<r><item id="1">x</item><item id="2">y</item><note>n</note></r>')
    right = xresp('<r><item id="1">x</item><item id="3">z</item><note>m</note></r>')
    result = compare(left, right)
    assert [(d.path, d.left, d.right) for d in result.differences] == [
        ("$.r.item[1]['@id']", "2", "3"),
        ("$.r.item[1]['#text']", "y", "z"),
        ("$.r.note[0]", "n", "m"),
    ]
    left_tree, right_tree = canonicalize(left).body, canonicalize(right).body
    for diff in result.differences:  # printed paths locate the values in the canonical trees
        assert parse_path(diff.path).find(left_tree) == [(parse_path(diff.path).concrete_parts(), diff.left)]
        assert parse_path(diff.path).find(right_tree)[0][1] == diff.right
    assert (
        compare(
            left, right, CompareRules(ignore=(IgnoreRule(path="$.r.item[*]"), IgnoreRule(path="$..note")))
        ).outcome
        is Outcome.MATCH
    )


def test_same_name_siblings_can_be_unordered() -> None:
    left = xresp("<r><i>1</i><i>2</i></r>")
    right = xresp("<r><i>2</i><i>1</i></r>")
    assert compare(left, right).outcome is Outcome.ORDER
    assert compare(left, right, CompareRules(arrays=(ArrayRule("$.r.i"),))).outcome is Outcome.MATCH


def test_billion_laughs_does_not_expand() -> None:
    levels = "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
    body = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{levels}]><lolz>&lol9;</lolz>'
    canon = canonicalize(xresp(body))
    # libxml2 refuses the amplification outright; the body is then compared as its raw text
    assert canon.kind == "text"
    assert canon.note is not None and "amplification" in canon.note
    assert canon.body == body.splitlines()
    # a small internal entity is kept as an unexpanded reference, never substituted
    small = canonicalize(xresp('<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>'))
    assert small.body == {"r": "&e;"}


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'
    canon = canonicalize(xresp(body))
    assert canon.body == {"r": "&x;"}
    assert "TOPSECRET" not in str(canon.body)


def test_malformed_xml_falls_back_to_text() -> None:
    canon = canonicalize(xresp("<a><b></a>"))
    assert canon.kind == "text"
    assert canon.note is not None and "declared XML but not well-formed" in canon.note


def test_too_deep_xml_falls_back_to_text() -> None:
    canon = canonicalize(raw(b"<a>" * 300 + b"</a>" * 300, "text/xml"))
    assert canon.kind == "text"


def test_plus_xml_content_type_and_sniffing() -> None:
    assert canonicalize(raw(b"<a x='1'/>", "application/atom+xml")).body == {"a": {"@x": "1"}}
    assert canonicalize(raw(b"<a>t</a>", None)).kind == "xml"
