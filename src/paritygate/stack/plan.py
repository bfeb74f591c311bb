"""Turn the config into concrete launch plans: ports chosen, placeholders filled, environment built.

Placeholders (``config.loader.PLACEHOLDER``) in ``command``, ``env`` and ``cwd``:
``{port}``, ``{host}``, ``{python}`` (this interpreter), ``{config_dir}``,
``{instance}`` (``primary``, or ``twin`` in a twin) and ``{services.NAME.port|url|host}``. Any other ``{word}`` is refused by the loader; other
braces (JSON, ``{a,b}``) are left alone.

A *twin* (``build_plans(..., twins=[...])``) is a second instance of a service started from
the same definition for A/A noise calibration: named ``NAME~twin``, on a free port of its
own, with ``{instance}`` = ``twin`` so that its data directory or file differs from the
primary's; it shares the primary's dependencies.

Environment of a service: ours, plus its ``env``, plus ``PARITYGATE_PORT`` (its own
port) and ``PARITYGATE_<DEP>_URL`` / ``PARITYGATE_<DEP>_PORT`` for every dependency,
plus the teardown mark ``PARITYGATE_STACK_ID`` / ``PARITYGATE_SERVICE`` by which
``stack.processes`` finds descendants that left the service's process group.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from paritygate.config import LoadedConfig
from paritygate.config.loader import PLACEHOLDER
from paritygate.config.stack import ServiceConfig
from paritygate.errors import ConfigError, StackError
from paritygate.stack.ports import ensure_port_free, pick_free_ports
from paritygate.stack.procinfo import SERVICE_VAR, STACK_ID_VAR

__all__ = [
    "TWIN_SUFFIX",
    "ServicePlan",
    "allocate_ports",
    "base_url",
    "build_plans",
    "check_executables",
    "connect_host",
    "env_name",
    "twin_name",
]

TWIN_SUFFIX = "~twin"


def twin_name(service: str) -> str:
    """The name of a service's twin (``~`` cannot occur in a service name)."""
    return service + TWIN_SUFFIX


@dataclass(slots=True)
class ServicePlan:
    name: str
    config: ServiceConfig
    host: str
    port: int | None
    url: str | None  # http://host:port, None for a service without a port
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    stack_id: str | None = None  # the teardown mark in its environment


def connect_host(host: str) -> str:
    # A wildcard bind address is not something a client can connect to.
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def base_url(host: str, port: int) -> str:
    target = connect_host(host)
    return f"http://[{target}]:{port}" if ":" in target else f"http://{target}:{port}"


def env_name(service: str) -> str:
    """``my-api`` -> ``MY_API`` (for PARITYGATE_<NAME>_URL)."""
    return re.sub(r"[^A-Za-z0-9]", "_", service).upper()


def _fill(
    text: str, own: str, ports: dict[str, int | None], loaded: LoadedConfig, instance: str = "primary"
) -> str:
    services = loaded.model.services

    def value(service: str, attr: str) -> str:
        port = ports[service]
        if attr == "host":
            # its own bind address for {host}; an address to connect to for a dependency's
            host = services[service].host
            return host if service == own else connect_host(host)
        # the loader guarantees a port for {port} and {services.X.port|url}
        assert port is not None, f"{service} has no port"
        return str(port) if attr == "port" else base_url(services[service].host, port)

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "python":
            return sys.executable
        if name == "config_dir":
            return str(loaded.config_dir)
        if name == "instance":
            return instance
        if name in ("port", "host"):
            return value(own, name)
        return value(m.group(2), m.group(3))

    return PLACEHOLDER.sub(repl, text)


def allocate_ports(loaded: LoadedConfig, twins: Sequence[str] = ()) -> dict[str, int | None]:
    """Check every declared port is free (StackError naming the holder), pick the port-0 ones
    and one for each twin (by its twin name), all in one go so that none collide."""
    services = loaded.model.services
    ports: dict[str, int | None] = {}
    for name in loaded.order:
        port = services[name].port
        if port:
            ensure_port_free(name, services[name].host, port)
        ports[name] = port
    wanted = {n: services[n].host for n in loaded.order if services[n].port == 0}
    wanted.update({twin_name(t): services[t].host for t in twins})
    picked = pick_free_ports(wanted)
    ports.update(picked)
    return ports


def log_dir_of(state_dir: Path) -> Path:
    """Where the services of a stack whose state lives in ``state_dir`` write their logs."""
    return state_dir / "logs"


def log_file(log_dir: Path, service: str) -> Path:
    """One service's log (stdout and stderr together)."""
    return log_dir / f"{service}.log"


def _plan(
    loaded: LoadedConfig,
    name: str,
    ports: dict[str, int | None],
    log_dir: Path,
    instance: str,
    stack_id: str | None,
) -> ServicePlan:
    svc = loaded.model.services[name]
    services = loaded.model.services
    port = ports[name]
    env = dict(os.environ)
    env.update({key: _fill(val, name, ports, loaded, instance) for key, val in svc.env.items()})
    if port is not None:
        env["PARITYGATE_PORT"] = str(port)
    for dep in svc.depends_on:
        dep_port = ports[dep]
        if dep_port is not None:
            env[f"PARITYGATE_{env_name(dep)}_PORT"] = str(dep_port)
            env[f"PARITYGATE_{env_name(dep)}_URL"] = base_url(services[dep].host, dep_port)
    own = name if instance == "primary" else twin_name(name)
    if stack_id is not None:
        env[STACK_ID_VAR] = stack_id
        env[SERVICE_VAR] = own
    cwd = loaded.resolve(_fill(svc.cwd, name, ports, loaded, instance)) if svc.cwd else loaded.config_dir
    return ServicePlan(
        name=own,
        config=svc,
        host=svc.host,
        port=port,
        url=base_url(svc.host, port) if port is not None else None,
        command=[_fill(arg, name, ports, loaded, instance) for arg in svc.command],
        env=env,
        cwd=cwd,
        log_path=log_file(log_dir, own),
        stack_id=stack_id,
    )


def build_plans(
    loaded: LoadedConfig, log_dir: Path, stack_id: str | None = None, *, twins: Sequence[str] = ()
) -> dict[str, ServicePlan]:
    """Plans in dependency order, each twin right after its primary; raises StackError before
    anything starts if a port is busy."""
    services = loaded.model.services
    unknown = [t for t in twins if t not in services or services[t].port is None]
    if unknown:
        raise StackError(f"cannot start a twin of {unknown[0]!r}: not a service with a port")
    ports = allocate_ports(loaded, twins)
    plans: dict[str, ServicePlan] = {}
    for name in loaded.order:
        plans[name] = _plan(loaded, name, ports, log_dir, "primary", stack_id)
        if name in twins:
            own = {**ports, name: ports[twin_name(name)]}
            twin = _plan(loaded, name, own, log_dir, "twin", stack_id)
            plans[twin.name] = twin
    return plans


def check_executables(loaded: LoadedConfig) -> None:
    """A ConfigError naming the key when a service's program is not there to run: a bare
    name not on the PATH it will run with (its ``env`` may set PATH), or a path (relative
    to its ``cwd``) that is not an executable file. Nothing is started."""
    services = loaded.model.services
    # placeholders filled as at start-up; a port-0 service's port is not chosen yet (1 stands in)
    fake_ports: dict[str, int | None] = {
        n: None if s.port is None else (s.port or 1) for n, s in services.items()
    }
    for name in loaded.order:
        svc = services[name]
        program = _fill(svc.command[0], name, fake_ports, loaded)
        cwd = loaded.resolve(_fill(svc.cwd, name, fake_ports, loaded)) if svc.cwd else loaded.config_dir
        key = f"services.{name}.command[0]"
        if "/" in program:
            path = Path(program) if Path(program).is_absolute() else cwd / program
            if not (path.is_file() and os.access(path, os.X_OK)):
                what = "not an executable file" if path.exists() else "no such file"
                raise ConfigError(f"{program!r}: {what} ({path})", file=loaded.path, key=key)
            continue
        search = svc.env.get("PATH", os.environ.get("PATH", os.defpath))
        if shutil.which(program, path=_fill(search, name, fake_ports, loaded)) is None:
            raise ConfigError(
                f"{program!r} is not on PATH",
                file=loaded.path,
                key=key,
                hint="install it, give its full path, or set PATH in the service's env",
            )
