"""Peak memory and report size of `paritygate run` (stack + parity) on a pair of huge bodies.

Two stdlib services stream a JSON body of ``--size-mb`` MB each (they differ in the last
bytes); the run compares them under the default ``[parity] max_body_bytes`` (4 MiB), so
each body is streamed to a file in the run directory and compared by length and SHA-256.
The same run also measures a 1 MB pair (below the limit: parsed and diffed path by path)
as the baseline. Prints, per size, the peak RSS of the paritygate process (wait4) and the
size of the reports (every file of the run directory except the kept bodies); exits 1
when the big pair's peak RSS exceeds ``--max-rss-mb`` or its reports ``--max-reports-kb``.

    .venv/bin/python benchmarks/bench_big_body.py [--size-mb 60] [--max-rss-mb 150] [--max-reports-kb 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "tests" / "hardening" / "big_body_server.py"

CONFIG = """
[run]
phases = ["stack", "parity"]

[services.left]
command = ["{python}", "@SERVER@", "{port}", "left"]
port = 0
ready = { http = "/health" }

[services.right]
command = ["{python}", "@SERVER@", "{port}", "right"]
port = 0
ready = { http = "/health" }

[parity]
cases = "cases.toml"
targets = ["left", "right"]
tracker = "TRACKER.md"
timeout = 120.0
"""

TRACKER = (
    "# Decisions\n\n| key | area | divergence | status | decision | evidence |\n|---|---|---|---|---|---|\n"
)


def measure(size_bytes: int) -> tuple[float, int, int]:
    """(peak RSS in MB of the paritygate process, bytes of reports, bytes of kept bodies)."""
    with tempfile.TemporaryDirectory(prefix="pg-bigbody-") as tmp:
        root = Path(tmp)
        (root / "paritygate.toml").write_text(CONFIG.replace("@SERVER@", str(SERVER)), encoding="utf-8")
        (root / "cases.toml").write_text(
            f'[[cases]]\nname = "big"\nmethod = "GET"\npath = "/big"\nquery = {{ size = "{size_bytes}" }}\n',
            encoding="utf-8",
        )
        (root / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "paritygate", "run"],
            cwd=root,
            env={**os.environ, "NO_COLOR": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert proc.stderr is not None
        err = proc.stderr.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code
        if code not in (0, 1):
            raise SystemExit(f"paritygate run exited {code}: {err.decode(errors='replace')[-2000:]}")
        run_dir = next((root / ".paritygate" / "runs").iterdir())
        files = [p for p in run_dir.rglob("*") if p.is_file()]
        bodies = sum(p.stat().st_size for p in files if p.parent.name == "bodies")
        reports = sum(p.stat().st_size for p in files if p.parent.name != "bodies")
        return usage.ru_maxrss / 1024, reports, bodies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=float, default=60.0)
    parser.add_argument("--max-rss-mb", type=float, default=150.0)
    parser.add_argument("--max-reports-kb", type=float, default=100.0)
    args = parser.parse_args()
    base_rss, base_reports, _ = measure(1_000_000)
    rss, reports, bodies = measure(int(args.size_mb * 1_000_000))
    print(
        f"1 MB pair (parsed, below the limit): peak RSS {base_rss:.0f} MB, reports {base_reports / 1024:.0f} KB"
    )
    print(
        f"{args.size_mb:g} MB pair (over the limit): peak RSS {rss:.0f} MB ({rss / base_rss:.2f}x the 1 MB pair),"
        f" reports {reports / 1024:.0f} KB, kept bodies {bodies / 1e6:.0f} MB"
    )
    ok = rss <= args.max_rss_mb and reports <= args.max_reports_kb * 1024
    print(
        "OK"
        if ok
        else f"FAIL: goal peak RSS <= {args.max_rss_mb:g} MB, reports <= {args.max_reports_kb:g} KB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
