"""Helpers of the parity tests: a small project (config + cases) around the stand-in implementations."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from pathlib import Path

import httpx

from paritygate.config import LoadedConfig, load_config
from paritygate.core.models import Endpoint

HAPPY = 'json = { kind = "playbook", artifact = { fingerprint = "fp-1", operation = "fill: a" } }'
MISSING = 'json = { kind = "playbook", artifact = { operation = "fill: a" } }'
CASES = f"""\
[[cases]]
name = "happy"
method = "POST"
path = "/v1/validate"
safe = true
{HAPPY}

[[cases]]
name = "missing_fingerprint"
method = "POST"
path = "/v1/validate"
{MISSING}

[[cases]]
name = "missing_again"
method = "POST"
path = "/v1/validate"
tags = ["second"]
{MISSING}
"""

CONFIG = """\
name = "fake-validator"

[parity]
cases = "cases.toml"
tracker = "TRACKER.md"
timeout = 2.0
"""
IGNORE_ELAPSED = """
[[parity.ignore]]
path = "$.elapsed_ms"
reason = "volatile"
"""


EMPTY_TRACKER = """\
# Decisions

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
"""


def make_project(
    tmp_path: Path,
    *,
    ignore_elapsed: bool = True,
    cases: str = CASES,
    extra: str = "",
    tracker: str | None = EMPTY_TRACKER,
) -> LoadedConfig:
    """A config naming ``TRACKER.md`` (written with ``tracker`` unless None or already there)."""
    (tmp_path / "cases.toml").write_text(cases, encoding="utf-8")
    if tracker is not None and not (tmp_path / "TRACKER.md").exists():
        (tmp_path / "TRACKER.md").write_text(tracker, encoding="utf-8")
    config = CONFIG + (IGNORE_ELAPSED if ignore_elapsed else "") + extra
    (tmp_path / "paritygate.toml").write_text(config, encoding="utf-8")
    return load_config(tmp_path / "paritygate.toml")


def pick(endpoints: dict[str, Endpoint], *names: str) -> dict[str, Endpoint]:
    return {n: endpoints[n] for n in names}


RequestKey = tuple[str, str, bytes, bytes]


class GivesUpOnSilence(httpx.AsyncBaseTransport):
    """Real sockets, with the client's timer on ``silent`` replaced by an order of events.

    A request to ``silent`` on one of ``held_paths`` (which the stand-in never answers)
    fails with ``httpx.ReadTimeout`` once every other target has answered the same
    request, instead of after a wall-clock timeout: a timeout short enough to keep the
    test fast is also short enough for a loaded machine to make the answering target
    miss it. The held request really reaches the silent server, and an answer it gave
    first would be returned (and fail the test).
    """

    def __init__(self, silent: Endpoint, held_paths: set[str], peers: int = 1) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._silent = httpx.URL(silent.base_url)
        self._held_paths = held_paths
        self._peers = peers
        self._asked: Counter[RequestKey] = Counter()
        self._answered: Counter[RequestKey] = Counter()
        self._changed = asyncio.Condition()

    @staticmethod
    def _key(request: httpx.Request) -> RequestKey:
        return (request.method, request.url.path, request.url.query, request.content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = self._key(request)
        to_silent = (request.url.host, request.url.port) == (self._silent.host, self._silent.port)
        if to_silent and request.url.path in self._held_paths:
            return await self._held(request, key)
        response = await self._inner.handle_async_request(request)
        await response.aread()
        async with self._changed:
            self._answered[key] += 1
            self._changed.notify_all()
        return response

    async def _held(self, request: httpx.Request, key: RequestKey) -> httpx.Response:
        self._asked[key] += 1
        needed = self._asked[key] * self._peers  # the n-th request waits for the n-th answers

        async def peers_answered() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._answered[key] >= needed)

        held = asyncio.ensure_future(self._inner.handle_async_request(request))
        waiting = asyncio.ensure_future(peers_answered())
        try:
            await asyncio.wait({held, waiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (held, waiting):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                    await task
        if held.done() and not held.cancelled() and held.exception() is None:
            return held.result()  # the silent target answered after all
        raise httpx.ReadTimeout("the silent target held the request", request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()
