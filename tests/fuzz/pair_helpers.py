"""What the fuzz pair tests share: stand-in implementations served on free loopback
ports (each its own server and thread), and ``paritygate fuzz --json`` run on them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner

from paritygate.cli.main import cli


@contextmanager
def serving(handlers: dict[str, type[BaseHTTPRequestHandler]]) -> Iterator[list[str]]:
    """Serve each handler as the target of its name; yields the ``--target NAME=URL`` arguments."""
    servers = {name: ThreadingHTTPServer(("127.0.0.1", 0), h) for name, h in handlers.items()}
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for t in threads:
        t.start()
    try:
        yield [
            arg
            for name, s in servers.items()
            for arg in ("--target", f"{name}=http://127.0.0.1:{s.server_address[1]}")
        ]
    finally:
        for s in servers.values():
            s.shutdown()
            s.server_close()
        for t in threads:
            t.join()


def fuzz_json(config: Path, targets: list[str], out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """``paritygate fuzz --json`` on ``targets``: its exit code and its document."""
    args = ["fuzz", "--config", str(config), *targets, "--out", str(out), "--json", *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, orjson.loads(result.stdout)
