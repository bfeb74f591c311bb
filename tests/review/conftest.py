"""Fixtures of the review tests: throwaway git repositories, configs, and the fake LLM server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_helpers import Repo

from paritygate.config import LoadedConfig, load_config


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Repo]:
    def make(name: str = "repo") -> Repo:
        return Repo(tmp_path / name)

    return make


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], LoadedConfig]:
    """Write a paritygate.toml holding ``text`` and load it."""

    def write(text: str) -> LoadedConfig:
        path = tmp_path / "cfg" / "paritygate.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    return write
