"""Bad user input becomes one precise sentence: shared by every reader of user files.

Config, smoke files, cases files, HAR captures and the decisions tracker all report
problems the same way: the file (and line when known), the key path, what was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from paritygate.errors import ConfigError

__all__ = ["Problem", "describe_type", "first_problem", "key_path", "read_user_text"]

_TYPE_NAMES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "dict": "table",
    "list": "array",
    "NoneType": "null",
}
# pydantic adds union-member and validator labels ("str", "function-after[...]") to locations
_LABELS = ("str", "int", "float", "bool", "list")


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


def read_user_text(path: Path, what: str) -> str:
    """A user file as UTF-8 text; unreadable or undecodable is one ConfigError naming it."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``Model | None`` or ``dict[str, Model]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _holder(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose table holds the last key of ``loc`` (keys as written in TOML/JSON)."""
    cls: type[BaseModel] | None = root
    for part in loc[:-1]:
        if cls is None or isinstance(part, int):
            continue
        fields = {(f.alias or n): f for n, f in cls.model_fields.items()}
        field = fields.get(str(part))
        # a key that is not a field is a dict key (a service name): stay on the value model
        cls = _model_in(field.annotation) if field is not None else cls
    return cls


@dataclass(slots=True)
class Problem:
    loc: tuple[Any, ...]
    message: str
    holder: type[BaseModel] | None  # the model whose table has the problem
    more: int  # how many further problems pydantic found

    @property
    def key(self) -> str:
        return key_path(self.loc)


def _order(err: Any) -> int:
    # An unknown key usually explains a "missing" one next to it (a typo): report it first.
    return 0 if err["type"] == "extra_forbidden" else 1


def first_problem(exc: ValidationError, root: type[BaseModel], *, unknown: str = "key") -> Problem:
    """The most telling error of ``exc``, as a location and a sentence of what was expected."""
    errors = sorted(exc.errors(include_url=False), key=_order)
    err = errors[0]
    loc = tuple(
        p
        for p in err["loc"]
        if not (isinstance(p, str) and (p.startswith("function-") or "[" in p or p in _LABELS))
    )
    kind = err["type"]
    value = err.get("input")
    holder = _holder(root, loc) if loc else root
    if kind == "extra_forbidden":
        allowed = sorted((f.alias or n) for n, f in holder.model_fields.items()) if holder else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
        message = f"unknown {unknown}"
        if close:
            message += f" (did you mean '{close[0]}'?)"
        elif allowed:
            message += f" (expected one of: {', '.join(allowed)})"
    elif kind == "missing":
        message = "required key is missing"
    elif kind.endswith(("_type", "_parsing")) or kind == "int_from_float":
        expected = kind.removesuffix("_type").removesuffix("_parsing").replace("model", "dict")
        expected = _TYPE_NAMES.get(expected, expected.replace("dict", "table"))
        message = f"expected {expected}, got {describe_type(value)}"
    elif kind == "value_error":
        message = str(err["msg"]).removeprefix("Value error, ")
    else:
        message = f"{err['msg']}, got {describe_type(value)} {value!r}"[:300]
    return Problem(loc, message, holder, len(errors) - 1)
