"""Turn a HAR capture (HTTP Archive 1.2, as browsers and proxies export it) into parity cases.

Hop-by-hop headers (they describe one connection, not the request) and credentials
(they must not land in a file that is committed) are dropped unless asked to keep them.
A binary body (``postData`` with ``"encoding": "base64"``) becomes ``body_base64``, so
it is sent byte for byte instead of being dropped or re-encoded as text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from paritygate.config.base import HttpMethod, header_problem, path_problem
from paritygate.config.diagnostics import first_problem, read_user_text
from paritygate.errors import ConfigError
from paritygate.probe.cases import Case

__all__ = ["AUTH_HEADERS", "HOP_BY_HOP_HEADERS", "HarImport", "import_har", "is_auth_header"]

HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
AUTH_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
        "x-xsrf-token",
        "x-amz-security-token",
    }
)
# Header names that look like they carry a credential even when not in the list above.
_SECRET_LOOKING = re.compile(r"api[-_]?key|token|secret|passw|session|credential")
_SLUG = re.compile(r"[^a-z0-9]+")


def is_auth_header(name: str) -> bool:
    lower = name.lower()
    return lower in AUTH_HEADERS or bool(_SECRET_LOOKING.search(lower))


def _is_hop_by_hop(name: str, listed_in_connection: set[str]) -> bool:
    lower = name.lower()
    return lower in HOP_BY_HOP_HEADERS or lower.startswith("proxy-") or lower in listed_in_connection


def _dropped(lower: str, keep_auth: bool, keep_hop: bool, connection_listed: set[str]) -> bool:
    if lower.startswith(":"):  # HTTP/2 pseudo-headers are not headers
        return True
    if is_auth_header(lower):
        return not keep_auth  # proxy-authorization is a credential first, hop-by-hop second
    return not keep_hop and _is_hop_by_hop(lower, connection_listed)


class _NameValue(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    value: str


class _PostData(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    mimeType: str = ""
    text: str | None = None
    params: list[_NameValue] = Field(default_factory=list)
    encoding: str | None = None  # not in HAR 1.2 for requests, but tools write "base64" for binary bodies


class _Request(BaseModel):
    # field names are HAR's own keys (camelCase)
    model_config = ConfigDict(extra="allow", strict=True)
    method: HttpMethod
    url: str
    headers: list[_NameValue] = Field(default_factory=list)
    queryString: list[_NameValue] = Field(default_factory=list)
    postData: _PostData | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not urlsplit(value).scheme:
            raise ValueError(f"expected an absolute URL, got {value!r}")
        return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    request: _Request


class _Log(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    entries: list[_Entry]


class _Har(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    log: _Log


@dataclass(slots=True)
class HarImport:
    cases: list[Case]
    dropped_headers: Counter[str] = field(default_factory=Counter)  # lower-case name -> times dropped
    skipped: list[str] = field(default_factory=list)  # entries that are not HTTP requests, and why


def _case_name(method: str, path: str, taken: set[str]) -> str:
    slug = _SLUG.sub("_", path.lower()).strip("_") or "root"
    base = f"{method.lower()}_{slug}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


class _BodyProblem(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


@dataclass(slots=True)
class _Body:
    json: Any = None
    has_json: bool = False
    text: str | None = None
    raw: bytes | None = None  # a binary body: written as body_base64, sent byte for byte


def _body(request: _Request, headers: dict[str, str], where: str) -> _Body:
    """The body of a request's postData: JSON, exact text, or exact bytes."""
    post = request.postData
    if post is None:
        return _Body()
    mime = post.mimeType.split(";")[0].strip().lower()
    has_type = any(k.lower() == "content-type" for k in headers)
    if post.encoding is not None and post.text is not None:
        if post.encoding.lower() != "base64":
            raise _BodyProblem(
                f"{where}.postData.encoding", f"unknown encoding {post.encoding!r} (expected base64)"
            )
        try:
            raw = base64.b64decode(post.text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _BodyProblem(f"{where}.postData.text", f"not valid base64 ({exc})") from None
        if post.mimeType and not has_type and not header_problem("content-type", post.mimeType):
            headers["content-type"] = post.mimeType
        return _Body(raw=raw)
    if post.text is None and post.params:
        text: str | None = urlencode([(p.name, p.value) for p in post.params])
    else:
        text = post.text
    if text is None or (text == "" and not mime):
        return _Body()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            return _Body(json=orjson.loads(text), has_json=True)
        except orjson.JSONDecodeError:
            pass  # not really JSON: keep the exact text
    if post.mimeType and not has_type and not header_problem("content-type", post.mimeType):
        headers["content-type"] = post.mimeType
    return _Body(text=text)


def _to_case(
    request: _Request, taken: set[str], keep_auth: bool, keep_hop: bool, dropped: Counter[str], where: str
) -> Case:
    parts = urlsplit(request.url)
    path = parts.path or "/"
    query_pairs = (
        parse_qsl(parts.query, keep_blank_values=True)
        if parts.query
        else [(q.name, q.value) for q in request.queryString]
    )
    query: dict[str, list[str]] = {}
    for name, value in query_pairs:
        query.setdefault(name, []).append(value)
    connection_listed = {
        token.strip().lower()
        for h in request.headers
        if h.name.lower() == "connection"
        for token in h.value.split(",")
        if token.strip()
    }
    headers: dict[str, str] = {}
    for h in request.headers:
        lower = h.name.lower()
        if _dropped(lower, keep_auth, keep_hop, connection_listed) or header_problem(h.name, h.value):
            dropped[lower] += 1  # also text a header cannot carry (an empty name, CR/LF, non-Latin-1)
        elif lower in headers:
            headers[lower] += f", {h.value}"  # repeated header lines fold into one
        else:
            headers[lower] = h.value
    body = _body(request, headers, where)
    return Case(
        name=_case_name(request.method, path, taken),
        method=request.method,
        path=path,
        query=query,
        headers=headers,
        json=body.json,
        has_json=body.has_json,
        body=body.text,
        body_bytes=body.raw,
        tags=["har"],
    )


def import_har(path: Path, *, keep_auth: bool = False, keep_hop_by_hop: bool = False) -> HarImport:
    """Read a HAR file; a malformed one is one ConfigError naming the entry and the key."""
    text = read_user_text(path, "HAR file")
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=path, line=exc.lineno
        ) from None
    try:
        har = _Har.model_validate(doc)
    except ValidationError as exc:
        problem = first_problem(exc, _Har)
        raise ConfigError(
            problem.message,
            file=path,
            key=problem.key,
            hint='a HAR file is {"log": {"entries": [{"request": ...}]}}',
        ) from None
    result = HarImport(cases=[])
    taken: set[str] = set()
    for index, entry in enumerate(har.log.entries):
        parts = urlsplit(entry.request.url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            result.skipped.append(f"log.entries[{index}]: {scheme}: URL is not an HTTP request")
            continue
        unsendable = path_problem(parts.path)
        if unsendable is not None:
            result.skipped.append(f"log.entries[{index}]: {unsendable}")
            continue
        try:
            case = _to_case(
                entry.request,
                taken,
                keep_auth,
                keep_hop_by_hop,
                result.dropped_headers,
                f"log.entries[{index}].request",
            )
        except _BodyProblem as exc:
            raise ConfigError(exc.message, file=path, key=exc.key) from None
        result.cases.append(case)
    if not result.cases:
        raise ConfigError("no HTTP request in the capture", file=path, key="log.entries")
    return result
