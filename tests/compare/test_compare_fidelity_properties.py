"""Properties of body fidelity (Hypothesis): bytes decide text and opaque bodies, JSON is
compared as JSON under every dialect and formatting, a repeated key never matches, XML
child order is compared unless a rule says otherwise."""

from __future__ import annotations

import json
from typing import Any

from compare_helpers import raw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_compare_properties import documents

from paritygate.compare import ArrayRule, CompareRules, Outcome, compare
from paritygate.compare.jsonbody import _find_repeats, loads_json
from paritygate.compare.opaque import first_difference

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text built from pieces that stress the byte facts: line breaks of every style, a BOM,
# bytes invalid in UTF-8, and a literal backslash escape that looks like one.
pieces = st.sampled_from(
    [b"a", b"b", b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\xc3", b"\xc4", b"\\xc3", b"\xc3\xa9", b" ", b""]
)
texts = st.lists(pieces, max_size=8).map(b"".join)


@SETTINGS
@given(texts, texts, st.sampled_from(["text/plain", "text/plain; charset=utf-8", "text/csv"]))
def test_text_matches_iff_the_bytes_are_equal(a: bytes, b: bytes, media: str) -> None:
    result = compare(raw(a, media), raw(b, media))
    if a == b:
        assert result.outcome is Outcome.MATCH
    else:
        # not necessarily kind "text" (a JSON-looking text is never built here), never a match
        assert result.outcome is not Outcome.MATCH, (a, b)
        assert all(d.path.startswith("$") for d in result.differences)


@SETTINGS
@given(st.binary(max_size=64), st.binary(max_size=64))
def test_opaque_bodies_match_iff_equal_and_the_offset_is_the_first_difference(a: bytes, b: bytes) -> None:
    result = compare(raw(a, "application/octet-stream"), raw(b, "application/octet-stream"))
    expected = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    if a == b:
        assert result.outcome is Outcome.MATCH
        return
    if not a or not b:
        assert [d.kind for d in result.differences] == ["body_kind"]  # one side has no body
        return
    [diff] = result.differences
    assert first_difference(a, b) == expected
    assert diff.path == "$" and diff.relation == "opaque"
    assert (diff.left["length"], diff.right["length"]) == (len(a), len(b))
    shown = diff.left["at"]
    assert shown <= expected < shown + 24 or expected == min(len(a), len(b))


@SETTINGS
@given(
    documents,
    st.sampled_from(["application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/problem+json"]),
    st.sampled_from([None, 0, 2]),
    st.booleans(),
)
def test_json_dialects_compare_as_json_whatever_the_formatting(
    doc: Any, media: str, indent: int | None, sort: bool
) -> None:
    compact = json.dumps(doc, separators=(",", ":")).encode()
    spaced = json.dumps(doc, indent=indent, sort_keys=sort, ensure_ascii=sort).encode()
    assert compare(raw(compact, media), raw(spaced, media)).outcome is Outcome.MATCH


objects = st.dictionaries(st.text(max_size=4), documents, min_size=1, max_size=5)


@SETTINGS
@given(objects, documents, st.data())
def test_a_repeated_key_is_never_a_match(obj: dict[str, Any], extra: Any, data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(obj)))
    plain = json.dumps(obj).encode()
    # the same object with `key` given once more, before its real value
    repeated = b"{" + json.dumps(key).encode() + b":" + json.dumps(extra).encode() + b"," + plain[1:]
    result = compare(raw(repeated, "application/json"), raw(plain, "application/json"))
    assert result.outcome is not Outcome.MATCH
    [diff] = [d for d in result.differences if d.kind == "duplicate_key"]
    assert diff.left == [extra, obj[key]]


def _escaping_colons(value: Any) -> str:
    """JSON text of ``value`` whose strings write every ``:`` as ``\\u003a``."""
    if isinstance(value, str):
        return json.dumps(value).replace(":", "\\u003a")
    if isinstance(value, list):
        return "[" + ",".join(_escaping_colons(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_escaping_colons(k)}:{_escaping_colons(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@SETTINGS
@given(documents, st.booleans())
def test_the_cheap_repeat_check_never_misses(doc: Any, repeat: bool) -> None:
    text = _escaping_colons(doc)
    if repeat and isinstance(doc, dict) and doc:
        key = next(iter(doc))
        text = "{" + _escaping_colons(key) + ":" + _escaping_colons(doc[key]) + "," + text[1:]
    tree, repeats = loads_json(text.encode())
    assert json.loads(text) == tree or tree != tree  # NaN never occurs; -0.0 == 0.0
    assert repeats == _find_repeats(text)
    assert bool(repeats) == (repeat and isinstance(doc, dict) and bool(doc))


names = st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=2, max_size=6, unique=True)


@SETTINGS
@given(names, st.permutations(range(6)))
def test_xml_child_order_is_compared_unless_unordered(children: list[str], order: list[int]) -> None:
    shuffled = [children[i] for i in order if i < len(children)]
    doc = "<r>" + "".join(f"<{n}>{n}</{n}>" for n in children) + "</r>"
    other = "<r>" + "".join(f"<{n}>{n}</{n}>" for n in shuffled) + "</r>"
    result = compare(raw(doc.encode(), "application/xml"), raw(other.encode(), "application/xml"))
    assert result.outcome is (Outcome.MATCH if shuffled == children else Outcome.ORDER)
    unordered = CompareRules(arrays=(ArrayRule("$.r"),))
    left, right = raw(doc.encode(), "text/xml"), raw(other.encode(), "text/xml")
    assert compare(left, right, unordered).outcome is Outcome.MATCH
