"""The strict base model every config section derives from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["StrictModel"]


class StrictModel(BaseModel):
    """Unknown keys and wrong types are errors; no silent coercion ("5" is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)
