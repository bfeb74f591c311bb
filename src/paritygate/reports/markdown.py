"""Markdown building blocks shared by every Markdown writer (parity.md, review.md, report.md).

Everything that came from a service or a reviewer passes through here, so a body holding
pipes, backticks, newlines, control characters or HTML can neither break a table nor
inject markup (control characters: ``core.escaping``).
"""

from __future__ import annotations

import re
from typing import Any

from paritygate.core.escaping import keep_lines, one_line

__all__ = ["code_cell", "code_span", "fenced", "table", "text_cell"]

_TICK_RUN = re.compile(r"`+")


def _longest_tick_run(text: str) -> int:
    return max(map(len, _TICK_RUN.findall(text)), default=0)


def text_cell(value: Any) -> str:
    """Plain text safe in a paragraph or a table cell: one line, no markup, pipes escaped."""
    text = one_line("" if value is None else str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split()).replace("|", "\\|")


def code_span(value: Any, *, in_table: bool = False) -> str:
    """An inline code span; its delimiter is longer than any backtick run inside (CommonMark)."""
    text = one_line("" if value is None else str(value))  # a newline would end a heading
    ticks = "`" * (_longest_tick_run(text) + 1)
    pad = " " if not text or text.startswith("`") or text.endswith("`") else ""
    span = f"{ticks}{pad}{text}{pad}{ticks}"
    # GFM splits table cells on every unescaped pipe, even inside code spans.
    return span.replace("|", "\\|") if in_table else span


def fenced(text: str, lang: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run in ``text``."""
    text = keep_lines(text)
    fence = "`" * max(3, _longest_tick_run(text) + 1)
    return [f"{fence}{lang}", text, fence]


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A GFM table from already-escaped cells."""
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def code_cell(value: Any) -> str:
    """A code span that is safe inside a table cell."""
    return code_span(value, in_table=True)
