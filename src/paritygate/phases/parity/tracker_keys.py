"""Tracker keys of the old format (``POST /v1/validate·shape·tagged-enum~flat-kind·5d06913e``)
and the new key each most likely stands for.

Old keys held the literal endpoint, the outcome, a slug and a hash over the body shapes,
so one cause had a key per endpoint and per shape. A tracker holding them gets one clear
message per row naming its likely new key, never a wave of silent ``fixed?`` rows; and
``paritygate tracker migrate`` rewrites them (:func:`migrate_text`), byte for byte
everything else.

How the likely new key is found:

* ``tagged-enum~flat-kind`` → ``mapping·tagged-enum~flat-kind`` (always);
* ``status`` → ``status·A~B``: the old hash covers the two status codes, so the pair is
  recovered exactly;
* any other slug → the class of a run (when one is given) on the same operation whose
  cause is of that kind (``key-case``, ``null~absent``, ``number~string``,
  ``timestamp-precision``; ``unmapped`` → any body cause of the same outcome), when
  exactly one fits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from paritygate.phases.parity.tracker import DecisionRow, Tracker, read_tracker
from paritygate.phases.parity.tracker import _update as update_tracker  # the one locked, atomic write
from paritygate.probe.operation import is_id_like

__all__ = [
    "Migration",
    "OldKey",
    "OutdatedRow",
    "likely_keys",
    "migrate_text",
    "migrate_tracker",
    "outdated_rows",
    "parse_old_key",
]

_OLD = re.compile(
    r"(?P<endpoint>[A-Z]+ /[^·]*)·(?P<outcome>error|status|shape|value|order)·(?P<slug>[^·\s]+)·(?P<digest>[0-9a-f]{8})"
)
_SLUG_RELATIONS = {
    "null~absent": ("null~absent", "empty~absent"),
    "number~string": ("number~string",),
    "timestamp-precision": ("timestamp-precision",),
}


@dataclass(frozen=True, slots=True)
class OldKey:
    endpoint: str
    outcome: str
    slug: str
    digest: str

    @property
    def operation(self) -> str:
        """The endpoint as an operation name (id-like path segments templated)."""
        method, _, path = self.endpoint.partition(" ")
        return f"{method} " + "/".join("{id}" if s and is_id_like(s) else s for s in path.split("/"))


def parse_old_key(key: str) -> OldKey | None:
    m = _OLD.fullmatch(key)
    return None if m is None else OldKey(m["endpoint"], m["outcome"], m["slug"], m["digest"])


@lru_cache(maxsize=256)
def _status_pair(digest: str) -> str | None:
    # Old status keys hashed "left~right"; 500 x 500 codes are quick to try once.
    for a in range(100, 600):
        for b in range(100, 600):
            if hashlib.sha256(f"{a}~{b}".encode()).hexdigest()[:8] == digest:
                return "~".join(sorted((str(a), str(b))))
    return None


def _fits(old: OldKey, cls: dict[str, Any]) -> bool:
    names = [o["name"] for o in cls.get("operations", [])]
    if old.operation not in names and old.endpoint not in names:
        return False
    relation, kind = cls.get("relation", ""), cls.get("kind", "")
    if old.slug == "key-case":
        return kind == "mapping" and str(relation).startswith("key-case")
    if old.slug in _SLUG_RELATIONS:
        return relation in _SLUG_RELATIONS[old.slug]
    if old.slug == "unmapped":
        return kind == old.outcome or (old.outcome == "shape" and kind == "shape")
    return False


def likely_keys(old: OldKey, classes: Sequence[dict[str, Any]] = ()) -> list[str]:
    """The new keys ``old`` most likely stands for (one when certain, several when not)."""
    if old.slug == "tagged-enum~flat-kind":
        return ["mapping·tagged-enum~flat-kind"]
    if old.slug == "status":
        pair = _status_pair(old.digest)
        return [f"status·{pair}"] if pair else []
    return sorted({str(c["key"]) for c in classes if _fits(old, c)})


@dataclass(frozen=True, slots=True)
class OutdatedRow:
    row: DecisionRow
    likely: tuple[str, ...]

    @property
    def message(self) -> str:
        where = f"tracker line {self.row.line}: key `{self.row.key}` is in the old format"
        if len(self.likely) == 1:
            return f"{where}; its likely new key is `{self.likely[0]}` (run `paritygate tracker migrate`)"
        if self.likely:
            shown = ", ".join(f"`{k}`" for k in self.likely[:4])
            return f"{where}; it is likely one of {shown} — edit the key by hand"
        return f"{where}; no class of this run fits it — edit the key by hand, or mark the row fixed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.row.line,
            "key": self.row.key,
            "likely": list(self.likely),
            "message": self.message,
        }


def outdated_rows(tracker: Tracker, classes: Sequence[dict[str, Any]] = ()) -> list[OutdatedRow]:
    """Every row of ``tracker`` whose key is in the old format, with its likely new key(s)."""
    out = []
    for row in tracker.rows:
        old = parse_old_key(row.key)
        if old is not None:
            out.append(OutdatedRow(row, tuple(likely_keys(old, classes))))
    return out


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((start, start + len(line)))
        start += len(line)
    return spans


def migrate_text(text: str, rows: Iterable[OutdatedRow]) -> tuple[str, list[OutdatedRow]]:
    """``text`` with the key of every row that has exactly one likely new key replaced in
    its first cell (nothing else changes); returns the text and the rows migrated."""
    spans = _line_spans(text)
    done: list[OutdatedRow] = []
    edits: list[tuple[int, int, str]] = []
    for item in rows:
        if len(item.likely) != 1 or not 0 < item.row.line <= len(spans):
            continue
        start, end = spans[item.row.line - 1]
        line = text[start:end]
        first_pipe = line.find("|")
        cell_end = line.find("|", first_pipe + 1) if first_pipe >= 0 else -1
        at = line.find(item.row.key, first_pipe + 1, cell_end if cell_end > 0 else len(line))
        if at < 0:
            continue
        edits.append((start + at, start + at + len(item.row.key), item.likely[0]))
        done.append(item)
    for begin, finish, new in sorted(edits, reverse=True):
        text = text[:begin] + new + text[finish:]
    return text, done


@dataclass(slots=True)
class Migration:
    """What ``migrate_tracker`` did: the rows rewritten and the rows it could not decide."""

    migrated: list[OutdatedRow] = field(default_factory=list)
    left: list[OutdatedRow] = field(default_factory=list)
    tracker: Tracker | None = None


def migrate_tracker(
    path: Path, classes: Sequence[dict[str, Any]] = (), *, dry_run: bool = False
) -> Migration:
    """Rewrite every old-format key of the tracker at ``path`` whose new key is certain
    (see :func:`likely_keys`; ``classes`` are a run's classes, as JSON), under the tracker's
    write lock and atomically; every other byte of the file stays as it is."""
    result = Migration()

    def edit(current: Tracker) -> str | None:
        rows = outdated_rows(current, classes)
        text, done = migrate_text(current.text, rows)
        result.migrated = done
        result.left = [r for r in rows if r not in done]
        return None if dry_run or not done else text

    if dry_run:
        edit(read_tracker(path, required=True))
        return result
    read_tracker(path, required=True)  # a missing file or table is exit 2 before anything is written
    result.tracker = update_tracker(path, edit)
    return result
