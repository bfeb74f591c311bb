from __future__ import annotations

from pathlib import Path

import pytest

from paritygate.errors import ConfigError, RuntimeProblem
from paritygate.phases.parity.tracker import DecisionRow, read_tracker, record_rows

TRACKER = """\
# Architecture comparison — Rust ⇄ Go

Some prose with a | pipe and `code | span` that is not a table.

| other | table |
|---|---|
| keep | me |

## Decisions

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| `POST /v1/validate: a` | POST /v1/validate | tagged vs flat \\| naïve | _open_ | ~50 LOC fix: custom MarshalJSON | run 1 |
| b-key | GET /x | gone | accepted | keep | — |
| c-key | GET /y | was fixed | fixed | done | PR 7 |
Trailing prose right after the table is not part of it? It has no pipe.

## Afterwards

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| ignored | second | decisions | table | is | untouched |
"""


def write(tmp_path: Path, text: str, newline: str = "\n") -> Path:
    path = tmp_path / "ARCHITECTURE_COMPARISON.md"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def new_row(key: str) -> DecisionRow:
    return DecisionRow(key, "POST /v1/validate", "odd | shape ✓", "_open_", "to decide", "parity run")


def test_the_decisions_table_is_found_by_its_header(tmp_path: Path) -> None:
    tracker = read_tracker(write(tmp_path, TRACKER))
    assert [(r.key, r.status, r.line) for r in tracker.rows] == [
        ("POST /v1/validate: a", "_open_", 13),
        ("b-key", "accepted", 14),
        ("c-key", "fixed", 15),
    ]
    assert tracker.rows[0].divergence == "tagged vs flat | naïve"
    assert tracker.active_row("b-key") is not None
    assert tracker.active_row("c-key") is None


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_recording_appends_rows_and_keeps_everything_else(tmp_path: Path, newline: str) -> None:
    path = write(tmp_path, TRACKER, newline)
    before = path.read_bytes()
    tracker = record_rows(read_tracker(path), [new_row("d|key"), new_row("é-key")])
    after = path.read_bytes()
    split = before.index(b"Trailing prose")
    added = (
        "| `d\\|key` | POST /v1/validate | odd \\| shape ✓ | _open_ | to decide | parity run |"
        + newline
        + "| `é-key` | POST /v1/validate | odd \\| shape ✓ | _open_ | to decide | parity run |"
        + newline
    ).encode()
    assert after == before[:split] + added + before[split:]
    assert [r.key for r in tracker.rows][-2:] == ["d|key", "é-key"]
    assert read_tracker(path).rows[-2].divergence == "odd | shape ✓"


def test_a_file_without_a_table_gets_a_new_section(tmp_path: Path) -> None:
    prose = "# Notes\r\n\r\nNo table here, only prose | with a pipe."  # no final newline
    path = write(tmp_path, prose)
    record_rows(read_tracker(path), [new_row("k")])
    text = path.read_bytes().decode()
    assert text.startswith(prose + "\r\n\r\n## Decisions\r\n\r\n| key | area |")
    assert "\n" not in text.replace("\r\n", "")
    assert [r.key for r in read_tracker(path).rows] == ["k"]


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "TRACKER.md"
    assert read_tracker(path).rows == []
    record_rows(read_tracker(path), [new_row("k")])
    assert read_tracker(path).rows[0].status == "_open_"


def test_a_table_at_the_end_of_a_file_without_newline(tmp_path: Path) -> None:
    text = "| key | area | divergence | status | decision | evidence |\n|-|-|-|-|-|-|\n| a | b | c | fixed | d | e |"
    path = write(tmp_path, text)
    record_rows(read_tracker(path), [new_row("k")])
    assert path.read_text(encoding="utf-8").startswith(text + "\n| `k` |")


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        pytest.param("| x | y | z | _open_ | d |", "has 5 cell(s), expected 6", id="columns"),
        pytest.param("| x | y | z | maybe | d | e |", "unknown status 'maybe'", id="status"),
        pytest.param("|  | y | z | fixed | d | e |", "empty key", id="key"),
    ],
)
def test_a_malformed_table_names_file_and_line_and_writes_nothing(
    tmp_path: Path, bad_line: str, expected: str
) -> None:
    text = TRACKER.replace("| b-key | GET /x | gone | accepted | keep | — |", bad_line)
    path = write(tmp_path, text)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        record_rows(read_tracker(path), [new_row("k")])
    assert info.value.line == 14
    assert str(path) in str(info.value) and expected in str(info.value)
    assert path.read_bytes() == before


def test_a_header_without_delimiter_row_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "| key | area | divergence | status | decision | evidence |\n| a | b | c | d | e | f |\n"
    )
    with pytest.raises(ConfigError, match="delimiter row") as info:
        read_tracker(path)
    assert info.value.line == 2


def test_an_unwritable_tracker_is_a_runtime_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    path = blocker / "TRACKER.md"  # its parent is a file: the write must fail
    tracker = read_tracker(path)
    row = DecisionRow("k", "GET /x", "d", "_open_", "to decide", "run 1")
    with pytest.raises(RuntimeProblem) as info:
        record_rows(tracker, [row])
    assert info.value.exit_code == 3
    assert str(path) in str(info.value) and "cannot write the decisions tracker" in str(info.value)
