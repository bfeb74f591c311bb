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
    assert canonicalize(attrs[0]).body == {"r": {"@{urn:x}id": "1", "@plain": "2"}}
    result = compare(left, other)
    assert result.outcome is Outcome.SHAPE
    first = result.differences[0]
    assert (first.kind, first.path, first.right_path) == (
        "namespace",
        "$['{urn:shop}order']",
        "$['{urn:other}order']",
    )
    assert (first.left, first.right) == ("urn:shop", "urn:other")


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
