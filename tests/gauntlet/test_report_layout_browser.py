"""report.html from a real demo run, laid out by headless Chromium at 1280 px: the verdict
comes before the divergence classes, and no table (open or folded) is wider than the
viewport, also with a class title and a noise path far longer than any screen.

The page forbids scripts (its CSP); a copy with the CSP removed gets one measuring script
that writes its figures into the DOM, which ``--dump-dom`` then prints. Without Chromium
the test fails under CI (env CI set) and is skipped otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import orjson
import pytest
from gauntlet_helpers import CliRun

from paritygate.core.run_doc import RunDocument
from paritygate.reports.run_html import write_html

pytestmark = pytest.mark.browser

WIDTH = 1280
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WIDTH},2000",
]
# Opens every <details> (a folded table must fit too), then records the viewport, the page's
# scroll width, each table's right edge and where the sections start.
_MEASURE = """<script>
addEventListener("load", () => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const top = (id) => document.getElementById(id).getBoundingClientRect().top;
  const out = document.createElement("pre");
  out.id = "layout";
  out.textContent = JSON.stringify({
    viewport: document.documentElement.clientWidth,
    scroll: document.documentElement.scrollWidth,
    tables: [...document.querySelectorAll("table")].map((t) => ({
      id: t.id, right: t.getBoundingClientRect().right, scroll: t.scrollWidth, client: t.clientWidth,
    })),
    verdict: top("verdict"), classes: top("divergence-classes"), cases: top("parity-cases"),
  });
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        reason = "headless Chromium not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)
    return found


def _chrome(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    cmd = [_chromium(), *_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def _layout(report: Path, tmp_path: Path) -> dict[str, Any]:
    html = report.read_text(encoding="utf-8")
    html, csp = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert csp == 1
    measured = tmp_path / "measured.html"
    measured.write_text(html.replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    done = _chrome(["--virtual-time-budget=5000", "--dump-dom", measured.as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    text = lxml.html.fromstring(done.stdout).xpath("string(//pre[@id='layout'])")
    assert text, "the measuring script did not run"
    layout: dict[str, Any] = json.loads(text)
    return layout


def _assert_fits(layout: dict[str, Any]) -> None:
    assert layout["viewport"] <= WIDTH
    assert layout["scroll"] <= layout["viewport"], layout  # nothing scrolls the page sideways
    assert layout["tables"]
    for table in layout["tables"]:
        assert table["right"] <= layout["viewport"] + 0.5, table
        assert table["scroll"] <= table["client"] + 1, table  # no cell spills out of its table
    assert layout["verdict"] < layout["classes"] < layout["cases"]


@pytest.fixture
def run_dir(demo_cli_run: CliRun, tmp_path: Path) -> Path:
    assert demo_cli_run.proc.returncode == 0, demo_cli_run.proc.stdout + demo_cli_run.proc.stderr
    copy = tmp_path / "run"
    shutil.copytree(demo_cli_run.run_dir, copy)
    return copy


def test_demo_report_fits_1280px_with_verdict_first(run_dir: Path, tmp_path: Path) -> None:
    _assert_fits(_layout(run_dir / "report.html", tmp_path))


def test_long_titles_and_noise_paths_stay_inside_the_viewport(run_dir: Path, tmp_path: Path) -> None:
    doc = orjson.loads((run_dir / "report.json").read_bytes())
    parity = doc["phases"]["parity"]["data"]
    title = "error wire shape: " + " / ".join(f"tagged-enum-variant-{i}-vs-flat-kind" for i in range(20))
    parity["classes"][0]["title"] = title
    parity["classes"][0]["key"] += "." + "x" * 300  # one unbroken token, as a deep JSON path is
    parity["noise"] = [
        {
            "target": "tagged",
            "path": "$." + ".".join(f"level{i}" for i in range(60)),
            "examples": ["a" * 400, "b" * 400],
            "suggested_rule": '[[parity.ignore]]\npath = "$.' + "y" * 300 + '"',
            "cases": ["c"],
        }
    ]
    write_html(run_dir / "report.html", RunDocument.from_json(doc))
    _assert_fits(_layout(run_dir / "report.html", tmp_path))
    dom = lxml.html.fromstring((run_dir / "report.html").read_text(encoding="utf-8"))
    assert dom.xpath("//table[@id='classes-table']//div[@class='cut']/@title") == [title]


def test_screenshot_at_1280px(run_dir: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chrome(["--screenshot=" + str(shot), (run_dir / "report.html").as_uri()], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == WIDTH  # the IHDR width: laid out at 1280 px
    if os.environ.get("PARITYGATE_KEEP_SHOT"):
        shutil.copy(shot, os.environ["PARITYGATE_KEEP_SHOT"])
