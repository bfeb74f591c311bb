"""Token budgets: every rendered prompt fits every reviewer's context window, measured in
that reviewer's tokens (:mod:`tokens`), before anything is sent.

A reviewer's budget is ``context_tokens - max_tokens`` (the answer needs its room). A
bundle whose prompt is over the smallest budget of the reviewers is split — on file and
hunk boundaries, as ``--split`` does — until every part fits; each part's prompt is
then counted for every reviewer and the count is recorded with its method.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from paritygate.config.review import ReviewerConfig
from paritygate.phases.review.bundles import Bundle
from paritygate.phases.review.sizeguard import split_bundle
from paritygate.phases.review.tokens import Measured, TokenCounter, open_counter

__all__ = ["fit_to_budgets"]

_MAX_ROUNDS = 6
Render = Callable[[Bundle], str]


def _budget(reviewer: ReviewerConfig) -> int | None:
    return None if reviewer.context_tokens is None else reviewer.context_tokens - reviewer.max_tokens


async def _measure(
    text: str, reviewers: list[ReviewerConfig], counters: dict[str, TokenCounter], client: httpx.AsyncClient
) -> dict[str, Measured]:
    out: dict[str, Measured] = {}
    for reviewer in reviewers:
        sent = f"{reviewer.system}\n{text}" if reviewer.system else text
        tokens, method = await counters[reviewer.name].count(sent, client)
        out[reviewer.name] = Measured(tokens, method, _budget(reviewer))
    return out


def _over(measured: dict[str, Measured]) -> float:
    """How far the prompt is over the tightest budget (1.0 = fits exactly); 0 when no budget."""
    return max((m.tokens / m.budget for m in measured.values() if m.budget), default=0.0)


async def fit_to_budgets(
    bundles: list[Bundle], reviewers: list[ReviewerConfig], render: Render
) -> tuple[list[Bundle], dict[tuple[str, str], Measured], list[str]]:
    """``(bundles, {(bundle id, reviewer): Measured}, warnings)``; bundles split where needed."""
    async with httpx.AsyncClient() as client:
        counters = {r.name: await open_counter(r, client) for r in reviewers}
        out: list[Bundle] = []
        measured: dict[tuple[str, str], Measured] = {}
        warnings: list[str] = []
        queue = list(bundles)
        while queue:
            bundle = queue.pop(0)
            if not bundle.files:
                out.append(bundle)
                continue
            counts = await _measure(render(bundle), reviewers, counters, client)
            over = _over(counts)
            smaller: list[Bundle] = []
            for attempt in range(_MAX_ROUNDS if over > 1.0 else 0):
                # Aim under the budget with room for each part's own header and file list.
                limit = max(512, int(bundle.size / over * 0.85 ** (attempt + 1)))
                parts = split_bundle(bundle, limit)
                if len(parts) > 1 or parts[0].size < bundle.size:
                    smaller = parts
                    break
            if smaller:
                worst = max(counts.values(), key=lambda m: m.tokens / m.budget if m.budget else 0.0)
                smaller[0].warnings.append(
                    f"{bundle.id} {bundle.component}: prompt of {worst.tokens} tokens ({worst.method}) is over "
                    f"the smallest reviewer budget (context_tokens - max_tokens = {worst.budget}): "
                    f"split into {len(smaller)} part(s)"
                )
                queue[:0] = smaller  # each part is measured (and split further) in turn
                continue
            if over > 1.0:
                warnings.append(
                    f"{bundle.id} {bundle.component}: prompt is over a reviewer's token budget and cannot "
                    "be cut further; sent as is"
                )
            for name, m in counts.items():
                measured[(bundle.id, name)] = m
            out.append(bundle)
        return out, measured, warnings
