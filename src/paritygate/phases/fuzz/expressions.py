"""OpenAPI runtime expressions (the values of a link's ``parameters`` and ``requestBody``).

The grammar of OpenAPI 3.0/3.1 ("Runtime Expressions"), all of it::

    expression = "$url" / "$method" / "$statusCode"
               / "$request." source / "$response." source
    source     = "header." token / "query." name / "path." name / "body" ["#" json-pointer]

A value is a constant (any JSON value, or a string that holds no expression), one whole
expression (a string starting with ``$``), or a string with expressions embedded in
braces (``"/items/{$response.body#/id}"``). Parsing is all this module does: the values
are evaluated on each target's own answer by the probe's captures (see ``links.py``),
never here. Schemathesis has an evaluator, but it works on its own case and response
objects against one server and lives in its internals; the grammar is small enough to
parse here, strictly, with one precise message for a malformed expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Expression", "ExpressionError", "Part", "parse_expression", "parse_value"]

Source = Literal["url", "method", "statusCode", "request", "response"]
Location = Literal["header", "query", "path", "body"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 7230 tchar: a header name
_POINTER = re.compile(r"(?:/(?:[^/~]|~[01])*)*")  # RFC 6901 (the empty pointer included)
_WHOLE = {"$url": "url", "$method": "method", "$statusCode": "statusCode"}
_EXPECTED = "$url, $method, $statusCode, $request.<source> or $response.<source>"
_SOURCES = "header.<name>, query.<name>, path.<name>, body or body#/json/pointer"


class ExpressionError(ValueError):
    """A malformed runtime expression; the message says what was expected where."""


@dataclass(frozen=True, slots=True)
class Expression:
    source: Source
    location: Location | None = None  # for $request. and $response.
    name: str = ""  # the header, query or path parameter's name
    pointer: str | None = None  # body: None for the whole body, else an RFC 6901 pointer

    def __str__(self) -> str:
        if self.location is None:
            return "$" + self.source
        head = f"${self.source}.{self.location}"
        if self.location == "body":
            return head if self.pointer is None else f"{head}#{self.pointer}"
        return f"{head}.{self.name}"


Part = str | Expression  # literal text, or an expression to evaluate


def parse_expression(text: str) -> Expression:
    """One whole expression; ExpressionError naming what is wrong."""
    if text in _WHOLE:
        return Expression(_WHOLE[text])  # type: ignore[arg-type]
    for prefix in ("$request.", "$response."):
        if text.startswith(prefix):
            source: Source = "request" if prefix == "$request." else "response"
            return _source(text, source, text[len(prefix) :])
    raise ExpressionError(f"malformed runtime expression {text!r}: expected {_EXPECTED}")


def _source(text: str, source: Source, rest: str) -> Expression:
    def bad(why: str) -> ExpressionError:
        return ExpressionError(f"malformed runtime expression {text!r}: {why}")

    if rest == "body" or rest.startswith("body#"):
        pointer = rest[5:] if rest.startswith("body#") else None
        if pointer is not None and not _POINTER.fullmatch(pointer):
            raise bad(f"{pointer!r} is not a JSON pointer (each step is /name; ~0 stands for ~, ~1 for /)")
        return Expression(source, "body", pointer=pointer)
    location, dot, name = rest.partition(".")
    if location not in ("header", "query", "path") or not dot:
        raise bad(f"expected {_SOURCES} after '${source}.'")
    if source == "response" and location != "header":
        raise bad(f"a response has headers and a body, not {location} parameters")
    if not name:
        raise bad(f"expected a name after '{location}.'")
    if location == "header" and not _TOKEN.fullmatch(name):
        raise bad(f"{name!r} is not a header name (RFC 7230 token characters only)")
    return Expression(source, location, name)  # type: ignore[arg-type]


def parse_value(text: str) -> list[Part]:
    """A string value: one whole expression (``$...``), else literal text with ``{$...}``
    embedded expressions. A brace not followed by ``$`` is literal text."""
    if text.startswith("$"):
        return [parse_expression(text)]
    parts: list[Part] = []
    pos = 0
    while (start := text.find("{$", pos)) >= 0:
        end = text.find("}", start)
        if end < 0:
            raise ExpressionError(f"embedded runtime expression in {text!r} has no closing '}}'")
        if start > pos:
            parts.append(text[pos:start])
        parts.append(parse_expression(text[start + 1 : end]))
        pos = end + 1
    if pos < len(text) or not parts:
        parts.append(text[pos:])
    return parts
