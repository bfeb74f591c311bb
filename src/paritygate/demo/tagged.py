"""validatord, tagged flavour: Starlette + uvicorn, errors as serde externally tagged enums.

Implements the validatord wire contract v1 (docs/validatord.md). Rejections look like
``{"Schema": {"field": ..., "reason": ...}}``, ``{"Completeness": {"reason": ...}}`` or
``{"Consistency": {"reason": ...}}``. This module deliberately shares no code with
``flat.py`` and imports nothing from paritygate: it stands in for an independent service.

Run: ``python -m paritygate.demo.tagged --host 127.0.0.1 --port 3100 --roster roster.json``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

MAX_BODY_BYTES = 1_048_576
# RFC 8259 §9 lets a parser limit nesting; a fixed limit (serde_json's default) keeps
# the answer deterministic instead of depending on Python's recursion headroom.
MAX_NESTING = 128
KNOWN_KINDS = ("fill", "playbook")
FILL_PREFIX = "fill: "
DEFAULT_ROSTER = Path(__file__).parent / "data" / "roster.json"
# A \uD800-\uDFFF escape is the only way a lone surrogate can enter a decoded str.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class Rejection(Exception):
    """The first contract rule the request broke, already in its wire form."""

    def __init__(self, status: int, variant: str, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.variant = variant
        self.reason = reason
        self.field = field

    def to_wire(self) -> dict[str, Any]:
        inner: dict[str, str] = {} if self.field is None else {"field": self.field}
        inner["reason"] = self.reason
        return {self.variant: inner}


def schema(field: str, reason: str, status: int = 422) -> Rejection:
    return Rejection(status, "Schema", reason, field)


def completeness(reason: str) -> Rejection:
    return Rejection(422, "Completeness", reason)


def consistency(reason: str) -> Rejection:
    return Rejection(422, "Consistency", reason)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass in Python
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- parsing (rule 1)


def _refuse_constant(literal: str) -> NoReturn:
    raise ValueError(f"{literal} is not JSON")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise ValueError(f"number {literal} is out of range")
    return number


def _too_deep(value: Any) -> bool:
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_NESTING:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _has_lone_surrogate(value: Any) -> bool:
    pending: list[Any] = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def parse_body(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no overflowing numbers, bounded nesting,
    no lone surrogates (they cannot be written back as UTF-8)."""
    not_json = schema("body", "request body is not valid JSON", status=400)
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):
        raise not_json from None
    # Cheap pre-checks first: most bodies have few brackets and no surrogate escapes.
    if text.count("[") + text.count("{") > MAX_NESTING and _too_deep(value):
        raise not_json
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise not_json
    return value


# ---------------------------------------------------------------- rules 2-25


def validate(payload: Any, roster: frozenset[str]) -> str:
    """Apply rules 2-25 in order; return the artifact kind or raise the first Rejection."""
    if not isinstance(payload, dict):
        raise schema("body", f"expected object, got {type_name(payload)}", status=400)
    if "kind" not in payload:
        raise schema("kind", "missing")
    kind = payload["kind"]
    if not (isinstance(kind, str) and kind in KNOWN_KINDS):
        raise schema("kind", f"unknown kind {as_json(kind)} (expected one of: fill, playbook)")
    if "artifact" not in payload:
        raise schema("artifact", "missing")
    artifact = payload["artifact"]
    if not isinstance(artifact, dict):
        raise schema("artifact", f"expected object, got {type_name(artifact)}")
    if kind == "playbook":
        check_playbook(artifact, roster)
    else:
        check_fill(artifact, roster)
    return kind


def check_playbook(artifact: dict[str, Any], roster: frozenset[str]) -> None:
    fingerprint = artifact.get("fingerprint")
    if fingerprint is None or fingerprint == "":
        raise schema("fingerprint", "missing — required for Phase 25 validity window")
    if not isinstance(fingerprint, str):
        raise schema("fingerprint", f"expected string, got {type_name(fingerprint)}")

    if "operation" not in artifact:
        raise schema("operation", "missing")
    operation = artifact["operation"]
    if not isinstance(operation, str):
        raise schema("operation", f"expected string, got {type_name(operation)}")
    if not operation.startswith(FILL_PREFIX):
        raise schema("operation", f"expected `fill: ...` prefix, got {as_json(operation)}")

    if "endorsed_names" not in artifact:
        raise schema("endorsed_names", "missing")
    names = artifact["endorsed_names"]
    if not isinstance(names, list):
        raise schema("endorsed_names", f"expected array of strings, got {type_name(names)}")
    for name in names:
        if not isinstance(name, str):
            raise schema("endorsed_names", f"expected array of strings, got {type_name(name)}")

    if "target_count" not in artifact:
        raise schema("target_count", "missing")
    target = artifact["target_count"]
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        raise schema("target_count", f"expected integer >= 1, got {as_json(target)}")

    if not names:
        raise completeness("endorsed_names must be non-empty")
    if len(names) > target * 2:
        raise completeness(f"endorsed_names ({len(names)}) exceeds target_count × 2 ({target * 2})")
    for index, name in enumerate(names):
        if name not in roster:
            raise consistency(f"endorsed_names[{index}] {as_json(name)} does not exist in worker roster")


def check_fill(artifact: dict[str, Any], roster: frozenset[str]) -> None:
    if "fills" not in artifact:
        raise schema("fills", "missing")
    fills = artifact["fills"]
    if not isinstance(fills, list):
        raise schema("fills", f"expected array, got {type_name(fills)}")
    if not fills:
        raise completeness("fills must be non-empty")

    for index, entry in enumerate(fills):
        where = f"fills[{index}]"
        if not isinstance(entry, dict):
            raise schema(where, f"expected object, got {type_name(entry)}")
        for key in ("candidate_id", "shift_id"):
            if key not in entry:
                raise schema(f"{where}.{key}", "missing")
            if not isinstance(entry[key], str):
                raise schema(f"{where}.{key}", f"expected string, got {type_name(entry[key])}")

    candidates: list[str] = [entry["candidate_id"] for entry in fills]
    for index, candidate in enumerate(candidates):
        if candidate not in roster:
            raise consistency(
                f"fills[{index}].candidate_id {as_json(candidate)} does not exist in worker roster"
            )
    first_seen: dict[str, int] = {}
    for index, candidate in enumerate(candidates):
        if candidate in first_seen:
            raise consistency(
                f"fills[{index}].candidate_id {as_json(candidate)} duplicates fills[{first_seen[candidate]}]"
            )
        first_seen[candidate] = index


# ---------------------------------------------------------------- HTTP layer


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    # JSONResponse renders compact UTF-8 JSON with exactly "application/json".
    return JSONResponse(body, status_code=status, headers=headers)


def method_not_allowed(allowed: str) -> JSONResponse:
    return json_answer(405, {"error": "method not allowed"}, {"Allow": allowed})


async def read_capped(request: Request) -> bytes | None:
    """The body, or None as soon as it grows past MAX_BODY_BYTES (never buffers more)."""
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY_BYTES:
            return None
    return bytes(received)


async def health(request: Request) -> JSONResponse:
    # Starlette routes GET also answer HEAD; the contract allows GET only.
    if request.method != "GET":
        return method_not_allowed("GET")
    return json_answer(200, {"status": "ok"})


async def validate_endpoint(request: Request) -> JSONResponse:
    roster: frozenset[str] = request.app.state.roster
    try:
        raw = await read_capped(request)
    except ClientDisconnect:
        # The client is gone (or sent a broken body); nobody will read this answer.
        raw = b""
    if raw is None:
        too_large = schema("body", f"request body exceeds {MAX_BODY_BYTES} bytes", status=413)
        return json_answer(413, too_large.to_wire(), {"Connection": "close"})
    started = time.perf_counter()
    try:
        kind = validate(parse_body(raw), roster)
    except Rejection as rejection:
        return json_answer(rejection.status, rejection.to_wire())
    # Nanosecond digits: at microseconds two fast answers shared a value now and then, so the
    # one volatile field looked stable to a comparison or a noise calibration.
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    return json_answer(200, {"valid": True, "kind": kind, "elapsed_ms": round(elapsed_ms, 6)})


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Router-level 404/405 in the contract's JSON form instead of Starlette's plain text."""
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = "POST" if request.url.path == "/v1/validate" else "GET"
        return method_not_allowed(allowed)
    return json_answer(404, {"error": "not found"})


def build_app(roster: frozenset[str]) -> Starlette:
    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/v1/validate", validate_endpoint, methods=["POST"]),
        ],
        exception_handlers={404: http_error, 405: http_error},
    )
    app.router.redirect_slashes = False  # "/health/" is another path: 404, not a redirect
    app.state.roster = roster
    return app


# ---------------------------------------------------------------- start-up


class RosterError(Exception):
    pass


def load_roster(path: Path) -> frozenset[str]:
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise RosterError("the file does not exist") from None
    except OSError as exc:
        raise RosterError(f"cannot read it ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:
        raise RosterError(f"not valid JSON ({exc})") from None
    workers = document.get("workers") if isinstance(document, dict) else None
    if not isinstance(workers, list):
        raise RosterError('expected an object with a "workers" array')
    if not workers:
        raise RosterError('"workers" is empty; refusing to start with an empty roster')
    ids: set[str] = set()
    for index, worker in enumerate(workers):
        if not isinstance(worker, dict) or not isinstance(worker.get("id"), str):
            raise RosterError(f'workers[{index}] has no string "id"')
        ids.add(worker["id"])
    return frozenset(ids)


class QuietServer(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after shutting down (exit -15 or a traceback);
    the demo daemon must exit 0 instead, and announce itself once it is bound."""

    def __init__(self, config: uvicorn.Config, roster_size: int) -> None:
        super().__init__(config)
        self.roster_size = roster_size

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        host, port = self.servers[0].sockets[0].getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        print(
            f"tagged validatord listening on http://{shown}:{port} (roster: {self.roster_size} workers)",
            flush=True,
        )


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m paritygate.demo.tagged",
        description="validatord (tagged error shape) on Starlette + uvicorn",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=port_number, default=0, help="0 picks a free port")
    parser.add_argument("--roster", type=Path, default=DEFAULT_ROSTER, help="worker roster JSON")
    args = parser.parse_args(argv)

    try:
        roster = load_roster(args.roster)
    except RosterError as exc:
        print(f"tagged validatord: roster file {args.roster}: {exc}", file=sys.stderr)
        return 2

    config = uvicorn.Config(
        build_app(roster),
        host=args.host,
        port=args.port,
        lifespan="off",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    QuietServer(config, len(roster)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
