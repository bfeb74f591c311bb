"""Generalised places: the same field in every element of an array, for class keys and noise."""

from __future__ import annotations

import functools

from paritygate.core.paths import PathPart, format_path, parse_path

__all__ = ["concrete_parts", "generalize_path"]


@functools.lru_cache(maxsize=4096)  # every difference's path is asked for, the same few per case
def concrete_parts(path: str) -> tuple[PathPart, ...] | None:
    """The keys and indexes of a concrete path (``$.a[0]`` → ``("a", 0)``); None for a text
    that is no concrete path (a pattern, ``status``, ``header:x``)."""
    try:
        return parse_path(path).concrete_parts()
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)  # the same places recur in every case of a run
def generalize_path(path: str) -> str:
    """``$.items[3].id`` → ``$.items[*].id``: the same place in every element of an array.
    Non-body paths (``status``, ``header:x``) are returned unchanged."""
    if not path.startswith("$"):
        return path
    parts: tuple[PathPart, ...] = parse_path(path).concrete_parts()
    return "$" + "".join("[*]" if isinstance(p, int) else format_path([p])[1:] for p in parts)
