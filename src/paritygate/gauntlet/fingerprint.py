"""What each implementation *was* in a run: a fingerprint of its command and its code.

``history`` calls a case flaky only when its outcome changed while neither the case's
definition nor any implementation's fingerprint did: a deliberate change to one
implementation (and its revert) is a change, not flakiness. The fingerprint covers:

* the command as configured (placeholders unfilled: a free port is not a change);
* the program: the file the command's first word resolves to (size and mtime: a binary
  is rebuilt, not edited) and every argument that names an existing file (its content);
* the service's working directory, inside a git work tree: ``HEAD`` plus the uncommitted
  changes (``git diff HEAD``) and the untracked, not ignored files under it (paritygate's
  state directory ignores itself). Outside git only the command and program files count:
  nothing there tells code from data or from paritygate's own files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from paritygate.config.loader import LoadedConfig

__all__ = ["implementation_fingerprints"]

_GIT_TIMEOUT_S = 20.0
_MAX_FILE_BYTES = 4 * 1024 * 1024  # content hashed up to this size; larger: size + mtime
_MAX_UNTRACKED = 500


def _file_part(path: Path, *, content: bool) -> str:
    try:
        stat = path.stat()
        if content and stat.st_size <= _MAX_FILE_BYTES:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        return "unreadable"


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def _tree_part(cwd: Path) -> tuple[str, str]:
    """(digest, what it is) of the working directory's code ("" outside git)."""
    if shutil.which("git") is not None and _git(cwd, "rev-parse", "--is-inside-work-tree") == "true\n":
        head = (_git(cwd, "rev-parse", "HEAD") or "no-commit").strip()
        changes = _git(cwd, "diff", "HEAD", "--binary", "--", ".") or ""
        untracked = (_git(cwd, "ls-files", "--others", "--exclude-standard", "-z", "--", ".") or "").split(
            "\0"
        )
        digest = hashlib.sha256(head.encode() + changes.encode())
        for name in sorted(n for n in untracked if n)[:_MAX_UNTRACKED]:
            digest.update(name.encode() + _file_part(cwd / name, content=True).encode())
        dirty = " + uncommitted changes" if changes or any(untracked) else ""
        return digest.hexdigest(), f"git {head[:12]}{dirty}"
    # Outside git nothing tells code from data or paritygate's own files: the program and
    # its file arguments stand for the implementation.
    return "", "no git work tree: command and program files only"


def implementation_fingerprints(loaded: LoadedConfig) -> dict[str, dict[str, str]]:
    """``{service: {"fingerprint": 12 hex digits, "command": ..., "code": what was hashed}}``."""
    out: dict[str, dict[str, str]] = {}
    for name in loaded.order:
        svc = loaded.model.services[name]
        cwd = loaded.resolve(svc.cwd) if svc.cwd and "{" not in svc.cwd else loaded.config_dir
        digest = hashlib.sha256(("\0".join(svc.command)).encode())
        program = svc.command[0].replace("{python}", sys.executable)
        found = shutil.which(program, path=svc.env.get("PATH", os.environ.get("PATH", os.defpath)))
        if found is not None:
            digest.update(_file_part(Path(found), content=False).encode())
        for arg in svc.command[1:]:
            candidate = Path(arg) if Path(arg).is_absolute() else cwd / arg
            if "{" not in arg and candidate.is_file():
                digest.update(arg.encode() + _file_part(candidate, content=True).encode())
        tree, code = _tree_part(cwd)
        digest.update(tree.encode())
        out[name] = {"fingerprint": digest.hexdigest()[:12], "command": " ".join(svc.command), "code": code}
    return out
