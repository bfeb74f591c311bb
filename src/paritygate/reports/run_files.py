"""Write every file of a run directory from its run document (``paritygate.report/3``): the run
reports, and the phases' own files (smoke.json, parity.json, parity.md, fuzz.json, fuzz.md,
review.md, review.json, review.sarif) next to them."""

from __future__ import annotations

from pathlib import Path

from paritygate.core.fs import atomic_write_bytes, atomic_write_text
from paritygate.core.run_doc import FilesListing, RunDocument
from paritygate.reports.fuzz_report import fuzz_json_bytes, fuzz_markdown
from paritygate.reports.parity_report import parity_json_bytes, parity_markdown
from paritygate.reports.review_files import REVIEW_FILES, write_review_reports
from paritygate.reports.run_html import write_html
from paritygate.reports.run_json import write_report_json
from paritygate.reports.run_junit import write_run_junit
from paritygate.reports.run_markdown import write_markdown
from paritygate.reports.smoke_report import write_smoke_json

__all__ = ["REVIEW_FILES", "RUN_REPORTS", "files_listing", "write_phase_files", "write_run_reports"]

RUN_REPORTS: tuple[str, ...] = ("report.md", "report.html", "report.json", "junit.xml")


def _phase_file_names(doc: RunDocument) -> set[str]:
    """The files the phases that ran get; a review skipped before building bundles has none."""
    names = set()
    if doc.smoke is not None:
        names.add("smoke.json")
    if doc.parity is not None:
        names |= {"parity.json", "parity.md"}
    if doc.fuzz is not None:
        names |= {"fuzz.json", "fuzz.md"}
    if doc.review is not None and doc.review.bundles:  # a dry run builds bundles too
        names |= set(REVIEW_FILES)
    return names


def write_phase_files(run_dir: Path, doc: RunDocument) -> None:
    """smoke.json, parity.json, parity.md, fuzz.json, fuzz.md and the review reports from
    the phases' data (when those phases ran)."""
    names = _phase_file_names(doc)
    smoke = doc.phases.get("smoke")
    if "smoke.json" in names and smoke is not None:
        write_smoke_json(run_dir / "smoke.json", smoke.to_json())
    parity = doc.parity
    if "parity.json" in names and parity is not None:
        atomic_write_bytes(run_dir / "parity.json", parity_json_bytes(parity))
        atomic_write_text(run_dir / "parity.md", parity_markdown(parity))
    fuzz = doc.fuzz
    if "fuzz.json" in names and fuzz is not None:
        atomic_write_bytes(run_dir / "fuzz.json", fuzz_json_bytes(fuzz))
        atomic_write_text(run_dir / "fuzz.md", fuzz_markdown(fuzz))
    if "review.md" in names and doc.review is not None:
        write_review_reports(run_dir, doc.review)


def files_listing(run_dir: Path, doc: RunDocument) -> FilesListing:
    """What the run directory holds (or is about to), relative to it, for the "Files" sections."""
    logs = sorted(f"logs/{p.name}" for p in (run_dir / "logs").glob("*.log"))
    own = {*RUN_REPORTS, "logs"}
    # Directories a phase wrote (review/ holds the bundles' diffs and prompts) end in "/".
    present = {
        f"{p.name}/" if p.is_dir() else p.name
        for p in run_dir.iterdir()
        if p.name not in own and not p.name.startswith(".")
    }
    return FilesListing([*RUN_REPORTS, "logs/"], sorted(present | _phase_file_names(doc)), logs)


def write_run_reports(run_dir: Path, doc: RunDocument) -> list[Path]:
    """Write report.json, the phase files, report.md, report.html and junit.xml (``doc.files``
    is filled in on the way); return the four reports, the phase files and logs/."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "logs").mkdir(exist_ok=True)
    doc.files = files_listing(run_dir, doc)
    write_report_json(run_dir / "report.json", doc)  # first: everything else can be rebuilt from it
    write_phase_files(run_dir, doc)
    write_markdown(run_dir / "report.md", doc)
    write_html(run_dir / "report.html", doc)
    write_run_junit(run_dir / "junit.xml", doc)
    phase_files = [run_dir / name.rstrip("/") for name in doc.files.phase_files]
    return [*(run_dir / name for name in RUN_REPORTS), *phase_files, run_dir / "logs"]
