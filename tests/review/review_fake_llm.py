"""A scripted fake LLM server speaking the OpenAI chat-completions and Anthropic messages wire formats.

It runs an aiohttp app on 127.0.0.1 (a free port) in a thread of its own, so the real
``openai.AsyncOpenAI`` and ``anthropic.AsyncAnthropic`` clients talk real HTTP to it.
Every request body is recorded, so a test can assert what left the machine.

A script maps a model name to a list of rules; a rule applies when every string of
``when`` occurs in the prompt, and answers with its replies in turn (the last one repeats).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web


@dataclass(slots=True)
class Reply:
    text: str = ""
    status: int = 200
    finish: str = "stop"  # "stop" | "length"; mapped to Anthropic's end_turn / max_tokens
    tokens_out: int | None = None
    served_model: str | None = None  # defaults to the requested model
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # sent as the body as is (a malformed reply)
    delay: float = 0.0  # seconds before answering (a slow local model)
    prompt_tokens: int | None = None  # usage.prompt_tokens; default len(prompt) // 4


@dataclass(slots=True)
class Rule:
    replies: list[Reply]
    when: tuple[str, ...] = ()
    served: int = 0


@dataclass(slots=True)
class Recorded:
    api: str  # "openai" | "anthropic"
    model: str
    body: bytes
    auth: str


class FakeLLM:
    def __init__(self, script: dict[str, list[Rule]]) -> None:
        self.script = script
        self.requests: list[Recorded] = []
        self.port = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.spans: list[tuple[float, float]] = []  # (start, end) monotonic of each answered request
        self.tokenize_divisor: int | None = None  # serve POST /tokenize: one token per N bytes
        self.served_alias: str | None = None  # the model name every answer reports

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def anthropic_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _pick(self, model: str, prompt: str) -> Reply:
        with self._lock:
            for rule in self.script.get(model, []):
                if all(needle in prompt for needle in rule.when):
                    reply = rule.replies[min(rule.served, len(rule.replies) - 1)]
                    rule.served += 1
                    return reply
        return Reply(status=404, text=f"no scripted reply for model {model!r}")

    def _record(self, api: str, request: web.Request, body: bytes) -> dict[str, Any]:
        doc: dict[str, Any] = orjson.loads(body)
        auth = request.headers.get("authorization", "") or request.headers.get("x-api-key", "")
        with self._lock:
            self.requests.append(Recorded(api, str(doc.get("model")), body, auth))
        return doc

    @staticmethod
    def _error(reply: Reply, api: str) -> web.Response:
        kind = "rate_limit_error" if reply.status == 429 else "api_error"
        if api == "openai":
            payload: dict[str, Any] = {"error": {"message": reply.text or kind, "type": kind, "code": None}}
        else:
            payload = {"type": "error", "error": {"type": kind, "message": reply.text or kind}}
        return web.json_response(payload, status=reply.status, headers=reply.headers)

    async def tokenize(self, request: web.Request) -> web.Response:
        if self.tokenize_divisor is None:
            return web.json_response({"error": "not found"}, status=404)
        doc = orjson.loads(await request.read())
        size = len(str(doc.get("content", "")).encode("utf-8"))
        return web.json_response({"tokens": list(range(size // self.tokenize_divisor))})

    async def _slow(self, reply: Reply) -> float:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        started = time.monotonic()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return started

    def _done(self, started: float) -> None:
        with self._lock:
            self.in_flight -= 1
            self.spans.append((started, time.monotonic()))

    async def chat_completions(self, request: web.Request) -> web.Response:
        doc = self._record("openai", request, await request.read())
        prompt = "\n".join(str(m.get("content", "")) for m in doc.get("messages", []))
        reply = self._pick(str(doc["model"]), prompt)
        started = await self._slow(reply)
        try:
            return self._openai_answer(doc, prompt, reply)
        finally:
            self._done(started)

    def _openai_answer(self, doc: dict[str, Any], prompt: str, reply: Reply) -> web.Response:
        if reply.raw is not None:
            return web.Response(body=reply.raw, content_type="application/json")
        if reply.status != 200:
            return self._error(reply, "openai")
        tokens = reply.tokens_out if reply.tokens_out is not None else max(1, len(reply.text) // 4)
        sent = reply.prompt_tokens if reply.prompt_tokens is not None else len(prompt) // 4
        return web.json_response(
            {
                "id": f"chatcmpl-{next(self._ids)}",
                "object": "chat.completion",
                "created": 1_777_000_000,
                "model": reply.served_model or self.served_alias or doc["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.text},
                        "finish_reason": reply.finish,
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": sent, "completion_tokens": tokens, "total_tokens": sent + tokens},
            }
        )

    async def messages(self, request: web.Request) -> web.Response:
        doc = self._record("anthropic", request, await request.read())
        parts = [str(doc.get("system", ""))]
        for message in doc.get("messages", []):
            content = message.get("content", "")
            if isinstance(content, list):
                parts.extend(str(block.get("text", "")) for block in content)
            else:
                parts.append(str(content))
        prompt = "\n".join(parts)
        reply = self._pick(str(doc["model"]), prompt)
        started = await self._slow(reply)
        try:
            return self._anthropic_answer(doc, prompt, reply)
        finally:
            self._done(started)

    def _anthropic_answer(self, doc: dict[str, Any], prompt: str, reply: Reply) -> web.Response:
        if reply.raw is not None:
            return web.Response(body=reply.raw, content_type="application/json")
        if reply.status != 200:
            return self._error(reply, "anthropic")
        tokens = reply.tokens_out if reply.tokens_out is not None else max(1, len(reply.text) // 4)
        return web.json_response(
            {
                "id": f"msg_{next(self._ids):024d}",
                "type": "message",
                "role": "assistant",
                "model": reply.served_model or doc["model"],
                "content": [{"type": "text", "text": reply.text}],
                "stop_reason": "max_tokens" if reply.finish == "length" else "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": len(prompt) // 4, "output_tokens": tokens},
            }
        )


@contextmanager
def serve(fake: FakeLLM) -> Iterator[FakeLLM]:
    """Run ``fake`` on a free loopback port in a thread; stop it and close everything on exit."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    runner_box: list[web.AppRunner] = []

    async def start() -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", fake.chat_completions)
        app.router.add_post("/v1/messages", fake.messages)
        app.router.add_post("/tokenize", fake.tokenize)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        fake.port = server.sockets[0].getsockname()[1]
        runner_box.append(runner)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner_box[0].cleanup())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=run, name="fake-llm", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("fake LLM server did not start within 10 s")
    try:
        yield fake
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
