"""A unified diff as data: files, hunks and lines with their old and new line numbers.

Only git's own output (see :mod:`gitrange`) is parsed here, so the grammar is narrow:
``diff --git`` starts a file, ``@@ -a,b +c,d @@`` a hunk, and every hunk line starts
with ``' '``, ``'+'``, ``'-'`` or ``'\\'`` (no newline at end of file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from paritygate.errors import RuntimeProblem

__all__ = ["DiffLine", "FileDiff", "Hunk", "parse_diff"]

LineKind = Literal["+", "-", " ", "\\"]
FileStatus = Literal["added", "modified", "deleted"]
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)")


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
    blocks: list[list[str]] = []
    for line in text.split("\n"):
        if line.startswith("diff --git "):
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    if blocks and blocks[-1] and blocks[-1][-1] == "":
        blocks[-1].pop()  # the final newline of git's output
    return blocks


def _parse_hunks(path: str, lines: list[str]) -> list[Hunk]:
    hunks: list[Hunk] = []
    i = 0
    while i < len(lines):
        m = _HUNK.fullmatch(lines[i])
        if m is None:
            raise RuntimeProblem(f"unexpected line in the diff of {path}: {lines[i][:80]!r}")
        old_no, new_no = int(m[1]), int(m[3])
        hunk = Hunk(old_no, int(m[2] or 1), new_no, int(m[4] or 1), m[5])
        old_left, new_left = hunk.old_len, hunk.new_len
        i += 1
        while i < len(lines) and (old_left > 0 or new_left > 0 or lines[i].startswith("\\")):
            line = lines[i]
            kind = line[:1] or " "  # git never strips the prefix, but an empty context line is harmless
            if kind == "+":
                hunk.lines.append(DiffLine("+", line[1:], None, new_no))
                new_no, new_left = new_no + 1, new_left - 1
            elif kind == "-":
                hunk.lines.append(DiffLine("-", line[1:], old_no, None))
                old_no, old_left = old_no + 1, old_left - 1
            elif kind == "\\":
                hunk.lines.append(DiffLine("\\", line[1:], None, None))
            elif kind == " ":
                hunk.lines.append(DiffLine(" ", line[1:], old_no, new_no))
                old_no, new_no, old_left, new_left = old_no + 1, new_no + 1, old_left - 1, new_left - 1
            else:
                raise RuntimeProblem(f"unexpected line in a hunk of {path}: {line[:80]!r}")
            i += 1
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
        header = [line for line in block[:first_hunk] if not line.startswith("index ")]
        status: FileStatus = "modified"
        if any(line.startswith("new file mode") for line in header):
            status = "added"
        elif any(line.startswith("deleted file mode") for line in header):
            status = "deleted"
        binary = any(line.startswith(("Binary files ", "GIT binary patch")) for line in header)
        hunks = [] if binary else _parse_hunks(path, block[first_hunk:])
        files.append(FileDiff(path, status, binary, header, hunks))
    return files
