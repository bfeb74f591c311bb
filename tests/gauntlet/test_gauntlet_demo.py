"""`paritygate run` on the bundled demo, end to end (one shared subprocess run)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import orjson
import pytest
from gauntlet_helpers import CliRun, port_is_closed, processes_mentioning

from paritygate.core.run_doc import RunDocument
from paritygate.reports.run_html import render_html
from paritygate.reports.run_json import read_report, report_bytes
from paritygate.reports.run_markdown import render_markdown


def _report(run: CliRun) -> dict[str, Any]:
    doc = orjson.loads((run.run_dir / "report.json").read_bytes())
    assert isinstance(doc, dict)
    return doc


def test_demo_ends_in_ship_with_known_gap(demo_cli_run: CliRun) -> None:
    out = demo_cli_run.proc.stdout
    assert demo_cli_run.proc.returncode == 0, out + demo_cli_run.proc.stderr
    assert "verdict: SHIP-WITH-KNOWN-GAP" in out
    reasons = [line for line in out.splitlines() if line.strip().startswith("[gap]")]
    assert len(reasons) == 1
    assert "_open_" in reasons[0] and "ARCHITECTURE_COMPARISON.md" in reasons[0]
    assert "tagged enum vs flat kind field" in reasons[0]  # the error wire shape decision
    assert f"run dir: {demo_cli_run.run_dir}" in out
    for name in ("report.md", "report.html", "report.json", "junit.xml", "logs/"):
        assert f"  {name}" in out
    assert "using the bundled demo" in demo_cli_run.proc.stderr


def test_demo_run_dir_holds_the_five_files_and_the_phase_files(demo_cli_run: CliRun) -> None:
    run_dir = demo_cli_run.run_dir
    assert run_dir.parent == demo_cli_run.workdir / ".paritygate" / "runs"
    for name in (
        "report.md",
        "report.html",
        "report.json",
        "junit.xml",
        "parity.md",
        "parity.json",
        "smoke.json",
    ):
        assert (run_dir / name).stat().st_size > 0, name
    logs = sorted(p.name for p in (run_dir / "logs").iterdir())
    assert logs == ["flat.log", "tagged.log"]
    assert all((run_dir / "logs" / name).stat().st_size > 0 for name in logs)


def test_demo_report_json_is_versioned_and_complete(demo_cli_run: CliRun) -> None:
    doc = _report(demo_cli_run)
    assert doc["schema"] == "paritygate.report/3"
    assert doc["verdict"] == "ship-with-known-gap" and doc["demo"] is True
    phases = doc["phases"]
    assert isinstance(phases, dict)
    assert list(phases) == ["stack", "smoke", "parity", "review"]
    # The working directory is no git checkout: nothing to review, and the line says how to enable it.
    review = phases["review"]
    assert review["status"] == "skipped" and "is not inside a git work tree" in review["summary"]
    assert "[[review.reviewers]]" in review["summary"]
    tally = phases["parity"]["data"]["tally"]
    assert (tally["cases"], tally["status_match"], tally["body_match"], tally["body_diff"]) == (6, 6, 1, 5)
    assert doc["tally"] == tally
    assert phases["smoke"]["data"]["failed"] == 0
    (reason,) = doc["reasons"]
    assert reason["level"] == "gap" and reason["kind"] == "known_divergence"


def test_demo_junit_covers_every_phase(demo_cli_run: CliRun) -> None:
    from lxml import etree

    root = etree.parse(
        str(demo_cli_run.run_dir / "junit.xml"), etree.XMLParser(resolve_entities=False)
    ).getroot()
    names = [s.get("name") for s in root.iter("testsuite")]
    assert "parity" in names and "verdict" in names and any(str(n).startswith("smoke.") for n in names)
    assert root.get("failures") == "0" and root.get("errors") == "0"


def test_demo_leaves_no_process_behind(demo_cli_run: CliRun) -> None:
    doc = _report(demo_cli_run)
    services = doc["phases"]["stack"]["data"]["services"]
    assert len(services) == 2
    for service in services:
        assert port_is_closed(service["url"])
        port = service["url"].rsplit(":", 1)[1]
        assert processes_mentioning(f"--port {port} ") == []
    assert not (demo_cli_run.workdir / ".paritygate" / "stack.json").exists()


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium not installed; CI must provide it (apt-get install -y chromium)")
        pytest.skip("headless Chromium not installed (apt-get install -y chromium)")
    return found


@pytest.mark.browser
def test_demo_report_renders_in_headless_chromium(demo_cli_run: CliRun, tmp_path: Path) -> None:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = (demo_cli_run.run_dir / "report.html").as_uri()
    shot = tmp_path / "report.png"
    dom = subprocess.run(
        [_chromium(), *flags, "--dump-dom", url], capture_output=True, text=True, timeout=60, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    tree = lxml.html.fromstring(dom.stdout)
    assert tree.xpath("string(//*[@id='verdict-label'])").strip() == "ship with known gap"
    rows = tree.xpath("//table[@id='classes-table']/tbody/tr")
    assert len(rows) == 1 and "known" in rows[0].text_content()
    assert len(tree.xpath("//table[@id='parity-grid']/tbody/tr")) == 6
    pic = subprocess.run(
        [_chromium(), *flags, f"--screenshot={shot}", "--window-size=1280,2000", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert pic.returncode == 0, pic.stderr[-2000:]
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 50_000


def test_demo_report_json_round_trips_through_the_typed_document(demo_cli_run: CliRun) -> None:
    """report.json of a real run reads back into the typed document and writes back the same
    bytes, and the reports rendered from what was read are the ones the run wrote."""
    path = demo_cli_run.run_dir / "report.json"
    written = path.read_bytes()
    doc = RunDocument.from_json(orjson.loads(written))
    assert doc.to_json() == orjson.loads(written)
    assert report_bytes(doc) == written
    assert read_report(demo_cli_run.run_dir) == doc
    assert doc.parity is not None and doc.smoke is not None and doc.tally == doc.parity.tally
    assert render_markdown(doc) == (demo_cli_run.run_dir / "report.md").read_text(encoding="utf-8")
    assert render_html(doc) == (demo_cli_run.run_dir / "report.html").read_text(encoding="utf-8")
