"""Write every review report of a run directory from its ``paritygate.review/1`` document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.reports.review_json import write_review_json
from paritygate.reports.review_md import write_review_md
from paritygate.reports.review_sarif import write_review_sarif

__all__ = ["write_review_reports"]


def write_review_reports(out_dir: Path, data: dict[str, Any]) -> list[Path]:
    """review.md, review.json and review.sarif into ``out_dir``; returns the paths written."""
    paths = [out_dir / "review.md", out_dir / "review.json", out_dir / "review.sarif"]
    write_review_md(paths[0], data)
    write_review_json(paths[1], data)
    write_review_sarif(paths[2], data)
    return paths
