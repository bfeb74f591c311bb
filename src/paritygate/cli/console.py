"""The two terminal consoles, in a module of their own so that ``--help`` and
``--version`` need only click and rich (no config models, no HTTP stacks)."""

from __future__ import annotations

import os

from rich.console import Console

__all__ = ["console", "err_console"]


def _make_console(stderr: bool) -> Console:
    # rich honours NO_COLOR itself; FORCE_COLOR / TERM=dumb too.
    return Console(stderr=stderr, highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ or None)


console = _make_console(stderr=False)
err_console = _make_console(stderr=True)
