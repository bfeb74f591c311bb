"""Text bodies line by line, binary bodies by length and SHA-256, empty bodies, reports."""

from __future__ import annotations

import hashlib

from compare_helpers import jresp, raw, tresp

from paritygate.compare import Difference, Outcome, Response, body_for_report, canonicalize, compare


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


def test_text_line_endings_are_not_compared() -> None:
    assert compare(tresp("a\r\nb\r\n"), tresp("a\nb")).outcome is Outcome.MATCH


def test_text_charset_is_honoured() -> None:
    canon = canonicalize(raw("grüße".encode("latin-1"), "text/plain; charset=ISO-8859-1"))
    assert canon.body == ["grüße"]


def test_bytes_by_length_and_digest() -> None:
    a, b = b"\x00\x01\x02", b"\x00\x01\x03"
    result = compare(raw(a, "application/octet-stream"), raw(b, "application/octet-stream"))
    assert result.outcome is Outcome.VALUE
    assert result.differences == [
        Difference("$.sha256", "value", hashlib.sha256(a).hexdigest(), hashlib.sha256(b).hexdigest())
    ]
    longer = compare(raw(a, "image/png"), raw(a + b"\x04", "image/png"))
    assert [d.path for d in longer.differences] == ["$.length", "$.sha256"]
    assert compare(raw(a, "image/png"), raw(a, "image/png")).outcome is Outcome.MATCH


def test_body_kinds_differ_is_shape() -> None:
    result = compare(jresp({"a": 1}), tresp("a=1"))
    assert result.differences == [
        Difference("header:content-type", "header", "application/json", "text/plain; charset=utf-8"),
        Difference("$", "body_kind", "json", "text"),
    ]
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
    assert body_for_report(Response(204)) == ""
    blob = b"\xff\xd8\xff\x00"
    assert body_for_report(raw(blob, "image/jpeg")) == f"<4 bytes sha256:{hashlib.sha256(blob).hexdigest()}>"
