"""Structural signatures of body trees and path generalisation, for divergence class keys.

A signature describes shape only, never leaf values: ``{"a":num,"b":[str]}``. Object keys
are sorted; an array is the sorted set of the signatures of its first 64 elements joined
with ``|``, so length and order do not matter. Signatures stop at 32 levels and 20,000
nodes (``…``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson

from paritygate.compare.rules import CompareRules
from paritygate.compare.walk import parts_of
from paritygate.core.paths import PathPart, format_path, parse_path

__all__ = ["generalize_path", "prune", "signature"]

_MAX_DEPTH = 32
_MAX_NODES = 20_000
_MAX_ITEMS = 64


_SCALARS = {str: "str", int: "num", float: "num", bool: "bool", type(None): "null"}


@lru_cache(maxsize=4096)
def _quoted(key: str) -> str:
    return orjson.dumps(key).decode()


class _Signer:
    def __init__(self) -> None:
        self.budget = _MAX_NODES

    def sign(self, value: Any, depth: int) -> str:
        self.budget -= 1
        if self.budget < 0 or depth > _MAX_DEPTH:
            return "…"
        kind = type(value)
        if kind is dict:
            fields: list[str] = []
            for key in sorted(value):
                if self.budget < 0:
                    fields.append("…")
                    break
                fields.append(f"{_quoted(key)}:{self.sign(value[key], depth + 1)}")
            return "{" + ",".join(fields) + "}"
        if kind is list:
            shapes: set[str] = set()
            for item in value[:_MAX_ITEMS]:  # a sample, so the length never shows
                if self.budget < 0:
                    shapes.add("…")
                    break
                shapes.add(self.sign(item, depth + 1))
            return "[" + "|".join(sorted(shapes)) + "]"
        return _SCALARS.get(kind, kind.__name__)


def signature(kind: str, tree: Any) -> str:
    """``json:{...}``, ``xml:{...}``, ``text``, ``bytes`` or ``empty``."""
    if kind in ("json", "xml"):
        return f"{kind}:{_Signer().sign(tree, 0)}"
    return kind


def prune(tree: Any, rules: CompareRules) -> Any:
    """A copy of ``tree`` without the paths the ignore rules drop (``when`` sees this tree's
    value only). Iterative, so any depth is fine."""
    if not rules.has_body_ignores:
        return tree
    if rules.body_ignored((), (tree,)):
        return None
    root: Any = {} if isinstance(tree, dict) else [] if isinstance(tree, list) else tree
    stack: list[tuple[Any, Any, Any]] = [(tree, root, None)] if root is not tree else []
    while stack:
        src, dst, path = stack.pop()
        items = src.items() if isinstance(src, dict) else enumerate(src)
        for key, value in items:
            here = (path, key)
            if rules.body_ignored(parts_of(here), (value,)):
                continue
            copy: Any = value
            if isinstance(value, dict | list):
                copy = {} if isinstance(value, dict) else []
                stack.append((value, copy, here))
            if isinstance(dst, dict):
                dst[key] = copy
            else:
                dst.append(copy)
    return root


def generalize_path(path: str) -> str:
    """``$.items[3].id`` → ``$.items[*].id``: the same place in every element of an array.
    Non-body paths (``status``, ``header:x``) are returned unchanged."""
    if not path.startswith("$"):
        return path
    parts: tuple[PathPart, ...] = parse_path(path).concrete_parts()
    return "$" + "".join("[*]" if isinstance(p, int) else format_path([p])[1:] for p in parts)
