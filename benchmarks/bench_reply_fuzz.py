"""1,000 fuzzed OpenAI/Anthropic-compatible replies through the review phase's reading path.

Each reply (see ``tests/review/reply_fuzz.py``: wrong field types, 5,000-digit numbers,
lone surrogates, NaN, cut JSON, garbage bytes, a 200 KB ``WHERE:`` line, thousands of
findings) goes through the SDK-boundary validation, the answer parser, the usability
verdict and the tally. Counts tracebacks and wrong exit codes and times every reply;
the goal: 0 tracebacks, 0 wrong exit codes, none over 1 s.

    .venv/bin/python benchmarks/bench_reply_fuzz.py [--examples 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "review"))

from hypothesis import HealthCheck, given, settings
from reply_fuzz import check_reply, replies


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=1000)
    args = parser.parse_args()
    times: list[float] = []
    tracebacks: list[str] = []
    wrong: list[str] = []
    kinds: dict[str, int] = {}

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(replies())
    def one(reply: tuple[str, bytes]) -> None:
        try:
            checked = check_reply(*reply)
        except Exception:
            tracebacks.append(traceback.format_exc(limit=3))
            return
        times.append(checked.seconds)
        kinds[checked.usability] = kinds.get(checked.usability, 0) + 1
        expected = {3} if checked.malformed is not None else {0, 1}
        if checked.exit_code not in expected or (checked.exit_code == 1 and checked.usability != "usable"):
            wrong.append(f"{reply[1][:120]!r} -> exit {checked.exit_code}")

    one()
    slow = [t for t in times if t > 1.0]
    print(
        f"replies: {len(times) + len(tracebacks)}  tracebacks: {len(tracebacks)}  wrong exit codes: {len(wrong)}"
    )
    print(f"parse+judge+tally per reply: median {statistics.median(times) * 1000:.2f} ms, "
          f"max {max(times) * 1000:.1f} ms, over 1 s: {len(slow)}")  # fmt: skip
    print("usability: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    for text in (tracebacks + wrong)[:5]:
        print(text)
    return 0 if not tracebacks and not wrong and not slow else 1


if __name__ == "__main__":
    raise SystemExit(main())
