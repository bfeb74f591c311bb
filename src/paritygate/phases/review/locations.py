"""Checking a reviewer's WHERE against the bundle it reviewed.

The path must be in the bundle's diff (exactly; then without an ``a/`` ``b/`` ``./``
prefix; then as a unique suffix, or the bundle path as a suffix of an absolute one).
The line range is ``added`` (touches an added line), ``context`` (touches only
unchanged lines shown in the diff), ``outside-diff`` (in the file, not in the diff),
or ``invalid`` (path not in the diff, a deleted file, or beyond the end of the file).
"""

from __future__ import annotations

from dataclasses import dataclass

from paritygate.phases.review.answers import strip_prefix
from paritygate.phases.review.bundles import Bundle

__all__ = ["BundleIndex", "LineKind"]

LineKind = str  # "added" | "context" | "outside-diff" | "invalid" | "unanchored"


@dataclass(slots=True)
class _FileIndex:
    kinds: dict[int, str]
    line_count: int | None


class BundleIndex:
    def __init__(self, bundle: Bundle, line_counts: dict[str, int]) -> None:
        self.files = {f.path: _FileIndex(f.line_kinds(), line_counts.get(f.path)) for f in bundle.files}
        self.deleted = set(bundle.deleted)

    def resolve(self, written: str) -> str | None:
        """The bundle path a reviewer meant, or None when it is not (uniquely) in the diff."""
        for candidate in (written, strip_prefix(written), written.lstrip("/")):
            if candidate in self.files:
                return candidate
        bare = strip_prefix(written).lstrip("/")
        suffix = [p for p in self.files if p.endswith(f"/{bare}")]
        if len(suffix) == 1:
            return suffix[0]
        # An absolute or longer path that ends with a bundle path.
        longer = [p for p in self.files if bare.endswith(f"/{p}")]
        return longer[0] if len(longer) == 1 else None

    def classify(
        self, written: str | None, start: int | None, end: int | None
    ) -> tuple[str | None, LineKind, str]:
        """``(bundle path or None, line kind, reason when invalid)``."""
        if written is None or start is None:
            return (self.resolve(written) if written else None), "unanchored", "no usable WHERE"
        path = self.resolve(written)
        if path is None:
            why = (
                "a deleted file"
                if strip_prefix(written) in self.deleted
                else "path not in this bundle's diff"
            )
            return None, "invalid", why
        stop = end if end is not None else start
        index = self.files[path]
        if start < 1 or (index.line_count is not None and stop > index.line_count):
            total = index.line_count if index.line_count is not None else "?"
            lines = f"{start}" if stop == start else f"{start}-{stop}"
            return path, "invalid", f"line {lines} is beyond the end of the file ({total} lines)"
        touched = {kind for n, kind in index.kinds.items() if start <= n <= stop}
        if "added" in touched:
            return path, "added", ""
        if "context" in touched:
            return path, "context", ""
        return path, "outside-diff", ""
