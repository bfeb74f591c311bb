"""Speed of compare() + classify (decompose) on a 1 MB JSON pair, with and without rules.

One deterministic pair of ~1 MB JSON bodies (records with nested objects and arrays, a
top-level ``elapsed_ms`` and a ``request_id`` in every record) differing in one field.
Measured in the same run, in rotating order, medians of ``--runs`` rounds:

* compare + decompose with no rule, with the ignore rule ``$.elapsed_ms`` and with
  ``$..request_id`` (the raw bodies in, so parsing is included);
* the limit: ``orjson.loads`` of both bodies and ``==``;
* deepdiff.DeepDiff on the already parsed pair (fewer rounds: it is slow);
* byte-identical 1 MB JSON and XML pairs through compare + decompose + the report's body
  (slimmed as the parity phase keeps it): they must not be parsed, so they are checked to
  hold no tree and timed against parsing one body;
* small answers: the demo's ~100-byte answers as nginx serves them (a tagged enum against
  a flat kind field, and a pair equal but for the ignored ``elapsed_ms``) through compare +
  decompose with the demo's rule, in µs per case, against the same limit on those bodies:
  the per-case constant cost of the comparing part of a probe on a fast target.

Prints every median and the ratios; exits 1 when a goal is missed: each one-rule time
<= 2x the no-rule time and <= 3x the limit, compare() >= 10x faster than DeepDiff.
Also checks that a 10,000-level nested JSON body compares without RecursionError.

    .venv/bin/python benchmarks/bench_compare.py [--runs N] [--size-mb 1.0]
"""

from __future__ import annotations

import argparse
import copy
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
from deepdiff import DeepDiff

from corpus import WORDS  # benchmarks/ is on sys.path when a script runs
from paritygate.compare import (
    CompareRules,
    IgnoreRule,
    Outcome,
    Response,
    body_for_report,
    compare,
    decompose,
)
from paritygate.compare.xmltree import parse_xml
from paritygate.probe.bodies import slim

RULE_VS_NONE = 2.0  # one ignore rule may cost at most this much over no rule
RULE_VS_LIMIT = 3.0  # ... and over orjson.loads + ==
DEEPDIFF_GOAL = 10.0
JSON = [("content-type", "application/json")]


def make_record(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "id": f"R-{n:06d}",
        "request_id": f"req-{rng.getrandbits(64):016x}",
        "created_at": f"2026-05-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        "active": rng.random() < 0.8,
        "score": round(rng.uniform(0, 100), 3),
        "owner": {
            "name": " ".join(rng.choice(WORDS) for _ in range(2)),
            "email": f"user{rng.randint(1, 9999)}@example.org",
            "address": {"city": rng.choice(WORDS), "zip": f"{rng.randint(10000, 99999)}"},
        },
        "tags": [rng.choice(WORDS) for _ in range(rng.randint(1, 5))],
        "items": [
            {"sku": f"S-{rng.randint(1, 99999)}", "qty": rng.randint(1, 9), "price": rng.randint(1, 999) / 10}
            for _ in range(rng.randint(1, 4))
        ],
        "note": None if rng.random() < 0.5 else " ".join(rng.choice(WORDS) for _ in range(6)),
    }


def make_pair(size_mb: float, seed: int = 20260502) -> tuple[Any, Any]:
    """Two documents of ``size_mb`` that differ in one field (a score deep in the records)."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    left: dict[str, Any] = {"schema": "bench/1", "elapsed_ms": 12.5, "records": records}
    while len(orjson.dumps(left)) < size_mb * 1_000_000:
        records.extend(make_record(rng, len(records)) for _ in range(200))
    right = copy.deepcopy(left)
    right["records"][2 * len(records) // 3]["score"] = -1.0
    return left, right


def make_xml(doc: dict[str, Any]) -> bytes:
    rows = "".join(
        f'<record id="{r["id"]}"><score>{r["score"]}</score><owner><name>{r["owner"]["name"]}</name>'
        f"<email>{r['owner']['email']}</email></owner>"
        + "".join(f"<tag>{t}</tag>" for t in r["tags"])
        + "".join(f'<item sku="{i["sku"]}"><qty>{i["qty"]}</qty></item>' for i in r["items"])
        + "</record>"
        for r in doc["records"]
    )
    return f'<?xml version="1.0"?><records xmlns="urn:bench">{rows}</records>'.encode()


# The demo's answers (validatord, tagged and flat), with the headers nginx sends them with.
SMALL_HEADERS = [
    ("server", "nginx/1.22.1"),
    ("date", "Wed, 02 Dec 2026 03:22:14 GMT"),
    ("content-type", "application/json"),
    ("connection", "keep-alive"),
]
SMALL_PAIRS = [
    (
        b'{"Schema":{"field":"fingerprint","reason":"missing \xe2\x80\x94 required for Phase 25 validity window"}}',
        b'{"Kind":"schema","Field":"fingerprint","Reason":"missing \xe2\x80\x94 required for Phase 25 validity window"}',
    ),
    (
        b'{"valid":true,"kind":"playbook","elapsed_ms":0.046489}',
        b'{"valid":true,"kind":"playbook","elapsed_ms":0.055292}',
    ),
]
SMALL_RULES = CompareRules(ignore=(IgnoreRule("$.elapsed_ms"),))  # the demo's [parity] ignore
SMALL_REPEAT = 1000  # cases per timing: one is far below the clock's resolution


def small_answers() -> list[tuple[Response, Response]]:
    def answer(status: int, body: bytes) -> Response:
        headers = [*SMALL_HEADERS, ("content-length", str(len(body)))]
        return Response(status, headers, body)

    pairs = [(answer(422, a), answer(422, b)) for a, b in SMALL_PAIRS[:1]]
    pairs += [(answer(200, a), answer(200, b)) for a, b in SMALL_PAIRS[1:]]
    keys = [[c.key for c in decompose(compare(a, b, SMALL_RULES), a, b)] for a, b in pairs]
    if keys != [["mapping·tagged-enum~flat-kind"], []]:
        sys.exit(f"error: small answers: expected one tagged-enum mapping and one match, got {keys}")
    return pairs * (SMALL_REPEAT // len(pairs))


def compare_and_classify(left: Response, right: Response, rules: CompareRules | None) -> None:
    decompose(compare(left, right, rules), left, right)


def through_reports(left: Response, right: Response) -> None:
    """What the parity phase does with a case: compare, classify, keep, show the body."""
    compare_and_classify(left, right, None)
    for resp in (left, right):
        body_for_report(slim(resp, keep_in=None))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rounds(cases: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median seconds of each case, every round running all of them in a rotated order."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for n in range(runs):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            times[name].append(timed(cases[name]))
    return {name: statistics.median(t) for name, t in times.items()}


def check_deep_nesting() -> str:
    depth = 10_000
    body = b"[" * depth + b"1" + b"]" * depth
    other = b"[" * depth + b"2" + b"]" * depth
    result = compare(Response(200, JSON, body), Response(200, JSON, other))
    return f"{depth}-level JSON: outcome {result.outcome.value}, notes: {result.notes[0][:70]}..."


def check_unparsed(left: Response, right: Response) -> None:
    result = compare(left, right)
    for canon in (result.left_canonical, result.right_canonical):
        if result.outcome is not Outcome.MATCH or canon is None or canon.body is not None:
            sys.exit("error: a byte-identical pair was parsed (or did not match)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size-mb", type=float, default=1.0)
    args = parser.parse_args()

    left, right = make_pair(args.size_mb)
    lresp, rresp = Response(200, JSON, orjson.dumps(left)), Response(200, JSON, orjson.dumps(right))
    same_json = Response(200, JSON, bytes(bytearray(lresp.body)))
    xml = make_xml(left)
    xml_headers = [("content-type", "application/xml")]
    lxml_resp, rxml_resp = Response(200, xml_headers, xml), Response(200, xml_headers, bytes(bytearray(xml)))
    rules = {
        "no rule": None,
        "ignore $.elapsed_ms": CompareRules(ignore=(IgnoreRule("$.elapsed_ms"),)),
        "ignore $..request_id": CompareRules(ignore=(IgnoreRule("$..request_id"),)),
    }
    for name, rule in rules.items():
        result = compare(lresp, rresp, rule)
        if [d.path for d in result.differences] != [f"$.records[{2 * len(left['records']) // 3}].score"]:
            sys.exit(f"error: {name}: expected the one changed score, got {result.differences}")
    check_unparsed(lresp, same_json)
    check_unparsed(lxml_resp, rxml_resp)

    cases: dict[str, Callable[[], object]] = {
        name: (lambda rule=rule: compare_and_classify(lresp, rresp, rule)) for name, rule in rules.items()
    }
    cases["orjson.loads + =="] = lambda: orjson.loads(lresp.body) == orjson.loads(rresp.body)
    cases["identical JSON"] = lambda: through_reports(lresp, same_json)
    cases["identical XML"] = lambda: through_reports(lxml_resp, rxml_resp)
    cases["orjson.loads (one body)"] = lambda: orjson.loads(lresp.body)
    cases["parse_xml (one body)"] = lambda: parse_xml(xml)
    small = small_answers()
    cases["small: compare + classify"] = lambda: [compare_and_classify(a, b, SMALL_RULES) for a, b in small]
    cases["small: orjson.loads + =="] = lambda: [
        orjson.loads(a.body) == orjson.loads(b.body) for a, b in small
    ]
    # the inputs live to the end: keep the collector from walking them inside every timing
    gc.collect()
    gc.freeze()
    med = rounds(cases, args.runs)
    deepdiff = statistics.median(timed(lambda: DeepDiff(left, right)) for _ in range(max(3, args.runs // 2)))

    print(
        f"bodies: JSON {len(lresp.body) / 1e6:.2f} MB ({len(left['records'])} records, one field differs), "
        f"XML {len(xml) / 1e6:.2f} MB; medians of {args.runs} rounds, rotating order"
    )
    for name, seconds in med.items():
        if name.startswith("small:"):
            print(f"  {name:26} {seconds / len(small) * 1e6:8.1f} µs per case")
        else:
            print(f"  {name:26} {seconds * 1000:8.1f} ms")
    print(f"  {'DeepDiff (parsed pair)':26} {deepdiff * 1000:8.1f} ms")
    none, limit = med["no rule"], med["orjson.loads + =="]
    failures: list[str] = []
    print("ratios (same run):")
    print(f"  no rule / limit                  {none / limit:5.2f}x")
    for name in ("ignore $.elapsed_ms", "ignore $..request_id"):
        vs_none, vs_limit = med[name] / none, med[name] / limit
        print(f"  {name + ' / no rule':32} {vs_none:5.2f}x (goal <= {RULE_VS_NONE:.0f}x)")
        print(f"  {name + ' / limit':32} {vs_limit:5.2f}x (goal <= {RULE_VS_LIMIT:.0f}x)")
        if vs_none > RULE_VS_NONE or vs_limit > RULE_VS_LIMIT:
            failures.append(f"{name}: {vs_none:.2f}x no rule, {vs_limit:.2f}x the limit")
    print(f"  DeepDiff / no rule               {deepdiff / none:5.1f}x (goal >= {DEEPDIFF_GOAL:.0f}x)")
    if deepdiff / none < DEEPDIFF_GOAL:
        failures.append(f"compare() is only {deepdiff / none:.1f}x faster than DeepDiff")
    print(
        f"  identical JSON / orjson.loads    {med['identical JSON'] / med['orjson.loads (one body)']:5.3f}x"
        " (not parsed)"
    )
    print(
        f"  identical XML / parse_xml        {med['identical XML'] / med['parse_xml (one body)']:5.3f}x (not parsed)"
    )
    small_ratio = med["small: compare + classify"] / med["small: orjson.loads + =="]
    print(f"  small answers / limit            {small_ratio:5.1f}x (the per-case constant cost)")
    print(check_deep_nesting())
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if failures:
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
