"""Helpers of the parity tests: a small project (config + cases) around the stand-in implementations."""

from __future__ import annotations

from pathlib import Path

from paritygate.config import LoadedConfig, load_config
from paritygate.core.models import Endpoint

HAPPY = 'json = { kind = "playbook", artifact = { fingerprint = "fp-1", operation = "fill: a" } }'
MISSING = 'json = { kind = "playbook", artifact = { operation = "fill: a" } }'
CASES = f"""\
[[cases]]
name = "happy"
method = "POST"
path = "/v1/validate"
{HAPPY}

[[cases]]
name = "missing_fingerprint"
method = "POST"
path = "/v1/validate"
{MISSING}

[[cases]]
name = "missing_again"
method = "POST"
path = "/v1/validate"
tags = ["second"]
{MISSING}
"""

CONFIG = """\
name = "fake-validator"

[parity]
cases = "cases.toml"
tracker = "TRACKER.md"
timeout = 2.0
"""
IGNORE_ELAPSED = """
[[parity.ignore]]
path = "$.elapsed_ms"
reason = "volatile"
"""


def make_project(
    tmp_path: Path, *, ignore_elapsed: bool = True, cases: str = CASES, extra: str = ""
) -> LoadedConfig:
    (tmp_path / "cases.toml").write_text(cases, encoding="utf-8")
    config = CONFIG + (IGNORE_ELAPSED if ignore_elapsed else "") + extra
    (tmp_path / "paritygate.toml").write_text(config, encoding="utf-8")
    return load_config(tmp_path / "paritygate.toml")


def pick(endpoints: dict[str, Endpoint], *names: str) -> dict[str, Endpoint]:
    return {n: endpoints[n] for n in names}
