"""Numbers in the config are bounded by the model: no inf/nan, no absurd durations or sizes."""

from __future__ import annotations

from pathlib import Path

import pytest

from paritygate.config import load_config
from paritygate.errors import ConfigError


def _load(tmp_path: Path, body: str) -> None:
    path = tmp_path / "paritygate.toml"
    path.write_text(body, encoding="utf-8")
    load_config(path)


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "1e9"])
def test_grace_period_must_be_a_finite_bounded_number(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f'[services.a]\ncommand = ["x"]\ngrace_period = {value}\n')
    assert caught.value.exit_code == 2
    assert "services.a.grace_period" in str(caught.value)


def test_parity_timeout_rejects_infinity(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, "[parity]\ntimeout = inf\n")
    assert "parity.timeout" in str(caught.value)


def test_a_generated_smoke_body_is_bounded_by_its_size_not_only_its_count(tmp_path: Path) -> None:
    body = """
[services.a]
command = ["x"]
port = 0

[[smoke.chains]]
name = "c"
[[smoke.chains.checks]]
name = "big"
target = "a"
path = "/"
body_repeat = { text = "0123456789abcdef", times = 4194304 }
"""
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, body)
    assert "at most 33554432 (32 MiB)" in str(caught.value)
