"""Helpers for the smoke tests: a small threaded HTTP server, project files, the CLI."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from paritygate.cli.main import cli
from paritygate.config.loader import demo_config_path


@dataclass
class Seen:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes


App = Callable[[Seen], tuple[int, dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
        )
        self.server.seen.append(seen)
        status, headers, body = self.server.app(seen)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    app: App
    seen: list[Seen]


@contextmanager
def serve(app: App) -> Iterator[tuple[str, list[Seen]]]:
    """Serve ``app`` on a free loopback port; yields (base URL, requests seen). Stopped on exit."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.app, server.seen = app, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def json_reply(body: bytes, status: int = 200, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", **headers}, body


def write_project(tmp_path: Path, smoke: str, *, config: str = "", inline: bool = False) -> Path:
    """A paritygate.toml with ``config`` on top and the smoke checks inline or in smoke.toml."""
    path = tmp_path / "paritygate.toml"
    if inline:
        path.write_text(f"{config}\n{smoke}\n", encoding="utf-8")
    else:
        (tmp_path / "smoke.toml").write_text(smoke, encoding="utf-8")
        path.write_text(f'{config}\n[smoke]\nfile = "smoke.toml"\n', encoding="utf-8")
    return path


def copy_demo(tmp_path: Path) -> Path:
    """A copy of the bundled demo's data directory (config, smoke chain, roster) in tmp_path."""
    source = demo_config_path().parent
    target = tmp_path / "demo"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".paritygate", "__pycache__"))
    return target / "paritygate.toml"


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "200", **(env or {})})
