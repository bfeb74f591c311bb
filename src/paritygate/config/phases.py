"""Config of the phases: ``[parity]``, ``[assess]`` and ``[run]``.

``[smoke]`` lives in :mod:`paritygate.config.smoke`, ``[review]`` in :mod:`paritygate.config.review`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from paritygate.config.base import StrictModel

__all__ = ["ArrayRule", "AssessConfig", "IgnoreRule", "ParityConfig", "PhaseName", "RunSettings"]

# The body limit's default (4 MiB): bodies up to it are parsed and diffed path by path.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024

PhaseName = Literal["stack", "smoke", "parity", "review"]


def _all_phases() -> list[PhaseName]:
    return ["stack", "smoke", "parity", "review"]


class IgnoreRule(StrictModel):
    """Ignore a body path (``path``) or a header (``header``), optionally only when the value matches ``when``."""

    path: str | None = None
    header: str | None = None
    when: str | None = None  # regex on the value (str() of non-strings)
    reason: str | None = None


class ArrayRule(StrictModel):
    """How to compare the arrays a path selects: ``unordered`` or matched by a key field."""

    path: str
    mode: Literal["unordered", "by_key"] = "unordered"
    key: str | None = None


class ParityConfig(StrictModel):
    cases: str | None = None  # TOML or JSON Lines file, relative to the config file
    targets: list[str] = Field(default_factory=list)  # service names; empty = every service with a port
    reference: str | None = None
    tracker: str = "docs/ARCHITECTURE_COMPARISON.md"
    headers: list[str] = Field(default_factory=lambda: ["content-type"])  # compared headers
    json_types: list[str] = Field(default_factory=list)  # more media types compared as JSON
    ignore: list[IgnoreRule] = Field(default_factory=list)
    arrays: list[ArrayRule] = Field(default_factory=list)
    concurrency: int = Field(default=16, ge=1, le=1024)
    timeout: float = Field(default=10.0, gt=0, le=86400)
    retries: int = Field(default=0, ge=0, le=100)
    noise_runs: int = Field(default=0, ge=0, le=1000)
    # Past this a body is compared by length and SHA-256 and kept as a file (probe.bodies).
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024, le=1024 * 1024 * 1024)


class AssessConfig(StrictModel):
    block_on_smoke_failure: bool = True
    block_on_status_mismatch: bool = True
    block_on_new_divergence: bool = True
    block_on_unreachable: bool = True
    block_on_phase_error: bool = True
    block_on_fixed_divergence: bool = False  # a `fixed?` row is reported loudly but does not block
    review_block_lineages: int = Field(default=2, ge=1)


class RunSettings(StrictModel):
    out_dir: str = ".paritygate/runs"
    history: str = ".paritygate/history.sqlite"
    phases: list[PhaseName] = Field(default_factory=_all_phases)
    # Environment variables whose ${VAR} values are not secrets (every other one is masked).
    public_env: list[str] = Field(default_factory=list)
