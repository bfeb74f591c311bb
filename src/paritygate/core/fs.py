"""File helpers: atomic writes (a crash never leaves a half-written report or tracker), secrets masked.

The temp file ``mkstemp`` makes is private (0600); the file that replaces the target gets
the mode the target had, or, for a new file, the mode ``open()`` would have given it
(0666 minus the umask), so a report is as readable as any other file the user writes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from paritygate.core.masking import redact_bytes
from paritygate.errors import RuntimeProblem

__all__ = ["atomic_write_bytes", "atomic_write_text", "copy_masked", "current_umask", "new_file_mode"]

_STATUS = Path("/proc/self/status")


def _umask_from_proc() -> int | None:
    # Linux >= 4.7 shows the umask here: reading it changes nothing, so no thread can race us.
    with contextlib.suppress(OSError, ValueError):
        for line in _STATUS.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return None


def _umask_by_setting() -> int:
    # Setting the umask is the only portable way to read it; done once, at import time.
    old = os.umask(0o077)
    os.umask(old)
    return old


_PROC_UMASK = _umask_from_proc()
_IMPORT_UMASK: int = _PROC_UMASK if _PROC_UMASK is not None else _umask_by_setting()


def current_umask() -> int:
    """The process's umask: read from /proc each time when available (so a later ``os.umask``
    is honoured), else the value read once when this module was imported."""
    found = _umask_from_proc()
    return _IMPORT_UMASK if found is None else found


def new_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file."""
    return 0o666 & ~current_umask()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same directory, fsync, then rename over ``path``.

    An existing ``path`` keeps its permission bits; a new one gets :func:`new_file_mode`.
    A directory that cannot be created or written is a RuntimeProblem naming the path.
    The registered secrets (``core.masking``) are masked in ``data``: no file paritygate
    writes carries one."""
    data = redact_bytes(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = new_file_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise RuntimeProblem(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise RuntimeProblem(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


def atomic_write_text(path: Path, text: str) -> None:
    # newline="" semantics: the text is written exactly as given (no \r\n translation).
    atomic_write_bytes(path, text.encode("utf-8"))


def copy_masked(source: Path, target: Path) -> None:
    """Copy a (log) file line by line with the registered secrets masked.

    A service's log may print its environment or its command line; a copy kept in a
    run directory must not carry the secrets those hold."""
    with source.open("rb") as src, target.open("wb") as dst:
        for line in src:
            dst.write(redact_bytes(line))
