"""core.aio.blocking: same result, and the result is never repr-ed on the way out."""

from __future__ import annotations

import pytest

from paritygate.core.aio import blocking


class _NoRepr:
    """Stands for a big parity document: repr-ing it would cost the whole document."""

    def __repr__(self) -> str:
        raise AssertionError("the result was repr-ed")


async def _make(value: int) -> _NoRepr:
    result = _NoRepr()
    result.value = value  # type: ignore[attr-defined]
    return result


async def _fail() -> None:
    raise ValueError("boom")


def test_blocking_returns_the_coroutines_result_without_repr() -> None:
    result = blocking(_make)(7)
    assert result.value == 7  # type: ignore[attr-defined]


def test_blocking_propagates_the_exception() -> None:
    with pytest.raises(ValueError, match="boom"):
        blocking(_fail)()
