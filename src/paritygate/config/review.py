"""Config of the review phase: ``[review]`` (owned by the review phase)."""

from __future__ import annotations

from paritygate.config.base import StrictModel

__all__ = ["ReviewConfig"]


class ReviewConfig(StrictModel):
    pass
