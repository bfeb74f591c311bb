"""``report.json``: the whole run as one versioned document (``paritygate.report/2``).

It is the source every other run report is rendered from, so ``paritygate assess DIR``
can recompute the verdict and rewrite the reports without re-probing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from paritygate.core.fs import atomic_write_bytes
from paritygate.errors import ConfigError

__all__ = ["REPORT_NAME", "REPORT_SCHEMA", "read_report", "report_bytes", "write_report_json"]

REPORT_SCHEMA = "paritygate.report/2"
REPORT_NAME = "report.json"
_REQUIRED: dict[str, tuple[type, str]] = {
    "run_id": (str, "a string"),
    "verdict": (str, "a string"),
    "reasons": (list, "an array"),
    "phases": (dict, "an object"),
}


def report_bytes(doc: dict[str, Any]) -> bytes:  # JSON boundary: the report.json bytes
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE, default=str)


def write_report_json(path: Path, doc: dict[str, Any]) -> None:  # JSON boundary: writes report.json
    atomic_write_bytes(path, report_bytes(doc))


def read_report(run_dir: Path) -> dict[str, Any]:  # JSON boundary: parsed report.json
    """Read and check ``run_dir/report.json``; anything wrong is one ConfigError naming file and key."""
    path = run_dir / REPORT_NAME if run_dir.is_dir() else run_dir
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read run report: {exc.strerror or exc}",
            file=path,
            hint="pass a run directory written by `paritygate run`",
        ) from exc
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc}", file=path) from exc
    if not isinstance(doc, dict):
        raise ConfigError("expected a JSON object", file=path)
    schema = doc.get("schema")
    if schema != REPORT_SCHEMA:
        raise ConfigError(f"expected {REPORT_SCHEMA!r}, got {schema!r}", file=path, key="schema")
    for key, (kind, expected) in _REQUIRED.items():
        if not isinstance(doc.get(key), kind):
            raise ConfigError(f"expected {expected}", file=path, key=key)
    for name, phase in doc["phases"].items():
        if not isinstance(phase, dict) or not isinstance(phase.get("status"), str):
            raise ConfigError("expected a phase result with a status", file=path, key=f"phases.{name}")
    return doc
