"""Text bodies byte-exact (lines plus byte facts), opaque bodies by offset, empty bodies, reports."""

from __future__ import annotations

import codecs
import hashlib

from compare_helpers import jresp, raw, tresp

from paritygate.compare import (
    CompareRules,
    Difference,
    IgnoreRule,
    Outcome,
    Response,
    body_for_report,
    canonicalize,
    compare,
    detect_noise,
)


def _facts(result_differences: list[Difference]) -> list[tuple[str, str | None, object, object]]:
    return [(d.path, d.relation, d.left, d.right) for d in result_differences]


def test_text_is_compared_line_by_line() -> None:
    result = compare(tresp("one\ntwo\nthree\n"), tresp("one\nTWO\nthree\n"))
    assert result.outcome is Outcome.VALUE
    assert result.differences == [Difference("$[1]", "value", "two", "TWO")]


def test_text_inserted_line_is_aligned() -> None:
    result = compare(tresp("a\nb\nc"), tresp("a\nnew\nb\nc"))
    assert [(d.path, d.kind, d.right) for d in result.differences] == [
        ("$", "length", 4),
        ("$[1]", "extra", "new"),
    ]


def test_trailing_newline_is_a_named_value_difference() -> None:
    result = compare(tresp("a"), tresp("a\n"))
    assert result.outcome is Outcome.VALUE
    assert _facts(result.differences) == [("$", "trailing-newline", "", "\n")]
    assert result.differences[0].detail == "a final line break on the right only"
    assert not result.body_match
    assert [(d.path, d.kind) for d in compare(tresp("a\n\n"), tresp("a\n")).differences] == [
        ("$", "length"),
        ("$[1]", "missing"),
    ]


def test_line_endings_are_a_named_value_difference() -> None:
    result = compare(tresp("a\r\nb\r\n"), tresp("a\nb\n"))
    assert result.outcome is Outcome.VALUE
    assert _facts(result.differences) == [("$", "line-ending", "CRLF", "LF")]
    mixed = compare(tresp("a\r\nb\nc"), tresp("a\nb\nc"))
    assert _facts(mixed.differences) == [("$", "line-ending", "mixed", "LF")]
    # the same mix of endings in other places: only the bytes can say where
    moved = compare(tresp("a\r\nb\nc"), tresp("a\nb\r\nc"))
    [diff] = moved.differences
    assert (diff.relation, diff.left["at"], diff.detail) == (
        "bytes",
        0,
        "6 vs 6 bytes, first difference at byte 1",
    )


def test_invalid_bytes_are_shown_and_named() -> None:
    result = compare(raw(b"ok\n\xc3", "text/plain"), raw(b"ok\n\xc4", "text/plain"))
    assert result.outcome is Outcome.VALUE
    assert _facts(result.differences) == [("$[1]", "invalid-byte", "\\xc3", "\\xc4")]
    # a literal backslash-x text is not the invalid byte it looks like
    literal = compare(raw(b"\\xc3", "text/plain"), raw(b"\xc3", "text/plain"))
    [diff] = literal.differences
    assert diff.relation == "invalid-byte" and diff.left["hex"] == "5c 78 63 33" and diff.right["hex"] == "c3"


def test_bom_and_encoding_are_named() -> None:
    bom = compare(raw(codecs.BOM_UTF8 + b"hi", "text/plain"), raw(b"hi", "text/plain"))
    assert _facts(bom.differences) == [("$", "bom", "UTF-8", None)]
    assert bom.differences[0].detail == "a UTF-8 byte-order mark on the left only"
    latin = raw("grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1")
    utf8 = raw("grüße".encode(), "text/plain; charset=utf-8")
    result = compare(latin, utf8)
    assert [d.kind for d in result.differences] == ["header", "value"]
    assert _facts(result.differences[1:]) == [("$", "encoding", "iso8859-1", "utf-8")]


def test_text_charset_is_honoured() -> None:
    canon = canonicalize(raw("grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1"))
    assert canon.body == ["grüße"]
    assert canon.text is not None and canon.text.charset == "iso8859-1"


def test_an_ignored_line_still_ignores_its_bytes() -> None:
    rules = CompareRules(ignore=(IgnoreRule(path="$[1]"),))
    assert compare(tresp("a\nx\n"), tresp("a\ny\n"), rules).outcome is Outcome.MATCH
    assert compare(tresp("a\nx"), tresp("a\ny\n"), rules).differences[0].relation == "trailing-newline"
    assert compare(tresp("a\nx"), tresp("a\ny\n"), CompareRules(ignore=(IgnoreRule(path="$"),))).outcome is (
        Outcome.MATCH
    )


def test_opaque_bodies_by_offset_and_excerpt() -> None:
    a, b = bytes(range(40)), bytes(range(20)) + b"\xff" + bytes(range(21, 40))
    result = compare(raw(a, "application/octet-stream"), raw(b, "application/octet-stream"))
    assert result.outcome is Outcome.VALUE
    [diff] = result.differences
    assert (diff.path, diff.kind, diff.relation) == ("$", "value", "opaque")
    assert diff.detail == "40 vs 40 bytes, first difference at byte 20"
    assert diff.left == {
        "length": 40,
        "at": 12,
        "hex": bytes(range(12, 36)).hex(" "),
        "text": "." * 20 + ' !"#',
    }
    assert diff.right["hex"].split()[8] == "ff"
    longer = compare(raw(a, "image/png"), raw(a + b"PNG", "image/png"))
    [diff] = longer.differences
    assert diff.detail == "40 vs 43 bytes, the right side goes on after byte 40"
    assert diff.right["text"].endswith("PNG")
    assert compare(raw(a, "image/png"), raw(a, "image/png")).outcome is Outcome.MATCH
    # no pseudo-paths: nothing inside an opaque body can be addressed
    assert not any(d.path != "$" for d in result.differences)


def test_body_kinds_differ_is_shape_and_explained() -> None:
    result = compare(jresp({"a": 1}), tresp("a=1"))
    assert [(d.path, d.kind) for d in result.differences] == [
        ("header:content-type", "header"),
        ("$", "body_kind"),
    ]
    assert result.differences[1].detail == (
        "the left is application/json, compared as JSON; the right is text/plain, compared as text"
    )
    assert result.outcome is Outcome.SHAPE


def test_empty_bodies_match_and_empty_vs_json_differs() -> None:
    assert compare(Response(204), Response(204)).outcome is Outcome.MATCH
    assert canonicalize(Response(204)).kind == "empty"
    assert [d.kind for d in compare(Response(200), jresp({})).differences] == ["header", "body_kind"]


def test_sniffing_without_content_type() -> None:
    assert canonicalize(raw(b'{"a": 1}', None)).kind == "json"
    assert canonicalize(raw(b"plain words", None)).kind == "text"
    assert canonicalize(raw(b"\xff\xfe\x00", None)).kind == "bytes"
    assert canonicalize(raw(b"{not json", None)).kind == "text"


def test_body_for_report() -> None:
    assert body_for_report(jresp({"a": [1]})) == {"a": [1]}
    assert body_for_report(tresp("hello")) == "hello"
    assert body_for_report(raw(b"{broken", "application/json")) == "{broken"
    assert body_for_report(raw(b'{"k":1,"k":2}', "application/json")) == '{"k":1,"k":2}'
    assert body_for_report(Response(204)) == ""
    blob = b"\xff\xd8\xff\x00"
    assert body_for_report(raw(blob, "image/jpeg")) == f"<4 bytes sha256:{hashlib.sha256(blob).hexdigest()}>"


def test_an_opaque_body_that_varies_is_never_learned_as_noise() -> None:
    # an opaque body has no paths: learning "$" would excuse nothing and suggest a rule that
    # never applies (issue #12: no suggestion for the pseudo-paths of opaque bodies)
    samples = [raw(bytes([n]) * 8, "application/octet-stream") for n in range(3)]
    assert detect_noise(samples) == []
    assert compare(samples[0], samples[1], noise=["$"]).outcome is Outcome.VALUE
