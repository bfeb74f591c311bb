"""Speed of the review phase's secret scan (detect-secrets) on a generated ~10 MB diff.

The diff is generated deterministically (seeded): a day's worth of new and modified
files (Python, Markdown, YAML, TOML, JSON, .env-style), with the repetition real code
has (blank lines, imports, ``return``, closing brackets) and a handful of planted
secrets. Each run parses the diff afresh (redaction works in place) and times
``redact_files`` alone, with its pre-filter (the default) and without it (every line
through detect-secrets' full loop, as before the pre-filter), alternating; prints each
median and their same-run ratio, checks that both redact identically and that every
planted secret was redacted (exit 1 otherwise, or when the pre-filter is not 2x faster).

    .venv/bin/python benchmarks/bench_review_scan.py [--runs N] [--size-kb 10240] [--workers N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from corpus import WORDS  # benchmarks/ is on sys.path when a script runs
from paritygate.config.review import SecretsConfig
from paritygate.phases.review.diff import parse_diff
from paritygate.phases.review.secrets import redact_files

# Secret-shaped values that are not real credentials (planted, then looked for).
PLANTED = [
    "AKIAQ3EGRT7VXKM5NZPL",
    "k8Jd2LqP9vXr4TzW1mNc7YbH3sGf6AeQ0uRiOp5V",
    "ghp_Zq8Wc3Lk5Tn1Vx7Bm9Rd2Fh4Jp6Ys0Ga3EuX",
    "c2VjcmV0LXRva2VuLXZhbHVlLTk4MzQ3NTkzODQ3NTkzODQ3NQ==",
]


def _name(rng: random.Random) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(3))


def _python(rng: random.Random, n: int) -> list[str]:
    out = ["from __future__ import annotations", "", "import os", "import sys", ""]
    while len(out) < n:
        fn = _name(rng)
        out += [
            "",
            "",
            f"def {fn}(value: int, *, limit: int = {rng.randint(1, 99)}) -> int:",
            f'    """Compute {fn.replace("_", " ")} for the given value."""',
            "    if value > limit:",
            f"        raise ValueError(f'{fn}: {{value}} > {{limit}}')",
            f"    total = sum(x * {rng.randint(2, 99)} for x in range(value))",
            f"    logger.debug('{fn} %s', total)",
            f"    {_name(rng)} = {_name(rng)}(total, {rng.randint(0, 999)})",
            "    return total",
        ]
    return out[:n]


def _markdown(rng: random.Random, n: int) -> list[str]:
    out = [f"# {_name(rng)}", ""]
    while len(out) < n:
        out += [
            f"## {_name(rng).replace('_', ' ').title()}",
            "",
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))) + ".",
            "",
            f"- `{_name(rng)}`: {rng.randint(1, 999)} ms",
            "",
        ]
    return out[:n]


def _yaml(rng: random.Random, n: int) -> list[str]:
    out = ["services:"]
    while len(out) < n:
        out += [f"  {_name(rng)}:", f"    image: registry/{_name(rng)}:{rng.randint(1, 9)}", "    ports:"]
        out += [f'      - "{rng.randint(1000, 9999)}:80"', "    restart: always"]
    return out[:n]


def _toml(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        out += [f"[{_name(rng)}]", f'name = "{_name(rng)}"', f"retries = {rng.randint(0, 5)}", ""]
    return out[:n]


def _json(rng: random.Random, n: int) -> list[str]:
    out = ["{"]
    while len(out) < n - 1:
        out += [f'  "{_name(rng)}": {{', f'    "count": {rng.randint(0, 999)},', '    "ok": true', "  },"]
    return [*out[: n - 1], "}"]


_KINDS = [(".py", _python, 5), (".md", _markdown, 2), (".yaml", _yaml, 1), (".toml", _toml, 1)]
_KINDS += [(".json", _json, 1), ("", _toml, 1)]


def _added(path: str, body: list[str]) -> str:
    hunk = "".join(f"+{line}\n" for line in body)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(body)} @@\n{hunk}"
    )


def _modified(path: str, body: list[str], rng: random.Random) -> str:
    out = [f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"]
    shift, at = 0, 1
    while at + 12 < len(body):
        at += rng.randint(3, 40)
        ctx_before, changed, ctx_after = body[at : at + 3], body[at + 3 : at + 5], body[at + 5 : at + 8]
        if len(ctx_after) < 3:
            break
        new = [f"{line}  # {rng.choice(WORDS)}" for line in changed] + [f"    {_name(rng)} = None"]
        old_start = at + 1
        lines = [f" {x}" for x in ctx_before] + [f"-{x}" for x in changed] + [f"+{x}" for x in new]
        lines += [f" {x}" for x in ctx_after]
        out.append(f"@@ -{old_start},8 +{old_start + shift},{9} @@\n" + "".join(f"{x}\n" for x in lines))
        shift += 1
        at += 8
    return "".join(out)


def generate(size_kb: int, seed: int = 20260525) -> tuple[str, list[str]]:
    """A unified diff of about ``size_kb`` KB and its file paths, in order."""
    rng = random.Random(seed)
    weighted = [k for k in _KINDS for _ in range(k[2])]
    blocks: list[str] = []
    paths: list[str] = []
    total, n = 0, 0
    while total < size_kb * 1024:
        suffix, make, _ = rng.choice(weighted)
        name = f"{'.env' if not suffix else _name(rng) + suffix}"
        path = f"src/{rng.choice(WORDS)}/{n:04d}/{name}"
        body = make(rng, rng.randint(40, 400))
        if n % 17 == 3:  # a planted secret now and then
            secret = PLANTED[(n // 17) % len(PLANTED)]
            body.insert(
                len(body) // 2,
                f'aws_access_key_id = "{secret}"' if secret.startswith("AKIA") else f'token = "{secret}"',
            )
        block = _added(path, body) if n % 3 else _modified(path, body, rng)
        if "@@" not in block:
            block = _added(path, body)
        blocks.append(block)
        paths.append(path)
        total += len(block)
        n += 1
    return "".join(blocks), paths


def run_once(text: str, paths: list[str], workers: int = 0, prefilter: bool = True) -> tuple[float, str]:
    files = parse_diff(text, paths)
    started = time.perf_counter()
    redact_files(files, SecretsConfig(workers=workers), prefilter=prefilter)
    elapsed = time.perf_counter() - started
    return elapsed, "".join(f.render() for f in files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-kb", type=int, default=10240)
    parser.add_argument("--goal", type=float, default=2.0, help="least speed-up over the full loop")
    parser.add_argument("--workers", type=int, default=0, help="[review.secrets] workers (0: one per CPU)")
    args = parser.parse_args()
    text, paths = generate(args.size_kb)
    files = parse_diff(text, paths)
    lines = [line.text for f in files for h in f.hunks for line in h.lines]
    print(
        f"diff: {len(text.encode()) / 1024:.0f} KB, {len(paths)} files, {len(lines)} lines "
        f"({len(set(lines))} distinct)"
    )
    times: dict[bool, list[float]] = {True: [], False: []}
    outputs: dict[bool, str] = {}
    for run in range(1, args.runs + 1):
        for prefilter in (True, False) if run % 2 else (False, True):  # alternate who goes first
            elapsed, redacted = run_once(text, paths, args.workers, prefilter)
            print(f"run {run} {'pre-filter' if prefilter else 'full loop '}: {elapsed:.2f} s")
            times[prefilter].append(elapsed)
            outputs[prefilter] = redacted
            leaked = [s for s in PLANTED if s in redacted]
            if leaked:
                print(f"FAIL: planted secret(s) not redacted: {len(leaked)}", file=sys.stderr)
                return 1
    if outputs[True] != outputs[False]:
        print("FAIL: the pre-filter changed what is redacted", file=sys.stderr)
        return 1
    fast, full = statistics.median(times[True]), statistics.median(times[False])
    print(f"pre-filter: median {fast:.2f} s; full loop: median {full:.2f} s; speed-up {full / fast:.2f}x")
    print(f"every planted secret redacted ({len(PLANTED)} kinds); redactions identical in both modes")
    return 0 if full / fast >= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
