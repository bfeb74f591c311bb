"""The SQLite run history: recording, reading back, aliases, schema versioning."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from paritygate.core.parity_doc import SCHEMA as PARITY_SCHEMA
from paritygate.core.parity_doc import ParityDocument
from paritygate.core.review_doc import SCHEMA as REVIEW_SCHEMA
from paritygate.core.run_doc import RunDocument
from paritygate.errors import ConfigError, RuntimeProblem, UsageError
from paritygate.history import SCHEMA_VERSION, HistoryStore, RunSnapshot, snapshot_from_report
from paritygate.history import store as store_module


def report(
    run_id: str,
    started: str,
    *,
    outcome: str = "shape",
    classes: list[dict[str, Any]] | None = None,
    smoke_status: str = "pass",
    parity_status: str = "passed",
    fixed: list[dict[str, Any]] | None = None,
    definitions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A minimal paritygate.report/3 object with one smoke check and one parity case."""
    key = "POST /v1/validate shape $.Schema"
    if classes is None:
        classes = (
            []
            if outcome == "match"
            else [
                {
                    "key": key,
                    "title": "wire shape",
                    "endpoint": "POST /v1/validate",
                    "outcome": outcome,
                    "cases": ["c1"],
                    "status": "known",
                    "decision": {
                        "key": key,
                        "area": "",
                        "divergence": "",
                        "status": "_open_",
                        "decision": "",
                        "evidence": "",
                    },
                }
            ]
        )
    case = {
        "name": "c1",
        "method": "POST",
        "path": "/v1/validate",
        "tags": [],
        "targets": {},
        "status_match": True,
        "body_match": outcome == "match",
        "outcome": outcome,
        "class_key": None if outcome == "match" else key,
    }
    parity_data = ParityDocument.from_json(
        {
            "schema": PARITY_SCHEMA,
            "project": "demo",
            "date": started,
            "targets": [],
            "cases": [case],
            "classes": classes,
            "fixed": fixed or [],
        }
    ).to_json()
    smoke_data = {
        "schema": "paritygate.smoke/1",
        "total": 1,
        "passed": int(smoke_status == "pass"),
        "failed": int(smoke_status != "pass"),
        "errors": 0,
        "checks": [
            {
                "chain": "env",
                "name": "health",
                "target": "tagged",
                "method": "GET",
                "url": f"http://127.0.0.1:{40000 + len(run_id)}/health",
                "status": smoke_status,
                "duration_ms": 1.5,
            }
        ],
    }
    return {
        "schema": "paritygate.report/3",
        "paritygate_version": "0.1.0",
        "run_id": run_id,
        "started_at": started,
        "finished_at": started,
        "duration_s": 1.0,
        "verdict": "ship-with-known-gap",
        "config": "/p/paritygate.toml",
        "demo": False,
        "tracker": None,
        "project": "demo",
        "interrupted": False,
        "signal": None,
        "kept_up": False,
        "tally": None,
        "reasons": [],
        "warnings": [],
        "definitions": definitions or {},
        "implementations": {},
        "phases": {
            "smoke": {"phase": "smoke", "status": "passed", "summary": "1/1", "data": smoke_data},
            "parity": {
                "phase": "parity",
                "status": parity_status,
                "summary": "",
                "data": parity_data if parity_status != "skipped" else {},
            },
        },
    }


def _snapshot(doc: dict[str, Any], run_dir: str = "") -> RunSnapshot:
    return snapshot_from_report(RunDocument.from_json(doc), run_dir)


def _open(db: Path) -> None:
    with HistoryStore.open(db):
        pass


def test_record_and_read_back(tmp_path: Path) -> None:
    db = tmp_path / "h" / "history.sqlite"
    with HistoryStore.open(db) as store:
        store.record(_snapshot(report("r1", "2026-05-01T10:00:00Z"), "/runs/r1"))
        store.record(_snapshot(report("r2", "2026-05-01T11:00:00Z", outcome="match"), "/runs/r2"))
    with HistoryStore.open(db) as store:
        assert store.run_ids() == {"r1", "r2"}
        runs = store.recent(10)
        assert [r.run_id for r in runs] == ["r1", "r2"]  # oldest first
        first = runs[0]
        assert first.run_dir == "/runs/r1" and first.verdict == "ship-with-known-gap"
        assert first.phases["parity"].counts["known_classes"] == 1
        assert {(c.phase, c.name, c.outcome) for c in first.cases} == {
            ("smoke", "env/health", "pass"),
            ("parity", "c1", "shape"),
        }
        assert [c.key for c in first.classes] == ["POST /v1/validate shape $.Schema"]
        assert store.resolve("latest") == "r2" and store.resolve("previous") == "r1"
        assert [r.run_id for r in store.recent(1)] == ["r2"]


def test_recording_a_run_again_replaces_it(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    with HistoryStore.open(db) as store:
        store.record(_snapshot(report("r1", "2026-05-01T10:00:00Z")))
        doc = report("r1", "2026-05-01T10:00:00Z", outcome="match")
        doc["verdict"] = "ship"
        store.record(_snapshot(doc))
        (run,) = store.recent(5)
        assert run.verdict == "ship" and run.classes == []
        assert [c.outcome for c in run.cases if c.phase == "parity"] == ["match"]


def test_unknown_run_and_alias_beyond_history(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "history.sqlite") as store:
        store.record(_snapshot(report("r1", "2026-05-01T10:00:00Z")))
        with pytest.raises(UsageError, match="holds only 1 run"):
            store.resolve("previous")
        with pytest.raises(UsageError, match="no run 'nope'"):
            store.resolve("nope")


def test_smoke_definition_hash_ignores_the_free_port() -> None:
    a = _snapshot(report("r1", "t"))
    b = _snapshot(report("r22", "t"))  # other port in the URL
    assert (
        a.case_map()[("smoke", "env/health")].definition_hash
        == b.case_map()[("smoke", "env/health")].definition_hash
    )


def test_definitions_from_the_report_take_precedence() -> None:
    snap = _snapshot(report("r1", "t", definitions={"parity": {"c1": "abc123"}}))
    assert snap.case_map()[("parity", "c1")].definition_hash == "abc123"


def test_fresh_database_gets_the_current_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _open(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    conn.close()


def test_newer_database_is_refused_clearly(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    _open(db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    conn.close()
    with pytest.raises(ConfigError, match="newer than this paritygate understands") as info:
        _open(db)
    assert str(db) in str(info.value) and info.value.exit_code == 2


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite"
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    conn.close()
    with pytest.raises(ConfigError, match="not a paritygate run history"):
        _open(db)
    conn = sqlite3.connect(db)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert tables == {"users"}  # untouched


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    db.write_text("hello, I am a text file\n" * 100)
    with pytest.raises(ConfigError, match="not a SQLite database"):
        _open(db)


def test_history_locked_by_another_writer_is_a_runtime_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not "not a SQLite database, move the file away", and no sqlite3 traceback from record().
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    db = tmp_path / "history.sqlite"
    _open(db)
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        with pytest.raises(RuntimeProblem, match="database is locked") as info:
            _open(db)
        assert str(db) in str(info.value) and info.value.exit_code == 3
        writer.execute("ROLLBACK")
        with pytest.raises(RuntimeProblem, match="database is locked"), HistoryStore.open(db) as store:
            writer.execute("BEGIN EXCLUSIVE")
            store.record(_snapshot(report("r1", "2026-05-01T10:00:00Z")))
    finally:
        writer.close()


def _review_data(dry_run: bool, bundles: list[str], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A paritygate.review/2 object with ``bundles`` (ids) and ``findings`` (severity, retracted)."""
    limits = {"warn_kb": 60, "max_kb": 100, "match_window": 3, "max_span_lines": 20, "claim_similarity": 50,
              "block_lineages": 2, "quorum": "warn"}  # fmt: skip
    bundle = {"component": "app", "bytes": 10, "tokens_est": 5, "tokens_method": "estimate:bytes/2.5"}
    finding = {
        "bundle": "c1",
        "path": "a.py",
        "start": 1,
        "end": 1,
        "what": "w",
        "why": "y",
        "line_kind": "added",
    }
    return {
        "schema": REVIEW_SCHEMA, "dry_run": dry_run, "dry_run_reason": "requested" if dry_run else None,
        "range": "A..B", "summary": "", "limits": limits,
        "bundles": [bundle | {"id": b} for b in bundles],
        "findings": [finding | {"id": f"f{n}"} | f for n, f in enumerate(findings)],
    }  # fmt: skip


def test_review_counts_tell_a_dry_run_from_a_real_review() -> None:
    doc = report("20260502T090000Z", "2026-05-02T09:00:00Z")
    doc["phases"]["review"] = {
        "phase": "review",
        "status": "passed",
        "summary": "dry run",
        "data": _review_data(True, ["c1", "c2"], []),
    }
    counts = _snapshot(doc).phases["review"].counts
    assert counts == {"findings": 0, "block": 0, "bundles": 2, "dry_run": True}
    doc["phases"]["review"]["data"] = _review_data(
        False,
        ["c1"],
        [{"severity": "block"}, {"severity": "nit"}, {"severity": "block", "retracted": True}],
    )
    counts = _snapshot(doc).phases["review"].counts
    assert counts == {"findings": 2, "block": 1, "bundles": 1, "dry_run": False}
    doc["phases"]["review"]["data"] = {}  # skipped before it made a document
    assert _snapshot(doc).phases["review"].counts == {
        "findings": 0,
        "block": 0,
        "bundles": 0,
        "dry_run": False,
    }
