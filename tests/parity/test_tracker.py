from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from paritygate.errors import ConfigError, RuntimeProblem
from paritygate.phases.parity import tracker as tracker_module
from paritygate.phases.parity.tracker import (
    DecisionRow,
    Tracker,
    format_row,
    read_tracker,
    record_rows,
    set_decision,
)

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

Trailing prose after the table's empty line is not part of it.

## The format, as an example

```md
| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| in-a-fence | second | decisions | table | is | untouched |
```

<!--
| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| in-a-comment | x | y | accepted | z | w |
-->

> | key | area | divergence | status | decision | evidence |
> |---|---|---|---|---|---|
> | in-a-quote | x | y | accepted | z | w |
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
    split = before.index(b"\nTrailing prose") - len(newline) + 1
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


FENCED_ABOVE = """\
# Decisions

The format:

```md
| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| example | GET /x | what differs | accepted | why | where |
```

<!-- an old table, commented out:
| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| old | GET /x | what differs | accepted | why | where |
-->

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
| real | GET /r | shape | accepted | live with it | run 1 |

The end.
"""


def test_a_table_in_a_fence_or_a_comment_is_not_the_decisions_table(tmp_path: Path) -> None:
    path = write(tmp_path, FENCED_ABOVE)
    tracker = read_tracker(path, required=True)
    assert [(r.key, r.line) for r in tracker.rows] == [("real", 19)]
    assert tracker.active_row("example") is None and tracker.active_row("old") is None
    record_rows(tracker, [new_row("k")])
    after = path.read_text(encoding="utf-8")
    real_row = "| real | GET /r | shape | accepted | live with it | run 1 |\n"
    assert after == FENCED_ABOVE.replace(real_row, real_row + format_row(new_row("k")) + "\n")


def test_two_decisions_tables_are_an_error_naming_both(tmp_path: Path) -> None:
    second = "\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
    path = write(tmp_path, FENCED_ABOVE + second)
    with pytest.raises(ConfigError, match=r"2 decisions tables \(header at lines 17, 23\)") as info:
        read_tracker(path)
    assert info.value.line == 23


def test_a_missing_tracker_or_a_renamed_header_is_an_error_when_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as info:
        read_tracker(tmp_path / "DECISION.md", required=True)
    assert "DECISION.md" in str(info.value)
    renamed = FENCED_ABOVE.replace(
        "| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n| real",
        "| id | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n| real",
    )
    path = write(tmp_path, renamed)
    assert read_tracker(path).rows == []  # not required: an empty tracker
    with pytest.raises(ConfigError, match="no decisions table") as info:
        read_tracker(path, required=True)
    assert "the table at line 17 has columns id | area" in str(info.value)
    assert "(missing: key)" in str(info.value)


def test_a_row_added_by_hand_between_read_and_write_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, FENCED_ABOVE)
    stale = read_tracker(path)  # what a run read when it started
    hand_row = "| by-hand | GET /h | h | accepted | decided meanwhile | chat |\n"
    real_row = "| real | GET /r | shape | accepted | live with it | run 1 |\n"
    path.write_text(FENCED_ABOVE.replace(real_row, real_row + hand_row), encoding="utf-8")
    # and an editor saves once more between paritygate's re-read and its rename
    real_read = tracker_module.read_tracker
    saves = []

    def read_then_editor_saves(p: Path, **kw: bool) -> Tracker:
        found = real_read(p, **kw)
        if not saves:
            saves.append(1)
            p.write_text(
                p.read_text(encoding="utf-8").replace("The end.", "The end, edited."), encoding="utf-8"
            )
        return found

    monkeypatch.setattr(tracker_module, "read_tracker", read_then_editor_saves)
    result = record_rows(stale, [new_row("k"), new_row("by-hand")])
    after = path.read_text(encoding="utf-8")
    assert "The end, edited." in after and hand_row in after
    assert [r.key for r in result.rows] == ["real", "by-hand", "k"]  # the hand decision wins for its key
    assert [r.key for r in read_tracker(path).rows] == ["real", "by-hand", "k"]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, FENCED_ABOVE)
    keys = [f"k{i}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda k: record_rows(read_tracker(path), [new_row(k)]), keys))
    assert sorted(r.key for r in read_tracker(path).rows) == sorted(["real", *keys])


def test_set_decision_edits_one_row_and_adds_optional_columns(tmp_path: Path) -> None:
    path = write(tmp_path, FENCED_ABOVE)
    row = set_decision(path, "real", "accepted", decision="ok for now", owner="ana", expires="2000-01-31")
    after = path.read_text(encoding="utf-8")
    assert (
        "| key | area | divergence | status | decision | evidence | owner | expires |\n|---|---|---|---|---|---|---|---|\n"
        in after
    )
    assert "| `real` | GET /r | shape | accepted | ok for now | run 1 | ana | 2000-01-31 |\n" in after
    assert (
        after.split("| key | area | divergence | status | decision | evidence | owner")[0]
        == FENCED_ABOVE.split(
            "| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n| real"
        )[0]
    )
    assert after.endswith("\nThe end.\n")
    assert row.owner == "ana" and row.expired()
    tracker = read_tracker(path)
    assert tracker.active_row("real") is None  # expired: it decides nothing any more
    reopened = set_decision(path, "real", "_open_", expires="")
    assert reopened.status == "_open_" and read_tracker(path).active_row("real") is not None
    with pytest.raises(ConfigError, match="no row with key 'nope'"):
        set_decision(path, "nope", "fixed")
    with pytest.raises(ConfigError, match="not a date"):
        set_decision(path, "real", "accepted", expires="next week")
