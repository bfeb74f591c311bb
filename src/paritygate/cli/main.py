"""The ``paritygate`` command group.

Subcommands are imported lazily so that ``paritygate --help`` and fast commands do
not pay for the HTTP stacks and SDKs the heavy phases import.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from paritygate import __version__
from paritygate.errors import ParitygateError

__all__ = ["cli", "main"]

# command name -> "module:attribute"
_COMMANDS: dict[str, str] = {
    "init": "paritygate.cli.init_cmd:init",
    "run": "paritygate.cli.run_cmd:run",
    "check": "paritygate.cli.check_cmd:check",
    "stack": "paritygate.cli.stack_cmd:stack",
    "smoke": "paritygate.cli.smoke_cmd:smoke",
    "parity": "paritygate.cli.parity_cmd:parity",
    "fuzz": "paritygate.cli.fuzz_cmd:fuzz",
    "review": "paritygate.cli.review_cmd:review",
    "assess": "paritygate.cli.run_cmd:assess",
    "history": "paritygate.cli.history_cmd:history",
    "diff": "paritygate.cli.history_cmd:diff",
    "tracker": "paritygate.cli.tracker_cmd:tracker",
}

_HELP: dict[str, str] = {
    "init": "Scaffold a project: config, smoke, cases, tracker, .gitignore.",
    "run": "Run the whole gauntlet: stack, smoke, parity, review, assess.",
    "check": "Validate the config; print services, ports and start order.",
    "stack": "Bring the services up, inspect them, take them down.",
    "smoke": "Run the declarative smoke checks against the stack.",
    "parity": "Send identical requests to every implementation and compare.",
    "fuzz": "Generated requests to every implementation; divergences shrunk to a minimal case.",
    "review": "Per-component multi-reviewer LLM review of a change.",
    "assess": "Recompute the verdict of a finished run directory.",
    "history": "Recent runs, flaky cases and regressions.",
    "diff": "What changed between two runs.",
    "tracker": "The decisions tracker: list; accept, fix or reopen a row; migrate old keys.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        # Commands return their exit code; ParitygateErrors become message + exit code.
        try:
            rv = super().invoke(ctx)
        except ParitygateError as exc:
            from paritygate.cli.console import err_console  # rich's console only when there is an error

            err_console.print(f"error: {exc}", markup=False)
            ctx.exit(exc.exit_code)
        if isinstance(rv, int) and not isinstance(rv, bool):
            ctx.exit(rv)
        return rv

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help without importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, _HELP.get(name, "")) for name in _COMMANDS])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paritygate")
def cli() -> None:
    """paritygate: is this change ready for production?

    Runs a gauntlet over a stack whose service has two or more implementations,
    using each implementation as a measurement instrument for the others.

    Exit codes: 0 success, 1 a check found a failure (or the verdict is block),
    2 usage or config error, 3 environment or runtime error.
    """


def main(argv: list[str] | None = None) -> Any:
    # Every terminal line goes through the secret mask (core.masking), whoever prints it.
    from paritygate.core.masking import MaskingStream

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskingStream(sys.stdout), MaskingStream(sys.stderr)
    try:
        return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="paritygate")
    finally:
        sys.stdout, sys.stderr = saved
