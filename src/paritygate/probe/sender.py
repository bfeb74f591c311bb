"""Send one case to every target at the same time, over one shared ``httpx.AsyncClient``.

This is the one place requests are built and sent. Each target gets its own
:class:`RequestSpec` (a scenario step carries the values that target issued) and its
own auth, applied to the final request on every attempt (a SigV4 signature is bound
to host, time and body). Concurrency is bounded by a semaphore counted in *case
sends*: one slot sends a case to all targets at once, so every target sees the
request at the same moment.
Redirects are not followed (a redirect is an answer to compare) and nothing is
retried unless asked: a retry would hide exactly the flakiness parity should show.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from paritygate.compare.model import Response
from paritygate.probe.auth import RequestAuth
from paritygate.probe.bodies import DEFAULT_MAX_BODY_BYTES, BodySink
from paritygate.probe.cases import Case, RequestSpec

__all__ = ["Prober", "describe_transport_error"]


def describe_transport_error(exc: httpx.RequestError, timeout: float) -> str:
    """A short, stable label first ("timeout", "refused", ...) then the detail."""
    # httpx often wraps a bare exception: its message is empty, the cause's is not
    cause = exc.__cause__ or exc.__context__
    detail = str(exc) or (str(cause) if cause is not None else "") or "no detail from the transport"
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout: no answer within {timeout:g}s ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"refused: {detail}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"reset: {detail}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        verb = "reading the answer" if isinstance(exc, httpx.ReadError) else "sending the request"
        return f"reset: the connection was dropped while {verb} ({type(exc).__name__}: {detail})"
    if isinstance(exc, httpx.DecodingError):
        return f"undecodable: {detail} (the body does not match its Content-Encoding)"
    return f"{type(exc).__name__}: {detail}"


class Prober:
    """``async with Prober(targets) as p: responses = await p.send(case)``."""

    def __init__(
        self,
        targets: Mapping[str, str],
        *,
        concurrency: int = 16,
        timeout: float = 10.0,
        retries: int = 0,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        bodies_dir: Path | None = None,
        auth: Mapping[str, RequestAuth] | None = None,
    ) -> None:
        if not targets:
            raise ValueError("no target to send to")
        self.targets = {name: url.rstrip("/") for name, url in targets.items()}
        self._auth = dict(auth or {})
        self.timeout = timeout
        self.retries = retries
        self.max_body_bytes = max_body_bytes
        self.bodies_dir = bodies_dir  # where bodies over the limit are kept (None: not kept)
        self._semaphore = asyncio.Semaphore(concurrency)
        connections = concurrency * len(self.targets)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            transport=transport,
            trust_env=False,  # never route loopback probes through a proxy from the environment
        )

    async def __aenter__(self) -> Prober:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.__aexit__(exc_type, exc, tb)

    async def send(self, case: Case) -> dict[str, Response]:
        """Send ``case`` (no variables) to every target at once; one Response (or error) per target."""
        spec = case.render({})
        return await self.send_each(dict.fromkeys(self.targets, spec))

    async def send_each(self, specs: Mapping[str, RequestSpec]) -> dict[str, Response]:
        """Send each target its own request, all at once; only the targets named in ``specs``."""
        async with self._semaphore:
            names = list(specs)
            answers = await asyncio.gather(*(self._send_one(n, specs[n]) for n in names))
        return dict(zip(names, answers, strict=True))

    def _build(self, target: str, spec: RequestSpec) -> httpx.Request:
        request = self._client.build_request(
            spec.method,
            self.targets[target] + spec.path,
            params=spec.query or None,
            headers=spec.headers,
            content=spec.content,
        )
        auth = self._auth.get(target)
        if auth is not None:
            auth.apply(request)
        return request

    async def _send_one(self, target: str, spec: RequestSpec) -> Response:
        attempt = 0
        while True:
            request = self._build(target, spec)  # per attempt: a signature carries its time
            start = time.perf_counter()
            sink = BodySink(self.max_body_bytes, self.bodies_dir)
            try:
                answer = await self._client.send(request, stream=True)
                try:
                    async for chunk in answer.aiter_bytes():
                        sink.feed(chunk)
                finally:
                    await answer.aclose()
            except httpx.RequestError as exc:  # transport failures, and bodies httpx cannot decode
                sink.discard()
                if attempt < self.retries:
                    attempt += 1
                    continue
                elapsed = (time.perf_counter() - start) * 1000
                return Response(
                    status=None, elapsed_ms=elapsed, error=describe_transport_error(exc, self.timeout)
                )
            elapsed = (time.perf_counter() - start) * 1000
            response = Response(
                status=answer.status_code,
                headers=[(k, v) for k, v in answer.headers.multi_items()],
                elapsed_ms=elapsed,
            )
            return sink.finish(response)
