"""A unified diff as data: files, hunks and lines with their old and new line numbers.

Only git's own output (see :mod:`gitrange`) is read here. It is cut into one block per
file at its ``diff --git`` lines (a hunk line always starts with ``' '``, ``'+'``,
``'-'`` or ``'\\'``, so such a line can only start a file); the file's status and binary
flag come from git's header lines, and its hunks are parsed by ``unidiff``.

unidiff gets the hunks under a fixed ``--- a/f`` / ``+++ b/f`` pair rather than git's
header: its ``diff --git`` regex splits a path holding " b/" (``plan b/notes.md``) at
the wrong place and then rejects the file, and the real paths come from ``--numstat -z``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import StringIO
from typing import Literal

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from paritygate.errors import RuntimeProblem

__all__ = ["DiffLine", "FileDiff", "Hunk", "parse_diff"]

LineKind = Literal["+", "-", " ", "\\"]
FileStatus = Literal["added", "modified", "deleted"]
_KINDS: dict[str, LineKind] = {"+": "+", "-": "-", " ": " ", "\\": "\\"}


@dataclass(slots=True)
class DiffLine:
    kind: LineKind
    text: str
    old_no: int | None
    new_no: int | None

    def render(self) -> str:
        return f"{self.kind}{self.text}"

    def numbered(self) -> str:
        """``  42 + code``: the new-file number, or blanks for a deleted line."""
        if self.kind == "\\":
            return f"{'':>6}{self.kind}{self.text}"
        number = f"{self.new_no:>5}" if self.new_no is not None else " " * 5
        return f"{number} {self.kind} {self.text}"


@dataclass(slots=True)
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
    lines: list[DiffLine] = field(default_factory=list)
    note: str | None = None  # replaces the lines: a shrunk deletion or a clipped tail

    @property
    def header(self) -> str:
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@{self.section}"

    @property
    def deletion_only(self) -> bool:
        kinds = {line.kind for line in self.lines}
        return "-" in kinds and "+" not in kinds

    def render(self, *, numbered: bool = False) -> str:
        body = [line.numbered() if numbered else line.render() for line in self.lines]
        if self.note:
            body.append(f"{'':>6}~ [{self.note}]" if numbered else f"~ [{self.note}]")
        return "\n".join([self.header, *body]) + "\n"


@dataclass(slots=True)
class FileDiff:
    path: str
    status: FileStatus
    binary: bool
    header: list[str]  # `diff --git`, mode lines, `---`, `+++` (the `index` line is dropped: noise)
    hunks: list[Hunk] = field(default_factory=list)

    def render_header(self) -> str:
        return "".join(f"{line}\n" for line in self.header)

    def render(self, *, numbered: bool = False) -> str:
        return self.render_header() + "".join(h.render(numbered=numbered) for h in self.hunks)

    def line_kinds(self) -> dict[int, str]:
        """New-file line number -> "added" or "context", over every hunk kept."""
        kinds: dict[int, str] = {}
        for hunk in self.hunks:
            for line in hunk.lines:
                if line.new_no is not None:
                    kinds[line.new_no] = "added" if line.kind == "+" else "context"
        return kinds


def _split_files(text: str) -> list[list[str]]:
    """One list of lines (newlines kept) per ``diff --git`` block. StringIO splits on
    ``\\n`` only: a form feed or U+2028 inside a line stays inside it."""
    blocks: list[list[str]] = []
    for line in StringIO(text):
        if line.startswith("diff --git "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def _parse_hunks(path: str, lines: list[str]) -> list[Hunk]:
    try:
        (patched,) = PatchSet(["--- a/f\n", "+++ b/f\n", *lines])
    except (UnidiffParseError, ValueError) as exc:
        raise RuntimeProblem(f"cannot parse the diff of {path}: {exc}") from None
    hunks: list[Hunk] = []
    for parsed in patched:
        section = f" {parsed.section_header}" if parsed.section_header else ""
        hunk = Hunk(
            parsed.source_start, parsed.source_length, parsed.target_start, parsed.target_length, section
        )
        for line in parsed:
            kind = _KINDS.get(line.line_type)
            if kind is None:
                raise RuntimeProblem(f"unexpected line in a hunk of {path}: {str(line)[:80]!r}")
            text = line.value.removesuffix("\n")
            hunk.lines.append(DiffLine(kind, text, line.source_line_no, line.target_line_no))
        hunks.append(hunk)
    return hunks


def parse_diff(text: str, paths: list[str]) -> list[FileDiff]:
    """Parse git's unified diff; ``paths`` are the file names in order (from ``--numstat -z``),
    which spares us decoding the quoted names in the ``diff --git`` line."""
    blocks = _split_files(text)
    if len(blocks) != len(paths):
        raise RuntimeProblem(f"git diff printed {len(blocks)} file(s) but --numstat listed {len(paths)}")
    files: list[FileDiff] = []
    for path, block in zip(paths, blocks, strict=True):
        first_hunk = next((i for i, line in enumerate(block) if line.startswith("@@ ")), len(block))
        header = [line.removesuffix("\n") for line in block[:first_hunk] if not line.startswith("index ")]
        status: FileStatus = "modified"
        if any(line.startswith("new file mode") for line in header):
            status = "added"
        elif any(line.startswith("deleted file mode") for line in header):
            status = "deleted"
        binary = any(line.startswith(("Binary files ", "GIT binary patch")) for line in header)
        hunks = [] if binary or first_hunk == len(block) else _parse_hunks(path, block[first_hunk:])
        files.append(FileDiff(path, status, binary, header, hunks))
    return files
