"""What every command shares: config loading, the console, error-to-exit-code mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from paritygate.cli.console import console, err_console
from paritygate.config import LoadedConfig, load_config
from paritygate.core.models import Endpoint, PhaseResult, PhaseStatus
from paritygate.errors import EXIT_CHECK_FAILED, EXIT_OK, EXIT_RUNTIME, RuntimeProblem

__all__ = [
    "case_selection_options",
    "config_option",
    "console",
    "err_console",
    "json_option",
    "load_for_command",
    "out_option",
    "phase_exit_code",
    "stack_for_command",
    "target_options",
    "tracker_option",
]


def config_option(func: Any) -> Any:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Path to paritygate.toml (default: the nearest one upward, else the bundled demo).",
    )(func)


def case_selection_options(func: Any) -> Any:
    """``--tag`` / ``--case``: probe only the parity cases with one of these tags or names."""
    func = click.option(
        "--case", "case_names", multiple=True, metavar="NAME", help="Only this parity case (repeatable)."
    )(func)
    return click.option(
        "--tag", "tags", multiple=True, metavar="TAG", help="Only parity cases with this tag (repeatable)."
    )(func)


def target_options(verb: str) -> Callable[[Any], Any]:
    """``--up`` / ``--target`` / ``--reference``: where the implementations a command compares run."""

    def decorate(func: Any) -> Any:
        func = click.option("--reference", metavar="NAME", help="Compare every target against this one.")(
            func
        )
        func = click.option(
            "--target",
            "target_specs",
            multiple=True,
            metavar="NAME=URL",
            help=f"{verb.capitalize()} this URL as NAME (repeat, at least twice); no stack needed.",
        )(func)
        return click.option(
            "--up", "bring_up", is_flag=True, help=f"Bring the stack up, {verb}, take it down."
        )(func)

    return decorate


def tracker_option(func: Any) -> Any:
    return click.option(
        "--tracker",
        "tracker_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Decisions tracker.",
    )(func)


def json_option(func: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(func)


def out_option(func: Any) -> Any:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Directory to write reports into.",
    )(func)


def load_for_command(config_path: Path | None, *, quiet: bool = False) -> LoadedConfig:
    """Load the config; say in one line (on stderr) when the bundled demo is used."""
    loaded = load_config(config_path)
    if loaded.is_demo and not quiet:
        err_console.print(
            f"no paritygate.toml found from {Path.cwd()} upward; using the bundled demo ({loaded.path})",
            markup=False,
        )
    return loaded


def phase_exit_code(result: PhaseResult) -> int:
    """A single phase's command: 3 when it errored, 1 when it failed, else 0 (passed or skipped)."""
    if result.status is PhaseStatus.ERROR:
        return EXIT_RUNTIME
    return EXIT_CHECK_FAILED if result.status is PhaseStatus.FAILED else EXIT_OK


@contextmanager
def stack_for_command(loaded: LoadedConfig, *, twins: Sequence[str] = ()) -> Iterator[dict[str, Endpoint]]:
    """``--up``: the config's stack for the block (plus a twin of each service in ``twins``).
    SIGINT/SIGTERM stop it (exit 3) instead of killing this process and leaving the
    services running without an owner."""
    from paritygate.stack import Interrupted, SignalGuard, Stack

    stack = Stack(loaded, twins=twins)
    with SignalGuard() as guard:
        try:
            yield stack.up()
        except Interrupted as exc:
            raise RuntimeProblem(f"interrupted by {exc}; the stack was stopped") from None
        finally:
            guard.disarm()  # a second signal must not cut the teardown short
            stack.down()
