"""One canonical form per response before anything is diffed.

* status: as received.
* headers: names lower-cased, repeated headers joined with ", "; the allow-listed ones
  (``CompareRules.headers``) are compared, every other one is only recorded. A
  content-type value is normalised (lower-case type and charset, no stray spaces).
* body, by content type: JSON (``application/json``, ``*+json``) parsed with orjson;
  XML (``application/xml``, ``text/xml``, ``*+xml``) via :mod:`paritygate.compare.xmltree`;
  ``text/*`` as its list of lines (so a line is ``$[3]``; line endings and a final
  newline are not compared); anything else as ``{"length": N, "sha256": "..."}``; no
  body at all is kind ``empty``. A body that claims JSON or XML but does not parse is
  compared as text and the fallback is recorded in ``Canonical.note``. Without a
  content type the body is sniffed (JSON object/array, XML, UTF-8 text, else bytes).

orjson reads integers beyond 64 bits as floats and stops at 1024 levels of nesting (such
a body is compared as text, with a note).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from paritygate.compare.model import BodyKind, Canonical, Response
from paritygate.compare.rules import CompareRules
from paritygate.compare.xmltree import XmlBodyError, parse_xml

__all__ = ["body_for_report", "canonicalize", "declared_kind", "normalize_headers"]


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    head, *params = content_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        if name.strip():
            parsed[name.strip().lower()] = value.strip().strip('"')
    return head.strip().lower(), parsed


def _normalize_content_type(value: str) -> str:
    media, params = _media_type(value)
    if "charset" in params:
        params["charset"] = params["charset"].lower()
    return "; ".join([media, *(f"{k}={v}" for k, v in params.items())])


def normalize_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names, repeated headers joined with ", " in the order received."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.strip().lower()
        value = value.strip()
        if key == "content-type":
            value = _normalize_content_type(value)
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def declared_kind(content_type: str) -> BodyKind | None:
    """The body kind a content type asks for; None when there is no content type."""
    media, _ = _media_type(content_type)
    if not media:
        return None
    if media in ("application/json", "text/json") or media.endswith("+json"):
        return "json"
    if media in ("application/xml", "text/xml") or media.endswith("+xml"):
        return "xml"
    if media.startswith("text/"):
        return "text"
    return "bytes"


def _charset(content_type: str) -> str:
    charset = _media_type(content_type)[1].get("charset", "utf-8")
    try:
        "".encode(charset)
    except LookupError:
        return "utf-8"
    return charset


def _digest(body: bytes) -> dict[str, Any]:
    return {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def _parse_body(body: bytes, content_type: str) -> tuple[BodyKind, Any, str | None]:
    """(kind, tree, note) for a non-empty body."""
    kind = declared_kind(content_type)
    if kind is None:
        return _sniff(body)
    if kind == "json":
        try:
            return "json", orjson.loads(body), None
        except orjson.JSONDecodeError as exc:
            return (
                "text",
                _lines(body, content_type),
                f"declared JSON but not valid JSON ({exc}); compared as text",
            )
    if kind == "xml":
        try:
            return "xml", parse_xml(body), None
        except XmlBodyError as exc:
            return (
                "text",
                _lines(body, content_type),
                f"declared XML but not well-formed ({exc}); compared as text",
            )
    if kind == "text":
        return "text", _lines(body, content_type), None
    return "bytes", _digest(body), None


def _sniff(body: bytes) -> tuple[BodyKind, Any, str | None]:
    start = body.lstrip()[:1]
    if start in (b"{", b"["):
        try:
            return "json", orjson.loads(body), "no content type; the body parsed as JSON"
        except orjson.JSONDecodeError:
            pass
    if start == b"<":
        try:
            return "xml", parse_xml(body), "no content type; the body parsed as XML"
        except XmlBodyError:
            pass
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes", _digest(body), "no content type; compared as bytes"
    return "text", text.splitlines(), "no content type; compared as text"


def _lines(body: bytes, content_type: str) -> list[str]:
    return body.decode(_charset(content_type), errors="replace").splitlines()


def canonicalize(resp: Response, rules: CompareRules | None = None) -> Canonical:
    rules = rules if rules is not None else CompareRules()
    all_headers = normalize_headers(resp.headers)
    compared = {k: v for k, v in all_headers.items() if k in rules.headers}
    recorded = {k: v for k, v in all_headers.items() if k not in rules.headers}
    if resp.error is not None or not resp.body:
        return Canonical(resp.status, compared, recorded, "empty", None, error=resp.error)
    kind, tree, note = _parse_body(resp.body, resp.content_type)
    return Canonical(resp.status, compared, recorded, kind, tree, note)


def body_for_report(resp: Response) -> Any:
    """The body as a report shows it: parsed JSON, else text, else ``<N bytes sha256:...>``."""
    if not resp.body:
        return ""
    kind = declared_kind(resp.content_type)
    if kind in ("json", None):
        try:
            return orjson.loads(resp.body)
        except orjson.JSONDecodeError:
            pass
    charset = _charset(resp.content_type) if kind in ("text", "xml", "json") else "utf-8"
    try:
        return resp.body.decode(charset)
    except UnicodeDecodeError:
        return f"<{len(resp.body)} bytes sha256:{hashlib.sha256(resp.body).hexdigest()}>"
