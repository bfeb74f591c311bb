"""Write every file of a run directory from its ``paritygate.report/1`` document: the run
reports, and the phases' own files (smoke.json, parity.json, parity.md) next to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paritygate.core.fs import atomic_write_bytes, atomic_write_text
from paritygate.reports.parity_report import parity_json_bytes, parity_markdown
from paritygate.reports.run_html import write_html
from paritygate.reports.run_json import write_report_json
from paritygate.reports.run_junit import write_run_junit
from paritygate.reports.run_markdown import write_markdown
from paritygate.reports.smoke_report import write_smoke_json

__all__ = ["RUN_REPORTS", "files_listing", "write_phase_files", "write_run_reports"]

RUN_REPORTS: tuple[str, ...] = ("report.md", "report.html", "report.json", "junit.xml")


def write_phase_files(run_dir: Path, doc: dict[str, Any]) -> None:
    """smoke.json, parity.json and parity.md from the phases' data (when those phases ran)."""
    phases = doc.get("phases") or {}
    smoke = phases.get("smoke") or {}
    if (smoke.get("data") or {}).get("checks") is not None:
        write_smoke_json(run_dir / "smoke.json", smoke)
    parity = (phases.get("parity") or {}).get("data") or {}
    if parity.get("cases") is not None:
        atomic_write_bytes(run_dir / "parity.json", parity_json_bytes(parity))
        atomic_write_text(run_dir / "parity.md", parity_markdown(parity))


def _phase_file_names(doc: dict[str, Any]) -> set[str]:
    phases = doc.get("phases") or {}
    names = set()
    if ((phases.get("smoke") or {}).get("data") or {}).get("checks") is not None:
        names.add("smoke.json")
    if ((phases.get("parity") or {}).get("data") or {}).get("cases") is not None:
        names |= {"parity.json", "parity.md"}
    return names


def files_listing(run_dir: Path, doc: dict[str, Any]) -> dict[str, list[str]]:
    """What the run directory holds (or is about to), relative to it, for the "Files" sections."""
    logs = sorted(f"logs/{p.name}" for p in (run_dir / "logs").glob("*.log"))
    own = {*RUN_REPORTS, "logs"}
    present = {p.name for p in run_dir.iterdir() if p.name not in own and not p.name.startswith(".")}
    return {
        "reports": [*RUN_REPORTS, "logs/"],
        "phase_files": sorted(present | _phase_file_names(doc)),
        "logs": logs,
    }


def write_run_reports(run_dir: Path, doc: dict[str, Any]) -> list[Path]:
    """Write report.json, the phase files, report.md, report.html and junit.xml (``doc["files"]``
    is filled in on the way); return the four reports and logs/."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "logs").mkdir(exist_ok=True)
    doc["files"] = files_listing(run_dir, doc)
    write_report_json(run_dir / "report.json", doc)  # first: everything else can be rebuilt from it
    write_phase_files(run_dir, doc)
    write_markdown(run_dir / "report.md", doc)
    write_html(run_dir / "report.html", doc)
    write_run_junit(run_dir / "junit.xml", doc)
    return [*(run_dir / name for name in RUN_REPORTS), run_dir / "logs"]
