"""How many case sends are in flight at once: up to the configured concurrency, and past
:data:`BASE` only while more in flight raises the rate.

Concurrency hides the targets' latency: while one case waits for its answers, others
are sent. Once the probe itself is the bottleneck (a fast target on loopback: the
client's one core is busy all the time), more cases in flight add nothing but queueing,
and measured *less*: on the 2-core machine of ``benchmarks/bench_probe.py``, a plain
aiohttp loop against nginx did 4,400 cases/s at 16 in flight, 3,500 at 64 and 2,900 at
128 (every request's state competes for the same caches), the probe 3,200 / 2,650 / 2,300.

So the limit starts at ``min(concurrency, BASE)`` and is doubled (never past
``concurrency``) only when the rate of finished case sends over a measuring epoch at
the doubled limit beats the rate at the limit before by :data:`GAIN`; when it does not,
the limit goes back and holds for :data:`HOLD_EPOCHS` epochs before trying again (a
target that warms up, a machine that gets quieter). A slow target, whose rate grows with
every case in flight, reaches ``concurrency`` in a few epochs. The limit never goes
below where it started: a concurrency of 16 or less is exactly that many in flight.

:class:`RateSeeker` is the decision alone (a clock and a count of finished sends in,
a limit out), so it is tested without a network; :class:`InFlightGate` applies it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType

__all__ = ["BASE", "GAIN", "HOLD_EPOCHS", "InFlightGate", "RateSeeker"]

BASE = 16  # the default concurrency: below it a probe is rarely its own bottleneck
GAIN = 1.10  # a doubled limit is kept when it raised the rate by this much (noise is ~±5 %)
EPOCH_SECONDS = 0.1  # at least this long, and ...
EPOCH_SENDS = 4  # ... at least this many finished sends per slot, per measuring epoch
HOLD_EPOCHS = 25  # after a rejected raise, this many epochs before the next try


class RateSeeker:
    """The limit of sends in flight, from the rate at which they finish.

    Call :meth:`finished` once per finished send; read :attr:`limit`. The first
    ``EPOCH_SENDS × limit`` sends are a warm-up (connections are opened) and are not
    measured."""

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.perf_counter) -> None:
        if ceiling < 1:
            raise ValueError(f"concurrency must be at least 1, got {ceiling}")
        self.ceiling = ceiling
        self.limit = min(ceiling, BASE)
        self.peak = self.limit  # the highest limit used
        self._clock = clock
        self._started = clock()
        self._sends = 0
        self._warm = False
        self._trial: tuple[int, float] | None = None  # (limit before the raise, its rate)
        self._hold = 0
        self.rejected: int | None = None  # the last raised limit that did not pay
        self.epochs = 0  # measuring epochs ended (the warm-up is not one)

    @property
    def adapts(self) -> bool:
        return self.ceiling > BASE

    def finished(self) -> None:
        if not self.adapts:
            return
        self._sends += 1
        if self._sends < EPOCH_SENDS * self.limit:
            return
        now = self._clock()
        elapsed = now - self._started
        if self._warm and elapsed < EPOCH_SECONDS:
            return
        sends, self._started, self._sends = self._sends, now, 0
        if self._warm:
            self._epoch(sends / elapsed)
        self._warm = True

    def _epoch(self, rate: float) -> None:
        self.epochs += 1
        if self._trial is not None:
            before, before_rate = self._trial
            self._trial = None
            if rate < before_rate * GAIN:  # more in flight did not pay: back, and hold
                self.rejected = self.limit
                self.limit = before
                self._hold = HOLD_EPOCHS
                return
        elif self._hold > 0:
            self._hold -= 1
            return
        if self.limit < self.ceiling:
            self._trial = (self.limit, rate)
            self.limit = min(self.ceiling, self.limit * 2)
            self.peak = max(self.peak, self.limit)


class InFlightGate:
    """``async with gate:`` around one case send; at most ``seeker.limit`` inside at once,
    first come first served. :attr:`most_in_flight` is the most that were inside at once."""

    def __init__(self, concurrency: int, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self.seeker = RateSeeker(concurrency, clock=clock)
        self.in_flight = 0
        self.most_in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self.in_flight < self.seeker.limit and not self._waiters:
            self._enter()
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # resolved by _wake, which counts this send in
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._leave()  # admitted, then cancelled before it could run: give it back
            else:
                self._waiters.remove(waiter)
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.seeker.finished()
        self._leave()

    def note(self) -> str:
        """Why fewer than ``concurrency`` sends were in flight, when the gate held them back."""
        seeker = self.seeker
        if not seeker.adapts or self.most_in_flight >= seeker.ceiling:
            return ""
        if seeker.rejected is not None:
            return f"{seeker.limit} in flight: {seeker.rejected} did not raise the rate"
        if self.most_in_flight >= seeker.limit:
            return f"{seeker.limit} in flight: the run ended before more was measured"
        return ""

    def _enter(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _leave(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.seeker.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._enter()
                waiter.set_result(None)
