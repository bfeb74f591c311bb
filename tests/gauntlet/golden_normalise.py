"""Normalising a real run's report files for the golden tests: what changes from one run of
the same demo to the next (ports, dates, run ids, durations, the service's own elapsed_ms,
absolute paths) becomes a fixed placeholder, and nothing else is touched, so a golden diff
shows only what a writer changed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

import paritygate

# JSON keys whose values are timings or clock readings (the service's elapsed_ms included), and
# content-length: a recorded header whose value follows the digits of the body's elapsed_ms.
VOLATILE_KEYS = frozenset(
    {"duration_s", "duration_ms", "elapsed_ms", "started_at", "finished_at", "time_s", "content-length"}
)

_RUN_ID = re.compile(r"\b\d{8}T\d{6}Z\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_HTTP_DATE = re.compile(r"\b[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b")  # Date headers
_DURATION = re.compile(r"\b\d+(?:\.\d+)?(?: ?)(ms|s)\b")
_JUNIT_TIME = re.compile(r'\btime="[0-9.]+"')
_ELAPSED = re.compile(r'("?elapsed_ms"?\s*[:=]\s*)\d+(?:\.\d+)?')


def service_ports(report: dict[str, Any]) -> dict[str, str]:
    """port -> service name, from the stack phase's endpoints in report.json."""
    services = report["phases"]["stack"]["data"]["services"]
    ports: dict[str, str] = {}
    for endpoint in services:
        match = re.search(r":(\d+)$", endpoint["url"])
        assert match, endpoint
        ports[match.group(1)] = endpoint["name"]
    return ports


def _text(text: str, ports: dict[str, str], paths: list[tuple[str, str]]) -> str:
    for path, placeholder in paths:  # longest first: the run dir lies inside the work dir
        text = text.replace(path, placeholder)
    for port, name in ports.items():
        text = re.sub(rf":{port}\b", f":<{name}-port>", text)
    text = _RUN_ID.sub("<run-id>", text)
    text = _DATE.sub("<date>", text)
    text = _HTTP_DATE.sub("<http-date>", text)
    text = _ELAPSED.sub(r"\g<1><elapsed>", text)
    text = _JUNIT_TIME.sub('time="<time>"', text)
    return _DURATION.sub(r"<n> \1", text)


def _json(value: Any, ports: dict[str, str], paths: list[tuple[str, str]]) -> Any:
    if isinstance(value, dict):
        return {
            k: "<volatile>" if k in VOLATILE_KEYS and value[k] is not None else _json(v, ports, paths)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_json(v, ports, paths) for v in value]
    if isinstance(value, str):
        return _text(value, ports, paths)
    return value


def normalise(name: str, run_dir: Path, workdir: Path) -> str:
    """The file ``name`` of ``run_dir`` with every volatile value replaced by a placeholder."""
    report = orjson.loads((run_dir / "report.json").read_bytes())
    ports = service_ports(report)
    package = str(Path(paritygate.__file__).resolve().parent)
    paths = sorted(
        [(str(run_dir), "<run-dir>"), (str(workdir), "<workdir>"), (package, "<paritygate>")],
        key=lambda p: -len(p[0]),
    )
    raw = (run_dir / name).read_bytes()
    if name.endswith(".json"):
        doc = _json(orjson.loads(raw), ports, paths)
        # the implementations' fingerprints hash the checkout's HEAD and uncommitted changes
        for implementation in (doc.get("implementations") or {}).values():
            implementation["fingerprint"] = "<fingerprint>"
            implementation["code"] = re.sub(r"^git [0-9a-f]+.*", "git <head>", implementation["code"])
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    return _text(raw.decode(), ports, paths)
