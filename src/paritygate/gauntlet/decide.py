"""Decisions from the command line: ``paritygate tracker list/accept/fix/reopen``.

A key that already has a row gets that row edited (its active row, else its latest);
a key with no row yet is looked up among the divergence classes of a finished run (the
latest one by default), so the row written carries the class's area, title and
evidence just as ``--record-decisions`` would have written them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson

from paritygate.config import LoadedConfig
from paritygate.config.phases import ParityConfig
from paritygate.core.fuzz_doc import FuzzDocument
from paritygate.core.jsondoc import DocumentError
from paritygate.core.parity_doc import ParityDocument
from paritygate.errors import ConfigError, UsageError
from paritygate.phases.parity import DecisionRow, Tracker, read_tracker
from paritygate.phases.parity.document import new_rows
from paritygate.phases.parity.tracker import set_decision

__all__ = ["decide", "latest_run_dir", "load_tracker", "tracker_path"]


def tracker_path(loaded: LoadedConfig) -> Path:
    cfg = loaded.model.parity or ParityConfig()
    return loaded.resolve(cfg.tracker)


def load_tracker(loaded: LoadedConfig) -> Tracker:
    return read_tracker(tracker_path(loaded), required=True)


_CLASS_FILES = ("parity.json", "fuzz.json")  # a run's divergence classes: parity's, then fuzz's


def latest_run_dir(loaded: LoadedConfig) -> Path | None:
    """The newest run directory that holds a parity or fuzz document (run ids sort by time)."""
    base = loaded.project_path(loaded.model.run.out_dir)
    if not base.is_dir():
        return None
    runs = sorted(
        (p for p in base.iterdir() if any((p / name).is_file() for name in _CLASS_FILES)),
        key=lambda p: p.name,
    )
    return runs[-1] if runs else None


def _parity_docs(run_dir: Path) -> list[ParityDocument]:
    """The run's parity document and its fuzz phase's (the shrunk cases'), those it has;
    with neither, the parity document is what is missing."""
    present = [name for name in _CLASS_FILES if (run_dir / name).is_file()] or ["parity.json"]
    docs = []
    for name in present:
        path = run_dir / name
        try:
            raw = orjson.loads(path.read_bytes())
            docs.append(
                FuzzDocument.from_json(raw).parity if name == "fuzz.json" else ParityDocument.from_json(raw)
            )
        except (OSError, orjson.JSONDecodeError, DocumentError) as exc:
            raise UsageError(f"cannot read the {name.split('.')[0]} document {path}: {exc}") from None
    return docs


def _row_from_run(key: str, run_dir: Path | None) -> DecisionRow:
    if run_dir is None:
        raise UsageError(
            f"no row with key {key!r} in the decisions tracker, and no finished run to find its class in",
            hint="run `paritygate run` (or `parity --out DIR`) first, or pass --run DIR",
        )
    docs = _parity_docs(run_dir)
    rows = []
    for doc in docs:
        chosen = [dataclasses.replace(c, status="new") for c in doc.classes if c.key == key]
        rows = new_rows(dataclasses.replace(doc, classes=chosen))
        if rows:
            break
    if not rows:
        keys = ", ".join(c.key for doc in docs for c in doc.classes[:5]) or "none"
        raise UsageError(
            f"no row with key {key!r} in the decisions tracker, nor a class with that key in {run_dir} "
            f"(its classes: {keys})"
        )
    return rows[0]


def decide(
    loaded: LoadedConfig,
    key: str,
    status: str,
    *,
    note: str | None = None,
    owner: str | None = None,
    ticket: str | None = None,
    expires: str | None = None,
    run_dir: Path | None = None,
) -> DecisionRow:
    """Set ``key``'s status in the tracker (one atomic, merged edit); returns the row written."""
    tracker = load_tracker(loaded)
    key = key.strip().strip("`")
    if not key:
        raise ConfigError("an empty key", key="KEY")
    new_row = None
    if tracker.active_row(key) is None and tracker.latest_row(key) is None:
        new_row = _row_from_run(key, run_dir if run_dir is not None else latest_run_dir(loaded))
    return set_decision(
        tracker.path,
        key,
        status,
        decision=note,
        owner=owner,
        ticket=ticket,
        expires=expires,
        new_row=new_row,
    )
