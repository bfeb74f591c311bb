"""The decisions tracker: a Markdown table of divergence classes and what was decided.

The table is found with a real Markdown parser (:mod:`.tracker_table`): prose, code
fences, comments and other tables around it are never touched. Its header holds the
columns ``key | area | divergence | status | decision | evidence``, optionally
``owner``, ``ticket`` and ``expires`` (a date: an ``accepted`` row past it no longer
decides its class), and any column of the user's own, kept as written.

Every write (recording new rows, accepting, fixing, reopening) re-reads the file under
a lock on its directory, applies the change to what is there *now*, and replaces the
file atomically only if nobody changed it in between (else it reads and merges again):
a row added by hand while a run was going is never lost. Outside the rows changed the
file stays byte-for-byte identical, newline style included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from paritygate.config.diagnostics import read_user_text
from paritygate.core.escaping import one_line
from paritygate.core.fs import Unchanged, atomic_write_bytes, directory_lock, read_bytes_or_none
from paritygate.core.parity_doc import ClassStatus, DecisionDoc
from paritygate.errors import ConfigError, RuntimeProblem
from paritygate.phases.parity.tracker_table import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    TableSpan,
    find_decisions_table,
    split_cells,
    split_lines,
)

__all__ = [
    "ACTIVE_STATUSES",
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "STATUSES",
    "DecisionRow",
    "Tracker",
    "TrackerMatch",
    "append_rows",
    "format_row",
    "match_class",
    "parse_tracker",
    "read_tracker",
    "record_rows",
    "set_decision",
    "unmatched_rows",
]

STATUSES = ("_open_", "accepted", "fixed")
ACTIVE_STATUSES = frozenset({"_open_", "accepted"})  # a class with such a row is `known`
_DELIMITER_CELL = re.compile(r"\s*:?-+:?\s*")
_WRITE_ATTEMPTS = 20  # re-read and merge this often when the file keeps changing under us


@dataclass(slots=True, frozen=True)
class DecisionRow:
    key: str
    area: str
    divergence: str
    status: str  # one of STATUSES
    decision: str
    evidence: str
    line: int = 0  # 1-based line in the file; 0 for a row not written yet
    owner: str = ""
    ticket: str = ""
    expires: str = ""  # an ISO date (YYYY-MM-DD) or ""
    extra: tuple[tuple[str, str], ...] = ()  # the user's own columns, kept as written

    def expires_on(self) -> date | None:
        return date.fromisoformat(self.expires) if self.expires else None

    def expired(self, today: date | None = None) -> bool:
        """An ``accepted`` row whose ``expires`` date has passed: it decides nothing any more."""
        until = self.expires_on()
        return self.status == "accepted" and until is not None and until < (today or date.today())

    def to_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "area": self.area,
            "divergence": self.divergence,
            "status": self.status,
            "decision": self.decision,
            "evidence": self.evidence,
            "owner": self.owner,
            "ticket": self.ticket,
            "expires": self.expires,
        }

    def to_doc(self) -> DecisionDoc:
        return DecisionDoc(
            self.key,
            self.area,
            self.divergence,
            self.status,
            self.decision,
            self.evidence,
            self.line,
            owner=self.owner,
            ticket=self.ticket,
            expires=self.expires,
        )


@dataclass(slots=True)
class Tracker:
    path: Path
    text: str = ""
    newline: str = "\n"
    rows: list[DecisionRow] = field(default_factory=list)
    table: TableSpan | None = None
    exists: bool = False
    hint: str | None = None  # why no table was found (a near miss), when none was

    @property
    def insert_at(self) -> int | None:
        """Character offset after the table's last row; None = no table."""
        if self.table is None:
            return None
        return sum(len(line) for line in split_lines(self.text)[: self.table.end])

    def active_row(self, key: str, today: date | None = None) -> DecisionRow | None:
        """The row that makes ``key`` known (status _open_, or accepted and not expired)."""
        return next(
            (r for r in self.rows if r.key == key and r.status in ACTIVE_STATUSES and not r.expired(today)),
            None,
        )

    def latest_row(self, key: str) -> DecisionRow | None:
        return next((r for r in reversed(self.rows) if r.key == key), None)

    def require_table(self) -> None:
        """A ConfigError when the file is missing or has no decisions table."""
        if not self.exists:
            raise ConfigError(
                "the decisions tracker does not exist",
                file=self.path,
                hint="check [parity] tracker for a typo, create it with `paritygate init`, "
                "or run with --record-decisions to create it",
            )
        if self.table is None:
            raise ConfigError(
                f"no decisions table ({' | '.join(COLUMNS)}) outside code fences, comments and quotes",
                file=self.path,
                hint=self.hint or "run with --record-decisions to add one",
            )


@dataclass(slots=True, frozen=True)
class TrackerMatch:
    status: ClassStatus
    row: DecisionRow | None  # the row that makes the class known, else the latest row for its key
    came_back: bool  # new, and a `fixed` row for its key exists


def match_class(tracker: Tracker, key: str, *, recorded: bool = False) -> TrackerMatch:
    """THE rule that matches a divergence class against the tracker (the parity phase and
    ``assess DIR`` both use it): a class is ``known`` when a row with its key is `_open_` or
    `accepted` (and not expired), unless ``recorded`` (that row was written by this very
    run: the class was new when found); a new class with a `fixed` row for its key came back."""
    active = tracker.active_row(key)
    known = active is not None and not recorded
    came_back = not known and any(r.key == key and r.status == "fixed" for r in tracker.rows)
    return TrackerMatch("known" if known else "new", active or tracker.latest_row(key), came_back)


def unmatched_rows(tracker: Tracker, seen: Collection[str]) -> list[DecisionRow]:
    """The active rows whose key no class of the run has (``fixed?``); a key's first active
    row stands for it, so a key is listed once however many rows it has."""
    return [r for r in tracker.rows if r.key not in seen and tracker.active_row(r.key) is r]


def _normalise_status(raw: str) -> str | None:
    lowered = raw.strip().lower()
    if lowered in ("_open_", "*open*"):
        return "_open_"
    if lowered in ("accepted", "fixed"):
        return lowered
    return None


def _unquote_key(raw: str) -> str:
    if len(raw) >= 2 and raw.startswith("`") and raw.endswith("`"):
        return raw[1:-1].strip()
    return raw


def _check_delimiter(lines: list[str], table: TableSpan, path: Path) -> None:
    index = table.header + 1
    delim = split_cells(lines[index]) if index < len(lines) else None
    if (
        delim is None
        or len(delim) != len(table.columns)
        or not all(_DELIMITER_CELL.fullmatch(c) for c in delim)
    ):
        raise ConfigError(
            "the decisions table's header row must be followed by a delimiter row like |---|---|---|---|---|---|",
            file=path,
            line=index + 1,
        )


def _row(cells: list[str], columns: tuple[str, ...], number: int, path: Path) -> DecisionRow:
    if len(cells) != len(columns):
        raise ConfigError(
            f"decisions row has {len(cells)} cell(s), expected {len(columns)} ({' | '.join(columns)});"
            " write a literal pipe as \\|",
            file=path,
            line=number,
        )
    by = dict(zip(columns, cells, strict=True))
    status = _normalise_status(by["status"])
    if status is None:
        raise ConfigError(
            f"unknown status {by['status']!r} (expected one of: {', '.join(STATUSES)})",
            file=path,
            line=number,
        )
    key = _unquote_key(by["key"])
    if not key:
        raise ConfigError("decisions row has an empty key", file=path, line=number)
    expires = by.get("expires", "").strip().strip("`")
    if expires in ("—", "-"):
        expires = ""
    if expires:
        try:
            date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(
                f"expires {expires!r} is not a date (expected YYYY-MM-DD)", file=path, line=number
            ) from None
    extra = tuple((c, v) for c, v in by.items() if c not in COLUMNS and c not in OPTIONAL_COLUMNS)
    return DecisionRow(
        key,
        by["area"],
        by["divergence"],
        status,
        by["decision"],
        by["evidence"],
        number,
        owner=by.get("owner", ""),
        ticket=by.get("ticket", ""),
        expires=expires,
        extra=extra,
    )


def parse_tracker(text: str, path: Path) -> Tracker:
    """Parse a tracker's text; a malformed decisions table is a ConfigError naming the line."""
    first_nl = text.find("\n")
    newline = "\r\n" if first_nl > 0 and text[first_nl - 1] == "\r" else "\n"
    table, hint = find_decisions_table(text, path)
    tracker = Tracker(path=path, text=text, newline=newline, table=table, exists=True, hint=hint)
    if table is None:
        return tracker
    lines = split_lines(text)
    _check_delimiter(lines, table, path)
    for index in range(table.first_row, table.end):
        number = index + 1
        cells = split_cells(lines[index])
        if cells is None:
            raise ConfigError(
                "this line continues the decisions table (Markdown reads a line right after a "
                "table as one more row): leave an empty line after the table",
                file=path,
                line=number,
            )
        tracker.rows.append(_row(cells, table.columns, number, path))
    return tracker


def read_tracker(path: Path, *, required: bool = False) -> Tracker:
    """Read the tracker. A missing file is an empty tracker (recording creates it) unless
    ``required``: then a missing file or one without a decisions table is a ConfigError."""
    if not path.exists():
        tracker = Tracker(path=path)
    else:
        tracker = parse_tracker(read_user_text(path, "the decisions tracker"), path)
    if required:
        tracker.require_table()
    return tracker


def _cell(value: str) -> str:
    # one physical line per row (control characters as escapes: core.escaping); a pipe
    # inside a cell is escaped, and so is markup a JSON key may carry (`<img onerror=…>`)
    text = " ".join(one_line(value).split()).replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def format_row(row: DecisionRow, columns: tuple[str, ...] = COLUMNS) -> str:
    key = _cell(row.key)
    if "`" not in key:
        key = f"`{key}`"
    extra = dict(row.extra)
    values = {
        "key": key,
        "area": _cell(row.area),
        "divergence": _cell(row.divergence),
        "status": row.status,
        "decision": _cell(row.decision),
        "evidence": _cell(row.evidence),
        "owner": _cell(row.owner),
        "ticket": _cell(row.ticket),
        "expires": row.expires,
    }
    cells = [values[c] if c in values else extra.get(c, "") for c in columns]
    return "| " + " | ".join(cells) + " |"


def _new_section(tracker: Tracker, columns: tuple[str, ...], rows_text: str) -> str:
    nl = tracker.newline
    header = "| " + " | ".join(columns) + " |" + nl + "|" + "---|" * len(columns) + nl
    section = f"## Decisions{nl}{nl}{header}{rows_text}"
    text = tracker.text
    if not text:
        intro = (
            f"# Architecture comparison{nl}{nl}"
            f"Divergences between the implementations and what was decided about them.{nl}"
            f"Status is one of `_open_`, `accepted`, `fixed`.{nl}{nl}"
        )
        return intro + section
    if not text.endswith("\n"):
        text += nl
    return text + nl + section


def _with_columns(tracker: Tracker, wanted: Iterable[str]) -> Tracker:
    """The tracker with optional columns the table lacks added at its right end."""
    table = tracker.table
    assert table is not None
    missing = [c for c in wanted if c not in table.columns]
    if not missing:
        return tracker
    lines = split_lines(tracker.text)
    for index in range(table.header, table.end):
        line = lines[index]
        ending = line[len(line.rstrip("\r\n")) :]  # "" for a last line without newline
        body = line.rstrip("\r\n").rstrip()
        if index == table.header + 1:
            added = "---|" * len(missing) if body.endswith("-|") else " --- |" * len(missing)
        else:
            added = "".join(f" {c if index == table.header else ''} |" for c in missing)
        body = (body if body.endswith("|") else body + " |") + added
        lines[index] = body + ending
    return parse_tracker("".join(lines), tracker.path)


def append_rows(tracker: Tracker, rows: Iterable[DecisionRow]) -> str:
    """The tracker's text with ``rows`` appended to its decisions table (or a new one)."""
    rows = list(rows)
    if not rows:
        return tracker.text
    nl = tracker.newline
    if tracker.table is None:
        columns = COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if any(getattr(r, c) for r in rows))
        return _new_section(tracker, columns, "".join(format_row(r, columns) + nl for r in rows))
    tracker = _with_columns(tracker, (c for c in OPTIONAL_COLUMNS if any(getattr(r, c) for r in rows)))
    assert tracker.table is not None
    new = "".join(format_row(r, tracker.table.columns) + nl for r in rows)
    at = tracker.insert_at
    assert at is not None
    before, after = tracker.text[:at], tracker.text[at:]
    if before and not before.endswith("\n"):
        before += nl
    return before + new + after


def _replace_row(tracker: Tracker, old: DecisionRow, new: DecisionRow) -> str:
    wanted = [c for c in OPTIONAL_COLUMNS if getattr(new, c)]
    tracker = _with_columns(tracker, wanted)
    assert tracker.table is not None
    lines = split_lines(tracker.text)
    line = lines[old.line - 1]
    ending = line[len(line.rstrip("\r\n")) :]
    lines[old.line - 1] = format_row(new, tracker.table.columns) + ending
    return "".join(lines)


def _update(path: Path, edit: Callable[[Tracker], str | None]) -> Tracker:
    """Apply ``edit`` to the file as it is now, under the directory lock; retried when an
    editor (which takes no lock) changed the file between our read and our rename."""
    try:
        with directory_lock(path.parent):
            for _ in range(_WRITE_ATTEMPTS):
                before = read_bytes_or_none(path)
                current = read_tracker(path)
                text = edit(current)
                if text is None or text == current.text:
                    return current
                reparsed = parse_tracker(text, path)  # never write something we cannot read back
                if atomic_write_bytes(path, text.encode("utf-8"), expect=Unchanged(before)):
                    return reparsed
    except RuntimeProblem as exc:
        raise RuntimeProblem(
            f"cannot write the decisions tracker {path} ({exc.message})",
            hint="check the [parity] tracker path, or run without --record-decisions",
        ) from None
    raise RuntimeProblem(
        f"the decisions tracker {path} kept changing while paritygate tried to write it",
        hint="try again when nobody is saving it",
    )


def record_rows(tracker: Tracker, rows: list[DecisionRow]) -> Tracker:
    """Append ``rows`` to the tracker file; returns the re-read tracker.

    The file is read again under the lock: a row for the same key that became active
    meanwhile (a decision taken by hand during the run) wins, and every other change
    made meanwhile is kept."""
    if not rows:
        return tracker

    def edit(current: Tracker) -> str | None:
        fresh = [r for r in rows if current.active_row(r.key) is None]
        return append_rows(current, fresh) if fresh else None

    return _update(tracker.path, edit)


def set_decision(
    path: Path,
    key: str,
    status: str,
    *,
    decision: str | None = None,
    owner: str | None = None,
    ticket: str | None = None,
    expires: str | None = None,
    new_row: DecisionRow | None = None,
) -> DecisionRow:
    """Set the status (and the given cells) of ``key``'s row: its active row, else its
    latest row; with no row at all, ``new_row`` is appended with them. Returns the row
    as written (with its line)."""
    if status not in STATUSES:
        raise ValueError(status)
    if expires:
        try:
            date.fromisoformat(expires)
        except ValueError:
            raise ConfigError(
                f"expires {expires!r} is not a date (expected YYYY-MM-DD)", key="--expires"
            ) from None

    def changed(row: DecisionRow) -> DecisionRow:
        return replace(
            row,
            status=status,
            decision=row.decision if decision is None else decision,
            owner=row.owner if owner is None else owner,
            ticket=row.ticket if ticket is None else ticket,
            expires=row.expires if expires is None else expires,
        )

    def edit(current: Tracker) -> str | None:
        row = current.active_row(key) or current.latest_row(key)
        if row is None:
            if new_row is None:
                known = ", ".join(f"`{r.key}`" for r in current.rows[:5]) or "none"
                raise ConfigError(
                    f"no row with key {key!r} in the decisions tracker (keys: {known})", file=current.path
                )
            return append_rows(current, [changed(new_row)])
        return _replace_row(current, row, changed(row))

    tracker = _update(path, edit)
    written = tracker.active_row(key) if status in ACTIVE_STATUSES else None
    return written or next(r for r in reversed(tracker.rows) if r.key == key)
