"""validatord, flat flavour: aiohttp, errors as a Go-style struct with exported fields.

Implements the validatord wire contract v1 (docs/validatord.md). Every rejection is
``{"Kind": "schema"|"completeness"|"consistency", "Field": ..., "Reason": ...}`` in that
key order, ``Field`` being "" unless the kind is schema. Written on its own: it shares
no code with ``tagged.py`` and imports nothing from paritygate.

Run: ``python -m paritygate.demo.flat --host 127.0.0.1 --port 4110 --roster roster.json``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

BODY_LIMIT = 1024 * 1024
READ_CHUNK = 64 * 1024
# Parsers may cap nesting (RFC 8259 §9). A fixed cap, equal to serde_json's, makes
# deep bodies a deterministic 400 rather than a matter of interpreter stack headroom.
NESTING_LIMIT = 128
SHIPPED_ROSTER = Path(__file__).parent / "data" / "roster.json"
JSON_HEADERS = {"Content-Type": "application/json"}

ROSTER_KEY = web.AppKey("roster", frozenset)


class Problem(NamedTuple):
    """A failed rule: HTTP status plus the three exported fields of the Go struct."""

    status: int
    kind: str
    field: str
    reason: str

    def wire(self) -> dict[str, str]:
        return {"Kind": self.kind, "Field": self.field, "Reason": self.reason}


def schema_problem(field: str, reason: str, status: int = 422) -> Problem:
    return Problem(status, "schema", field, reason)


def completeness_problem(reason: str) -> Problem:
    return Problem(422, "completeness", "", reason)


def consistency_problem(reason: str) -> Problem:
    return Problem(422, "consistency", "", reason)


BAD_JSON = schema_problem("body", "request body is not valid JSON", status=400)
TOO_LARGE = schema_problem("body", f"request body exceeds {BODY_LIMIT} bytes", status=413)

_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),  # checked before int, which bool subclasses
    (int, "number"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def jtype(value: object) -> str:
    for python_type, name in _JSON_TYPES:
        if isinstance(value, python_type):
            return name
    return "null"


def literal(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def is_positive_integer(value: object) -> bool:
    return type(value) is int and value >= 1


# ------------------------------------------------------------------ decoding


def _no_special_floats(name: str) -> float:
    raise ValueError(f"{name} is not allowed in JSON")


def _bounded_float(text: str) -> float:
    parsed = float(text)
    if math.isinf(parsed):
        raise ValueError("number out of range")
    return parsed


def _structure_ok(document: object) -> bool:
    """Breadth-first walk: nesting within NESTING_LIMIT and every string encodable as UTF-8."""
    level: list[object] = [document]
    depth = 0
    while level:
        if any(isinstance(node, dict | list) for node in level):
            depth += 1
            if depth > NESTING_LIMIT:
                return False
        following: list[object] = []
        for node in level:
            if isinstance(node, dict):
                following.extend(node)  # keys are strings that must encode too
                following.extend(node.values())
            elif isinstance(node, list):
                following.extend(node)
            elif isinstance(node, str):
                try:
                    node.encode("utf-8")
                except UnicodeEncodeError:  # a lone \\uD8xx surrogate escape
                    return False
        level = following
    return True


def decode(raw: bytes) -> tuple[object, Problem | None]:
    try:
        text = raw.decode("utf-8", errors="strict")
        document = json.loads(text, parse_constant=_no_special_floats, parse_float=_bounded_float)
    except (ValueError, RecursionError):
        return None, BAD_JSON
    # Only bodies that could be too deep or could hold a surrogate need the walk.
    suspicious = text.count("{") + text.count("[") > NESTING_LIMIT or "\\u" in text
    if suspicious and not _structure_ok(document):
        return None, BAD_JSON
    return document, None


# ------------------------------------------------------------------ the rules


def check_envelope(document: object) -> tuple[str, dict[str, Any]] | Problem:
    if not isinstance(document, dict):
        return schema_problem("body", "expected object, got " + jtype(document), status=400)
    if "kind" not in document:
        return schema_problem("kind", "missing")
    kind = document["kind"]
    if kind != "playbook" and kind != "fill":
        return schema_problem("kind", "unknown kind " + literal(kind) + " (expected one of: fill, playbook)")
    if "artifact" not in document:
        return schema_problem("artifact", "missing")
    artifact = document["artifact"]
    if not isinstance(artifact, dict):
        return schema_problem("artifact", "expected object, got " + jtype(artifact))
    return kind, artifact


def check_playbook(art: dict[str, Any], roster: frozenset[str]) -> Problem | None:
    fingerprint = art.get("fingerprint")
    if fingerprint in (None, ""):
        return schema_problem("fingerprint", "missing — required for Phase 25 validity window")
    if type(fingerprint) is not str:
        return schema_problem("fingerprint", "expected string, got " + jtype(fingerprint))

    if "operation" not in art:
        return schema_problem("operation", "missing")
    operation = art["operation"]
    if type(operation) is not str:
        return schema_problem("operation", "expected string, got " + jtype(operation))
    if operation[:6] != "fill: ":
        return schema_problem("operation", "expected `fill: ...` prefix, got " + literal(operation))

    if "endorsed_names" not in art:
        return schema_problem("endorsed_names", "missing")
    names = art["endorsed_names"]
    # The reported type is the value's own, or for an array its first non-string element's.
    strays = [names] if not isinstance(names, list) else [n for n in names if type(n) is not str]
    if strays:
        return schema_problem("endorsed_names", "expected array of strings, got " + jtype(strays[0]))

    if "target_count" not in art:
        return schema_problem("target_count", "missing")
    target = art["target_count"]
    if not is_positive_integer(target):
        return schema_problem("target_count", "expected integer >= 1, got " + literal(target))

    if len(names) == 0:
        return completeness_problem("endorsed_names must be non-empty")
    ceiling = 2 * target
    if len(names) > ceiling:
        return completeness_problem(f"endorsed_names ({len(names)}) exceeds target_count × 2 ({ceiling})")
    unknown = [i for i, name in enumerate(names) if name not in roster]
    if unknown:
        first = unknown[0]
        return consistency_problem(
            f"endorsed_names[{first}] {literal(names[first])} does not exist in worker roster"
        )
    return None


def _fill_entry_problem(position: int, entry: object) -> Problem | None:
    label = f"fills[{position}]"
    if not isinstance(entry, dict):
        return schema_problem(label, "expected object, got " + jtype(entry))
    for attribute in ("candidate_id", "shift_id"):
        field = label + "." + attribute
        if attribute not in entry:
            return schema_problem(field, "missing")
        if type(entry[attribute]) is not str:
            return schema_problem(field, "expected string, got " + jtype(entry[attribute]))
    return None


def check_fill(art: dict[str, Any], roster: frozenset[str]) -> Problem | None:
    if "fills" not in art:
        return schema_problem("fills", "missing")
    fills = art["fills"]
    if not isinstance(fills, list):
        return schema_problem("fills", "expected array, got " + jtype(fills))
    if len(fills) == 0:
        return completeness_problem("fills must be non-empty")

    for position, entry in enumerate(fills):
        problem = _fill_entry_problem(position, entry)
        if problem is not None:
            return problem

    ids = [entry["candidate_id"] for entry in fills]
    for position, candidate in enumerate(ids):
        if candidate not in roster:
            return consistency_problem(
                f"fills[{position}].candidate_id {literal(candidate)} does not exist in worker roster"
            )
    first_position: dict[str, int] = {}
    for later, candidate in enumerate(ids):
        earlier = first_position.setdefault(candidate, later)
        if earlier != later:
            return consistency_problem(
                f"fills[{later}].candidate_id {literal(candidate)} duplicates fills[{earlier}]"
            )
    return None


CHECKS: dict[str, Callable[[dict[str, Any], frozenset[str]], Problem | None]] = {
    "playbook": check_playbook,
    "fill": check_fill,
}


def judge(raw: bytes, roster: frozenset[str]) -> Problem | str:
    """The first failed rule, or the artifact kind when the request is valid."""
    document, problem = decode(raw)
    if problem is not None:
        return problem
    envelope = check_envelope(document)
    if isinstance(envelope, Problem):
        return envelope
    kind, artifact = envelope
    return CHECKS[kind](artifact, roster) or kind


# ------------------------------------------------------------------ HTTP


def respond(status: int, payload: object, **headers: str) -> web.Response:
    # Built by hand: json_response() would add "; charset=utf-8" to the content type.
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return web.Response(status=status, body=body, headers={**JSON_HEADERS, **headers})


def not_allowed(allow: str) -> web.Response:
    return respond(405, {"error": "method not allowed"}, Allow=allow)


async def read_limited(request: web.Request) -> bytes | None:
    """At most BODY_LIMIT + 1 bytes are ever held; None means the body is too large."""
    buffer = bytearray()
    while len(buffer) <= BODY_LIMIT:
        chunk = await request.content.read(READ_CHUNK)
        if not chunk:
            return bytes(buffer)
        buffer.extend(chunk)
    return None


async def handle_health(request: web.Request) -> web.Response:
    if request.method != "GET":
        return not_allowed("GET")
    return respond(200, {"status": "ok"})


async def handle_validate(request: web.Request) -> web.Response:
    if request.method != "POST":
        return not_allowed("POST")
    try:
        raw = await read_limited(request)
    except (ConnectionError, HttpProcessingError):
        # Broken framing or a vanished client: the body is unusable as JSON.
        raw = b""
    if raw is None:
        return respond(413, TOO_LARGE.wire(), Connection="close")
    clock = time.perf_counter()
    verdict = judge(raw, request.app[ROSTER_KEY])
    if isinstance(verdict, Problem):
        return respond(verdict.status, verdict.wire())
    # Nanosecond digits: at microseconds two fast answers shared a value now and then, so the
    # one volatile field looked stable to a comparison or a noise calibration.
    elapsed = round((time.perf_counter() - clock) * 1000.0, 6)
    return respond(200, {"valid": True, "kind": verdict, "elapsed_ms": elapsed})


async def handle_unknown(request: web.Request) -> web.Response:
    return respond(404, {"error": "not found"})


def make_app(roster: frozenset[str]) -> web.Application:
    app = web.Application()
    app[ROSTER_KEY] = roster
    # "*" routes: method checks live in the handlers, so 405 bodies are ours.
    app.router.add_route("*", "/health", handle_health)
    app.router.add_route("*", "/v1/validate", handle_validate)
    app.router.add_route("*", "/{anything:.*}", handle_unknown)
    return app


# ------------------------------------------------------------------ process


def read_roster(source: Path) -> tuple[frozenset[str] | None, str]:
    """(worker ids, "") or (None, what is wrong with the file)."""
    try:
        content = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "no such file (it does not exist)"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"unreadable: {exc}"
    try:
        parsed = json.loads(content)
    except (ValueError, RecursionError) as exc:
        return None, f"malformed JSON: {exc}"
    workers = parsed.get("workers") if isinstance(parsed, dict) else None
    if not isinstance(workers, list):
        return None, 'top level must be an object holding a "workers" array'
    if not workers:
        return None, 'the "workers" array is empty (an empty roster is never served)'
    for index, worker in enumerate(workers):
        if not (isinstance(worker, dict) and isinstance(worker.get("id"), str)):
            return None, f'workers[{index}] lacks a string "id"'
    return frozenset(worker["id"] for worker in workers), ""


async def serve(host: str, port: int, roster: frozenset[str]) -> None:
    runner = web.AppRunner(make_app(roster), access_log=None, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        print(
            f"flat validatord listening on http://{shown}:{bound_port} (roster: {len(roster)} workers)",
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def tcp_port(value: str) -> int:
    number = int(value)
    if number < 0 or number > 65535:
        raise ValueError(value)
    return number


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        prog="python -m paritygate.demo.flat",
        description="validatord (flat error shape) on aiohttp",
    )
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("--port", type=tcp_port, default=0, help="0 lets the OS choose")
    cli.add_argument("--roster", type=Path, default=SHIPPED_ROSTER, help="worker roster JSON")
    options = cli.parse_args(argv)

    roster, trouble = read_roster(options.roster)
    if roster is None:
        sys.stderr.write(f"flat validatord: roster file {options.roster}: {trouble}\n")
        return 2
    try:
        asyncio.run(serve(options.host, options.port, roster))
    except OSError as exc:  # e.g. the port is taken
        sys.stderr.write(f"flat validatord: cannot listen on {options.host}:{options.port}: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
