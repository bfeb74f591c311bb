"""Helpers for the gauntlet tests: copies of the demo project, a tiny two-flavour service
(flip_server.py), and checks that nothing is left running."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from paritygate.config.loader import demo_config_path

FLIP_SERVER = Path(__file__).with_name("flip_server.py")

FLIP_CASES = """
[[cases]]
name = "stable"
method = "GET"
path = "/stable"

[[cases]]
name = "flippy"
method = "GET"
path = "/flip"
"""

_FLIP_SERVICE = """
[services.@NAME@]
command = ["{python}", "@SERVER@", "--port", "{port}", "--flavour", "@NAME@", "--mode-file", "{config_dir}/mode.txt"]
port = 0
ready = { http = "/health" }
interval = 0.02
deadline = 20.0
grace_period = 1.0
"""


def copy_demo(dest: Path) -> Path:
    """A private copy of the demo's config and data (tracker, smoke and cases files); returns the config."""
    shutil.copytree(
        demo_config_path().parent, dest, ignore=shutil.ignore_patterns("__pycache__", ".paritygate")
    )
    return dest / "paritygate.toml"


def write_flip_project(root: Path, *, cases: str = FLIP_CASES, timeout: float = 10.0) -> Path:
    """A project of two flip_server.py flavours compared by parity; returns its config."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "cases.toml").write_text(cases)
    services = "".join(
        _FLIP_SERVICE.replace("@NAME@", n).replace("@SERVER@", str(FLIP_SERVER)) for n in ("left", "right")
    )
    config = (
        f'name = "flip"\n{services}\n'
        f'[parity]\ncases = "cases.toml"\ntargets = ["left", "right"]\ntracker = "DECISIONS.md"\ntimeout = {timeout}\n'
    )
    (root / "DECISIONS.md").write_text(
        "# Decisions\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
    )
    path = root / "paritygate.toml"
    path.write_text(config)
    return path


def cli_env() -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", "TERM": "dumb"}


def port_is_closed(url: str) -> bool:
    host, port = url.split("//", 1)[1].rstrip("/").split(":")
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, int(port))) != 0


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that contain ``text`` (the test's own process excluded)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


@dataclass(slots=True)
class CliRun:
    proc: subprocess.CompletedProcess[str]
    workdir: Path
    run_dir: Path
