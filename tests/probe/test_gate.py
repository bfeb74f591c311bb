"""The in-flight gate: a limit that rises past 16 only when the rate of finished sends does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from paritygate.probe import Case, Prober
from paritygate.probe.gate import BASE, EPOCH_SENDS, GAIN, HOLD_EPOCHS, InFlightGate, RateSeeker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drive(seeker: RateSeeker, clock: Clock, rate_at: Callable[[int], float], epochs: int) -> list[int]:
    """Finish sends, each taking 1/rate at the current limit, until ``epochs`` more
    measuring epochs have ended; the limit after each."""
    limits = []
    target = seeker.epochs + epochs
    while seeker.epochs < target:
        clock.now += 1 / rate_at(seeker.limit)
        before = seeker.epochs
        seeker.finished()
        if seeker.epochs != before:
            limits.append(seeker.limit)
    return limits


def test_a_client_bound_probe_tries_more_in_flight_goes_back_and_holds() -> None:
    clock = Clock()
    seeker = RateSeeker(64, clock=clock)
    flat = lambda limit: 4000.0 if limit <= BASE else 3600.0  # noqa: E731 - more in flight is slower
    # epoch 1 measures 16 and raises to 32; epoch 2 measures 32: slower, back to 16
    assert drive(seeker, clock, flat, 2) == [32, BASE]
    assert seeker.rejected == 32 and seeker.peak == 32
    assert drive(seeker, clock, flat, HOLD_EPOCHS) == [BASE] * HOLD_EPOCHS  # holds ...
    assert drive(seeker, clock, flat, 2) == [32, BASE]  # ... then tries again, and goes back


def test_a_latency_bound_probe_reaches_the_concurrency_asked_for() -> None:
    clock = Clock()
    seeker = RateSeeker(64, clock=clock)
    latency = 0.05  # every send takes 50 ms: the rate is the number in flight / 50 ms
    assert drive(seeker, clock, lambda limit: limit / latency, 4) == [32, 64, 64, 64]
    assert seeker.rejected is None and seeker.peak == 64


def test_the_limit_settles_where_the_rate_peaks() -> None:
    clock = Clock()
    seeker = RateSeeker(128, clock=clock)
    rates = {16: 1000.0, 32: 1500.0, 64: 1450.0, 128: 1200.0}
    assert drive(seeker, clock, rates.__getitem__, 4) == [32, 64, 32, 32]
    assert seeker.limit == 32 and seeker.rejected == 64


def test_a_gain_below_the_threshold_is_not_kept() -> None:
    clock = Clock()
    seeker = RateSeeker(64, clock=clock)
    slightly = lambda limit: 1000.0 * (GAIN - 0.03 if limit > BASE else 1.0)  # noqa: E731
    assert drive(seeker, clock, slightly, 3) == [32, BASE, BASE]


def test_the_warm_up_is_not_measured() -> None:
    clock = Clock()
    seeker = RateSeeker(64, clock=clock)
    for _ in range(EPOCH_SENDS * BASE):  # connections being opened: the first sends are slow
        clock.now += 1.0
        seeker.finished()
    assert seeker.epochs == 0 and seeker.limit == BASE
    assert drive(seeker, clock, lambda limit: 1000.0, 2) == [32, BASE]  # measured from here on


@pytest.mark.parametrize("concurrency", [1, 3, BASE])
def test_a_concurrency_up_to_16_is_exactly_that(concurrency: int) -> None:
    clock = Clock()
    seeker = RateSeeker(concurrency, clock=clock)
    assert not seeker.adapts
    for _ in range(5000):
        clock.now += 0.001
        seeker.finished()
    assert seeker.limit == seeker.peak == concurrency and seeker.epochs == 0


def test_a_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RateSeeker(0)


async def test_the_gate_admits_up_to_its_limit_first_come_first_served() -> None:
    gate = InFlightGate(64, clock=lambda: 0.0)  # a clock that stands still: no epoch ends
    order: list[int] = []
    worst = 0

    async def send(n: int) -> None:
        nonlocal worst
        async with gate:
            order.append(n)
            worst = max(worst, gate.in_flight)
            await asyncio.sleep(0)

    await asyncio.gather(*(send(n) for n in range(200)))
    assert worst == BASE == gate.most_in_flight and gate.in_flight == 0
    assert order == list(range(200))
    assert gate.note() == f"{BASE} in flight: the run ended before more was measured"


async def test_a_cancelled_waiter_leaves_no_slot_taken() -> None:
    gate = InFlightGate(1)
    release = asyncio.Event()

    async def hold() -> None:
        async with gate:
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    release.set()
    await holder
    assert gate.in_flight == 0
    async with gate:  # the slot is free again
        assert gate.in_flight == 1


async def test_a_waiter_admitted_then_cancelled_gives_its_slot_back() -> None:
    gate = InFlightGate(1)
    await gate.__aenter__()

    async def wait_for_slot() -> None:
        async with gate:
            raise AssertionError("never runs: cancelled before it could")

    waiting = asyncio.create_task(wait_for_slot())
    await asyncio.sleep(0)  # it waits for the slot
    await gate.__aexit__(None, None, None)  # the slot goes to it ...
    assert gate.in_flight == 1
    waiting.cancel()  # ... and it is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert gate.in_flight == 0


async def test_a_slow_target_gets_more_than_16_cases_in_flight() -> None:
    """Every answer takes 50 ms (an in-process transport, no CPU behind it): doubling the
    cases in flight doubles the rate, so the prober raises its limit past 16."""
    in_flight = 0
    worst = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, worst
        in_flight += 1
        worst = max(worst, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return httpx.Response(204)

    cases = [Case(name=f"c{n}", method="GET", path=f"/c{n}") for n in range(1200)]
    async with Prober({"a": "http://a"}, concurrency=64, transport=httpx.MockTransport(handler)) as p:
        await asyncio.gather(*(p.send(c) for c in cases))
        gate = p.gate
    assert worst == gate.most_in_flight > BASE
    assert worst <= 64
