"""Phase ``fuzz``: generated requests to every implementation, divergences shrunk to a minimal case.

Requests come from an OpenAPI document (:mod:`.openapi`; sequences along its links,
:mod:`.links`, with runtime expressions parsed by :mod:`.expressions`) or from mutating a
cases file (:mod:`.mutate`); :func:`.search.search` sends them through a classifier (the parity
engine, handed in by the caller: phases never import each other) and shrinks each
divergence class to the smallest request that shows it. See docs/fuzz.md.
"""

from paritygate.phases.fuzz.mutate import mutated_case, mutated_cases
from paritygate.phases.fuzz.search import (
    Budget,
    ClassifyFn,
    Found,
    SearchProgress,
    SearchResult,
    Steps,
    request_key,
    search,
    sequence_key,
)

__all__ = [
    "Budget",
    "ClassifyFn",
    "Found",
    "SearchProgress",
    "SearchResult",
    "Steps",
    "mutated_case",
    "mutated_cases",
    "request_key",
    "search",
    "sequence_key",
]
