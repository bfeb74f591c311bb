"""Write every review report of a run directory from its review document (``paritygate.review/2``)."""

from __future__ import annotations

from pathlib import Path

from paritygate.core.review_doc import ReviewDocument
from paritygate.reports.review_json import write_review_json
from paritygate.reports.review_md import write_review_md
from paritygate.reports.review_sarif import write_review_sarif

__all__ = ["REVIEW_FILES", "write_review_reports"]

REVIEW_FILES: tuple[str, ...] = ("review.md", "review.json", "review.sarif")
_WRITERS = (write_review_md, write_review_json, write_review_sarif)


def write_review_reports(out_dir: Path, data: ReviewDocument) -> list[Path]:
    """review.md, review.json and review.sarif into ``out_dir``; returns the paths written."""
    paths = [out_dir / name for name in REVIEW_FILES]
    for write, path in zip(_WRITERS, paths, strict=True):
        write(path, data)
    return paths
