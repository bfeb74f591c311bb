"""One request exactly as it goes on the wire: URL, header list and body bytes.

The probe builds every request itself, so what a target receives does not depend on
the client that sends it: the request target is percent-encoded by ``httpx.URL`` (as
the probe always did) and sent as is, and the header list is the one the httpx sender
used to send, in its order — ``Host``, ``Accept: */*``, ``Accept-Encoding: gzip,
deflate``, ``Connection: keep-alive``, its ``User-Agent``, then the case's headers
(a case header of the same name replaces a default), ``Content-Length`` for a body
(and ``0`` for an empty POST, PUT or PATCH). Nothing else is added: no
``Content-Type`` the case did not write. Auth (:mod:`paritygate.probe.auth`) edits
this list last, so a signature covers exactly what is sent.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx

__all__ = ["DEFAULT_HEADERS", "OutgoingRequest", "build_request"]

# What the httpx sender sent with every request; kept byte for byte (User-Agent included)
# so that moving the probe to another client changes nothing a target can see.
DEFAULT_HEADERS: tuple[tuple[str, str], ...] = (
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip, deflate"),  # what the probe decodes (see probe.wire)
    ("Connection", "keep-alive"),
    ("User-Agent", f"python-httpx/{httpx.__version__}"),
)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(slots=True)
class OutgoingRequest:
    """A request ready to send: ``url`` is absolute and already percent-encoded."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    content: bytes

    def get(self, name: str) -> str | None:
        key = name.lower()
        return next((v for k, v in self.headers if k.lower() == key), None)

    def set(self, name: str, value: str) -> None:
        """Replace the first header of that name in place and drop the others; else append."""
        key = name.lower()
        kept: list[tuple[str, str]] = []
        placed = False
        for k, v in self.headers:
            if k.lower() != key:
                kept.append((k, v))
            elif not placed:
                kept.append((name, value))
                placed = True
        if not placed:
            kept.append((name, value))
        self.headers = kept

    def pop(self, name: str) -> None:
        key = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != key]

    def merged(self) -> dict[str, str]:
        """Lower-cased names, repeated headers joined by ", " (what a signer reads)."""
        out: dict[str, str] = {}
        for k, v in self.headers:
            key = k.lower()
            out[key] = f"{out[key]}, {v}" if key in out else v
        return out


@functools.lru_cache(maxsize=4096)
def _locate(url: str, query: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str, str]:
    """(the encoded absolute URL, its Host header); a case's query replaces one in its path."""
    parsed = httpx.URL(url, params={k: list(vs) for k, vs in query}) if query else httpx.URL(url)
    # no fragment: it is never sent
    return str(parsed.copy_with(fragment=None)), parsed.netloc.decode("ascii")


def build_request(
    method: str,
    url: str,
    query: Mapping[str, Iterable[str]],
    headers: Mapping[str, str],
    content: bytes | None,
    cookie: str | None = None,
) -> OutgoingRequest:
    """The request for ``url`` (base URL + path) with the probe's default headers."""
    target, host = _locate(url, tuple((k, tuple(vs)) for k, vs in query.items()))
    own = {k.lower() for k in headers}
    out = [(k, v) for k, v in DEFAULT_HEADERS if k.lower() not in own]
    out.extend(headers.items())
    if cookie is not None and "cookie" not in own:
        out.append(("Cookie", cookie))
    body = content or b""
    if body and "content-length" not in own:
        out.append(("Content-Length", str(len(body))))
    front: list[tuple[str, str]] = []
    if "host" not in own:
        front.append(("Host", host))
    if not body and method in _BODY_METHODS and not own & {"content-length", "transfer-encoding"}:
        front.append(("Content-Length", "0"))
    return OutgoingRequest(method, target, front + out, body)
