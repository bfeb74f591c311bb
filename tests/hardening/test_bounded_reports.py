"""After a case is compared, big bodies are kept as excerpt + length + digest: the whole
body goes to a file only where the case diverges, and the reports stay bounded."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import orjson

from paritygate.compare.model import Response
from paritygate.probe.bodies import EXCERPT_BYTES, REPORT_BODY_BYTES, slim

HERE = Path(__file__).parent
SIZE = 60_000  # well under max_body_bytes: parsed and compared path by path

CONFIG = """
[run]
phases = ["stack", "parity"]

[services.left]
command = ["{python}", "@HERE@/big_body_server.py", "{port}", "left"]
port = 0
ready = { http = "/health" }
interval = 0.03

[services.right]
command = ["{python}", "@HERE@/big_body_server.py", "{port}", "right"]
port = 0
ready = { http = "/health" }
interval = 0.03

[parity]
cases = "cases.toml"
targets = ["left", "right"]
tracker = "TRACKER.md"
"""

CASES = "".join(
    f'[[cases]]\nname = "{name}"\nmethod = "GET"\npath = "/big"\nquery = {{ size = "{size}", same = "{same}" }}\n'
    for name, size, same in [("differs", SIZE, 0), ("same", SIZE, 1), ("small", 1000, 0)]
)

TRACKER = (
    "# Decisions\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
)


def test_big_bodies_are_excerpts_and_only_diverging_ones_are_kept(tmp_path: Path) -> None:
    (tmp_path / "paritygate.toml").write_text(CONFIG.replace("@HERE@", str(HERE)), encoding="utf-8")
    (tmp_path / "cases.toml").write_text(CASES, encoding="utf-8")
    (tmp_path / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run"],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # new divergences
    run_dir = next((tmp_path / ".paritygate" / "runs").iterdir())
    doc = orjson.loads((run_dir / "parity.json").read_bytes())
    cases = {c["name"]: c for c in doc["cases"]}
    # compared path by path before being slimmed: the difference is the field, not a digest
    assert [d["path"] for d in cases["differs"]["pairs"][0]["differences"]] == ["$.flavour"]
    for name in ("left", "right"):
        answer = cases["differs"]["targets"][name]
        data = (run_dir / answer["body_file"]).read_bytes()
        assert len(data) == answer["body_size"] > SIZE - 100
        assert hashlib.sha256(data).hexdigest() == answer["body_sha256"]
        assert data.endswith(f'"flavour": "{name}"}}'.encode())
        assert len(answer["body"].encode()) <= EXCERPT_BYTES
        same = cases["same"]["targets"][name]
        assert same["body_size"] > SIZE - 100 and "body_file" not in same  # nothing to look at
        assert isinstance(cases["small"]["targets"][name]["body"], dict)  # small: shown parsed
    assert cases["same"]["pairs"][0]["differences"] == []
    assert len(list((run_dir / "bodies").iterdir())) == 2
    total = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file() and p.parent.name != "bodies")
    assert total < 200_000, total  # four 60 KB bodies; shown whole, every report would inline them


def test_slim_keeps_small_bodies_and_errors_as_they_are(tmp_path: Path) -> None:
    small = Response(200, [], b"x" * REPORT_BODY_BYTES)
    assert slim(small, keep_in=tmp_path) is small
    failed = Response(None, error="timeout")
    assert slim(failed, keep_in=tmp_path) is failed
    big = Response(200, [("content-type", "text/plain")], b"y" * 10_000, elapsed_ms=3.0)
    kept = slim(big, keep_in=tmp_path)
    assert kept.body == b"y" * EXCERPT_BYTES and kept.body_size == 10_000
    assert kept.headers == big.headers and kept.elapsed_ms == 3.0
    assert (tmp_path / f"{kept.body_sha256}.body").read_bytes() == big.body
    assert slim(big, keep_in=None).body_file is None
    assert not list(tmp_path.glob(".body-*"))
