"""Calling the reviewers: the official SDKs, in parallel with bounded concurrency, with retries.

``provider = "openai"`` is any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama,
OpenRouter, Moonshot) through ``openai.AsyncOpenAI``; ``"anthropic"`` goes through
``anthropic.AsyncAnthropic``. The SDKs' own retries are off (``max_retries=0``): our
loop retries 429, 408/409, 5xx, timeouts and connection errors with backoff and
records every attempt, so "429, then success" is visible in the results.

API keys are read from the environment (``api_key_env``) and scrubbed from every
message this module returns; they never reach a log, a report or an exception.
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paritygate.config.review import ReviewConfig, ReviewerConfig

if TYPE_CHECKING:  # the SDKs are imported when a reviewer is called, not for a dry run
    import anthropic
    import openai

__all__ = ["Attempt", "CallResult", "Job", "run_calls", "scrub"]

Answer = tuple[str, int | None, str | None, str | None]  # text, tokens out, finish reason, served model
Ask = Callable[[str], Awaitable[Answer]]
_OK_FINISH = {"stop", "end_turn", "stop_sequence"}
_RETRY_STATUS = {408, 409, 429}


@dataclass(slots=True)
class Attempt:
    n: int
    outcome: str  # "ok", "http 429", "http 503", "timeout", "connection error", ...
    wait_s: float = 0.0  # slept after this attempt before the next one

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "outcome": self.outcome, "wait_s": round(self.wait_s, 3)}


@dataclass(slots=True)
class CallResult:
    reviewer: str
    bundle: str
    status: str  # "ok" | "incomplete" (cut off by the token limit) | "failed"
    text: str = ""
    tokens_out: int | None = None
    finish_reason: str | None = None
    served_model: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0


@dataclass(slots=True, frozen=True)
class Job:
    reviewer: ReviewerConfig
    bundle: str
    prompt: str


def _mask_pieces(text: str, secret: str) -> str:
    """Replace each run of text that follows ``secret`` for 8+ characters."""
    pattern = re.compile("|".join(sorted({re.escape(secret[i : i + 8]) for i in range(len(secret) - 7)})))
    out: list[str] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        end, k = m.end(), secret.find(m.group()) + 8
        while end < len(text) and k < len(secret) and text[end] == secret[k]:
            end, k = end + 1, k + 1  # the leftmost match starts the run; grow it to its end
        out += [text[pos : m.start()], "[api key]"]
        pos = end
    return "".join([*out, text[pos:]])


def scrub(text: str, secrets: list[str]) -> str:
    """Remove API keys, and any 8+ character piece of one (SDK errors echo masked keys)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[api key]")
            if len(secret) >= 8:
                text = _mask_pieces(text, secret)
    return text


def _classify(exc: Exception) -> tuple[str, bool, float | None]:
    """``(outcome, retryable, retry-after seconds)`` for an SDK exception."""
    import anthropic
    import openai

    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        status = exc.status_code
        retry_after: float | None = None
        try:
            retry_after = float(exc.response.headers.get("retry-after", ""))
        except ValueError:
            retry_after = None
        return f"http {status}", status in _RETRY_STATUS or status >= 500, retry_after
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError):
        return "timeout", True, None
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return "connection error", True, None
    return type(exc).__name__, False, None


async def _ask_openai(client: openai.AsyncOpenAI, reviewer: ReviewerConfig, prompt: str) -> Answer:
    response = await client.chat.completions.create(
        model=reviewer.model, messages=[{"role": "user", "content": prompt}], max_tokens=reviewer.max_tokens
    )
    choice = response.choices[0] if response.choices else None
    text = (choice.message.content or "") if choice else ""
    tokens = response.usage.completion_tokens if response.usage else None
    return text, tokens, (choice.finish_reason if choice else None), response.model


async def _ask_anthropic(client: anthropic.AsyncAnthropic, reviewer: ReviewerConfig, prompt: str) -> Answer:
    message = await client.messages.create(
        model=reviewer.model, max_tokens=reviewer.max_tokens, messages=[{"role": "user", "content": prompt}]
    )
    from anthropic.types import TextBlock

    text = "".join(block.text for block in message.content if isinstance(block, TextBlock))
    return text, message.usage.output_tokens, message.stop_reason, message.model


class _Caller:
    def __init__(self, cfg: ReviewConfig, keys: list[str], progress: Callable[[str], None] | None) -> None:
        self.cfg = cfg
        self.keys = keys
        self.progress = progress
        self.semaphore = asyncio.Semaphore(cfg.concurrency)

    async def call(self, job: Job, ask: Ask) -> CallResult:
        result = CallResult(job.reviewer.name, job.bundle, "failed")
        started = time.monotonic()
        async with self.semaphore:
            for n in range(1, self.cfg.retries + 2):
                attempt = Attempt(n, "ok")
                result.attempts.append(attempt)
                try:
                    answer = await ask(job.prompt)
                except Exception as exc:  # every SDK failure becomes a recorded outcome
                    outcome, retryable, retry_after = _classify(exc)
                    attempt.outcome = outcome
                    result.error = scrub(f"{outcome}: {exc}", self.keys)[:500]
                    if not retryable or n > self.cfg.retries:
                        break
                    backoff = self.cfg.backoff * 2 ** (n - 1)
                    wait = retry_after if retry_after is not None and retry_after >= 0 else backoff
                    attempt.wait_s = min(wait, self.cfg.max_backoff)
                    await asyncio.sleep(attempt.wait_s)
                    continue
                result.text = scrub(answer[0], self.keys)
                result.tokens_out, result.finish_reason, result.served_model = answer[1], answer[2], answer[3]
                result.status = "ok" if result.finish_reason in _OK_FINISH else "incomplete"
                result.error = None
                break
        result.duration_s = time.monotonic() - started
        if self.progress:
            detail = result.error if result.status == "failed" else f"{result.tokens_out} tokens out"
            self.progress(f"{job.bundle} {job.reviewer.name}: {result.status} ({detail})")
        return result


async def run_calls(
    jobs: list[Job],
    cfg: ReviewConfig,
    *,
    environ: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
) -> list[CallResult]:
    """Run every job (a reviewer x a bundle); results in the order of ``jobs``."""
    import anthropic  # here, not at module level: a dry run never pays for the SDKs
    import openai

    reviewers = {job.reviewer.name: job.reviewer for job in jobs}
    keys: dict[str, str | None] = {}
    missing: dict[str, str] = {}
    for name, reviewer in reviewers.items():
        env = reviewer.api_key_env
        if env is not None and not environ.get(env):
            missing[name] = f"environment variable {env} (api_key_env of reviewer {name!r}) is not set"
        keys[name] = environ.get(env) if env else None
    caller = _Caller(cfg, [k for k in keys.values() if k], progress)
    async with AsyncExitStack() as stack:
        asks: dict[str, Ask] = {}
        for name, reviewer in reviewers.items():
            if name in missing:
                continue
            # Local servers (vLLM, Ollama) take no key, but the SDKs insist on one.
            key = keys[name] or "no-key"
            if reviewer.provider == "openai":
                oa = openai.AsyncOpenAI(
                    api_key=key, base_url=reviewer.base_url, max_retries=0, timeout=reviewer.timeout
                )
                asks[name] = functools.partial(_ask_openai, await stack.enter_async_context(oa), reviewer)
            else:
                an = anthropic.AsyncAnthropic(
                    api_key=key, base_url=reviewer.base_url, max_retries=0, timeout=reviewer.timeout
                )
                asks[name] = functools.partial(_ask_anthropic, await stack.enter_async_context(an), reviewer)

        async def one(job: Job) -> CallResult:
            if job.reviewer.name in missing:
                return CallResult(job.reviewer.name, job.bundle, "failed", error=missing[job.reviewer.name])
            return await caller.call(job, asks[job.reviewer.name])

        return list(await asyncio.gather(*(one(job) for job in jobs)))
