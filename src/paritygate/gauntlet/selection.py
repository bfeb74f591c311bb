"""Which phases a run runs: ``[run] phases``, narrowed by ``--only`` and ``--skip``."""

from __future__ import annotations

from collections.abc import Iterable

from paritygate.config.loader import LoadedConfig
from paritygate.errors import UsageError

__all__ = ["OPTIONAL_PHASES", "PHASES", "STACK_PHASES", "select_phases"]

PHASES: tuple[str, ...] = ("stack", "smoke", "parity", "fuzz", "review")
# Off by default, and absent from a run's reports unless selected (no "not selected" row),
# so a run that does not ask for them reads exactly as before they existed.
OPTIONAL_PHASES: frozenset[str] = frozenset({"fuzz"})
STACK_PHASES: frozenset[str] = frozenset({"smoke", "parity", "fuzz"})  # they probe services


def select_phases(loaded: LoadedConfig, only: Iterable[str] | None, skip: Iterable[str] | None) -> list[str]:
    """The phases to run, in gauntlet order; unknown names are a UsageError (exit 2).

    Without "stack" (``--skip stack``, or ``[run] phases`` without it) smoke and parity
    attach to a stack already running (``paritygate stack up --detach``)."""
    only_set = _phase_names(only, "--only")
    skip_set = _phase_names(skip, "--skip")
    if only_set:
        base = set(only_set)
        # `--only parity` still needs services to probe: the stack comes along unless skipped.
        if base & STACK_PHASES:
            base.add("stack")
    else:
        base = set(loaded.model.run.phases)
    return [p for p in PHASES if p in base and p not in skip_set]


def _phase_names(values: Iterable[str] | None, option: str) -> set[str]:
    names: set[str] = set()
    for value in values or ():
        for name in value.split(","):
            name = name.strip()
            if not name:
                continue
            if name not in PHASES:
                raise UsageError(f"{option}: unknown phase {name!r} (expected: {', '.join(PHASES)})")
            names.add(name)
    return names
