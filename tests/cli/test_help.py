"""Every command and subcommand answers --help with exit 0 and a usage line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from paritygate.cli.console import _make_console
from paritygate.cli.main import _COMMANDS, cli


def _all_paths() -> list[list[str]]:
    paths: list[list[str]] = [[]]
    ctx = click.Context(cli)
    for name in _COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, name
        paths.append([name])
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.list_commands(ctx))
    return paths


@pytest.mark.parametrize("path", _all_paths(), ids=lambda p: " ".join(p) or "paritygate")
def test_help(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2


def _rendered(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    console = _make_console(stderr=False)
    with console.capture() as captured:
        console.print("[red]divergence[/red]")
    return captured.get()


def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    # FORCE_COLOR makes rich colour a pipe; NO_COLOR must still win.
    assert "\x1b[31m" in _rendered(monkeypatch, FORCE_COLOR="1")
    assert "\x1b[31m" not in _rendered(monkeypatch, FORCE_COLOR="1", NO_COLOR="1")
