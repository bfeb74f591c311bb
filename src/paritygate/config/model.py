"""The root model of ``paritygate.toml``."""

from __future__ import annotations

from pydantic import Field

from paritygate.config.base import StrictModel
from paritygate.config.phases import AssessConfig, ParityConfig, RunSettings
from paritygate.config.review import ReviewConfig
from paritygate.config.smoke import SmokeConfig
from paritygate.config.stack import ServiceConfig, StackSettings

__all__ = ["ProjectConfig"]


class ProjectConfig(StrictModel):
    name: str = "paritygate"
    stack: StackSettings = Field(default_factory=StackSettings)
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    smoke: SmokeConfig | None = None
    parity: ParityConfig | None = None
    review: ReviewConfig | None = None
    assess: AssessConfig = Field(default_factory=AssessConfig)
    run: RunSettings = Field(default_factory=RunSettings)
