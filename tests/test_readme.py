"""The README's TOML examples are valid configs (docs that drift are worse than none)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paritygate.config import load_config
from paritygate.probe.cases import parse_cases_file

README = Path(__file__).resolve().parents[1] / "README.md"


def _toml_blocks() -> list[str]:
    return re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_cases_examples_parse(tmp_path: Path) -> None:
    blocks = [b for b in _toml_blocks() if b.startswith("# cases.toml")]
    assert blocks
    for block in blocks:
        assert parse_cases_file(block, tmp_path / "cases.toml").scenarios


def test_readme_config_examples_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_TOKEN", "example")
    blocks = [b for b in _toml_blocks() if not b.startswith("# cases.toml")]
    assert len(blocks) >= 2
    (tmp_path / "paritygate.toml").write_text("\n".join(blocks), encoding="utf-8")
    loaded = load_config(tmp_path / "paritygate.toml")
    assert loaded.model.parity is not None and loaded.model.review is not None
    assert loaded.order.index("db") < loaded.order.index("go")


def test_readme_quickstart_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quickstart = text[text.index("## Quickstart") : text.index("## The gauntlet")]
    commands = re.findall(r"```sh\n(.*?)```", quickstart, flags=re.S)
    assert len(commands) == 2
    assert commands[0].strip().endswith("paritygate run")
    assert commands[1].strip().endswith("pytest")
