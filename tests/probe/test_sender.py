from __future__ import annotations

import asyncio
import gc

import httpx
import orjson

from paritygate.probe import Case, Prober
from paritygate.probe.sender import GC_THRESHOLD


def case(name: str = "c", **kw: object) -> Case:
    return Case(
        name=name, method=str(kw.pop("method", "POST")), path=str(kw.pop("path", "/v1/validate")), **kw
    )  # type: ignore[arg-type]


async def test_each_case_reaches_every_target_at_the_same_time() -> None:
    arrived = {"a": asyncio.Event(), "b": asyncio.Event()}

    async def handler(request: httpx.Request) -> httpx.Response:
        me = request.url.host
        arrived[me].set()
        other = "b" if me == "a" else "a"
        # answer only once the other target has the same request in hand
        await asyncio.wait_for(arrived[other].wait(), timeout=5)
        return httpx.Response(200, json={"from": me})

    async with Prober({"a": "http://a", "b": "http://b"}, transport=httpx.MockTransport(handler)) as prober:
        answers = await prober.send(case())
    assert {n: orjson.loads(r.body) for n, r in answers.items()} == {"a": {"from": "a"}, "b": {"from": "b"}}


async def test_concurrency_bounds_cases_in_flight() -> None:
    in_flight: set[str] = set()
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal peak
        in_flight.add(request.url.path)
        peak = max(peak, len(in_flight))
        await asyncio.sleep(0.01)
        in_flight.discard(request.url.path)
        return httpx.Response(204)

    cases = [case(f"c{i}", path=f"/c{i}") for i in range(12)]
    async with Prober(
        {"a": "http://a", "b": "http://b"}, concurrency=3, transport=httpx.MockTransport(handler)
    ) as p:
        results = await asyncio.gather(*(p.send(c) for c in cases))
    assert all(r["a"].status == 204 and r["b"].status == 204 for r in results)
    assert peak == 3


async def test_transport_errors_become_error_answers_and_retries_are_opt_in() -> None:
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200)

    async with Prober({"a": "http://a"}, transport=httpx.MockTransport(handler)) as prober:
        answer = (await prober.send(case()))["a"]
    assert answer.status is None and answer.error is not None and answer.error.startswith("refused")
    calls = 0
    async with Prober({"a": "http://a"}, retries=1, transport=httpx.MockTransport(handler)) as prober:
        answer = (await prober.send(case()))["a"]
    assert answer.status == 200 and calls == 2


async def test_an_undecodable_answer_is_an_error_answer_not_a_crash() -> None:
    # A body that contradicts its Content-Encoding makes httpx raise DecodingError (not a
    # TransportError): it must become that target's error, not end the whole run.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "b":
            return httpx.Response(200, headers={"content-encoding": "gzip"}, content=b"not gzip")
        return httpx.Response(200, json={"ok": True})

    async with Prober({"a": "http://a", "b": "http://b"}, transport=httpx.MockTransport(handler)) as prober:
        answers = await prober.send(case())
    assert answers["a"].status == 200 and answers["a"].error is None
    assert answers["b"].status is None and answers["b"].error is not None
    assert answers["b"].error.startswith("undecodable: ")


async def test_the_collector_runs_less_often_only_while_probers_are_open() -> None:
    before = gc.get_threshold()
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    async with Prober({"a": "http://a"}, transport=transport) as outer:
        assert gc.get_threshold()[0] >= GC_THRESHOLD and gc.get_threshold()[1:] == before[1:]
        async with Prober({"b": "http://b"}, transport=transport):
            assert gc.get_threshold()[0] >= GC_THRESHOLD
        assert gc.get_threshold()[0] >= GC_THRESHOLD  # the outer one is still open
        assert (await outer.send(case()))["a"].status == 204
    assert gc.get_threshold() == before
