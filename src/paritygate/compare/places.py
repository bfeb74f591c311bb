"""Generalised places: the same field in every element of an array, for class keys and noise."""

from __future__ import annotations

import functools

from paritygate.core.paths import PathPart, format_path, parse_path

__all__ = ["generalize_path"]


@functools.lru_cache(maxsize=4096)  # the same places recur in every case of a run
def generalize_path(path: str) -> str:
    """``$.items[3].id`` → ``$.items[*].id``: the same place in every element of an array.
    Non-body paths (``status``, ``header:x``) are returned unchanged."""
    if not path.startswith("$"):
        return path
    parts: tuple[PathPart, ...] = parse_path(path).concrete_parts()
    return "$" + "".join("[*]" if isinstance(p, int) else format_path([p])[1:] for p in parts)
