"""The one rule for text that came from a service (JSON keys and values, messages, titles).

Such text may hold control characters: ``ESC[2J`` clears a terminal, an OSC sequence
retitles it, a newline followed by ``# Heading`` injects a Markdown heading or a new
tracker row. Every output kind shows them as visible escapes instead:

* terminal and every one-line place (table cells, headings, tracker cells, reasons):
  :func:`one_line` — every control character escaped, newlines too (``\\n``, ``\\x1b``);
* multi-line places (a body in a fenced block): :func:`keep_lines` — the same, except that
  newlines and tabs stay;
* Markdown additionally escapes ``&``, ``<`` and ``>`` (``reports.markdown``), HTML is
  escaped by jinja2's autoescape, JSON by its encoder.

"Control characters" are C0, DEL, C1, the line/paragraph separators and the bidi
embedding/override/isolate characters (which can make a line read differently).
"""

from __future__ import annotations

import re

__all__ = ["keep_lines", "one_line"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` on one line with every control character shown as an escape."""
    return _CONTROL.sub(_escape, text)


def keep_lines(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return _CONTROL_BUT_LINES.sub(_escape, text)
