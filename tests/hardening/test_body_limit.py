"""A body over ``[parity] max_body_bytes`` is compared by length and digest, kept as a file in
the run directory, and the reports show a bounded excerpt with a link to it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import orjson

from paritygate.compare import compare
from paritygate.compare.model import Response
from paritygate.probe.bodies import EXCERPT_BYTES, BodySink

HERE = Path(__file__).parent
SIZE = 1_500_000

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
max_body_bytes = 65536
"""

CASES = f"""
[[cases]]
name = "big"
method = "GET"
path = "/big"
query = {{ size = "{SIZE}" }}

[[cases]]
name = "small"
method = "GET"
path = "/big"
query = {{ size = "1000" }}
"""

TRACKER = """# Decisions

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
"""


def test_a_body_over_the_limit_is_kept_as_a_file_and_linked_from_bounded_reports(tmp_path: Path) -> None:
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
    assert proc.returncode == 1, proc.stdout + proc.stderr  # two new divergences
    run_dir = next((tmp_path / ".paritygate" / "runs").iterdir())
    doc = orjson.loads((run_dir / "parity.json").read_bytes())
    big = next(c for c in doc["cases"] if c["name"] == "big")
    answers = big["targets"]
    for name in ("left", "right"):
        answer = answers[name]
        kept = run_dir / answer["body_file"]
        data = kept.read_bytes()
        assert len(data) == answer["body_size"] > SIZE - 100
        assert hashlib.sha256(data).hexdigest() == answer["body_sha256"]
        assert data.endswith(f'"flavour": "{name}"}}'.encode())
        assert len(answer["body"].encode()) <= EXCERPT_BYTES
    [pair] = big["pairs"]
    assert [d["relation"] for d in pair["differences"]] == ["digest"]
    # the small answer is still compared path by path
    small = next(c for c in doc["cases"] if c["name"] == "small")
    assert [d["path"] for d in small["pairs"][0]["differences"]] == ["$.flavour"]
    parity_md = (run_dir / "parity.md").read_text(encoding="utf-8")
    assert f"[{answers['left']['body_file']}]({answers['left']['body_file']})" in parity_md
    total = sum(p.stat().st_size for p in run_dir.rglob("*") if p.is_file() and p.parent.name != "bodies")
    assert total < 200_000, total  # two 1.5 MB bodies; without the limit each report inlines both


def test_the_sink_keeps_small_bodies_in_memory_and_spills_big_ones(tmp_path: Path) -> None:
    small = BodySink(1024, tmp_path)
    small.feed(b"x" * 1000)
    resp = small.finish(Response(status=200))
    assert resp.body == b"x" * 1000 and not resp.oversized
    big = BodySink(1024, tmp_path)
    for _ in range(10):
        big.feed(b"y" * 1000)
    resp = big.finish(Response(status=200))
    assert resp.oversized and resp.body_size == 10_000 and resp.body == b"y" * EXCERPT_BYTES
    assert (tmp_path / f"{resp.body_sha256}.body").read_bytes() == b"y" * 10_000
    assert not list(tmp_path.glob(".body-*"))  # no temp file left behind


def test_a_pair_with_one_oversized_body_is_compared_by_digest() -> None:
    body = b'{"a": 1}'
    digest = hashlib.sha256(body).hexdigest()
    headers = [("content-type", "application/json")]
    same = Response(200, headers, body=b'{"a"', body_size=len(body), body_sha256=digest)
    assert compare(same, Response(200, headers, body=body)).outcome.value == "match"
    other = Response(200, headers, body=b'{"a"', body_size=9, body_sha256="0" * 64)
    result = compare(other, Response(200, headers, body=body))
    assert result.outcome.value == "value"
    assert result.differences[0].right == {"length": len(body), "sha256": digest}
