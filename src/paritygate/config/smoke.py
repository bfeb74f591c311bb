"""Config of the smoke chain: ``[smoke]`` (owned by the smoke phase)."""

from __future__ import annotations

from paritygate.config.base import StrictModel

__all__ = ["SmokeConfig"]


class SmokeConfig(StrictModel):
    file: str | None = None  # a TOML file holding [[chains]], relative to the config file
