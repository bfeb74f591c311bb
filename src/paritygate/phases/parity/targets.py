"""Which targets a parity run probes, and against which reference."""

from __future__ import annotations

from paritygate.config import LoadedConfig
from paritygate.core.models import Endpoint
from paritygate.errors import UsageError
from paritygate.stack.plan import TWIN_SUFFIX, twin_name

__all__ = ["choose_targets", "twin_candidates", "twins_of"]


def twin_candidates(loaded: LoadedConfig, targets: list[str] | None = None) -> list[str]:
    """The services that get a twin when noise is calibrated by twins: the parity targets
    (``targets``, else ``[parity] targets``, else every service with a port)."""
    cfg = loaded.model.parity
    services = loaded.model.services
    names = list(targets or (cfg.targets if cfg else []))
    if not names:
        names = [n for n in loaded.order if services[n].port is not None]
    return [n for n in names if n in services and services[n].port is not None]


def twins_of(chosen: list[Endpoint], endpoints: dict[str, Endpoint]) -> dict[str, Endpoint]:
    """Each chosen target's twin (the endpoint named ``NAME~twin``); UsageError naming the
    targets that have none."""
    missing = [t.name for t in chosen if twin_name(t.name) not in endpoints]
    if missing:
        raise UsageError(
            f'noise = "twin" needs a twin of every target; none for {", ".join(missing)}',
            hint="use --up (paritygate starts a twin of each target service from its definition), "
            "or give --twin NAME=URL for each target",
        )
    return {t.name: endpoints[twin_name(t.name)] for t in chosen}


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
            names = [n for n in endpoints if not n.endswith(TWIN_SUFFIX)]
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
