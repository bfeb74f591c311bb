"""The two terminal consoles, in a module of their own so that ``--help`` and
``--version`` need only click and rich (no config models, no HTTP stacks)."""

from __future__ import annotations

import os
import sys

from rich.console import Console

__all__ = ["PIPED_WIDTH", "console", "err_console", "piped_width"]

# Piped output (a file, `| cat`, `| grep`, CI logs) has no real width: rich would fall back
# to 80 columns and fold table cells mid-token. Lay it out as wide as its content needs.
PIPED_WIDTH = 100_000


def piped_width(stderr: bool) -> int | None:
    """The width to lay out at: None (rich's own: the terminal's, or COLUMNS) unless the
    stream is not a terminal and COLUMNS does not say otherwise."""
    stream = sys.stderr if stderr else sys.stdout
    if os.environ.get("COLUMNS", "").strip().isdigit():
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or replaced stream
        pass
    return PIPED_WIDTH


def _make_console(stderr: bool) -> Console:
    # rich honours NO_COLOR itself; FORCE_COLOR / TERM=dumb too.
    return Console(
        stderr=stderr,
        highlight=False,
        soft_wrap=True,
        no_color="NO_COLOR" in os.environ or None,
        width=piped_width(stderr),
    )


console = _make_console(stderr=False)
err_console = _make_console(stderr=True)
