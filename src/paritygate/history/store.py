"""The run history: one SQLite file (``.paritygate/history.sqlite``).

The schema is versioned in a ``schema_version`` table and upgraded step by step by
:data:`MIGRATIONS`; a database written by a newer paritygate, or a SQLite file that is
not a paritygate history, is refused with a clear error instead of being altered.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import orjson

from paritygate.core.masking import redact
from paritygate.errors import ConfigError, RuntimeProblem, UsageError
from paritygate.history.snapshot import CaseOutcome, ClassRecord, PhaseRecord, RunSnapshot

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "HistoryStore"]


def _masked(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(redact(v) if isinstance(v, str) else v for v in row)


class _MaskingCursor:
    """The connection's execute/executemany with every string parameter masked."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        self._conn.execute(sql, _masked(params))

    def executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        self._conn.executemany(sql, [_masked(r) for r in rows])


# version -> the SQL that brings a database from version - 1 to version.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE schema_version (version INTEGER NOT NULL);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY, started_at TEXT NOT NULL, verdict TEXT NOT NULL,
        config_path TEXT NOT NULL, project TEXT NOT NULL, run_dir TEXT NOT NULL,
        interrupted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE phases (
        run_id TEXT NOT NULL, phase TEXT NOT NULL, status TEXT NOT NULL, summary TEXT NOT NULL,
        counts TEXT NOT NULL, PRIMARY KEY (run_id, phase)
    );
    CREATE TABLE cases (
        run_id TEXT NOT NULL, phase TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
        definition_hash TEXT NOT NULL, class_key TEXT, PRIMARY KEY (run_id, phase, name)
    );
    CREATE TABLE classes (
        run_id TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL,
        endpoint TEXT NOT NULL, title TEXT NOT NULL, decision_status TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE INDEX cases_by_name ON cases (phase, name);
    """,
    2: """
    CREATE TABLE implementations (
        run_id TEXT NOT NULL, service TEXT NOT NULL, fingerprint TEXT NOT NULL,
        PRIMARY KEY (run_id, service)
    );
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)
ALIASES = ("latest", "previous")
BUSY_TIMEOUT_S = 10.0  # how long to wait for another process's write to finish


class HistoryStore:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[HistoryStore]:
        """Open (creating and migrating as needed) and always close the database."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise RuntimeProblem(f"cannot open the run history {path}: {exc}") from exc
        try:
            store = cls(conn, path)
            store._migrate()
            yield store
        except sqlite3.Error as exc:
            # Any query of the caller's block too: a locked or read-only file is not a traceback.
            raise RuntimeProblem(
                f"run history {path}: {exc}",
                hint="another paritygate may be writing it; retry, or point [run].history at another file",
            ) from exc
        finally:
            conn.close()

    # -- schema -------------------------------------------------------------------------------

    def _version(self) -> int:
        try:
            tables = {
                row[0] for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.OperationalError:
            raise  # locked or unreadable: the file itself may be fine (see open())
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"not a SQLite database ({exc})",
                file=self.path,
                hint="move the file away; paritygate starts a new history",
            ) from exc
        if "schema_version" not in tables:
            if tables:
                raise ConfigError(
                    f"not a paritygate run history (tables: {', '.join(sorted(tables))}; no schema_version)",
                    file=self.path,
                    hint="point [run].history at another file",
                )
            return 0
        row = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
        if row is None or not isinstance(row[0], int):
            raise ConfigError("schema_version table holds no version", file=self.path, key="schema_version")
        return int(row[0])

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"history schema version {version} is newer than this paritygate understands ({SCHEMA_VERSION})",
                file=self.path,
                key="schema_version",
                hint="upgrade paritygate, or point [run].history at another file",
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            with self._conn:
                # executescript commits on its own; the version row is written in the same script.
                self._conn.executescript(
                    f"BEGIN; {MIGRATIONS[step]}\n"
                    f"DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ({step}); COMMIT;"
                )

    # -- writing ------------------------------------------------------------------------------

    def record(self, snap: RunSnapshot) -> None:
        """Record a run; recording the same run id again replaces it (``paritygate assess``).

        Every text value is masked (``core.masking``): no row carries a secret."""
        with self._conn:
            c = _MaskingCursor(self._conn)
            c.execute(
                "INSERT INTO runs (id, started_at, verdict, config_path, project, run_dir, interrupted)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET verdict = excluded.verdict,"
                " run_dir = excluded.run_dir, interrupted = excluded.interrupted",
                (
                    snap.run_id,
                    snap.started_at,
                    snap.verdict,
                    snap.config_path,
                    snap.project,
                    snap.run_dir,
                    int(snap.interrupted),
                ),
            )
            for table in ("phases", "cases", "classes", "implementations"):  # fixed table names, not data
                c.execute(f"DELETE FROM {table} WHERE run_id = ?", (snap.run_id,))
            c.executemany(
                "INSERT INTO phases VALUES (?, ?, ?, ?, ?)",
                [
                    (snap.run_id, name, p.status, p.summary, orjson.dumps(p.counts).decode())
                    for name, p in snap.phases.items()
                ],
            )
            c.executemany(
                "INSERT OR REPLACE INTO cases VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (snap.run_id, k.phase, k.name, k.outcome, k.definition_hash, k.class_key)
                    for k in snap.cases
                ],
            )
            c.executemany(
                "INSERT OR REPLACE INTO implementations VALUES (?, ?, ?)",
                [(snap.run_id, service, digest) for service, digest in snap.implementations.items()],
            )
            c.executemany(
                "INSERT OR REPLACE INTO classes VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (snap.run_id, k.key, k.status, k.outcome, k.endpoint, k.title, k.decision_status)
                    for k in snap.classes
                ],
            )

    # -- reading ------------------------------------------------------------------------------

    def run_ids(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT id FROM runs")}

    def _ordered_ids(self, limit: int | None = None) -> list[str]:
        """Run ids, newest first."""
        sql = "SELECT id FROM runs ORDER BY started_at DESC, rowid DESC"
        rows = self._conn.execute(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ())
        return [row[0] for row in rows]

    def resolve(self, ref: str) -> str:
        """A run id, or ``latest`` / ``previous``; unknown ones are a UsageError."""
        if ref in ALIASES:
            ids = self._ordered_ids(2)
            index = ALIASES.index(ref)
            if len(ids) <= index:
                raise UsageError(f"{ref!r}: the history ({self.path}) holds only {len(ids)} run(s)")
            return ids[index]
        if ref in self.run_ids():
            return ref
        raise UsageError(
            f"no run {ref!r} in {self.path} (use a run id from `paritygate history`, a run directory, latest or previous)"
        )

    def get(self, run_id: str) -> RunSnapshot:
        row = self._conn.execute(
            "SELECT id, started_at, verdict, config_path, project, run_dir, interrupted FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise UsageError(f"no run {run_id!r} in {self.path}")
        snap = RunSnapshot(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))
        for name, status, summary, counts in self._conn.execute(
            "SELECT phase, status, summary, counts FROM phases WHERE run_id = ?", (run_id,)
        ):
            snap.phases[name] = PhaseRecord(status, summary, orjson.loads(counts))
        snap.cases = [
            CaseOutcome(*r)
            for r in self._conn.execute(
                "SELECT phase, name, outcome, definition_hash, class_key FROM cases WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            )
        ]
        snap.classes = [
            ClassRecord(*r)
            for r in self._conn.execute(
                "SELECT key, status, outcome, endpoint, title, decision_status FROM classes WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            )
        ]
        snap.implementations = dict(
            self._conn.execute(
                "SELECT service, fingerprint FROM implementations WHERE run_id = ? ORDER BY service",
                (run_id,),
            ).fetchall()
        )
        return snap

    def recent(self, n: int) -> list[RunSnapshot]:
        """The ``n`` most recent runs, oldest first (the order flakiness and regressions are read in)."""
        return [self.get(run_id) for run_id in reversed(self._ordered_ids(n))]
