"""The cost of twins: `parity --up --noise twin` vs `parity --up`, same project, same run.

Each run is a fresh subprocess (`python -m paritygate parity --config C --up [--noise twin]
--json`), alternating with and without twins so both see the same machine load. Wall
time is the whole command (stack up, probe, stack down); memory is the peak total RSS of
the command's whole process tree (paritygate and every service it started), sampled from
/proc every 20 ms. Prints every run, the medians and the same-run ratios.

    .venv/bin/python benchmarks/bench_twins.py [--runs N] [--config paritygate.toml] [--goal RATIO]

Without --config the bundled demo is used; pass examples/kinesis/paritygate.toml (or any
config) to measure another project. Exits 1 when the median wall-time ratio exceeds the
goal (default 2.5: twins double the services, plus the start-up they wait for), or
when a run fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GOAL_RATIO = 2.5
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Total resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(statm.split()[1]) * _PAGE
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in members)


def one_run(config: Path, out: Path, twins: bool) -> tuple[float, int]:
    command = [sys.executable, "-m", "paritygate", "parity", "--config", str(config), "--up", "--json"]
    command += ["--out", str(out)] + (["--noise", "twin"] if twins else [])
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate(timeout=300)
    took = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # 1: the project has new divergences, still a full run
        sys.exit(f"parity failed (exit {proc.returncode}):\n{stdout[-2000:]}\n{stderr[-2000:]}")
    if twins and '"mode": "twins"' not in stdout:
        sys.exit(f"the twin run did not calibrate with twins:\n{stdout[-2000:]}")
    return took, peak[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--goal", type=float, default=GOAL_RATIO)
    args = parser.parse_args()
    times: dict[bool, list[float]] = {False: [], True: []}
    memory: dict[bool, list[int]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="pg-bench-twins-") as tmp:
        if args.config is None:  # a copy of the demo: its run files must not land in the package
            from paritygate.config.loader import demo_config_path

            shutil.copytree(demo_config_path().parent, Path(tmp) / "demo")
            args.config = Path(tmp) / "demo" / "paritygate.toml"
        for n in range(1, args.runs + 1):
            for twins in (False, True):
                took, rss = one_run(args.config.resolve(), Path(tmp) / f"r{n}-{twins}", twins)
                times[twins].append(took)
                memory[twins].append(rss)
                label = "twins" if twins else "plain"
                print(f"run {n} {label}: {took:.2f} s, peak RSS {rss / 2**20:.0f} MiB")
    t0, t1 = statistics.median(times[False]), statistics.median(times[True])
    m0, m1 = statistics.median(memory[False]), statistics.median(memory[True])
    ratio = t1 / t0
    verdict = "OK" if ratio <= args.goal else "TOO SLOW"
    print(
        f"{args.config}: parity --up {t0:.2f} s, {m0 / 2**20:.0f} MiB; --noise twin {t1:.2f} s, {m1 / 2**20:.0f} MiB"
    )
    print(
        f"twins cost x{ratio:.2f} wall time, x{m1 / m0:.2f} memory (median of {args.runs}, same run): {verdict}"
    )
    return 0 if ratio <= args.goal else 1


if __name__ == "__main__":
    raise SystemExit(main())
