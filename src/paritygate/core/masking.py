"""Masking secret values in everything the smoke phase reports.

Masking is by value, not by variable: a secret is replaced by ``***`` wherever it
shows up, including when a server echoes it back in a body or a header, or a
check captures it. Besides the raw text, the forms a secret takes on the way
through HTTP and JSON are masked too (percent-encoded in a URL, escaped in JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import orjson

__all__ = ["MASK", "Masker"]

MASK = "***"


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

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        return self._pattern.sub(MASK, value) if self._pattern is not None else value

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
