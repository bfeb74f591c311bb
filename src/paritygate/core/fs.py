"""File helpers: atomic writes (a crash never leaves a half-written report or tracker), secrets masked.

The temp file ``mkstemp`` makes is private (0600); the file that replaces the target gets
the mode the target had, or, for a new file, the mode ``open()`` would have given it
(0666 minus the umask), so a report is as readable as any other file the user writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from paritygate.core.masking import redact_bytes
from paritygate.errors import RuntimeProblem

__all__ = [
    "Unchanged",
    "atomic_write_bytes",
    "atomic_write_text",
    "copy_masked",
    "current_umask",
    "directory_lock",
    "new_file_mode",
    "read_bytes_or_none",
]

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


class Unchanged:
    """``expect=Unchanged(before)``: replace ``path`` only if it still holds ``before``
    (None: only if it still does not exist)."""

    __slots__ = ("before",)

    def __init__(self, before: bytes | None) -> None:
        self.before = before


def read_bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``directory`` itself: writers of files in it that take this
    lock are serialised, and no lock file is left behind for ``git status`` to show."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise RuntimeProblem(f"cannot write {directory}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write_bytes(path: Path, data: bytes, *, expect: Unchanged | None = None) -> bool:
    """Write to a temp file in the same directory, fsync, then rename over ``path``.

    An existing ``path`` keeps its permission bits; a new one gets :func:`new_file_mode`.
    A directory that cannot be created or written is a RuntimeProblem naming the path.
    The registered secrets (``core.masking``) are masked in ``data``: no file paritygate
    writes carries one. With ``expect``, the file is compared again just before the rename
    and left alone (False returned) when someone changed it meanwhile — an editor does not
    take our lock."""
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
        if expect is not None and read_bytes_or_none(path) != expect.before:
            Path(tmp).unlink(missing_ok=True)
            return False
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise RuntimeProblem(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return True


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
