"""Peak memory and report size of `paritygate run` over many cases with 100 KB bodies.

Two stdlib services (tests/hardening/big_body_server.py) answer ``--cases`` cases of
``--size-kb`` KB JSON each: half of them byte-identical on both targets, half differing
in their last bytes. Prints the peak RSS of the paritygate process (wait4), the size of
the reports (every file of the run directory except the kept bodies) and of the kept
bodies; exits 1 when peak RSS exceeds ``--max-rss-mb`` or the reports ``--max-reports-mb``.

    .venv/bin/python benchmarks/bench_memory.py [--cases 1000] [--size-kb 100] [--max-rss-mb 400] [--max-reports-mb 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_big_body import CONFIG, SERVER, TRACKER  # benchmarks/ is on sys.path when a script runs


def measure(cases: int, size: int) -> tuple[float, int, int, float]:
    """(peak RSS in MB, bytes of reports, bytes of kept bodies, seconds)."""
    with tempfile.TemporaryDirectory(prefix="pg-memory-") as tmp:
        root = Path(tmp)
        config = CONFIG.replace("@SERVER@", str(SERVER)).replace(
            "timeout = 120.0", "timeout = 120.0\nconcurrency = 16"
        )
        (root / "paritygate.toml").write_text(config, encoding="utf-8")
        (root / "cases.toml").write_text(
            "".join(
                f'[[cases]]\nname = "c{n:04d}"\nmethod = "GET"\npath = "/big"\n'
                f'query = {{ size = "{size}", same = "{n % 2}" }}\n'
                for n in range(cases)
            ),
            encoding="utf-8",
        )
        (root / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
        started = time.perf_counter()
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
        took = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"paritygate run exited {code}: {err.decode(errors='replace')[-2000:]}")
        run_dir = next((root / ".paritygate" / "runs").iterdir())
        files = [p for p in run_dir.rglob("*") if p.is_file()]
        bodies = sum(p.stat().st_size for p in files if p.parent.name == "bodies")
        reports = sum(p.stat().st_size for p in files if p.parent.name != "bodies")
        for p in sorted(files, key=lambda p: -p.stat().st_size)[:4]:
            if p.parent.name != "bodies":
                print(f"  {p.relative_to(run_dir)}: {p.stat().st_size / 1e6:.2f} MB")
        return usage.ru_maxrss / 1024, reports, bodies, took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--size-kb", type=int, default=100)
    parser.add_argument("--max-rss-mb", type=float, default=400.0)
    parser.add_argument("--max-reports-mb", type=float, default=60.0)
    args = parser.parse_args()
    rss, reports, bodies, took = measure(args.cases, args.size_kb * 1000)
    print(
        f"{args.cases} cases x {args.size_kb} KB (half identical): peak RSS {rss:.0f} MB,"
        f" reports {reports / 1e6:.1f} MB, kept bodies {bodies / 1e6:.1f} MB, {took:.1f} s"
    )
    ok = rss <= args.max_rss_mb and reports <= args.max_reports_mb * 1e6
    print(
        "OK"
        if ok
        else f"FAIL: goal peak RSS <= {args.max_rss_mb:g} MB, reports <= {args.max_reports_mb:g} MB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
