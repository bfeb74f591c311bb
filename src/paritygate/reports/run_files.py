"""Write every run report of a run directory from its ``paritygate.report/1`` document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.reports.run_html import write_html
from paritygate.reports.run_json import write_report_json
from paritygate.reports.run_junit import write_run_junit
from paritygate.reports.run_markdown import write_markdown

__all__ = ["RUN_REPORTS", "write_run_reports"]

RUN_REPORTS: tuple[str, ...] = ("report.md", "report.html", "report.json", "junit.xml")


def write_run_reports(run_dir: Path, doc: dict[str, Any]) -> list[Path]:
    """Write report.md, report.html, report.json and junit.xml; return them and logs/."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_report_json(run_dir / "report.json", doc)  # first: every other report can be rebuilt from it
    write_markdown(run_dir / "report.md", doc)
    write_html(run_dir / "report.html", doc)
    write_run_junit(run_dir / "junit.xml", doc)
    logs = run_dir / "logs"
    logs.mkdir(exist_ok=True)
    return [*(run_dir / name for name in RUN_REPORTS), logs]
