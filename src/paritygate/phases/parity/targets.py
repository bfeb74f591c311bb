"""Which targets a parity run probes, and against which reference."""

from __future__ import annotations

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint
from paritygate.errors import UsageError

__all__ = ["choose_targets"]


def choose_targets(
    loaded: LoadedConfig,
    endpoints: dict[str, Endpoint],
    targets: list[str] | None,
    reference: str | None,
) -> tuple[list[Endpoint], str | None]:
    """The endpoints to probe (in a stable order) and the reference name, validated.

    Order of precedence: ``targets`` (e.g. ``--target NAME=URL``), then ``[parity] targets``,
    then every service of the config with a port that is running, then every endpoint.
    """
    cfg = loaded.model.parity
    names = list(targets or (cfg.targets if cfg else []))
    if not names:
        services = loaded.model.services
        names = [n for n in loaded.order if n in endpoints and services[n].port is not None]
        if len(names) < 2:
            names = list(endpoints)
    unknown = [n for n in names if n not in endpoints]
    if unknown:
        raise UsageError(
            f"target {unknown[0]!r} is not running (available: {', '.join(sorted(endpoints)) or 'none'})",
            hint="bring the stack up (`--up`) or give the target with --target NAME=URL",
        )
    if len(set(names)) != len(names):
        raise UsageError(f"a target is named twice: {', '.join(names)}")
    if len(names) < 2:
        raise UsageError(
            f"parity needs two or more targets, got {len(names)} ({', '.join(names) or 'none'})",
            hint="set [parity] targets, or pass --target NAME=URL at least twice",
        )
    ref = reference
    if ref is None and cfg is not None and cfg.reference in names:
        ref = cfg.reference  # a configured reference applies when it is among the chosen targets
    if ref is not None and ref not in names:
        raise UsageError(f"reference {ref!r} is not one of the targets ({', '.join(names)})")
    return [endpoints[n] for n in names], ref
