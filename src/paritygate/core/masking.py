"""Masking secret values in everything paritygate writes or prints.

Masking is by value, not by variable: a secret is replaced by ``***`` wherever it
shows up, including when a server echoes it back in a body or a header, or a
check captures it. Besides the raw text, the forms a secret takes on the way
through HTTP and JSON are masked too (percent-encoded in a URL, escaped in JSON).

The process-wide registry (:func:`register_secrets`) holds the secrets of the loaded
config: every value substituted from ``${ENV}`` (unless ``[run] public_env`` names
it) and every reviewer API key. Three chokepoints apply it, so no writer can forget:
``core.fs`` (every file paritygate writes), the history store (every row), and the
CLI's stdout/stderr (:class:`MaskingStream`). Values shorter than
:data:`MIN_SECRET_LENGTH` are not masked: replacing ``1`` or ``dev`` everywhere would
destroy every report while hiding nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote, quote_plus

import orjson

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "Masker",
    "MaskingStream",
    "clear_registered_secrets",
    "mark_public",
    "redact",
    "redact_bytes",
    "register_env_value",
    "register_secrets",
    "registered_masker",
]

MASK = "***"
MIN_SECRET_LENGTH = 4


def _forms(secret: str) -> set[str]:
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        orjson.dumps(secret).decode()[1:-1],
    }
    return {form for form in forms if form}


class Masker:
    def __init__(self, secrets: Iterable[str]) -> None:
        forms = sorted(
            {form for secret in secrets if secret for form in _forms(secret)}, key=len, reverse=True
        )
        # Longest first, so a secret is not half-masked by a shorter one it contains.
        self._pattern = re.compile("|".join(re.escape(form) for form in forms)) if forms else None
        raw = [form.encode("utf-8", "surrogatepass") for form in forms]
        self._bytes = re.compile(b"|".join(re.escape(form) for form in raw)) if raw else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        return self._pattern.sub(MASK, value) if self._pattern is not None else value

    def data(self, value: bytes) -> bytes:
        return self._bytes.sub(MASK.encode(), value) if self._bytes is not None else value

    def tree(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string (keys included) masked."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.tree(v) for v in value]
        return value


_registered: set[str] = set()
_public_names: set[str] = set()
_masker = Masker(())
_lock = threading.Lock()


def mark_public(names: Iterable[str]) -> None:
    """Environment variables whose values are not secrets (``[run] public_env``)."""
    with _lock:
        _public_names.update(names)


def register_env_value(name: str, value: str) -> None:
    """A value substituted from ``${name}``: a secret unless ``name`` was marked public."""
    if name not in _public_names:
        register_secrets((value,))


def register_secrets(values: Iterable[str]) -> None:
    """Mask these values from now on in every file, history row and terminal line."""
    global _masker
    with _lock:
        fresh = {v for v in values if len(v) >= MIN_SECRET_LENGTH} - _registered
        if fresh:
            _registered.update(fresh)
            _masker = Masker(_registered)


def clear_registered_secrets() -> None:
    """Forget every registered secret (a new config in the same process; tests)."""
    global _masker
    with _lock:
        _registered.clear()
        _public_names.clear()
        _masker = Masker(())


def registered_masker() -> Masker:
    return _masker


def redact(text: str) -> str:
    return _masker.text(text)


def redact_bytes(data: bytes) -> bytes:
    return _masker.data(data)


class MaskingStream(io.TextIOBase):
    """A text stream that masks the registered secrets in everything written to it.

    Rich and click write whole lines or renderables per call, so a secret is never
    split across two writes by them. A closed reader (SIGPIPE is ignored by Python, so a
    write raises BrokenPipeError) silences the stream instead of ending the command.
    """

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner
        self.reader_gone = False  # the other end closed (``paritygate run | head -2``)

    def write(self, text: str) -> int:
        # A reader that went away must not end a run halfway: its report is still written.
        if not self.reader_gone:
            try:
                self.inner.write(_masker.text(text))
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self.inner.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        # Point the descriptor at /dev/null, so the interpreter's own flush at exit is quiet.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.inner.fileno())
            os.close(devnull)

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8") or "utf-8"

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:  # buffer, errors, ...: what the wrapped stream has
        return getattr(self.inner, name)
