"""``report.json``: the whole run as one versioned document (``paritygate.report/3``,
``core/run_doc.py``).

It is the source every other run report is rendered from, so ``paritygate assess DIR``
can recompute the verdict and rewrite the reports without re-probing anything.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from paritygate.core.fs import atomic_write_bytes
from paritygate.core.jsondoc import DocumentError
from paritygate.core.run_doc import SCHEMA, RunDocument
from paritygate.errors import ConfigError

__all__ = ["REPORT_NAME", "REPORT_SCHEMA", "read_report", "report_bytes", "write_report_json"]

REPORT_SCHEMA = SCHEMA
REPORT_NAME = "report.json"


def report_bytes(doc: RunDocument) -> bytes:
    return orjson.dumps(doc.to_json(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE, default=str)


def write_report_json(path: Path, doc: RunDocument) -> None:
    atomic_write_bytes(path, report_bytes(doc))


def read_report(run_dir: Path) -> RunDocument:
    """Read ``run_dir/report.json``; anything wrong (another schema version first) is one
    ConfigError naming the file and the JSON path of the bad value (exit 2)."""
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
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc}", file=path) from exc
    if not isinstance(parsed, dict):
        raise ConfigError("expected a JSON object", file=path)
    try:
        return RunDocument.from_json(parsed)
    except DocumentError as exc:
        raise ConfigError(exc.detail, file=path, key=exc.where) from None
