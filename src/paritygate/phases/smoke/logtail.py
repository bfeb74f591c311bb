"""The last lines of a service log, read from the end (logs of long-lived services grow large)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["tail_lines"]

_BLOCK = 8192
_MAX_BYTES = 256 * 1024  # never read more than this, however long the lines


def tail_lines(path: Path | None, count: int) -> list[str]:
    """The last ``count`` lines of ``path`` (decoded leniently); [] when there is no such file."""
    if path is None or count <= 0:
        return []
    try:
        with path.open("rb") as fh:
            end = fh.seek(0, os.SEEK_END)
            pos, data = end, b""
            # Read blocks backwards until count + 1 newlines (a partial first line is dropped) or the start.
            while pos > 0 and data.count(b"\n") <= count and end - pos < _MAX_BYTES:
                step = min(_BLOCK, pos)
                pos -= step
                fh.seek(pos)
                data = fh.read(step) + data
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if pos > 0 and lines:
        lines = lines[1:]  # the first line was cut by the block boundary
    return lines[-count:]
