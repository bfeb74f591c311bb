"""The children a detached stack leaves running on purpose.

``Stack.up(detach=True)`` starts services that must outlive the ``Stack`` object and this
process. Their ``Popen`` handles are handed over here, to a module-level registry where a
daemon thread per child waits for it. So:

- a ``Stack`` dropped after a detached ``up()`` no longer owns the last reference to a
  running child (Popen's "subprocess ... is still running" ResourceWarning is not raised);
- a service that exits while this process still lives is reaped at once instead of
  lingering as a zombie, so ``status`` reports it dead;
- when this process exits first, the waiting threads are abandoned with it (daemon threads
  are never joined) and the services keep running, adopted by init. ``paritygate stack
  down`` (``stop_running``) stops them through the state file, from any process.
"""

from __future__ import annotations

import subprocess
import threading

__all__ = ["detached_pids", "release"]

_children: dict[int, subprocess.Popen[bytes]] = {}
_lock = threading.Lock()


def release(proc: subprocess.Popen[bytes]) -> None:
    """Let ``proc`` outlive whoever started it; it is reaped here whenever it exits."""
    with _lock:
        if proc.pid in _children or proc.returncode is not None:
            return
        _children[proc.pid] = proc
    reaper = threading.Thread(target=_reap, args=(proc,), name=f"paritygate-detached-{proc.pid}", daemon=True)
    reaper.start()


def _reap(proc: subprocess.Popen[bytes]) -> None:
    proc.wait()  # Popen serialises this with any other wait()/poll() on the same handle
    with _lock:
        _children.pop(proc.pid, None)


def detached_pids() -> list[int]:
    """Pids of the released children that have not exited yet."""
    with _lock:
        return sorted(_children)
