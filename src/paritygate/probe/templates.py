"""``{{name}}`` variables inside smoke checks.

A reference is ``{{name}}`` (a declared var, a secret, a ``--var``, or a value an
earlier check of the same chain captured) or ``{{env.NAME}}`` (the environment).
Values are JSON values: captured numbers stay numbers, so a JSON string that is
exactly one reference (``"{{count}}"``) becomes the captured value itself; inside
longer text a value is written as text (strings as-is, the rest as compact JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import orjson

__all__ = ["MissingVariable", "references", "render_text", "render_value", "text_form"]

_REF = re.compile(r"\{\{([^{}]*)\}\}")
_NAME = re.compile(r"\s*((?:env\.)?[A-Za-z_][A-Za-z0-9_]*)\s*")


class MissingVariable(LookupError):
    """A referenced variable has no value at run time (its capturing check failed)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _ref_name(match: re.Match[str]) -> str:
    inner = _NAME.fullmatch(match.group(1))
    if inner is None:
        raise ValueError(
            f"bad variable reference {match.group(0)!r} (expected {{{{name}}}} or {{{{env.NAME}}}})"
        )
    return inner.group(1)


def references(value: Any) -> Iterator[tuple[str, str]]:
    """Every (relative key, variable name) referenced in the strings of ``value``.

    The key is "" for a plain string, ".k" / "[i]" steps for tables and arrays.
    Raises ValueError for a malformed reference such as ``{{ user-id }}``.
    """
    if isinstance(value, str):
        for match in _REF.finditer(value):
            yield "", _ref_name(match)
    elif isinstance(value, dict):
        for key, item in value.items():
            for sub, name in references(item):
                yield f".{key}{sub}", name
    elif isinstance(value, list):
        for i, item in enumerate(value):
            for sub, name in references(item):
                yield f"[{i}]{sub}", name


def text_form(value: Any) -> str:
    """How a variable's value reads inside text: strings as-is, everything else as compact JSON."""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _lookup(name: str, variables: dict[str, Any]) -> Any:
    if name not in variables:
        raise MissingVariable(name)
    return variables[name]


def render_text(text: str, variables: dict[str, Any], escape: Callable[[str], str] | None = None) -> str:
    """Replace every reference in ``text``; ``escape`` (e.g. re.escape) is applied to each value."""

    def replace(match: re.Match[str]) -> str:
        value = text_form(_lookup(_ref_name(match), variables))
        return escape(value) if escape else value

    return _REF.sub(replace, text)


def render_value(value: Any, variables: dict[str, Any]) -> Any:
    """Render every string of a JSON-like value; a string that is one whole reference keeps the value's type."""
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole is not None:
            return _lookup(_ref_name(whole), variables)
        return render_text(value, variables)
    if isinstance(value, dict):
        return {key: render_value(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, variables) for item in value]
    return value
