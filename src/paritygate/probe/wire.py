"""The clients that put a built request on the wire, and what their failures are called.

:class:`AiohttpWire` is the probe's sender: one ``aiohttp`` session per target, each
with its own keep-alive connection pool sized to the concurrency (a case goes to every
target at once, so a target never has more than ``concurrency`` requests in flight).
It replaced ``httpx``, whose connection-pool bookkeeping made the probe slower the
more cases were in flight. It follows no redirect, reads no proxy setting from the
environment, adds no header of its own (``probe.request`` wrote them all) and sends
the request target as built. Bodies are decoded as the httpx sender decoded them
(``gzip`` and ``deflate``, which it advertises): a body that contradicts its
``Content-Encoding`` is an ``undecodable`` error answer.

:class:`TransportWire` sends through an ``httpx`` transport instead, e.g.
``httpx.MockTransport`` in tests or an in-process app, with the same requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import aiohttp
import httpx
from yarl import URL

from paritygate.probe.bodies import BodySink
from paritygate.probe.request import OutgoingRequest

__all__ = ["TRANSPORT_ERRORS", "AiohttpWire", "TransportWire", "Wire", "describe_transport_error"]

# what a target's failure to answer raises (never a bug of the probe): retried when asked
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx.RequestError, aiohttp.ClientError, TimeoutError)

_MAX_HEAD = 65536
Answer = tuple[int, list[tuple[str, str]]]  # status, headers as received (names lower-cased)


class Wire(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def exchange(self, target: str, request: OutgoingRequest, sink: BodySink) -> Answer:
        """Send ``request``, feed its answer's body to ``sink``; raises TRANSPORT_ERRORS."""
        ...


def decode_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Names lower-cased; values ASCII, else UTF-8, else Latin-1 (as httpx read them)."""
    pairs = list(raw)
    for encoding in ("ascii", "utf-8"):
        try:
            return [(k.decode(encoding).lower(), v.decode(encoding)) for k, v in pairs]
        except UnicodeDecodeError:
            continue
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in pairs]


class AiohttpWire:
    """One ``aiohttp.ClientSession`` (and connection pool) per target."""

    def __init__(self, targets: Iterable[str], *, connections: int, timeout: float) -> None:
        self._names = list(targets)
        self._connections = connections
        # like httpx.Timeout(t): t to connect, t between reads; no limit on the whole exchange
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    async def open(self) -> None:
        for name in self._names:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=0,
                keepalive_timeout=5.0,  # httpx's keepalive_expiry: idle longer, and it is closed
                resolver=aiohttp.ThreadedResolver(),  # the system's resolver, as httpx used
            )
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                trust_env=False,  # never route loopback probes through a proxy from the environment
                cookie_jar=aiohttp.DummyCookieJar(),  # cookies are the prober's (per target)
                # probe.request wrote every header; aiohttp must add none (no Content-Type
                # the case did not write, no User-Agent or Accept of its own)
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
                auto_decompress=True,
                requote_redirect_url=False,
                # aiohttp refuses a header line over 8 KiB; httpx read heads up to 64 KiB
                max_line_size=_MAX_HEAD,
                max_field_size=_MAX_HEAD,
            )
            # aiohttp re-sends an idempotent request once when the server drops the
            # connection; a probe never retries what it was not told to (no public switch)
            session._retry_connection = False
            self._sessions[name] = session

    async def close(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for session in sessions.values():
            await session.close()

    async def exchange(self, target: str, request: OutgoingRequest, sink: BodySink) -> Answer:
        session = self._sessions[target]
        async with session.request(
            request.method,
            URL(request.url, encoded=True),  # encoded=True: sent exactly as built
            headers=request.headers,
            data=request.content or None,
            allow_redirects=False,
        ) as answer:
            headers = decode_headers(answer.raw_headers)
            length = answer.content_length
            if length is not None and length <= sink.limit and "Content-Encoding" not in answer.headers:
                sink.feed(await answer.read())  # known to fit: one read, no chunk loop
            else:
                async for chunk in answer.content.iter_any():
                    sink.feed(chunk)
            return answer.status, headers


class TransportWire:
    """Sends through an ``httpx`` transport, reading bodies as ``httpx`` decodes them."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def open(self) -> None:
        await self._transport.__aenter__()

    async def close(self) -> None:
        await self._transport.__aexit__(None, None, None)

    async def exchange(self, target: str, request: OutgoingRequest, sink: BodySink) -> Answer:
        sent = httpx.Request(request.method, request.url, headers=request.headers, content=request.content)
        answer = await self._transport.handle_async_request(sent)
        answer.request = sent
        try:
            async for chunk in answer.aiter_bytes():
                sink.feed(chunk)
        finally:
            await answer.aclose()
        return answer.status_code, decode_headers(answer.headers.raw)


def describe_transport_error(exc: BaseException, timeout: float) -> str:
    """A short, stable label first ("timeout", "refused", ...) then the detail."""
    # a client often wraps a bare exception: its message is empty, the cause's is not
    cause = exc.__cause__ or exc.__context__
    detail = str(exc) or (str(cause) if cause is not None else "") or "no detail from the transport"
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"timeout: no answer within {timeout:g}s ({name})"
    if isinstance(exc, httpx.ConnectError | aiohttp.ClientConnectorError):
        return f"refused: {detail}"
    if isinstance(exc, httpx.DecodingError) or (
        isinstance(exc, aiohttp.ClientPayloadError) and "content-encoding" in detail.lower()
    ):
        return f"undecodable: {detail} (the body does not match its Content-Encoding)"
    if isinstance(
        exc, httpx.RemoteProtocolError | aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError
    ):
        return f"reset: {detail}"
    if isinstance(exc, httpx.ReadError | aiohttp.ClientPayloadError):
        return f"reset: the connection was dropped while reading the answer ({name}: {detail})"
    if isinstance(exc, httpx.WriteError):
        return f"reset: the connection was dropped while sending the request ({name}: {detail})"
    if isinstance(exc, aiohttp.ClientOSError):  # aiohttp does not say which side it was on
        return f"reset: the connection was dropped ({name}: {detail})"
    return f"{name}: {detail}"
