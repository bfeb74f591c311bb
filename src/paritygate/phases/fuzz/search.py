"""Drive a Hypothesis search over generated requests; shrink each divergence class found.

What Hypothesis draws is a *sequence* of requests (one request, or a call followed by the
calls its OpenAPI links lead to). The test sends it to every target, step by step in
lockstep, and asks the parity engine which divergence classes the answers are in. For a class not reported yet it
raises an exception whose *type is unique to that class*: Hypothesis tells failures apart
by their exception type and place, so with ``report_multiple_bugs`` it shrinks each class
separately, to the smallest request that still shows **that** class.

Answers are cached by sequence, so a sequence the shrinker replays is not sent again and
every replay sees the same classes (Hypothesis requires a deterministic test). When the
wall-clock deadline has passed, only cached requests answer; the rest count as no class.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

import orjson
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from paritygate.probe import Case

__all__ = [
    "Budget",
    "ClassifyFn",
    "Found",
    "SearchProgress",
    "SearchResult",
    "request_key",
    "search",
    "sequence_key",
]

Steps = list[Case]  # one request, or a call and the calls its links lead to, in order
ClassifyFn = Callable[[Steps], Awaitable[list[str]]]  # a sequence -> the class keys of its answers
ClassifierFactory = Callable[[], AbstractAsyncContextManager[ClassifyFn]]
MAX_ROUNDS = 64  # a round ends soon after its first classes are found; the next looks for more


@dataclass(frozen=True, slots=True)
class Budget:
    max_examples: int = 100  # generated requests per round (the shrinker's replays come on top)
    deadline_s: float | None = None  # wall-clock limit for the whole search
    seed: int = 0


@dataclass(slots=True)
class SearchProgress:
    sent: int = 0  # distinct requests sent to every target
    classes: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Found:
    key: str  # the class key
    steps: Steps  # the shrunk sequence that shows it (one step for a single request)
    first_steps: Steps  # the sequence that first showed it, before shrinking

    @property
    def case(self) -> Case:
        """The request that shows the class: the last step (the shrinker drops later ones)."""
        return self.steps[-1]

    @property
    def first_case(self) -> Case:
        return self.first_steps[-1]


@dataclass(slots=True)
class SearchResult:
    found: list[Found] = field(default_factory=list)  # sorted by class key
    sent: int = 0
    examples: int = 0  # test calls, cached replays included
    duration_s: float = 0.0
    deadline_hit: bool = False
    rounds: int = 0

    @property
    def rate(self) -> float:
        return self.sent / self.duration_s if self.duration_s > 0 else 0.0


class Divergence(Exception):
    """Raised inside the Hypothesis test for one class; one subclass per class key."""

    key: str = ""

    def __init__(self, steps: Steps) -> None:
        super().__init__(self.key)
        self.steps = steps


def request_key(case: Case) -> bytes:
    """What identifies a generated request: two cases with the same key are the same request."""
    head = orjson.dumps([case.method, case.path, sorted(case.query.items()), sorted(case.headers.items())])
    return head + b"\n" + (case.content() or b"")


def sequence_key(steps: Steps) -> bytes:
    """What identifies a generated sequence: its requests and what each step captures."""
    return b"\n\x00".join(
        request_key(case) + orjson.dumps(case.capture_specs, option=orjson.OPT_SORT_KEYS) for case in steps
    )


class _Search:
    def __init__(self, classify: ClassifyFn, loop: _LoopBridge, budget: Budget) -> None:
        self.classify = classify
        self.loop = loop
        self.budget = budget
        self.cache: dict[bytes, list[str]] = {}
        self.first_seen: dict[str, Steps] = {}
        self.types: dict[str, type[Divergence]] = {}
        self.started = time.perf_counter()
        self.result = SearchResult()

    def past_deadline(self) -> bool:
        limit = self.budget.deadline_s
        return limit is not None and time.perf_counter() - self.started > limit

    def keys_of(self, steps: Steps) -> list[str]:
        self.result.examples += 1
        request = sequence_key(steps)
        cached = self.cache.get(request)
        if cached is not None:
            return cached
        if self.past_deadline():
            self.result.deadline_hit = True
            return []
        keys = sorted(self.loop.run_until_complete(self.classify(steps)))
        self.cache[request] = keys
        self.result.sent += len(steps)
        for key in keys:
            self.first_seen.setdefault(key, steps)
        return keys

    def divergence_type(self, key: str) -> type[Divergence]:
        if key not in self.types:
            self.types[key] = type(f"Divergence{len(self.types)}", (Divergence,), {"key": key})
        return self.types[key]

    def round(
        self, strategy: st.SearchStrategy[Steps], done: set[str], number: int, examples: int
    ) -> list[Divergence]:
        def test(steps: Steps) -> None:
            fresh = [k for k in self.keys_of(steps) if k not in done]
            if fresh:
                raise self.divergence_type(fresh[0])(steps)

        run = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=False,
            report_multiple_bugs=True,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )(hypothesis_seed(self.budget.seed * 1000 + number)(given(strategy)(test)))
        try:
            run()
        except Divergence as single:
            return [single]
        except BaseExceptionGroup as group:
            found: list[Divergence] = []
            for inner in group.exceptions:
                if not isinstance(inner, Divergence):
                    raise
                found.append(inner)
            return found
        return []


def search(
    strategy: st.SearchStrategy[Steps],
    classifier: ClassifierFactory,
    budget: Budget,
    progress: Callable[[SearchProgress], None] | None = None,
) -> SearchResult:
    """Run the search on a private event loop (call it from a thread when a loop is running)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_prepare(loop, strategy, classifier, budget, progress))
    finally:
        loop.close()


async def _prepare(
    loop: asyncio.AbstractEventLoop,
    strategy: st.SearchStrategy[Steps],
    classifier: ClassifierFactory,
    budget: Budget,
    progress: Callable[[SearchProgress], None] | None,
) -> SearchResult:
    # the classifier (and its HTTP client) is opened on this loop; the Hypothesis test, which
    # is synchronous, runs its sends on it from a worker thread while this coroutine waits
    async with classifier() as classify:
        return await asyncio.to_thread(_run_rounds, classify, loop, strategy, budget, progress)


def _run_rounds(
    classify: ClassifyFn,
    loop: asyncio.AbstractEventLoop,
    strategy: st.SearchStrategy[Steps],
    budget: Budget,
    progress: Callable[[SearchProgress], None] | None,
) -> SearchResult:
    sync_loop = _LoopBridge(loop)
    state = _Search(classify, sync_loop, budget)
    if progress is not None:
        inner = state.keys_of

        def reporting(steps: Steps) -> list[str]:
            keys = inner(steps)
            progress(
                SearchProgress(state.result.sent, len(state.first_seen), time.perf_counter() - state.started)
            )
            return keys

        state.keys_of = reporting  # type: ignore[method-assign]
    done: set[str] = set()
    found: dict[str, Found] = {}
    for number in range(MAX_ROUNDS):
        # a round with a new class stops generating soon after it (Hypothesis then shrinks);
        # the next round, with the classes found so far settled, spends the rest of the budget
        remaining = budget.max_examples - state.result.sent
        if remaining <= 0 or state.past_deadline():
            break
        state.result.rounds = number + 1
        fresh = state.round(strategy, done, number, remaining)
        for exc in fresh:
            found.setdefault(exc.key, Found(exc.key, exc.steps, state.first_seen.get(exc.key, exc.steps)))
        done |= {exc.key for exc in fresh}
        if not fresh and set(state.first_seen) <= done:
            break  # a whole round found nothing new
    result = state.result
    result.found = [found[k] for k in sorted(found)]
    result.duration_s = time.perf_counter() - state.started
    return result


class _LoopBridge:
    """``run_until_complete`` for a coroutine on a loop running in another thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run_until_complete(self, coro: Awaitable[list[str]]) -> list[str]:
        async def wrap() -> list[str]:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrap(), self.loop).result()
