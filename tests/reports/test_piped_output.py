"""Piped output (`paritygate parity | cat`, CI logs) is laid out at the width its content
needs, not rich's 80-column fallback: a table cell is never folded mid-token. A terminal,
or COLUMNS, still sets the width."""

from __future__ import annotations

import io
import sys

import pytest
from report_samples import parity_result
from rich.console import Console

from paritygate.cli.console import PIPED_WIDTH, _make_console, piped_width
from paritygate.core.parity_doc import ParityDocument
from paritygate.reports.parity_terminal import print_parity

LONG_CASE = "playbook_missing_fingerprint_" + "with_a_name_much_longer_than_any_terminal_" * 3


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _doc() -> ParityDocument:
    data = parity_result().data
    assert isinstance(data, ParityDocument)
    raw = data.to_json()
    raw["cases"][1]["name"] = LONG_CASE
    return ParityDocument.from_json(raw, "sample")


def _piped_console(monkeypatch: pytest.MonkeyPatch) -> tuple[Console, io.StringIO]:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not a terminal
    console = _make_console(stderr=False)
    buffer = io.StringIO()
    console.file = buffer
    return console, buffer


def test_piped_parity_table_keeps_every_cell_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    console, buffer = _piped_console(monkeypatch)
    assert console.width == PIPED_WIDTH
    print_parity(_doc(), [], console, console)
    lines = buffer.getvalue().splitlines()
    header = next(line for line in lines if "Case" in line)
    for column in ("tagged status", "flat status", "Status match", "Body match"):
        assert column in header
    row = next(line for line in lines if LONG_CASE in line)  # the whole name on its one row
    assert "422" in row and "✗" in row
    assert max(len(line) for line in lines) < 1000  # sized to the content, not padded to the limit


def test_terminal_or_columns_keeps_the_real_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", _Tty())
    assert piped_width(stderr=False) is None
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert piped_width(stderr=False) == PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "120")
    assert piped_width(stderr=False) is None
