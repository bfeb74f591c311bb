"""The root model of ``paritygate.toml``."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from paritygate.config.base import StrictModel
from paritygate.config.phases import AssessConfig, FuzzConfig, ParityConfig, RunSettings
from paritygate.config.review import ReviewConfig
from paritygate.config.smoke import SmokeConfig
from paritygate.config.stack import ServiceConfig, StackSettings

__all__ = ["ProjectConfig"]

_SERVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


class ProjectConfig(StrictModel):
    name: str = "paritygate"
    stack: StackSettings = Field(default_factory=StackSettings)
    services: dict[str, ServiceConfig] = Field(default_factory=dict)

    @field_validator("services")
    @classmethod
    def _service_names(cls, value: dict[str, ServiceConfig]) -> dict[str, ServiceConfig]:
        # A name becomes a log file name, an env var suffix and a report heading.
        for name in value:
            if not _SERVICE_NAME.fullmatch(name):
                raise ValueError(
                    f"service name {name!r} must start with a letter or digit and hold only"
                    " letters, digits, '_', '-' or '.' (at most 64)"
                )
        return value

    smoke: SmokeConfig | None = None
    parity: ParityConfig | None = None
    fuzz: FuzzConfig | None = None
    review: ReviewConfig | None = None
    assess: AssessConfig = Field(default_factory=AssessConfig)
    run: RunSettings = Field(default_factory=RunSettings)
