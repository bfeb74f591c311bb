"""The size guard: warn above ``warn_kb``, refuse above ``max_kb`` unless forced or split.

Splitting cuts on file boundaries first, then on hunk boundaries (the file header is
repeated in every part), never inside a hunk; a single hunk bigger than the limit is
clipped, and the clipping is disclosed in the manifest and in the prompt.
"""

from __future__ import annotations

from dataclasses import replace

from paritygate.errors import UsageError
from paritygate.phases.review.bundles import Bundle
from paritygate.phases.review.diff import FileDiff, Hunk
from paritygate.phases.review.secrets import SECTION_SIDE

__all__ = ["FORCE_ENV", "apply_size_guard", "split_bundle"]

FORCE_ENV = "PARITYGATE_FORCE_OVERSIZE"


def _nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _clip(fd: FileDiff, hunk: Hunk, budget: int) -> tuple[Hunk, str]:
    """Keep the first lines of ``hunk`` that fit ``budget`` bytes (header and note included)."""
    kept = Hunk(hunk.old_start, hunk.old_len, hunk.new_start, hunk.new_len, hunk.section)
    total = len(hunk.lines)
    reserve = _nbytes(hunk.header) + 160  # room for the disclosure note
    used = reserve
    for line in hunk.lines:
        cost = _nbytes(line.render()) + 1
        if used + cost > budget:
            break
        kept.lines.append(line)
        used += cost
    numbers = [line.new_no for line in kept.lines if line.new_no is not None]
    shown = f"new lines {numbers[0]}-{numbers[-1]}" if numbers else "no new lines"
    disclosure = (
        f"{fd.path}: hunk {hunk.header.split(' @@')[0]} @@ clipped to fit the size limit: "
        f"kept {len(kept.lines)} of {total} lines ({shown})"
    )
    kept.note = f"CLIPPED: {total - len(kept.lines)} more line(s) of this hunk not shown"
    return kept, disclosure


def split_bundle(bundle: Bundle, limit: int) -> list[Bundle]:
    """Cut ``bundle`` into parts of at most ``limit`` bytes of diff each."""
    parts: list[Bundle] = []
    current: list[FileDiff] = []
    used = 0
    clipped: list[list[str]] = [[]]

    def close() -> None:
        nonlocal current, used
        if current:
            parts.append(Bundle(id="", component=bundle.component, files=current))
            clipped.append([])
        current, used = [], 0

    for fd in bundle.files:
        size = _nbytes(fd.render())
        if size <= limit - used:
            current.append(fd)
            used += size
            continue
        if size <= limit:
            close()
            current, used = [fd], size
            continue
        # The file alone is too big: pack its hunks, repeating the header in every part.
        header = _nbytes(fd.render_header())
        piece = replace(fd, hunks=[])
        close()
        used = header
        for hunk in fd.hunks:
            cost = _nbytes(hunk.render())
            if piece.hunks and used + cost > limit:
                current = [piece]
                close()
                piece, used = replace(fd, hunks=[]), header
            if header + cost > limit:
                hunk, disclosure = _clip(fd, hunk, limit - header)
                clipped[-1].append(disclosure)
                cost = _nbytes(hunk.render())
            piece.hunks.append(hunk)
            used += cost
        current = [piece]
    close()
    for n, part in enumerate(parts, 1):
        part.id, part.part, part.parts = f"{bundle.id}.{n}", n, len(parts)
        part.clipped = clipped[n - 1]
        part.oversize = "split"
        sent = _sent_lines(part)
        part.redactions = [r for r in bundle.redactions if (r.path, r.side, r.line) in sent]
    if parts:  # what was listed rather than sent is told once, in part 1
        parts[0].deleted, parts[0].left_out = bundle.deleted, bundle.left_out
    return parts or [bundle]


def _sent_lines(part: Bundle) -> set[tuple[str, str, int]]:
    """``(path, side, line)`` of every line a part sends, in :class:`Redaction` terms."""
    sent: set[tuple[str, str, int]] = set()
    for fd in part.files:
        for hunk in fd.hunks:
            if hunk.section.strip():
                sent.add((fd.path, SECTION_SIDE, hunk.new_start))
            for line in hunk.lines:
                side, at = ("old", line.old_no) if line.kind == "-" else ("new", line.new_no)
                sent.add((fd.path, side, at or 0))
    return sent


def apply_size_guard(
    bundles: list[Bundle], *, warn_kb: float, max_kb: float, split: bool, force: bool
) -> list[Bundle]:
    """Warn, split, force or refuse (UsageError, exit 2, naming every oversize bundle)."""
    warn, limit = int(warn_kb * 1024), int(max_kb * 1024)
    refused: list[str] = []
    out: list[Bundle] = []
    for bundle in bundles:
        size = bundle.size
        if size > limit and split:
            pieces = split_bundle(bundle, limit)
            # Said once, in part 1 (like what was left out); every part is marked oversize "split".
            pieces[0].warnings.append(
                f"{bundle.id} {bundle.component} was {size / 1024:.0f} KB ({size} bytes), over the "
                f"{max_kb:g} KB limit: split into {len(pieces)} parts"
            )
            out.extend(pieces)
            continue
        if size > limit and force:
            bundle.oversize = "forced"
            bundle.warnings.append(
                f"{bundle.id} {bundle.component} is {size / 1024:.0f} KB ({size} bytes), over the {max_kb:g} KB "
                "limit: sent whole because the size guard was overridden"
            )
        elif size > limit:
            refused.append(f"{bundle.id} {bundle.component} is {size / 1024:.0f} KB ({size} bytes)")
        elif size > warn:
            bundle.oversize = "warn"
            bundle.warnings.append(
                f"{bundle.id} {bundle.component} is {size / 1024:.0f} KB ({size} bytes), above the {warn_kb:g} KB "
                "warning level: reviewers engage less with big bundles"
            )
        out.append(bundle)
    if refused:
        raise UsageError(
            f"bundle over the {max_kb:g} KB limit ([review] max_kb): " + "; ".join(refused),
            hint=f"rerun with --split to cut it on file and hunk boundaries, or --force-oversize "
            f"(or {FORCE_ENV}=1) to send it whole",
        )
    return out
