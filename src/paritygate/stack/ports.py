"""Ports: check that a declared port is free (naming who holds it when not), pick free ones."""

from __future__ import annotations

import errno
import socket
from contextlib import ExitStack

from paritygate.errors import StackError
from paritygate.stack.procinfo import port_holders

__all__ = ["describe_holder", "ensure_port_free", "pick_free_ports"]


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def describe_holder(port: int) -> str:
    """ "pid 123 (python -m http.server 8000)" for every visible holder, else "unknown process"."""
    holders = port_holders(port)
    if not holders:
        return "an unknown process (its owner is not visible to this user)"
    return ", ".join(f"pid {pid} ({cmd or '?'})" for pid, cmd in holders)


def ensure_port_free(service: str, host: str, port: int) -> None:
    """Raise StackError naming the holder when ``host:port`` cannot be bound."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a socket left in TIME_WAIT by a previous run does not count as busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StackError(
                    f"service {service!r}: port {port} on {host} is already in use by {describe_holder(port)}",
                    hint=f"stop that process, or set services.{service}.port = 0 to pick a free port",
                ) from None
            raise StackError(
                f"service {service!r}: cannot bind {host}:{port}: {exc.strerror or exc}",
                hint=f"check services.{service}.host and services.{service}.port",
            ) from None


def pick_free_ports(requests: dict[str, str]) -> dict[str, int]:
    """A distinct free port per service (``{service: host}``).

    All sockets stay bound until every port is chosen, so two services never get the
    same one; the ports are released right before the services start.
    """
    chosen: dict[str, int] = {}
    with ExitStack() as sockets:
        for service, host in requests.items():
            sock = sockets.enter_context(socket.socket(_family(host), socket.SOCK_STREAM))
            try:
                sock.bind((host, 0))
            except OSError as exc:
                raise StackError(
                    f"service {service!r}: cannot bind {host}: {exc.strerror or exc}",
                    hint=f"check services.{service}.host",
                ) from None
            chosen[service] = int(sock.getsockname()[1])
    return chosen
