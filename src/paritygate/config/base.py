"""The strict base model every config section derives from."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict

__all__ = [
    "MAX_NESTING",
    "HeaderMap",
    "HttpMethod",
    "JsonBody",
    "StrictModel",
    "UrlPath",
    "check_http_url",
    "header_problem",
    "nesting_depth",
    "path_problem",
]

_METHOD = re.compile(r"[A-Za-z]+")


def _http_method(value: str) -> str:
    if not _METHOD.fullmatch(value):
        raise ValueError(f"expected an HTTP method such as GET or POST, got {value!r}")
    return value.upper()


# A method as written in a smoke check or a parity case: letters only, upper-cased.
HttpMethod = Annotated[str, AfterValidator(_http_method)]


# RFC 9110 field names are tokens; a value is visible Latin-1 text (no CR, LF or NUL), which
# is also all an HTTP/1.1 client can put on the wire.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_MAX_PATH = 8192
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1  # what the JSON encoder (orjson) can write
MAX_NESTING = 64  # tables/arrays deep, in any user file; more is a mistake or an attack


def header_problem(name: str, text: str) -> str | None:
    """Why this header cannot go on the wire, or None when it can."""
    if not _TOKEN.fullmatch(name):
        return f"header name {name!r} is not a valid HTTP field name (letters, digits, -_.!#$%&'*+^`|~)"
    bad = next((ch for ch in text if ch in "\r\n\0"), None)
    if bad is not None:
        return f"header {name!r}: a value cannot contain {bad!r} (it would end the header)"
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        return (
            f"header {name!r}: {text[exc.start : exc.end]!r} is not Latin-1; HTTP header values"
            " are Latin-1 text (percent-encode or base64 anything else)"
        )
    return None


def _headers(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        problem = header_problem(name, text)
        if problem is not None:
            raise ValueError(problem)
    return value


def path_problem(value: str) -> str | None:
    """Why this is not a request path a case or check can send, or None."""
    if len(value) > _MAX_PATH:
        return f"a path of {len(value)} characters is too long (at most {_MAX_PATH})"
    bad = next((ch for ch in value if ord(ch) < 0x20 or ord(ch) == 0x7F), None)
    if bad is not None:
        return f"a path cannot contain the control character {bad!r}"
    return None


def _url_path(value: str) -> str:
    problem = path_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def nesting_depth(value: Any) -> int:
    """How deep tables/arrays nest in a parsed TOML or JSON value (iterative: any depth is fine)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_NESTING:
                return deepest
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _json_body(value: Any) -> Any:
    if nesting_depth(value) > MAX_NESTING:
        raise ValueError(f"nested deeper than {MAX_NESTING} levels")
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if isinstance(node, int) and not _INT_MIN <= node <= _INT_MAX:
            raise ValueError(
                f"the integer {str(node)[:20]}{'…' if len(str(node)) > 20 else ''} is outside the 64-bit"
                " range a JSON body can carry here (write it as a string, or use `body`)"
            )
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return value


def check_http_url(value: str) -> str:
    """An http(s) URL that a client can connect to; ValueError saying what is wrong."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL with a host")
    return value


# Header tables of cases and smoke checks; a case or check path; a JSON request body.
HeaderMap = Annotated[dict[str, str], AfterValidator(_headers)]
UrlPath = Annotated[str, AfterValidator(_url_path)]
JsonBody = AfterValidator(_json_body)


class StrictModel(BaseModel):
    """Unknown keys and wrong types are errors; no silent coercion ("5" is not 5); no inf or nan."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False, allow_inf_nan=False)
