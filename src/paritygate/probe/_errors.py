"""Turn a pydantic ValidationError on a cases or HAR file into one precise sentence."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["describe_type", "first_problem", "key_path"]

_TYPE_NAMES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "dict": "table",
    "list": "array",
    "NoneType": "null",
}


def describe_type(value: Any) -> str:
    return _TYPE_NAMES.get(type(value).__name__, type(value).__name__)


def key_path(loc: Sequence[Any], prefix: str = "") -> str:
    """``("request", "headers", 0, "name")`` -> ``request.headers[0].name``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _clean_loc(loc: Sequence[Any]) -> tuple[Any, ...]:
    # pydantic adds union-member and validator labels ("str", "function-after[...]") to locations
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "float", "bool", "list")))
    )


def first_problem(exc: ValidationError, model: type[BaseModel]) -> tuple[tuple[Any, ...], str]:
    """The location and a human message of the first error in ``exc``."""
    err = exc.errors(include_url=False)[0]
    loc = _clean_loc(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        allowed = sorted(f.alias or name for name, f in model.model_fields.items())
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
        if len(loc) == 1 and close:
            return loc, f"unknown key (did you mean '{close[0]}'?)"
        if len(loc) == 1:
            return loc, f"unknown key (expected one of: {', '.join(allowed)})"
        return loc, "unknown key"
    if kind == "missing":
        return loc, "required key is missing"
    if kind.endswith("_type") or kind in ("int_from_float", "bool_parsing", "int_parsing"):
        expected = kind.removesuffix("_type").replace("model", "dict")
        if expected.endswith("_parsing"):
            expected = expected.removesuffix("_parsing")
        expected = _TYPE_NAMES.get(expected, expected.replace("dict", "table"))
        return loc, f"expected {expected}, got {describe_type(value)}"
    if kind == "value_error":
        return loc, str(err["msg"]).removeprefix("Value error, ")
    return loc, str(err["msg"])
