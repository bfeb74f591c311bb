"""Calling the reviewers: the official SDKs, in parallel with bounded concurrency, with retries.

Replies are read from the raw body the SDK received and validated field by field
(:mod:`replies`): a malformed one is a failed call with a reason, never a traceback.
Each endpoint (``provider`` + ``base_url``) has its own concurrency limit, so two local
servers are served in parallel; the timeout and ``duration_s`` start when the call is
sent, not while it waits for a slot (``queued_s``). A timed-out call is not re-sent by
default: the server is most likely still generating the abandoned answer.

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
from paritygate.core.review_doc import AttemptDoc
from paritygate.phases.review.answers import parse_answer
from paritygate.phases.review.replies import MalformedReply, ModelReply, parse_anthropic, parse_openai
from paritygate.phases.review.usability import FORMAT_FAILURES, Usability, judge, repair_prompt

if TYPE_CHECKING:  # the SDKs are imported when a reviewer is called, not for a dry run
    import anthropic
    import openai

__all__ = ["Attempt", "CallResult", "Job", "endpoint_of", "run_calls", "scrub"]

Ask = Callable[[list[dict[str, str]], float], Awaitable[ModelReply]]
_OK_FINISH = {"stop", "end_turn", "stop_sequence", "eos"}
_CUT_FINISH = {"length", "max_tokens", "model_length"}
_RETRY_STATUS = {408, 409, 429}


@dataclass(slots=True)
class Attempt:
    n: int
    outcome: str  # "ok", "http 429", "http 503", "timeout", "connection error", "repair", ...
    wait_s: float = 0.0  # slept after this attempt before the next one

    def to_doc(self) -> AttemptDoc:
        return AttemptDoc(n=self.n, outcome=self.outcome, wait_s=round(self.wait_s, 3))


@dataclass(slots=True)
class CallResult:
    reviewer: str
    bundle: str
    status: str  # "ok" | "incomplete" (cut off by the token limit) | "failed"
    text: str = ""
    tokens_out: int | None = None  # completion tokens (usage), summed over a repair
    prompt_tokens: int | None = None  # as the server counted them (usage), first answer
    finish_reason: str | None = None
    served_model: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0  # from sending to the answer (queueing excluded)
    queued_s: float = 0.0  # waiting for a free slot of the endpoint
    first_text: str | None = None  # the answer before a repair, when one was made
    repair_reason: str | None = None


@dataclass(slots=True, frozen=True)
class Job:
    reviewer: ReviewerConfig
    bundle: str
    prompt: str
    files: tuple[str, ...] = ()  # listed in a repair prompt


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
        except (ValueError, OverflowError):
            retry_after = None
        if retry_after is not None and not 0 <= retry_after < 86_400:
            retry_after = None
        return f"http {status}", status in _RETRY_STATUS or status >= 500, retry_after
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError | TimeoutError):
        return "timeout", True, None
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return "connection error", True, None
    if isinstance(exc, MalformedReply):
        return "malformed reply", False, None
    return type(exc).__name__, False, None


async def _ask_openai(
    client: openai.AsyncOpenAI, reviewer: ReviewerConfig, messages: list[dict[str, str]], timeout: float
) -> ModelReply:
    sent: list[Any] = [{"role": "system", "content": reviewer.system}] if reviewer.system else []
    options: dict[str, Any] = {}  # keyword arguments of the SDK's create(), only those set: its boundary
    if reviewer.temperature is not None:
        options["temperature"] = reviewer.temperature
    if reviewer.seed is not None:
        options["seed"] = reviewer.seed
    raw = await client.chat.completions.with_raw_response.create(
        model=reviewer.model,
        messages=[*sent, *messages],
        max_tokens=reviewer.max_tokens,
        extra_body=reviewer.extra or None,
        timeout=timeout,
        **options,
    )
    return parse_openai(raw.http_response.content)


async def _ask_anthropic(
    client: anthropic.AsyncAnthropic, reviewer: ReviewerConfig, messages: list[dict[str, str]], timeout: float
) -> ModelReply:
    options: dict[str, Any] = {}  # keyword arguments of the SDK's create(), only those set: its boundary
    if reviewer.temperature is not None:
        options["temperature"] = reviewer.temperature
    if reviewer.system:
        options["system"] = reviewer.system
    raw = await client.messages.with_raw_response.create(
        model=reviewer.model,
        max_tokens=reviewer.max_tokens,
        messages=messages,  # type: ignore[arg-type]
        extra_body=reviewer.extra or None,
        timeout=timeout,
        **options,
    )
    return parse_anthropic(raw.http_response.content)


def endpoint_of(reviewer: ReviewerConfig) -> str:
    """Reviewers sharing a server share its slots: the key of their concurrency limit."""
    return f"{reviewer.provider}|{(reviewer.base_url or 'default').rstrip('/')}"


class _Caller:
    def __init__(
        self,
        cfg: ReviewConfig,
        reviewers: list[ReviewerConfig],
        keys: list[str],
        progress: Callable[[str], None] | None,
        deadline: float | None,
    ) -> None:
        self.cfg = cfg
        self.keys = keys
        self.progress = progress
        self.deadline = deadline  # time.monotonic() value, or None
        limits: dict[str, int] = {}
        for reviewer in reviewers:
            key = endpoint_of(reviewer)
            wanted = reviewer.concurrency or cfg.concurrency
            limits[key] = min(limits.get(key, wanted), wanted)
        self.slots = {key: asyncio.Semaphore(n) for key, n in limits.items()}

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    async def _send(
        self, job: Job, ask: Ask, messages: list[dict[str, str]], result: CallResult
    ) -> ModelReply | None:
        """One request with its retries; None when it failed (``result`` says why)."""
        retries = self.cfg.retries
        for n in range(1, retries + 2):
            attempt = Attempt(len(result.attempts) + 1, "ok")
            result.attempts.append(attempt)
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                attempt.outcome, result.error = "deadline", "the review deadline ([review] deadline) passed"
                return None
            timeout = job.reviewer.timeout if remaining is None else min(job.reviewer.timeout, remaining)
            try:
                # wait_for is the backstop: a server that trickles bytes never trips the SDK's read timeout.
                reply = await asyncio.wait_for(ask(messages, timeout), timeout + 5)
            except Exception as exc:  # every SDK failure becomes a recorded outcome
                outcome, retryable, retry_after = _classify(exc)
                if outcome == "timeout":
                    retryable = job.reviewer.retry_timeouts
                    late = self._remaining()
                    if late is not None and late <= 1:
                        outcome, retryable = "deadline", False
                attempt.outcome = outcome
                result.error = scrub(f"{outcome}: {exc}", self.keys)[:500]
                if outcome == "timeout" and not retryable:
                    result.error += " (not retried: the server is likely still generating; retry_timeouts)"
                if not retryable or n > retries:
                    return None
                backoff = self.cfg.backoff * 2 ** (n - 1)
                wait = retry_after if retry_after is not None else backoff
                attempt.wait_s = min(wait, self.cfg.max_backoff)
                await asyncio.sleep(attempt.wait_s)
                continue
            result.error = None
            return reply
        return None

    async def call(self, job: Job, ask: Ask) -> CallResult:
        result = CallResult(job.reviewer.name, job.bundle, "failed")
        queued = time.monotonic()
        async with self.slots[endpoint_of(job.reviewer)]:
            started = time.monotonic()
            result.queued_s = started - queued
            messages = [{"role": "user", "content": job.prompt}]
            reply = await self._send(job, ask, messages, result)
            if reply is not None:
                self._take(result, reply)
                problem = self._format_failure(result, reply)
                if problem is not None and self.cfg.repair:
                    result.first_text, result.repair_reason = result.text, problem.reason
                    fix = repair_prompt(problem, list(job.files), result.text)
                    again = [
                        *messages,
                        {"role": "assistant", "content": result.text},
                        {"role": "user", "content": fix},
                    ]
                    result.attempts.append(Attempt(len(result.attempts) + 1, "repair"))
                    second = await self._send(job, ask, again, result)
                    if second is not None:
                        first_prompt, first_out = result.prompt_tokens, result.tokens_out
                        self._take(result, second)
                        result.prompt_tokens = first_prompt
                        if first_out is not None and result.tokens_out is not None:
                            result.tokens_out += first_out
                    else:  # the repair failed: the first answer stands, judged as it was
                        result.error = None
                        result.text, result.first_text = result.first_text, None
                        result.status = self._status(reply)
            result.duration_s = time.monotonic() - started
        if self.progress:
            detail = result.error if result.status == "failed" else f"{result.tokens_out} tokens out"
            self.progress(f"{job.bundle} {job.reviewer.name}: {result.status} ({detail})")
        return result

    @staticmethod
    def _status(reply: ModelReply) -> str:
        return "incomplete" if reply.cut or reply.finish_reason in _CUT_FINISH else "ok"

    def _take(self, result: CallResult, reply: ModelReply) -> None:
        result.text = scrub(reply.text, self.keys)
        result.tokens_out, result.prompt_tokens = reply.completion_tokens, reply.prompt_tokens
        result.finish_reason = reply.finish_reason
        result.served_model = scrub(reply.served_model, self.keys) if reply.served_model else None
        result.status = self._status(reply)

    @staticmethod
    def _format_failure(result: CallResult, reply: ModelReply) -> Usability | None:
        if result.status != "ok":
            return None
        usability = judge(result.text, parse_answer(result.text))
        return usability if usability.verdict in FORMAT_FAILURES else None


async def run_calls(
    jobs: list[Job],
    cfg: ReviewConfig,
    *,
    environ: Mapping[str, str],
    progress: Callable[[str], None] | None = None,
    deadline: float | None = None,
) -> list[CallResult]:
    """Run every job (a reviewer x a bundle); results in the order of ``jobs``.

    ``deadline`` (a ``time.monotonic()`` value) bounds the whole review: calls still
    queued then fail as ``deadline``, running ones get only the time left.
    """
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
    caller = _Caller(cfg, list(reviewers.values()), [k for k in keys.values() if k], progress, deadline)
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
