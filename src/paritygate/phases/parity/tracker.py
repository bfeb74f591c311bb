"""The decisions tracker: a Markdown table of divergence classes and what was decided.

The table is found by its header row (``key | area | divergence | status | decision |
evidence``); prose and other tables around it are never touched. Recording only
*appends* rows after the table's last row (or a new section at the end of the
file when there is no table yet), keeps the file's newline style and writes
atomically, so the file stays byte-for-byte identical outside the new rows.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from paritygate.config.diagnostics import read_user_text
from paritygate.core.fs import atomic_write_text
from paritygate.core.parity_doc import ClassStatus, DecisionDoc
from paritygate.errors import ConfigError, RuntimeProblem

__all__ = [
    "ACTIVE_STATUSES",
    "COLUMNS",
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
    "unmatched_rows",
]

COLUMNS = ("key", "area", "divergence", "status", "decision", "evidence")
STATUSES = ("_open_", "accepted", "fixed")
ACTIVE_STATUSES = frozenset({"_open_", "accepted"})  # a class with such a row is `known`
_DELIMITER_CELL = re.compile(r"\s*:?-+:?\s*")
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(slots=True, frozen=True)
class DecisionRow:
    key: str
    area: str
    divergence: str
    status: str  # one of STATUSES
    decision: str
    evidence: str
    line: int = 0  # 1-based line in the file; 0 for a row not written yet

    def to_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "area": self.area,
            "divergence": self.divergence,
            "status": self.status,
            "decision": self.decision,
            "evidence": self.evidence,
        }

    def to_doc(self) -> DecisionDoc:
        return DecisionDoc(
            self.key, self.area, self.divergence, self.status, self.decision, self.evidence, self.line
        )


@dataclass(slots=True)
class Tracker:
    path: Path
    text: str = ""
    newline: str = "\n"
    rows: list[DecisionRow] = field(default_factory=list)
    insert_at: int | None = None  # character offset after the table's last row; None = no table

    def active_row(self, key: str) -> DecisionRow | None:
        """The row that makes ``key`` known (status _open_ or accepted), if any."""
        return next((r for r in self.rows if r.key == key and r.status in ACTIVE_STATUSES), None)

    def latest_row(self, key: str) -> DecisionRow | None:
        return next((r for r in reversed(self.rows) if r.key == key), None)


@dataclass(slots=True, frozen=True)
class TrackerMatch:
    status: ClassStatus
    row: DecisionRow | None  # the row that makes the class known, else the latest row for its key
    came_back: bool  # new, and a `fixed` row for its key exists


def match_class(tracker: Tracker, key: str, *, recorded: bool = False) -> TrackerMatch:
    """THE rule that matches a divergence class against the tracker (the parity phase and
    ``assess DIR`` both use it): a class is ``known`` when a row with its key is `_open_` or
    `accepted`, unless ``recorded`` (that row was written by this very run: the class was new
    when found); a new class with a `fixed` row for its key came back."""
    active = tracker.active_row(key)
    known = active is not None and not recorded
    came_back = not known and any(r.key == key and r.status == "fixed" for r in tracker.rows)
    return TrackerMatch("known" if known else "new", active or tracker.latest_row(key), came_back)


def unmatched_rows(tracker: Tracker, seen: Collection[str]) -> list[DecisionRow]:
    """The active rows whose key no class of the run has (``fixed?``); a key's first active
    row stands for it, so a key is listed once however many rows it has."""
    return [r for r in tracker.rows if r.key not in seen and tracker.active_row(r.key) is r]


def _split_cells(line: str) -> list[str] | None:
    """Cells of a table row (``\\|`` is a literal pipe); None when the line holds no pipe."""
    body = line.rstrip("\r\n").strip()
    cells: list[str] = []
    current: list[str] = []
    i = 0
    pipes = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            current.append("|")
            i += 2
            continue
        if ch == "|":
            pipes += 1
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    cells.append("".join(current))
    if pipes == 0:
        return None
    if body.startswith("|"):
        cells = cells[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _is_header(cells: list[str] | None) -> bool:
    if cells is None or len(cells) != len(COLUMNS):
        return False
    return tuple(c.strip("*_` ").lower() for c in cells) == COLUMNS


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


def parse_tracker(text: str, path: Path) -> Tracker:
    """Parse a tracker's text; a malformed decisions table is a ConfigError naming the line."""
    first_nl = text.find("\n")
    newline = "\r\n" if first_nl > 0 and text[first_nl - 1] == "\r" else "\n"
    tracker = Tracker(path=path, text=text, newline=newline)
    lines = _LINE.findall(text)
    offset = 0
    offsets = []
    for line in lines:
        offsets.append(offset)
        offset += len(line)
    header_index = next((i for i, line in enumerate(lines) if _is_header(_split_cells(line))), None)
    if header_index is None:
        return tracker
    delim_index = header_index + 1
    delim = _split_cells(lines[delim_index]) if delim_index < len(lines) else None
    if delim is None or len(delim) != len(COLUMNS) or not all(_DELIMITER_CELL.fullmatch(c) for c in delim):
        raise ConfigError(
            "the decisions table's header row must be followed by a delimiter row like |---|---|---|---|---|---|",
            file=path,
            line=delim_index + 1,
        )
    end = delim_index + 1
    while end < len(lines):
        cells = _split_cells(lines[end])
        if cells is None or not lines[end].strip():
            break
        number = end + 1
        if len(cells) != len(COLUMNS):
            raise ConfigError(
                f"decisions row has {len(cells)} cell(s), expected {len(COLUMNS)} ({' | '.join(COLUMNS)});"
                " write a literal pipe as \\|",
                file=path,
                line=number,
            )
        status = _normalise_status(cells[3])
        if status is None:
            raise ConfigError(
                f"unknown status {cells[3]!r} (expected one of: {', '.join(STATUSES)})",
                file=path,
                line=number,
            )
        key = _unquote_key(cells[0])
        if not key:
            raise ConfigError("decisions row has an empty key", file=path, line=number)
        tracker.rows.append(DecisionRow(key, cells[1], cells[2], status, cells[4], cells[5], number))
        end += 1
    tracker.insert_at = offsets[end] if end < len(lines) else len(text)
    return tracker


def read_tracker(path: Path) -> Tracker:
    """Read the tracker; a missing file is an empty tracker (recording will create it)."""
    if not path.exists():
        return Tracker(path=path)
    return parse_tracker(read_user_text(path, "the decisions tracker"), path)


def _cell(value: str) -> str:
    # one physical line per row; a pipe inside a cell is escaped
    return " ".join(value.split()).replace("|", "\\|")


def format_row(row: DecisionRow) -> str:
    key = _cell(row.key)
    if "`" not in key:
        key = f"`{key}`"
    cells = [
        key,
        _cell(row.area),
        _cell(row.divergence),
        row.status,
        _cell(row.decision),
        _cell(row.evidence),
    ]
    return "| " + " | ".join(cells) + " |"


def append_rows(tracker: Tracker, rows: Iterable[DecisionRow]) -> str:
    """The tracker's text with ``rows`` appended to its decisions table (or a new one)."""
    nl = tracker.newline
    new = "".join(format_row(r) + nl for r in rows)
    if not new:
        return tracker.text
    text = tracker.text
    if tracker.insert_at is not None:
        before, after = text[: tracker.insert_at], text[tracker.insert_at :]
        if before and not before.endswith("\n"):
            before += nl
        return before + new + after
    header = "| " + " | ".join(COLUMNS) + " |" + nl + "|" + "---|" * len(COLUMNS) + nl
    section = f"## Decisions{nl}{nl}{header}{new}"
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


def record_rows(tracker: Tracker, rows: list[DecisionRow]) -> Tracker:
    """Append ``rows`` to the tracker file atomically; returns the re-read tracker."""
    if not rows:
        return tracker
    text = append_rows(tracker, rows)
    reparsed = parse_tracker(text, tracker.path)  # never write something we cannot read back
    try:
        atomic_write_text(tracker.path, text)
    except RuntimeProblem as exc:
        raise RuntimeProblem(
            f"cannot write the decisions tracker ({exc.message})",
            hint="check the [parity] tracker path, or run without --record-decisions",
        ) from None
    return reparsed
