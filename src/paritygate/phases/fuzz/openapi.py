"""Requests generated from an OpenAPI document: one Hypothesis strategy per operation.

The schemas are turned into strategies by hypothesis-jsonschema (``from_schema``), not by
code of ours: this module only reads the document (JSON or YAML, a file or an http(s)
URL), finds each operation's path and query parameters and its JSON request body, and
assembles a :class:`Case` from what the library draws. ``$ref`` into the document's
``components`` resolves because every schema is handed over with the components beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from paritygate.errors import ConfigError
from paritygate.phases.fuzz.mutate import mutated_case
from paritygate.probe import Case

__all__ = [
    "Given",
    "Operation",
    "case_strategy",
    "load_openapi",
    "openapi_cases",
    "operations",
    "resolve_ref",
]


def _bridge_many_more() -> None:
    """hypothesis-jsonschema 0.23 draws object properties with ``while many.more():``;
    Hypothesis 6.15x+ replaced ``more()`` by ``with many(...) as e: for _ in e:``. Until the
    library catches up, ``more()`` is spelled with the new protocol (same choices, so
    shrinking is unchanged). Nothing happens when Hypothesis still has ``more``."""
    from hypothesis.internal.conjecture import utils as cu

    if hasattr(cu.many, "more"):
        return

    def more(self: Any) -> bool:
        steps = getattr(self, "_paritygate_steps", None)
        if steps is None:
            self.__enter__()
            steps = iter(self)
            self._paritygate_steps = steps
        try:
            next(steps)
        except StopIteration:
            self.__exit__(None)
            return False
        return True

    cu.many.more = more  # type: ignore[attr-defined]


_bridge_many_more()

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_JSON_TYPES = ("application/json", "application/x-amz-json-1.1", "application/*+json")


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    route: str  # "/users/{id}" as the document writes it
    path_params: dict[str, Any]  # name -> schema
    query_params: dict[str, tuple[Any, bool]]  # name -> (schema, required)
    body: Any | None  # the JSON request body's schema
    media_type: str
    body_required: bool
    operation_id: str | None = None
    header_params: tuple[str, ...] = ()  # names (a link may fill them; they are not generated)

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"


def load_openapi(source: str, base_dir: Path) -> dict[str, Any]:
    """The document at ``source`` (a path relative to ``base_dir``, or an http(s) URL)."""
    if source.startswith(("http://", "https://")):
        try:
            answer = httpx.get(source, timeout=30.0, follow_redirects=True, trust_env=False)
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise ConfigError(f"--openapi {source}: could not fetch the document ({exc})") from None
        text, where = answer.text, source
    else:
        path = (base_dir / source).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the OpenAPI document: {exc}", file=path) from None
        where = str(path)
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        import yaml

        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{where}: neither JSON nor YAML ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        raise ConfigError(f"{where}: not an OpenAPI document (expected an object with `paths`)")
    return doc


def resolve_ref(doc: dict[str, Any], node: Any) -> Any:
    """A ``$ref``'d parameter or request body (schemas inside are left to the library)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            raise ConfigError(f"OpenAPI: only local references are supported, got {ref!r}")
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise ConfigError(f"OpenAPI: {ref!r} points at nothing")
            target = target[part]
        node, seen = target, seen + 1
    return node


def operations(doc: dict[str, Any]) -> list[Operation]:
    out: list[Operation] = []
    for route, item in doc["paths"].items():
        if not isinstance(item, dict):
            continue
        shared = [resolve_ref(doc, p) for p in item.get("parameters", [])]
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = {(p.get("in"), p.get("name")): p for p in shared}
            params.update(
                {
                    (p.get("in"), p.get("name")): p
                    for p in map(lambda x: resolve_ref(doc, x), op.get("parameters", []))
                }
            )
            path_params = {
                n: p.get("schema", {"type": "string"}) for (where, n), p in params.items() if where == "path"
            }
            query = {
                n: (p.get("schema", {"type": "string"}), bool(p.get("required")))
                for (where, n), p in params.items()
                if where == "query"
            }
            body, media, required = None, "application/json", False
            request = resolve_ref(doc, op.get("requestBody"))
            if isinstance(request, dict):
                content = request.get("content") or {}
                media = next((m for m in content if m in _JSON_TYPES or m.endswith("+json")), "")
                if media:
                    body = content[media].get("schema", {})
                    required = bool(request.get("required"))
            op_id = op.get("operationId")
            out.append(
                Operation(
                    method.upper(),
                    route,
                    path_params,
                    query,
                    body,
                    media or "application/json",
                    required,
                    op_id if isinstance(op_id, str) else None,
                    tuple(n for (where, n), _ in params.items() if where == "header"),
                )
            )
    return out


def _schema(doc: dict[str, Any], schema: Any) -> st.SearchStrategy[Any]:
    root = dict(schema) if isinstance(schema, dict) else {}
    if "components" in doc:
        root.setdefault("components", doc["components"])
    return from_schema(root).filter(_encodable)


def _encodable(value: Any) -> bool:
    """JSON an encoder writes (integers past 64 bits are rare draws; they are skipped)."""
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return True


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class Given:
    """Inputs a link gives, so they are not drawn: a given path parameter stays ``{name}``
    in the path, a given query parameter and a given body are left out (the link fills them)."""

    path: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    body: bool = False


def case_strategy(doc: dict[str, Any], op: Operation, given: Given = Given()) -> st.SearchStrategy[Case]:
    """One request to ``op``, every input but the ``given`` ones drawn from its schema."""
    path_values = st.fixed_dictionaries(
        {n: _schema(doc, s) for n, s in op.path_params.items() if n not in given.path}
    )
    query = st.fixed_dictionaries(
        {n: _schema(doc, s) for n, (s, req) in op.query_params.items() if req and n not in given.query},
        optional={
            n: _schema(doc, s) for n, (s, req) in op.query_params.items() if not req and n not in given.query
        },
    )
    body: st.SearchStrategy[Any]
    if op.body is None or given.body:
        body = st.just(None)
    elif op.body_required:
        body = _schema(doc, op.body).map(lambda v: ("json", v))
    else:
        body = st.one_of(_schema(doc, op.body).map(lambda v: ("json", v)), st.just(None))

    def build(values: dict[str, Any], params: dict[str, Any], payload: Any) -> Case:
        path = op.route
        for name, value in values.items():
            path = path.replace("{" + name + "}", quote(_scalar(value), safe="") or "_")
        q = {k: [_scalar(x) for x in v] if isinstance(v, list) else [_scalar(v)] for k, v in params.items()}
        case = Case(name=op.name, method=op.method, path=path, query=q, route=op.route, tags=["openapi"])
        if payload is not None:
            case.json, case.has_json = payload[1], True
            if op.media_type != "application/json":
                case.headers = {"content-type": op.media_type}
        return case

    return st.builds(build, path_values, query, body)


def openapi_cases(doc: dict[str, Any], *, invalid: bool = False) -> st.SearchStrategy[Case]:
    """Any operation of the document, with valid inputs; with ``invalid`` also requests
    whose valid inputs were mutated (nulls, missing fields, other values of the type)."""
    ops = operations(doc)
    if not ops:
        raise ConfigError("the OpenAPI document has no operation under `paths`")
    valid = st.one_of(*(case_strategy(doc, op) for op in ops))
    if not invalid:
        return valid
    return st.one_of(valid, valid.flatmap(mutated_case))
