"""report.html in a real browser: headless Chromium renders the verdict and the divergence table.

Without Chromium the test fails under CI (env CI set) and is skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from report_samples import CLASS_KEY, parity_result, sample_doc, smoke_result

from paritygate.reports.run_files import write_run_reports

pytestmark = pytest.mark.browser

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        reason = "headless Chromium not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)
    return found


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    cmd = [_chromium(), *_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run_dir = tmp_path_factory.mktemp("browser-run")
    write_run_reports(run_dir, sample_doc([smoke_result(), parity_result(hostile=True)]))
    return run_dir


def test_verdict_and_divergence_table_render(report_dir: Path, tmp_path: Path) -> None:
    done = _run(["--dump-dom", (report_dir / "report.html").as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = lxml.html.fromstring(done.stdout)
    assert dom.xpath("string(//*[@id='verdict-label'])").strip() == "ship with known gap"
    assert dom.xpath("//section[@id='verdict']//li[contains(@class, 'reason')]")
    rows = dom.xpath("//table[@id='classes-table']/tbody/tr")
    assert len(rows) == 1 and CLASS_KEY in rows[0].text_content()
    assert len(dom.xpath("//table[@id='parity-grid']/tbody/tr")) == 2
    assert dom.xpath("//script") == []  # the served <script> in a body stayed text in the live DOM


def test_screenshot_is_non_trivial(report_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _run(
        ["--screenshot=" + str(shot), "--window-size=1280,2000", (report_dir / "report.html").as_uri()],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank 1280x2000 page compresses to a few KB
