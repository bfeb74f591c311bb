"""Where the decisions table is in a tracker file, read with a real Markdown parser.

markdown-it-py (CommonMark + the GFM table rule) decides what is a table, so a format
example inside a code fence or an HTML comment is not one. Only a table at the top
level counts: one inside a block quote or a list is an example or a quotation. The
decisions table is the one whose header holds the six required columns; a tracker
with two such tables is ambiguous and an error naming both. Cells are then read from
the table's own lines (``\\|`` is a literal pipe), so errors name the exact line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from paritygate.errors import ConfigError

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "TableSpan",
    "find_decisions_table",
    "header_name",
    "split_cells",
    "split_lines",
]

COLUMNS = ("key", "area", "divergence", "status", "decision", "evidence")
OPTIONAL_COLUMNS = ("owner", "ticket", "expires")
_PARSER = MarkdownIt("commonmark").enable("table")
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(slots=True, frozen=True)
class TableSpan:
    """A table's lines: ``header`` and ``end`` are 0-based line indexes (``end`` exclusive)."""

    header: int
    end: int
    columns: tuple[str, ...]  # normalised header names, in the table's order

    @property
    def first_row(self) -> int:
        return self.header + 2  # after the delimiter row


def split_lines(text: str) -> list[str]:
    """The file's lines, each with its own line ending (the last may have none)."""
    return _LINE.findall(text)


def split_cells(line: str) -> list[str] | None:
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


def header_name(cell: str) -> str:
    return cell.strip("*_` ").lower()


def _top_level_tables(text: str, lines: list[str]) -> list[tuple[int, int, list[str]]]:
    found = []
    for token in _PARSER.parse(text):
        if token.type == "table_open" and token.level == 0 and token.map is not None:
            start, end = token.map
            found.append((start, end, split_cells(lines[start]) or []))
    return found


def _near_miss(tables: list[tuple[int, int, list[str]]]) -> str | None:
    """A hint for a table that looks meant as the decisions table (e.g. a renamed header)."""
    for start, _end, cells in tables:
        names = [header_name(c) for c in cells]
        if len(set(names) & set(COLUMNS)) >= 3:
            missing = [c for c in COLUMNS if c not in names]
            return (
                f"the table at line {start + 1} has columns {' | '.join(cells)}; "
                f"a decisions table needs {' | '.join(COLUMNS)} (missing: {', '.join(missing)})"
            )
    return None


def _looks_like_header_without_table(text: str, lines: list[str]) -> int | None:
    """Line (0-based) of a paragraph line that is the header row but made no table."""
    for token in _PARSER.parse(text):
        if token.type == "paragraph_open" and token.level == 0 and token.map is not None:
            for index in range(*token.map):
                cells = split_cells(lines[index])
                if cells is not None and set(COLUMNS) <= {header_name(c) for c in cells}:
                    return index
    return None


def find_decisions_table(text: str, path: Path) -> tuple[TableSpan | None, str | None]:
    """The decisions table's span, or (None, a hint about a near miss)."""
    lines = split_lines(text)
    tables = _top_level_tables(text, lines)
    candidates = [t for t in tables if set(COLUMNS) <= {header_name(c) for c in t[2]}]
    if len(candidates) > 1:
        where = ", ".join(str(start + 1) for start, _, _ in candidates)
        raise ConfigError(
            f"{len(candidates)} decisions tables (header at lines {where}): keep one; "
            "put a format example in a code fence or an HTML comment",
            file=path,
            line=candidates[1][0] + 1,
        )
    if not candidates:
        orphan = _looks_like_header_without_table(text, lines)
        if orphan is not None:
            raise ConfigError(
                "the decisions table's header row must be followed by a delimiter row like "
                "|---|---|---|---|---|---|",
                file=path,
                line=orphan + 2,
            )
        return None, _near_miss(tables)
    start, end, cells = candidates[0]
    names = tuple(header_name(c) for c in cells)
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ConfigError(f"the decisions table has two {name!r} columns", file=path, line=start + 1)
    return TableSpan(start, end, names), None
