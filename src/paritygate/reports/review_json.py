"""review.json: the review document (``paritygate.review/2``), as the phase produced it."""

from __future__ import annotations

from pathlib import Path

import orjson

from paritygate.core.fs import atomic_write_bytes
from paritygate.core.review_doc import ReviewDocument

__all__ = ["review_json_bytes", "write_review_json"]


def review_json_bytes(data: ReviewDocument) -> bytes:
    return orjson.dumps(data.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_review_json(path: Path, data: ReviewDocument) -> None:
    atomic_write_bytes(path, review_json_bytes(data))
