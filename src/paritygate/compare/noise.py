"""Noise: what differs between two answers of the SAME implementation to the same request.

An *observation* is one such pair: a target and its twin (a second instance started from
the same definition, sent every request in lockstep: the A/A experiment), or a target's
first answer and a repeat of a safe request. :class:`NoiseLearner` collects observations
per target and operation and decides, over all of them, which paths are noise:

* a path is noise for a target and operation when its value differed in at least
  ``min_count`` observations and in at least ``min_ratio`` of the observations where both
  answers had it (one coincidence among many is not noise);
* a path that held a *clock reading* (a timestamp inside the run's time window) in every
  observation is noise too, whether or not the two readings straddled a second: so the
  learned set does not depend on when the run happened;
* only value differences count. A field present on one answer only, a type change or a
  length change between twins is not noise (it is reported as a shape divergence when
  it shows between implementations), and learned noise only ever excuses a value
  difference at a place both compared answers have (:meth:`CompareRules.with_noise`);
* an observation whose status (or body kind) differs makes the case *flaky*: it is
  returned to the caller, never dropped;
* bodies compared as bytes have no paths: their digests are never learned.

Nothing is ignored until the caller passes the learned paths to ``compare(noise=...)``;
:func:`suggestions` turns them into config entries scoped to the operations where they
were seen, typed after the values observed (``kind = "timestamp"``, ``"uuid"``,
``"number"``, else ``"present"``: never an ignore rule, which would also remove presence).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson

from paritygate.compare.canonical import canonicalize
from paritygate.compare.engine import diff_canonical
from paritygate.compare.matchers import as_datetime, is_uuid
from paritygate.compare.model import Canonical, Response
from paritygate.compare.places import generalize_path
from paritygate.compare.rules import CompareRules
from paritygate.compare.values import fingerprint, is_number
from paritygate.core.paths import PathPart, format_path, parse_path

__all__ = [
    "Flaky",
    "NoiseLearner",
    "NoiseSettings",
    "NoisyPath",
    "Suggestion",
    "detect_noise",
    "suggest_rule",
    "suggestions",
]

Source = Literal["twins", "repeats"]
_EXAMPLES = 5
_VALUE_KINDS = frozenset({"value", "header", "order"})
_CLOCK_SLACK = timedelta(minutes=15)  # servers' clocks and time zones are rarely exact


@dataclass(frozen=True, slots=True)
class NoiseSettings:
    min_count: int = 1  # observations in which the value differed, at least
    min_ratio: float = 0.5  # of the observations in which both answers had the path
    clock_window: tuple[datetime, datetime] | None = None  # the run's start and end (aware, UTC)


@dataclass(slots=True)
class NoisyPath:
    path: str  # a path (indices as [*]) or header:<name>; pass it to compare(noise=...)
    target: str
    operation: str
    source: Source
    observations: int  # pairs of answers of one implementation that both had the path
    differed: int  # of which the value differed
    clock: bool  # a clock reading in every observation
    examples: list[Any]  # distinct values seen, in order
    kind: str  # suggested matcher kind: timestamp | uuid | number | present, or "unordered"
    cases: list[str] = field(default_factory=list)

    @property
    def suggested_rule(self) -> str:
        """The config entry for this path alone, scoped to its operation."""
        return suggest_rule(self.path, kind=self.kind, operation=self.operation)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "target": self.target,
            "operation": self.operation,
            "source": self.source,
            "observations": self.observations,
            "differed": self.differed,
            "clock": self.clock,
            "examples": self.examples,
            "kind": self.kind,
            "cases": list(self.cases),
        }


@dataclass(frozen=True, slots=True)
class Flaky:
    """The same implementation answered one request with different statuses (or body kinds)."""

    case: str
    target: str
    source: Source
    statuses: tuple[int | None, ...]
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "target": self.target,
            "source": self.source,
            "statuses": list(self.statuses),
            "detail": self.detail,
        }


@dataclass(slots=True)
class _Observation:
    case: str
    a: Canonical
    b: Canonical
    differed: dict[str, str]  # generalised path -> difference kind (value differences only)


def _toml_string(text: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes).
    return orjson.dumps(text).decode()


def suggest_rule(path: str, *, kind: str = "present", operation: str | None = None) -> str:
    """The paritygate.toml entry that lets the values at a noisy path differ (never presence)."""
    scope = f"\noperation = {_toml_string(operation)}" if operation is not None else ""
    if kind == "unordered":
        return f'[[parity.arrays]]\npath = {_toml_string(path)}\nmode = "unordered"'
    if path.startswith("header:"):
        where = f"header = {_toml_string(path.removeprefix('header:'))}"
    else:
        where = f"path = {_toml_string(path)}"
    return f"[[parity.match]]\n{where}\nkind = {_toml_string(kind)}{scope}"


def _values_at(path: str, sample: Canonical) -> list[Any]:
    if path.startswith("header:"):
        value = sample.headers.get(path.removeprefix("header:"))
        return [] if value is None else [value]
    return [value for _, value in parse_path(path).find(sample.body)]


def _leaves(value: Any, parts: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    stack: list[tuple[tuple[PathPart, ...], Any]] = [(parts, value)]
    while stack:
        where, node = stack.pop()
        if type(node) is dict:
            stack.extend(((*where, k), v) for k, v in node.items())
        elif type(node) is list:
            stack.extend(((*where, i), v) for i, v in enumerate(node))
        else:
            yield where, node


def _suggested_kind(values: list[Any], kinds: set[str]) -> str:
    if kinds == {"order"}:
        return "unordered"
    if values and all(as_datetime(v) is not None for v in values):
        return "timestamp"
    if values and all(is_uuid(v) for v in values):
        return "uuid"
    if values and all(is_number(v) for v in values):
        return "number"
    return "present"


class NoiseLearner:
    """Collect observations (pairs of answers of one implementation), then :meth:`learn`."""

    def __init__(self, rules: CompareRules, source: Source, settings: NoiseSettings | None = None) -> None:
        self.rules = rules
        self.source = source
        self.settings = settings or NoiseSettings()
        self._seen: dict[tuple[str, str], list[_Observation]] = {}
        # (case, target) -> the statuses answered, the first answer first; and why it is flaky
        self._series: dict[tuple[str, str], list[int | None]] = {}
        self._unstable: dict[tuple[str, str], str] = {}

    @property
    def flaky(self) -> list[Flaky]:
        """One entry per case and target whose answers changed status (or body kind)."""
        return [
            Flaky(case, target, self.source, tuple(self._series[(case, target)]), detail)
            for (case, target), detail in self._unstable.items()
        ]

    @property
    def observations(self) -> int:
        return sum(len(obs) for obs in self._seen.values())

    def observe(self, target: str, operation: str, case: str, first: Response, other: Response) -> None:
        """One pair of answers of ``target`` to one request of ``case``."""
        if first.error is not None and other.error is not None:
            return  # no answer at all is an error of the case, reported there
        rules = self.rules.for_operation(operation)
        a, b = canonicalize(first, rules), canonicalize(other, rules)
        self._series.setdefault((case, target), [a.status]).append(b.status)
        if a.status != b.status or a.kind != b.kind:
            what = "status" if a.status != b.status else f"body kind ({a.kind} then {b.kind})"
            between = "its twin" if self.source == "twins" else "repeats"
            detail = f"{target} answered the same request with a different {what} ({between})"
            if first.error is not None or other.error is not None:
                detail = f"{target} answered once and failed once ({between}): {first.error or other.error}"
            self._unstable.setdefault((case, target), detail)
            return
        differed: dict[str, str] = {}
        # an opaque body, or one over the body limit (compared by digest), has no paths
        if a.kind != "bytes" and not first.oversized and not other.oversized:
            for diff in diff_canonical(a, b, rules):
                if diff.kind in _VALUE_KINDS:
                    differed.setdefault(generalize_path(diff.path), diff.kind)
        else:  # an opaque body's digest is not a path, but its headers are
            for diff in diff_canonical(a, b, rules, body=False):
                if diff.kind in _VALUE_KINDS:
                    differed.setdefault(diff.path, diff.kind)
        self._seen.setdefault((target, operation), []).append(_Observation(case, a, b, differed))

    def _clock_paths(self, obs: _Observation, rules: CompareRules) -> set[str]:
        window = self.settings.clock_window
        if window is None:
            return set()
        start, end = window[0] - _CLOCK_SLACK, window[1] + _CLOCK_SLACK

        def reading(value: Any) -> bool:
            moment = as_datetime(value)
            return moment is not None and start <= moment <= end

        out: set[str] = set()
        if obs.a.kind in ("json", "xml"):
            for parts, value in _leaves(obs.a.body):
                if not reading(value) or rules.body_ignored(parts, (value,)):
                    continue
                text = format_path(parts)
                twin = _values_at(text, obs.b)
                if twin and reading(twin[0]) and rules.value_excuse(parts, value, twin[0]) is None:
                    out.add(generalize_path(text))
        for name, value in obs.a.headers.items():
            other = obs.b.headers.get(name)
            clock = other is not None and reading(value) and reading(other)
            if clock and other is not None and rules.header_excuse(name, value, other) is None:
                out.add(f"header:{name}")
        return out

    def learn(self) -> list[NoisyPath]:
        """Every (target, operation, path) that the observations show to be noise."""
        learned: list[NoisyPath] = []
        for (target, operation), observations in self._seen.items():
            rules = self.rules.for_operation(operation)
            differed: Counter[str] = Counter()
            kinds: dict[str, set[str]] = {}
            clock_hits: Counter[str] = Counter()
            cases: dict[str, list[str]] = {}
            for obs in observations:
                for path, kind in obs.differed.items():
                    differed[path] += 1
                    kinds.setdefault(path, set()).add(kind)
                    cases.setdefault(path, []).append(obs.case)
                for path in self._clock_paths(obs, rules):
                    clock_hits[path] += 1
                    cases.setdefault(path, [])
            for path in sorted(set(differed) | set(clock_hits)):
                present = sum(1 for o in observations if _values_at(path, o.a) and _values_at(path, o.b))
                if present == 0:
                    continue
                count = differed[path]
                is_clock = clock_hits[path] == present and present >= self.settings.min_count
                by_ratio = count >= self.settings.min_count and count / present >= self.settings.min_ratio
                if not (is_clock or by_ratio):
                    continue
                values = _examples(path, observations)
                kind = "timestamp" if is_clock else _suggested_kind(values, kinds.get(path, set()))
                seen_cases = sorted(set(cases[path]) or {o.case for o in observations})
                learned.append(
                    NoisyPath(
                        path,
                        target,
                        operation,
                        self.source,
                        present,
                        count,
                        is_clock,
                        values[:_EXAMPLES],
                        kind,
                        seen_cases,
                    )
                )
        return _outermost(learned)


def _examples(path: str, observations: Sequence[_Observation]) -> list[Any]:
    seen: set[object] = set()
    out: list[Any] = []
    for obs in observations:
        for sample in (obs.a, obs.b):
            for value in _values_at(path, sample):
                fp = fingerprint(value)
                if fp not in seen:
                    seen.add(fp)
                    out.append(value)
    return out


def _inside(path: str, ancestor: str) -> bool:
    if path == ancestor or ancestor.startswith("header:") or path.startswith("header:"):
        return False
    outer, inner = parse_path(ancestor), parse_path(path)
    return inner.segments[: len(outer.segments)] == outer.segments


def _outermost(learned: list[NoisyPath]) -> list[NoisyPath]:
    """A path inside an already noisy subtree (of the same target and operation) is not listed."""
    by_scope: dict[tuple[str, str], list[str]] = {}
    for n in learned:
        by_scope.setdefault((n.target, n.operation), []).append(n.path)
    return [
        n for n in learned if not any(_inside(n.path, other) for other in by_scope[(n.target, n.operation)])
    ]


@dataclass(slots=True)
class Suggestion:
    """One config entry to paste: ``operation`` None means a global rule."""

    path: str
    kind: str
    operation: str | None
    targets: list[str]
    observations: int
    differed: int
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "operation": self.operation,
            "targets": self.targets,
            "observations": self.observations,
            "differed": self.differed,
            "rule": self.rule,
        }


def suggestions(learned: Sequence[NoisyPath], operations: Sequence[str]) -> list[Suggestion]:
    """Config entries for the learned paths: one per operation where a path was learned, or
    one global entry when it was learned on most (more than half) of the run's ``operations``."""
    by_path: dict[str, list[NoisyPath]] = {}
    for n in learned:
        by_path.setdefault(n.path, []).append(n)
    total = len(set(operations)) or 1
    out: list[Suggestion] = []
    for path, entries in by_path.items():
        ops = sorted({n.operation for n in entries})
        kinds = {n.kind for n in entries}
        kind = kinds.pop() if len(kinds) == 1 else "present"
        if len(ops) * 2 > total:
            scopes: list[str | None] = [None]
        else:
            scopes = list(ops)
        for scope in scopes:
            scoped = [n for n in entries if scope is None or n.operation == scope]
            out.append(
                Suggestion(
                    path,
                    kind,
                    scope,
                    sorted({n.target for n in scoped}),
                    sum(n.observations for n in scoped),
                    sum(n.differed for n in scoped),
                    suggest_rule(path, kind=kind, operation=scope),
                )
            )
    return out


def detect_noise(
    samples: Sequence[Response],
    rules: CompareRules | None = None,
    settings: NoiseSettings | None = None,
) -> list[NoisyPath]:
    """Paths whose value changes between repeats of one request to one target (the first
    answer against each later one)."""
    learner = NoiseLearner(rules if rules is not None else CompareRules(), "repeats", settings)
    answered = [s for s in samples if s.error is None]
    if not answered:
        return []
    usual = Counter(s.status for s in answered).most_common(1)[0][0]
    base = next(s for s in answered if s.status == usual)
    for other in samples:
        if other is not base:
            learner.observe("target", "request", "request", base, other)
    return learner.learn()
