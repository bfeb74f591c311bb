"""Send one case to every target at the same time.

This is the one place requests are sent. Each target gets its own
:class:`RequestSpec` (a scenario step carries the values that target issued), its own
auth, applied to the final request on every attempt (a SigV4 signature is bound to
host, time and body), and its own cookies (kept per target, as a browser would: two
targets on one host never see each other's). Requests are built byte for byte by
:mod:`paritygate.probe.request` and sent by :mod:`paritygate.probe.wire` (aiohttp,
one keep-alive pool per target; an ``httpx`` transport when one is given).
Concurrency is bounded by a gate counted in *case sends* (:mod:`paritygate.probe.gate`):
one slot sends a case to all targets at once, so every target sees the request at the
same moment; past 16, more slots open only while they raise the rate.
Redirects are not followed (a redirect is an answer to compare) and nothing is
retried unless asked, and then only a failure to answer: a retry would hide exactly
the flakiness parity should show.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from paritygate.compare.model import Response
from paritygate.probe.auth import RequestAuth
from paritygate.probe.bodies import DEFAULT_MAX_BODY_BYTES, BodySink
from paritygate.probe.cases import Case, RequestSpec
from paritygate.probe.gate import InFlightGate
from paritygate.probe.request import OutgoingRequest, build_request
from paritygate.probe.wire import TRANSPORT_ERRORS, AiohttpWire, TransportWire, Wire, describe_transport_error

__all__ = ["Prober", "describe_transport_error"]

# A probe allocates a few hundred objects per request (client, event loop, answers) and
# keeps every answer until the run is compared: with the default threshold (700) the
# cyclic collector ran every couple of cases and took a fifth of the probe's time
# (measured with benchmarks/bench_probe.py). While any prober is open it runs every
# GC_THRESHOLD allocations instead; the previous setting comes back when the last closes.
GC_THRESHOLD = 20_000
_gc_saved: list[tuple[int, int, int]] = []  # the setting before the first open prober
_gc_open = 0


def _gc_relax() -> None:
    global _gc_open
    if _gc_open == 0:
        saved = gc.get_threshold()
        _gc_saved[:] = [saved]
        gc.set_threshold(max(saved[0], GC_THRESHOLD), saved[1], saved[2])
    _gc_open += 1


def _gc_restore() -> None:
    global _gc_open
    _gc_open -= 1
    if _gc_open == 0 and _gc_saved:
        gc.set_threshold(*_gc_saved.pop())


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
        self.gate = InFlightGate(concurrency)
        self._wire: Wire = (
            TransportWire(transport)
            if transport is not None
            else AiohttpWire(self.targets, connections=concurrency, timeout=timeout)
        )
        # the cookies each target set, sent back to that target only, by the cookie
        # policy the httpx sender used (the standard library's http.cookiejar)
        self._cookies = {name: httpx.Cookies() for name in self.targets}
        self._set_cookies: set[str] = set()  # the targets that set one (the others cost nothing)

    async def __aenter__(self) -> Prober:
        await self._wire.open()
        _gc_relax()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _gc_restore()
        await self._wire.close()

    async def send(self, case: Case) -> dict[str, Response]:
        """Send ``case`` (no variables) to every target at once; one Response (or error) per target."""
        spec = case.render({})
        return await self.send_each(dict.fromkeys(self.targets, spec))

    async def send_each(self, specs: Mapping[str, RequestSpec]) -> dict[str, Response]:
        """Send each target its own request, all at once; only the targets named in ``specs``."""
        names = list(specs)
        async with self.gate:
            answers = await asyncio.gather(*(self._send_one(n, specs[n]) for n in names))
        return dict(zip(names, answers, strict=True))

    def _build(self, target: str, spec: RequestSpec) -> OutgoingRequest:
        url = self.targets[target] + spec.path
        cookie = None
        if target in self._set_cookies:
            probe = httpx.Request(spec.method, url)
            self._cookies[target].set_cookie_header(probe)
            cookie = probe.headers.get("cookie")
        request = build_request(spec.method, url, spec.query, spec.headers, spec.content, cookie)
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
                status, headers = await self._wire.exchange(target, request, sink)
            except TRANSPORT_ERRORS as exc:  # no answer, or a body that cannot be decoded
                sink.discard()
                if attempt < self.retries:
                    attempt += 1
                    continue
                elapsed = (time.perf_counter() - start) * 1000
                return Response(
                    status=None, elapsed_ms=elapsed, error=describe_transport_error(exc, self.timeout)
                )
            elapsed = (time.perf_counter() - start) * 1000
            if any(k == "set-cookie" for k, _ in headers):
                sent = httpx.Request(request.method, request.url)
                self._cookies[target].extract_cookies(httpx.Response(status, headers=headers, request=sent))
                self._set_cookies.add(target)
            return sink.finish(Response(status=status, headers=headers, elapsed_ms=elapsed))
