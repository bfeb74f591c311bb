"""Blocking entry points for async phases, without writing every signature twice."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

__all__ = ["blocking"]

P = ParamSpec("P")
T = TypeVar("T")


def blocking(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """``blocking(run_x_async)`` is ``run_x``: same parameters, runs its own event loop."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        # The main task returns None and the result travels in a box: asyncio.run
        # reprs the main task's result on some paths (3.11), which for a parity
        # document of a big run costs longer than building it.
        box: list[T] = []

        async def main() -> None:
            box.append(await func(*args, **kwargs))

        asyncio.run(main())
        return box[0]

    run.__doc__ = (
        f"Blocking form of :func:`{func.__name__}` (runs its own event loop).\n\n{func.__doc__ or ''}"
    )
    return run
