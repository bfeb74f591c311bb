"""Text bodies, byte-exact: lines for readable diffs, plus every byte fact the lines hide.

A text body is compared as its list of lines (``$[3]`` is the fourth line), so one changed
line is one difference. What splitting into lines loses is kept in :class:`TextFacts` and
compared too, each as a ``value`` difference at ``$`` with a named relation:

* ``trailing-newline`` — a final line break on one side only (``a`` vs ``a\\n``);
* ``line-ending`` — LF vs CRLF vs CR (or a mix);
* ``bom`` — a byte-order mark on one side only, or two different ones;
* ``encoding`` — the same characters in two charsets (declared, or given by the BOM);
* ``invalid-byte`` — bytes not valid in the charset; they are shown as ``\\xNN`` in the
  line (two different invalid bytes are two different lines), and the line's difference
  carries the relation;
* ``bytes`` — the last resort: when none of the above explains why the bytes differ (a
  mix of line endings in other places, a literal ``\\xc3`` against an invalid byte), the
  first differing offset with an excerpt of both sides (:mod:`paritygate.compare.opaque`).

Byte-identical bodies never get here (the engine skips them).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from paritygate.compare.model import Difference
from paritygate.compare.opaque import opaque_difference

__all__ = ["TextFacts", "decode_text", "text_fact_differences"]

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "UTF-32LE", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "UTF-32BE", "utf-32-be"),
    (codecs.BOM_UTF8, "UTF-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "UTF-16LE", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "UTF-16BE", "utf-16-be"),
)
_ESCAPED = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of an undecodable byte
_BREAK = re.compile("\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class TextFacts:
    charset: str  # the codec the body was decoded with (the BOM's, else the declared one)
    bom: str | None  # "UTF-8", "UTF-16LE", ... or None
    line_ending: str  # "LF" | "CRLF" | "CR" | "mixed" | "" (no line break at all)
    final_break: str  # the line break ending the body, "" when none
    invalid_lines: frozenset[int]  # lines holding bytes not valid in the charset


def _line_ending(text: str) -> str:
    crlf = text.count("\r\n")
    styles = [
        name
        for name, count in (("CRLF", crlf), ("CR", text.count("\r") - crlf), ("LF", text.count("\n") - crlf))
        if count
    ]
    return styles[0] if len(styles) == 1 else "mixed" if styles else ""


def _shown(line: str) -> str:
    return _ESCAPED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", line)


def decode_text(body: bytes, charset: str) -> tuple[list[str], TextFacts]:
    """The lines of a text body (line breaks removed) and its byte facts."""
    bom = None
    for mark, name, codec in _BOMS:
        if body.startswith(mark):
            bom, charset, body = name, codec, body[len(mark) :]
            break
    text = body.decode(charset, errors="surrogateescape")
    final = next((b for b in ("\r\n", "\n", "\r") if text.endswith(b)), "")
    content = text[: len(text) - len(final)]
    lines = content.split("\n") if "\r" not in content else _BREAK.split(content)
    invalid: frozenset[int] = frozenset()
    if _ESCAPED.search(text):
        invalid = frozenset(i for i, line in enumerate(lines) if _ESCAPED.search(line))
        lines = [_shown(line) if i in invalid else line for i, line in enumerate(lines)]
    if lines == [""] and not final:
        lines = []
    return lines, TextFacts(codecs.lookup(charset).name, bom, _line_ending(text), final, invalid)


def _side(where: str, left: bool, right: bool) -> str:
    return (
        f"{where} on both sides"
        if left and right
        else f"{where} on the left only"
        if left
        else f"{where} on the right only"
    )


def _line_index(path: str) -> int | None:
    m = re.fullmatch(r"\$\[(\d+)\]", path)
    return int(m.group(1)) if m else None


def text_fact_differences(
    left: TextFacts,
    right: TextFacts,
    line_diffs: list[Difference],
    raw: tuple[bytes, bytes],
    *,
    lines_equal: bool,
) -> list[Difference]:
    """Name the relation of line differences caused by invalid bytes (in place) and
    return the differences of the byte facts, each at ``$``."""
    out: list[Difference] = []
    if left.bom != right.bom:
        detail = (
            f"byte-order mark {left.bom} vs {right.bom}"
            if left.bom and right.bom
            else _side(f"a {left.bom or right.bom} byte-order mark", bool(left.bom), bool(right.bom))
        )
        out.append(Difference("$", "value", left.bom, right.bom, relation="bom", detail=detail))
    if left.charset != right.charset:
        out.append(
            Difference(
                "$",
                "value",
                left.charset,
                right.charset,
                relation="encoding",
                detail=f"the text is encoded as {left.charset} on the left, {right.charset} on the right",
            )
        )
    if left.line_ending and right.line_ending and left.line_ending != right.line_ending:
        out.append(
            Difference(
                "$",
                "value",
                left.line_ending,
                right.line_ending,
                relation="line-ending",
                detail=f"lines end with {left.line_ending} on the left, {right.line_ending} on the right",
            )
        )
    if bool(left.final_break) != bool(right.final_break):
        out.append(
            Difference(
                "$",
                "value",
                left.final_break,
                right.final_break,
                relation="trailing-newline",
                detail=_side("a final line break", bool(left.final_break), bool(right.final_break)),
            )
        )
    for diff in line_diffs:
        li = _line_index(diff.path)
        ri = _line_index(diff.right_path or diff.path)
        if (li is not None and li in left.invalid_lines and diff.kind != "extra") or (
            ri is not None and ri in right.invalid_lines and diff.kind != "missing"
        ):
            diff.relation = "invalid-byte"
            diff.detail = "bytes not valid in the charset, shown as \\xNN"
    if lines_equal and not out:
        # Same lines, same facts, different bytes: say where, byte by byte.
        relation = "invalid-byte" if left.invalid_lines != right.invalid_lines else "bytes"
        out.append(opaque_difference(*raw, relation=relation))
    return out
