"""Config of the stack: ``[stack]`` settings and one ``[services.NAME]`` table per service."""

from __future__ import annotations

import signal
from typing import Self

from pydantic import Field, field_validator, model_validator

from paritygate.config.base import StrictModel
from paritygate.config.phases import valid_regex

__all__ = ["ReadyCheck", "ServiceConfig", "StackSettings"]

_DAY = 86400.0


class ReadyCheck(StrictModel):
    """Exactly one of ``http`` (a path), ``tcp`` (true) or ``log`` (a regex on the log)."""

    http: str | None = None
    status: int = 200
    tcp: bool = False
    log: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        chosen = [
            k
            for k, on in (("http", self.http is not None), ("tcp", self.tcp), ("log", self.log is not None))
            if on
        ]
        if len(chosen) != 1:
            raise ValueError(f"set exactly one of http, tcp, log (got {', '.join(chosen) or 'none'})")
        if self.http is not None and not self.http.startswith("/"):
            raise ValueError(f"http readiness path must start with '/', got {self.http!r}")
        if self.log is not None:
            valid_regex(self.log)
        return self


class ServiceConfig(StrictModel):
    command: list[str] = Field(min_length=1)
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    port: int | None = Field(default=None, ge=0, le=65535)  # 0 = pick a free port
    host: str = "127.0.0.1"
    ready: ReadyCheck | None = None
    # Durations in seconds, bounded so that a typo cannot park a run for days.
    start_period: float = Field(default=0.0, ge=0, le=_DAY)
    interval: float = Field(default=0.05, gt=0, le=3600)
    timeout: float = Field(default=1.0, gt=0, le=_DAY)  # per readiness try
    deadline: float = Field(default=30.0, gt=0, le=_DAY)  # whole readiness wait
    depends_on: list[str] = Field(default_factory=list)
    stop_signal: str = "SIGTERM"
    grace_period: float = Field(default=5.0, ge=0, le=3600)

    @field_validator("stop_signal")
    @classmethod
    def _known_signal(cls, value: str) -> str:
        name = value if value.startswith("SIG") else f"SIG{value}"
        if not isinstance(getattr(signal, name, None), signal.Signals):
            raise ValueError(f"unknown signal {value!r} (expected a name such as SIGTERM or SIGINT)")
        return name

    @model_validator(mode="after")
    def _ready_needs_port(self) -> Self:
        if self.ready is not None and (self.ready.http is not None or self.ready.tcp) and self.port is None:
            raise ValueError("an http or tcp readiness check needs a port (use port = 0 for a free one)")
        return self


class StackSettings(StrictModel):
    state_dir: str = ".paritygate"  # relative to the project directory
    timeout: float = Field(default=60.0, gt=0, le=_DAY)  # whole `stack up`
