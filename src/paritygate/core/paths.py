"""The one path grammar of paritygate (a JSONPath subset).

A path printed in any report pastes straight into the config, so reports format
concrete paths with :func:`format_path` and the config parses patterns with
:func:`parse_path`; the two are inverse on concrete paths.

Grammar::

    path     := "$" segment*
    segment  := "." name | "." "*" | ".." name | ".." "*" | "[" index "]"
              | "[" "*" "]" | "[" quoted "]" | ".." "[" quoted "]"
    name     := [A-Za-z_][A-Za-z0-9_-]*
    quoted   := '...' or "..." with backslash escapes

A concrete path is a sequence of keys (str) and indexes (int).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PathPart", "PathPattern", "PathSyntaxError", "format_path", "parse_path"]

PathPart = str | int

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_INDEX = re.compile(r"-?\d+")


class PathSyntaxError(ValueError):
    """A path pattern does not follow the grammar; the message names the position."""


@dataclass(slots=True, frozen=True)
class _Seg:
    kind: str  # "key" | "index" | "any" | "desc"  (desc: recursive descent to `key`, or any when key is None)
    key: PathPart | None = None


def format_path(parts: Sequence[PathPart]) -> str:
    """Format a concrete path, e.g. ``$.errors[0]['content-type']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.fullmatch(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    pos += 1
    buf: list[str] = []
    while pos < len(text):
        ch = text[pos]
        if ch == "\\" and pos + 1 < len(text):
            buf.append(text[pos + 1])
            pos += 2
            continue
        if ch == quote:
            return "".join(buf), pos + 1
        buf.append(ch)
        pos += 1
    raise PathSyntaxError(f"unterminated quoted key in {text!r}")


def _read_bracket(text: str, pos: int) -> tuple[_Seg, int]:
    # text[pos] == "["
    pos += 1
    if pos < len(text) and text[pos] in "'\"":
        key, pos = _read_quoted(text, pos)
        seg = _Seg("key", key)
    elif text.startswith("*", pos):
        seg, pos = _Seg("any"), pos + 1
    else:
        m = _INDEX.match(text, pos)
        if not m:
            raise PathSyntaxError(f"expected an index, '*' or a quoted key at position {pos} of {text!r}")
        seg, pos = _Seg("index", int(m.group())), m.end()
    if not text.startswith("]", pos):
        raise PathSyntaxError(f"expected ']' at position {pos} of {text!r}")
    return seg, pos + 1


# the compare engine and classification parse the same few places of every case again
# and again (a pattern is immutable): parse each text once
@functools.lru_cache(maxsize=4096)
def parse_path(text: str) -> PathPattern:
    """Parse a path pattern; raises :class:`PathSyntaxError` naming the position."""
    text = text.strip()
    if not text.startswith("$"):
        raise PathSyntaxError(f"a path starts with '$', got {text!r}")
    segs: list[_Seg] = []
    pos = 1
    while pos < len(text):
        if text.startswith("..", pos):
            pos += 2
            if text.startswith("*", pos):
                segs.append(_Seg("desc", None))
                pos += 1
            elif text.startswith("[", pos) and pos + 1 < len(text) and text[pos + 1] in "'\"":
                key, pos = _read_quoted(text, pos + 1)
                if not text.startswith("]", pos):
                    raise PathSyntaxError(f"expected ']' at position {pos} of {text!r}")
                pos += 1
                segs.append(_Seg("desc", key))
            else:
                m = _NAME.match(text, pos)
                if not m:
                    raise PathSyntaxError(f"expected a name after '..' at position {pos} of {text!r}")
                segs.append(_Seg("desc", m.group()))
                pos = m.end()
        elif text[pos] == ".":
            pos += 1
            if text.startswith("*", pos):
                segs.append(_Seg("any"))
                pos += 1
            else:
                m = _NAME.match(text, pos)
                if not m:
                    raise PathSyntaxError(f"expected a name after '.' at position {pos} of {text!r}")
                segs.append(_Seg("key", m.group()))
                pos = m.end()
        elif text[pos] == "[":
            seg, pos = _read_bracket(text, pos)
            segs.append(seg)
        else:
            raise PathSyntaxError(f"unexpected {text[pos]!r} at position {pos} of {text!r}")
    return PathPattern(text, tuple(segs))


@dataclass(slots=True, frozen=True)
class PathPattern:
    text: str
    segments: tuple[_Seg, ...]

    def __str__(self) -> str:
        return self.text

    @property
    def is_concrete(self) -> bool:
        return all(s.kind in ("key", "index") for s in self.segments)

    def concrete_parts(self) -> tuple[PathPart, ...]:
        if not self.is_concrete:
            raise ValueError(f"{self.text} has wildcards")
        return tuple(s.key for s in self.segments if s.key is not None)

    def matches(self, parts: Sequence[PathPart]) -> bool:
        """Does this pattern match the concrete path ``parts`` exactly?"""
        return _match(self.segments, 0, parts, 0)

    def matches_prefix(self, parts: Sequence[PathPart]) -> bool:
        """Does the pattern match ``parts`` or any ancestor of it (an ignored subtree)?"""
        return any(_match(self.segments, 0, parts[:n], 0) for n in range(len(parts) + 1))

    def find(self, doc: Any) -> list[tuple[tuple[PathPart, ...], Any]]:
        """Every (concrete path, value) the pattern selects in a JSON-like document, in document order."""
        return list(_find(self.segments, 0, doc, ()))


def _seg_accepts(seg: _Seg, part: PathPart) -> bool:
    if seg.kind == "any":
        return True
    if seg.kind == "key":
        return isinstance(part, str) and part == seg.key
    if seg.kind == "index":
        return isinstance(part, int) and part == seg.key
    return False


def _match(segs: tuple[_Seg, ...], si: int, parts: Sequence[PathPart], pi: int) -> bool:
    if si == len(segs):
        return pi == len(parts)
    seg = segs[si]
    if seg.kind == "desc":
        # `..k` = any number (>= 0) of intermediate steps, then a step equal to k (or anything for `..*`)
        for j in range(pi, len(parts)):
            if (seg.key is None or parts[j] == seg.key) and _match(segs, si + 1, parts, j + 1):
                return True
        return False
    if pi == len(parts) or not _seg_accepts(seg, parts[pi]):
        return False
    return _match(segs, si + 1, parts, pi + 1)


def _children(doc: Any) -> Iterator[tuple[PathPart, Any]]:
    if isinstance(doc, dict):
        yield from doc.items()
    elif isinstance(doc, list):
        yield from enumerate(doc)


def _descendants(doc: Any, prefix: tuple[PathPart, ...]) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    for key, value in _children(doc):
        here = (*prefix, key)
        yield here, value
        yield from _descendants(value, here)


def _find(
    segs: tuple[_Seg, ...], si: int, doc: Any, prefix: tuple[PathPart, ...]
) -> Iterator[tuple[tuple[PathPart, ...], Any]]:
    if si == len(segs):
        yield prefix, doc
        return
    seg = segs[si]
    if seg.kind == "desc":
        for path, value in _descendants(doc, prefix):
            if seg.key is None or path[-1] == seg.key:
                yield from _find(segs, si + 1, value, path)
        return
    if seg.kind == "any":
        for key, value in _children(doc):
            yield from _find(segs, si + 1, value, (*prefix, key))
        return
    if seg.kind == "key" and isinstance(doc, dict) and isinstance(seg.key, str) and seg.key in doc:
        yield from _find(segs, si + 1, doc[seg.key], (*prefix, seg.key))
    elif seg.kind == "index" and isinstance(doc, list) and isinstance(seg.key, int):
        idx = seg.key
        if -len(doc) <= idx < len(doc):
            yield from _find(segs, si + 1, doc[idx], (*prefix, idx % len(doc)))
