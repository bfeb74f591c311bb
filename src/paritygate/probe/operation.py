"""Operation identity: the name under which a case's divergences are counted and reported.

An operation is ``METHOD /route`` plus the query keys that name an operation::

    GET /users/1, GET /users/2          → GET /users/{id}       (ids templated automatically)
    GET /photos/{key} (route = ...)     → as the case's `route` says
    GET /bucket?location                → GET /bucket?location  (S3 subresources, AWS `Action`)
    GET /bucket?list-type=2&prefix=a    → GET /bucket?list-type=2

and for RPC-style APIs, where every call is ``POST /``, the name a header or a JSON body
field carries (``[parity] operation = { header = "x-amz-target" }`` →
``Kinesis_20131202.CreateStream``; ``{ json = "$.method" }`` for JSON-RPC,
``{ json = "$.operationName" }`` for GraphQL). A case without that header or field falls
back to its method and route.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from paritygate.config.phases import OperationRule
from paritygate.core.paths import parse_path
from paritygate.probe.cases import Case

__all__ = ["is_id_like", "operation_name", "request_summary", "route_of"]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_TOKEN = re.compile(r"[A-Za-z0-9_\-+=~.]{20,}")
_NAME_MAX = 120


def is_id_like(segment: str) -> bool:
    """A number, a UUID, long hex, or a base64-ish token (20+ characters mixing upper and
    lower case letters and digits) — the kinds of path segment that identify a resource."""
    if segment.isdigit() or _UUID.fullmatch(segment) or _HEX.fullmatch(segment):
        return True
    return bool(
        _TOKEN.fullmatch(segment)
        and any(c.isdigit() for c in segment)
        and any(c.isupper() for c in segment)
        and any(c.islower() for c in segment)
    )


def route_of(case: Case) -> str:
    """The case's route template: its `route`, else its path with id-like segments as ``{id}``."""
    if case.route is not None:
        return case.route
    return "/".join("{id}" if seg and is_id_like(seg) else seg for seg in case.path.split("/"))


def _query_part(case: Case, keys: list[str]) -> str:
    wanted = set(keys)
    named: list[str] = []
    for key in sorted(k for k in case.query if k in wanted):
        values = case.query[key]
        value = values[0] if values else ""
        if not value or len(value) > 32 or (is_id_like(value) and not value.isdigit()):
            named.append(key)  # ?uploads, ?uploadId=<id>: the key names the operation
        else:
            named.append(f"{key}={value}")  # ?list-type=2, ?Action=ListQueues
    return "?" + "&".join(named) if named else ""


def _json_body(case: Case) -> Any:
    if case.has_json:
        return case.json
    if case.body is not None:
        try:
            return orjson.loads(case.body)
        except orjson.JSONDecodeError:
            return None
    return None


def _rpc_name(case: Case, rule: OperationRule) -> str | None:
    value: Any = None
    if rule.header is not None:
        wanted = rule.header.lower()
        value = next((v for k, v in case.headers.items() if k.lower() == wanted), None)
    elif rule.json_path is not None:
        found = parse_path(rule.json_path).find(_json_body(case))
        value = found[0][1] if found else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    name = " ".join(str(value).split()).replace("|", "¦")
    return name[:_NAME_MAX] or None


def operation_name(case: Case, rule: OperationRule | None = None) -> str:
    """The operation of ``case`` under ``rule`` (default: method, route, S3/AWS query keys)."""
    rule = rule if rule is not None else OperationRule()
    name = _rpc_name(case, rule)
    if name is not None:
        return name
    return f"{case.method} {route_of(case)}{_query_part(case, rule.query)}"


def request_summary(case: Case, rule: OperationRule | None = None) -> dict[str, Any]:
    """What the report shows of a case's request: method, path, query, the header naming
    the operation (when configured) and the body."""
    rule = rule if rule is not None else OperationRule()
    out: dict[str, Any] = {"method": case.method, "path": case.path}
    if case.query:
        out["query"] = {k: list(v) for k, v in case.query.items()}
    if rule.header is not None:
        wanted = rule.header.lower()
        value = next((v for k, v in case.headers.items() if k.lower() == wanted), None)
        if value is not None:
            out["headers"] = {rule.header: value}
    if case.has_json:
        out["json"] = case.json
    elif case.body is not None:
        out["body"] = case.body
    return out
