"""Counting a rendered prompt in the tokens of the model that will read it.

In order of preference, per reviewer:

1. ``server:/tokenize`` — the server's own tokenizer (llama.cpp's ``POST /tokenize``, or
   llama-cpp-python's ``POST /extras/tokenize``), asked on the reviewer's ``base_url``;
2. ``tiktoken:<encoding>`` — an OpenAI model tiktoken knows, when the encoding file is
   already in tiktoken's local cache (paritygate never downloads one: a review sends
   nothing off the machine but the prompts themselves);
3. ``estimate:bytes/2.5`` — a calibrated estimate, named as such: code and diffs run at
   2–3 bytes a token (real prompt tokens were 1.6–2.0× the old ``bytes/4``), so
   2.5 errs toward splitting.

The chat template adds a few tokens per message; :data:`CHAT_OVERHEAD` is added to
every count so a prompt measured to the last token still fits.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from paritygate.config.review import ReviewerConfig

__all__ = ["CHAT_OVERHEAD", "ESTIMATE", "Measured", "TokenCounter", "estimate_tokens", "open_counter"]

ESTIMATE = "estimate:bytes/2.5"
BYTES_PER_TOKEN = 2.5
CHAT_OVERHEAD = 16  # role markers and template tokens per message
_TIKTOKEN_FILES = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


@dataclass(slots=True, frozen=True)
class Measured:
    """The prompt of one bundle as counted for one reviewer before sending."""

    tokens: int
    method: str
    budget: int | None  # context_tokens - max_tokens, None when the context is unknown


def estimate_tokens(text: str) -> int:
    return int(len(text.encode("utf-8")) / BYTES_PER_TOKEN) + 1


@dataclass(slots=True)
class TokenCounter:
    """Counts tokens for one reviewer; ``method`` says how (recorded with every count)."""

    method: str
    _encoding: Any = None
    _url: str | None = None
    _field: str = "content"

    async def count(self, text: str, client: httpx.AsyncClient | None = None) -> tuple[int, str]:
        """``(tokens, method)``; a server that stops answering falls back to the estimate."""
        if self._encoding is not None:
            return len(self._encoding.encode(text, disallowed_special=())) + CHAT_OVERHEAD, self.method
        if self._url is not None and client is not None:
            tokens = await _ask_server(client, self._url, self._field, text)
            if tokens is not None:
                return tokens + CHAT_OVERHEAD, self.method
        return estimate_tokens(text) + CHAT_OVERHEAD, ESTIMATE


def _tiktoken_cached(model: str) -> Any:
    """tiktoken's encoding for ``model`` when its file is in tiktoken's cache, else None."""
    try:
        import tiktoken
        import tiktoken.model
    except ImportError:
        return None
    try:
        name = tiktoken.model.encoding_name_for_model(model)
    except KeyError:
        return None
    url = _TIKTOKEN_FILES.get(name)
    if url is None:
        return None
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    folder = Path(cache) if cache else Path(tempfile.gettempdir()) / "data-gym-cache"
    if not (folder / hashlib.sha1(url.encode()).hexdigest()).is_file():
        return None  # loading it would download it
    try:
        return tiktoken.get_encoding(name)
    except Exception:  # a corrupt cache file: the estimate, not a crash
        return None


async def _ask_server(client: httpx.AsyncClient, url: str, field: str, text: str) -> int | None:
    try:
        response = await client.post(url, json={field: text}, timeout=60.0)
        if response.status_code != 200:
            return None
        tokens = response.json().get("tokens")
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    if isinstance(tokens, list) and len(tokens) < 10**8:
        return len(tokens)
    return None


def _server_root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


async def open_counter(reviewer: ReviewerConfig, client: httpx.AsyncClient) -> TokenCounter:
    """Find the best counter for ``reviewer`` (probing its server's tokenize endpoints once)."""
    if reviewer.base_url is not None and reviewer.provider == "openai":  # llama.cpp-compatible servers
        root = _server_root(reviewer.base_url)
        for path, field in (("/tokenize", "content"), ("/extras/tokenize", "input")):
            if await _ask_server(client, root + path, field, "hello") is not None:
                return TokenCounter(f"server:{path}", _url=root + path, _field=field)
    if reviewer.provider == "openai":
        encoding = _tiktoken_cached(reviewer.model)
        if encoding is not None:
            return TokenCounter(f"tiktoken:{encoding.name}", _encoding=encoding)
    return TokenCounter(ESTIMATE)
