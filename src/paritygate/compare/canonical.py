"""One canonical form per response before anything is diffed.

* status: as received.
* headers: names lower-cased, repeated headers joined with ", "; the allow-listed ones
  (``CompareRules.headers``) are compared, every other one is only recorded. A
  content-type value is normalised (lower-case type and charset, no stray spaces).
* body, by declared content type (see :func:`declared_kind`):

  - JSON — ``application/json``, ``text/json``, ``*/*+json``, ``application/x-amz-json-*``
    and every ``[parity] json_types`` entry: parsed with orjson (repeated keys are found,
    :mod:`paritygate.compare.jsonbody`); ``application/x-ndjson`` (and ``ndjson``,
    ``jsonl``, ``x-jsonlines``): one record per line, as an array;
  - XML — ``application/xml``, ``text/xml``, ``*/*+xml``: :mod:`paritygate.compare.xmltree`;
  - text — ``text/*``: lines plus byte facts, byte-exact (:mod:`paritygate.compare.textbody`);
  - anything else: opaque bytes (:mod:`paritygate.compare.opaque`); no body at all is ``empty``.

  A body that claims JSON or XML but does not parse is compared as text and the fallback
  is recorded in ``Canonical.note``. Without a content type the body is sniffed (JSON
  object/array, XML, UTF-8 text, else bytes). A **generic** type (``text/plain``,
  ``application/octet-stream``, ``binary/octet-stream``, none) is compared as JSON when
  *both* bodies of a pair parse as a JSON object or array (:func:`reconcile`, with a note).

orjson reads integers beyond 64 bits as floats and stops at 1024 levels of nesting (such
a body is compared as text, with a note).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from paritygate.compare.jsonbody import JsonBodyError, loads_json, loads_ndjson
from paritygate.compare.model import BodyKind, Canonical, Response
from paritygate.compare.opaque import digest, digest_text
from paritygate.compare.rules import CompareRules, is_json_type
from paritygate.compare.textbody import decode_text
from paritygate.compare.xmltree import XmlBodyError, parse_xml

__all__ = [
    "GENERIC_TYPES",
    "body_for_report",
    "canonicalize",
    "declared_kind",
    "media_type",
    "normalize_headers",
    "reconcile",
]

# Declared types that say nothing about the body: a JSON body under one of them is JSON.
GENERIC_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_NDJSON = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    head, *params = content_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        if name.strip():
            parsed[name.strip().lower()] = value.strip().strip('"')
    return head.strip().lower(), parsed


@functools.lru_cache(maxsize=256)  # a run sees a handful of content types, once per answer
def media_type(content_type: str) -> str:
    """``"Application/JSON; charset=UTF-8"`` -> ``"application/json"``."""
    return _media_type(content_type)[0]


@functools.lru_cache(maxsize=256)
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


def _is_json_media(media: str, json_types: tuple[str, ...]) -> bool:
    return (
        media in ("application/json", "text/json")
        or media.endswith("+json")
        or media.startswith("application/x-amz-json")
        or is_json_type(media, json_types)
    )


def declared_kind(content_type: str, rules: CompareRules | None = None) -> BodyKind | None:
    """The body kind a content type asks for; None when there is no content type."""
    return _declared_kind(content_type, rules.json_types if rules is not None else ())


@functools.lru_cache(maxsize=256)  # asked for every answer; a run sees a handful of content types
def _declared_kind(content_type: str, json_types: tuple[str, ...]) -> BodyKind | None:
    media, _ = _media_type(content_type)
    if not media:
        return None
    if media in _NDJSON or _is_json_media(media, json_types):
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


# The readers below fill in the body fields of a canonical form built for them and not yet
# shared with anyone (two answers per case: no copy per answer).


def _text(canon: Canonical, content_type: str, note: str | None = None) -> Canonical:
    lines, facts = decode_text(canon.raw, _charset(content_type))
    canon.kind, canon.body, canon.text, canon.note = "text", lines, facts, note
    return canon


def _json(canon: Canonical, ndjson: bool = False, note: str | None = None) -> Canonical:
    """Raises JsonBodyError (and then leaves ``canon`` as it was)."""
    tree, repeats = loads_ndjson(canon.raw) if ndjson else loads_json(canon.raw)
    canon.kind, canon.body, canon.duplicates, canon.note = "json", tree, tuple(repeats), note
    return canon


def _xml(canon: Canonical, note: str | None = None) -> Canonical:
    """Raises XmlBodyError (and then leaves ``canon`` as it was)."""
    tree, facts = parse_xml(canon.raw)
    canon.kind, canon.body, canon.xml, canon.note = "xml", tree, facts, note
    return canon


def _bytes(canon: Canonical, note: str | None = None) -> Canonical:
    canon.kind, canon.body, canon.note = "bytes", digest(canon.raw), note
    return canon


def _parse_body(base: Canonical, content_type: str, rules: CompareRules) -> Canonical:
    kind = declared_kind(content_type, rules)
    if kind is None:
        return _sniff(base)
    if kind == "json":
        try:
            return _json(base, ndjson=base.media in _NDJSON)
        except JsonBodyError as exc:
            return _text(base, content_type, f"declared JSON but not valid JSON ({exc}); compared as text")
    if kind == "xml":
        try:
            return _xml(base)
        except XmlBodyError as exc:
            return _text(base, content_type, f"declared XML but not well-formed ({exc}); compared as text")
    if kind == "text":
        return _text(base, content_type)
    return _bytes(base)


def _sniff(base: Canonical) -> Canonical:
    start = base.raw.lstrip()[:1]
    if start in (b"{", b"["):
        try:
            return _json(base, note="no content type; the body parsed as JSON")
        except JsonBodyError:
            pass
    if start == b"<":
        try:
            return _xml(base, note="no content type; the body parsed as XML")
        except XmlBodyError:
            pass
    try:
        base.raw.decode("utf-8")
    except UnicodeDecodeError:
        return _bytes(base, "no content type; compared as bytes")
    return _text(base, "", "no content type; compared as text")


def canonicalize(resp: Response, rules: CompareRules | None = None, *, parse: bool = True) -> Canonical:
    """The canonical form of one answer. With ``parse`` False (a body byte-identical to the
    other side's, which cannot differ from it) the body is not read: the canonical keeps
    the declared kind (``bytes`` when none is declared) and no tree."""
    rules = rules if rules is not None else CompareRules()
    compared: dict[str, str] = {}
    recorded: dict[str, str] = {}
    for name, value in normalize_headers(resp.headers).items():
        (compared if name in rules.headers else recorded)[name] = value
    content_type = resp.content_type
    media = media_type(content_type)
    if resp.error is not None or not resp.body:
        return Canonical(resp.status, compared, recorded, "empty", None, error=resp.error, media=media)
    if not parse:
        kind = declared_kind(content_type, rules) or "bytes"
        return Canonical(resp.status, compared, recorded, kind, None, media=media, raw=resp.body)
    base = Canonical(resp.status, compared, recorded, "empty", None, media=media, raw=resp.body)
    return _parse_body(base, content_type, rules)


def _as_json(canon: Canonical) -> Canonical | None:
    """A generic-typed text or bytes body read as JSON, when it is a JSON object or array."""
    if canon.kind not in ("text", "bytes") or canon.media not in GENERIC_TYPES:
        return None
    if canon.raw.lstrip()[:1] not in (b"{", b"["):
        return None
    try:
        declared = canon.media or "no content type"
        note = f"declared {declared}, but both bodies parse as JSON: compared as JSON"
        return _json(dataclasses.replace(canon), note=note)  # a copy: ``canon`` is the caller's
    except JsonBodyError:
        return None


def reconcile(left: Canonical, right: Canonical) -> tuple[Canonical, Canonical]:
    """The pair as it is compared: two bodies declared generic (or one generic, one JSON)
    that both parse as JSON are compared as JSON; everything else stays as declared."""
    if left.kind == right.kind and left.kind not in ("text", "bytes"):
        return left, right
    lj = left if left.kind == "json" else _as_json(left)
    if lj is None:
        return left, right
    rj = right if right.kind == "json" else _as_json(right)
    if rj is None:
        return left, right
    return lj, rj


def describe(canon: Canonical) -> str:
    """How a body was read, for a ``body_kind`` difference: "application/json, read as JSON"."""
    declared = canon.media or "no content type"
    if canon.kind == "empty":
        return f"{declared}, no body"
    names = {"json": "JSON", "xml": "XML", "text": "text", "bytes": "opaque bytes"}
    asked = declared_kind(canon.media) if canon.media else None
    if asked in ("json", "xml") and asked != canon.kind:
        return f"{declared}, which does not parse as {names[asked]}: compared as {names[canon.kind]}"
    return f"{declared}, compared as {names[canon.kind]}"


def body_for_report(resp: Response, rules: CompareRules | None = None) -> Any:
    """The body as a report shows it: parsed JSON, else text, else ``<N bytes sha256:...>``.
    A JSON body with a repeated key is shown as its text (the parsed form would hide it).
    A body over the limit is shown as the text of its first bytes (``probe.bodies``)."""
    if not resp.body:
        return ""
    if resp.oversized:
        return resp.body.decode("utf-8", "replace")
    kind = declared_kind(resp.content_type, rules)
    if kind in ("json", None) and media_type(resp.content_type) not in _NDJSON:
        try:
            tree, repeats = loads_json(resp.body)
            if not repeats:
                return tree
        except JsonBodyError:
            pass
    if kind in ("text", "xml", "json"):  # shown as text even with invalid bytes (as \xNN)
        return resp.body.decode(_charset(resp.content_type), errors="backslashreplace")
    try:
        return resp.body.decode("utf-8")
    except UnicodeDecodeError:
        return digest_text(resp.body)
