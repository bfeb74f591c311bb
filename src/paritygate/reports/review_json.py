"""review.json: the ``paritygate.review/1`` document, as the phase produced it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from paritygate.core.fs import atomic_write_bytes

__all__ = ["review_json_bytes", "write_review_json"]


def review_json_bytes(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_review_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write_bytes(path, review_json_bytes(data))
