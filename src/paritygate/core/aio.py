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
        return asyncio.run(func(*args, **kwargs))

    run.__doc__ = (
        f"Blocking form of :func:`{func.__name__}` (runs its own event loop).\n\n{func.__doc__ or ''}"
    )
    return run
