"""JSON bodies: parsing with orjson, duplicate keys, NDJSON.

orjson keeps the last of repeated keys (``{"k":1,"k":2}`` reads as ``{"k": 2}``), and so
do most parsers, but not all: a body with a repeated key means different things to
different clients, so it is a difference of its own. Finding repeats needs a slower
parser, so a cheap exact test decides first whether a body can hold any: every key is
followed by exactly one ``:`` outside strings, and orjson never escapes ``:``, so without
repeats the ``:`` count of the body (plus its ``\\u003a`` escapes) equals the ``:``
count of the compact re-serialisation; a dropped repeat removes at least one. Only
bodies failing that test are parsed again with :mod:`json` and an ``object_pairs_hook``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

from paritygate.core.paths import PathPart

__all__ = ["DuplicateKey", "JsonBodyError", "loads_json", "loads_ndjson", "value_at"]


class JsonBodyError(ValueError):
    """The body is not valid JSON (or NDJSON)."""


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """An object key given more than once; ``values`` in document order (the tree holds the last)."""

    path: tuple[PathPart, ...]  # the path of the key, e.g. ("items", 0, "id")
    values: tuple[Any, ...]


def value_at(tree: Any, path: tuple[PathPart, ...]) -> tuple[bool, Any]:
    """(found, value) at a concrete path of a JSON-like tree."""
    node = tree
    for part in path:
        if isinstance(part, int):
            if type(node) is not list or not 0 <= part < len(node):
                return False, None
        elif type(node) is not dict or part not in node:
            return False, None
        node = node[part]
    return True, node


def _may_repeat_keys(body: bytes, tree: Any) -> bool:
    colons = body.count(b":")
    if colons == 0:
        return False
    try:
        compact = orjson.dumps(tree)
    except orjson.JSONEncodeError:  # deeper than orjson writes: decide the slow way
        return True
    escaped = body.count(b"\\u003a") + body.count(b"\\u003A") if b"\\u003" in body else 0
    return colons + escaped != compact.count(b":")


def _find_repeats(text: str) -> list[DuplicateKey]:
    repeats: dict[int, dict[str, list[Any]]] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        seen: dict[str, list[Any]] | None = None
        for key, value in pairs:
            if key in obj:
                seen = seen if seen is not None else {}
                seen.setdefault(key, [obj[key]]).append(value)
            obj[key] = value
        if seen:
            repeats[id(obj)] = seen
        return obj

    try:
        tree = json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return []
    if not repeats:
        return []
    found: list[DuplicateKey] = []
    stack: list[tuple[Any, tuple[PathPart, ...]]] = [(tree, ())]
    while stack:  # pre-order, so repeats come out in document order
        node, path = stack.pop()
        if type(node) is dict:
            for key, values in repeats.get(id(node), {}).items():
                found.append(DuplicateKey((*path, key), tuple(values)))
            stack.extend(reversed([(v, (*path, k)) for k, v in node.items()]))
        elif type(node) is list:
            stack.extend(reversed([(v, (*path, i)) for i, v in enumerate(node)]))
    return found


def loads_json(body: bytes) -> tuple[Any, list[DuplicateKey]]:
    """The parsed body and its repeated keys; raises :class:`JsonBodyError`."""
    try:
        tree = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise JsonBodyError(str(exc)) from None
    if not _may_repeat_keys(body, tree):
        return tree, []
    return tree, _find_repeats(body.decode("utf-8"))


def loads_ndjson(body: bytes) -> tuple[list[Any], list[DuplicateKey]]:
    """One JSON value per non-blank line, as a list (``$[n]`` is the n-th record)."""
    records: list[Any] = []
    repeats: list[DuplicateKey] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            value, found = loads_json(line)
        except JsonBodyError as exc:
            raise JsonBodyError(f"line {number}: {exc}") from None
        index = len(records)
        records.append(value)
        repeats += [DuplicateKey((index, *d.path), d.values) for d in found]
    return records, repeats
