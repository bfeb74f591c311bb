"""Noise learning: observations of one implementation, value differences only, thresholds."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta

from compare_helpers import jresp, raw

from paritygate.compare import (
    CompareRules,
    NoiseLearner,
    NoiseSettings,
    Outcome,
    Response,
    compare,
    detect_noise,
    suggestions,
)


def test_elapsed_ms_is_noise_with_a_pasteable_typed_matcher() -> None:
    samples = [jresp({"valid": True, "kind": "playbook", "elapsed_ms": ms}) for ms in (0.1, 0.2, 0.1, 0.3)]
    noise = detect_noise(samples, CompareRules())
    assert [n.path for n in noise] == ["$.elapsed_ms"]
    assert noise[0].examples == [0.1, 0.2, 0.3]
    assert (noise[0].observations, noise[0].differed) == (3, 2)
    assert noise[0].kind == "number"
    pasted = tomllib.loads(noise[0].suggested_rule)["parity"]["match"][0]
    assert pasted == {"path": "$.elapsed_ms", "kind": "number", "operation": "request"}


def test_stable_responses_have_no_noise() -> None:
    assert detect_noise([jresp({"a": 1})] * 3) == []
    assert detect_noise([jresp({"a": 1})]) == []


def test_already_ignored_paths_are_not_noise() -> None:
    samples = [jresp({"t": n, "v": 1}) for n in range(3)]
    rules = CompareRules.build(ignore=[{"path": "$.t"}])
    assert detect_noise(samples, rules) == []


def test_index_variants_merge_into_one_wildcard_path() -> None:
    samples = [jresp({"rows": [{"id": 1, "ts": n}, {"id": 2, "ts": n + 10}]}) for n in range(3)]
    noise = detect_noise(samples)
    assert [n.path for n in noise] == ["$.rows[*].ts"]
    assert compare(samples[0], samples[1], noise=[n.path for n in noise]).outcome is Outcome.MATCH


def test_changing_order_suggests_an_unordered_array_rule() -> None:
    samples = [jresp({"ids": [1, 2, 3]}), jresp({"ids": [3, 1, 2]})]
    noise = detect_noise(samples)
    assert [n.path for n in noise] == ["$.ids"]
    assert tomllib.loads(noise[0].suggested_rule) == {
        "parity": {"arrays": [{"path": "$.ids", "mode": "unordered"}]}
    }
    assert compare(samples[0], samples[1], noise=["$.ids"]).outcome is Outcome.MATCH


def test_quoted_keys_are_escaped_for_toml() -> None:
    samples = [jresp({'req "id"\'s': "a"}), jresp({'req "id"\'s': "b"})]
    noise = detect_noise(samples)
    assert noise[0].path == "$['req \"id\"\\'s']"
    assert tomllib.loads(noise[0].suggested_rule)["parity"]["match"][0]["path"] == noise[0].path
    assert compare(samples[0], samples[1], noise=[noise[0].path]).outcome is Outcome.MATCH


def test_shape_changes_between_repeats_are_never_noise() -> None:
    samples = [
        jresp({"debug": {"trace": [1]}, "n": 1}),
        jresp({"debug": {"trace": [1, 2], "x": 1}, "n": 1}),
        jresp({"debug": None, "n": 1}),
    ]
    assert detect_noise(samples) == []


def test_noisy_header_is_learned_and_a_status_change_is_flaky() -> None:
    rules = CompareRules(headers=("content-type", "x-trace"))
    learner = NoiseLearner(rules, "repeats")
    ok = [
        Response(200, [("Content-Type", "application/json"), ("X-Trace", f"t{n}")], b"{}") for n in range(3)
    ]
    learner.observe("go", "GET /x", "c1", ok[0], ok[1])
    learner.observe("go", "GET /x", "c1", ok[0], ok[2])
    learner.observe("go", "GET /x", "c1", ok[0], Response(400, [("Content-Type", "application/json")], b"{}"))
    noise = learner.learn()
    assert [(n.path, n.examples) for n in noise] == [("header:x-trace", ["t0", "t1", "t2"])]
    assert tomllib.loads(noise[0].suggested_rule)["parity"]["match"][0]["header"] == "x-trace"
    assert [(f.case, f.target, f.statuses) for f in learner.flaky] == [("c1", "go", (200, 200, 200, 400))]


def test_odd_first_sample_does_not_hide_noise() -> None:
    odd = jresp({"error": "warming up"}, status=503)
    samples = [odd] + [jresp({"n": 1, "elapsed_ms": ms}) for ms in (1.5, 2.5)]
    assert [n.path for n in detect_noise(samples)] == ["$.elapsed_ms"]


def test_one_coincidence_among_many_observations_is_not_noise() -> None:
    learner = NoiseLearner(CompareRules(), "twins", NoiseSettings(min_count=1, min_ratio=0.5))
    for n in range(6):
        other = {"count": 3 if n else 4, "id": f"i{n}"}
        learner.observe("a", "GET /things", f"c{n}", jresp({"count": 3, "id": "i"}), jresp(other))
    assert [n.path for n in learner.learn()] == ["$.id"]
    strict = NoiseLearner(CompareRules(), "twins", NoiseSettings(min_count=7))
    strict.observe("a", "GET /x", "c", jresp({"id": "1"}), jresp({"id": "2"}))
    assert strict.learn() == []


def test_clock_readings_are_noise_even_when_both_twins_read_the_same_second() -> None:
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    old = "2020-01-01T00:00:00Z"
    window = NoiseSettings(clock_window=(now - timedelta(seconds=1), now + timedelta(seconds=1)))
    learner = NoiseLearner(CompareRules(), "twins", window)
    body = {"created": stamp, "seeded": old, "n": 1}
    learner.observe("a", "POST /things", "create", jresp(body), jresp(dict(body)))
    noise = learner.learn()
    assert [(n.path, n.clock, n.kind, n.differed) for n in noise] == [("$.created", True, "timestamp", 0)]


def test_opaque_bodies_never_yield_pseudo_paths() -> None:
    samples = [raw(bytes([n, 0xFF, 0xFE]), "application/octet-stream") for n in range(3)]
    assert detect_noise(samples) == []


def test_learned_noise_never_removes_presence() -> None:
    left, right = jresp({"id": "x1", "n": 1}), jresp({"n": 1})
    result = compare(left, right, noise=["$.id"])
    assert result.outcome is Outcome.SHAPE
    assert [(d.path, d.kind) for d in result.differences] == [("$.id", "missing")]
    assert compare(jresp({"t": 1}), jresp({"t": "1"}), noise=["$.t"]).outcome is Outcome.SHAPE
    rules = CompareRules(headers=("content-type", "x-id"))
    with_header = Response(200, [("content-type", "application/json"), ("x-id", "1")], b"{}")
    without = Response(200, [("content-type", "application/json")], b"{}")
    assert compare(with_header, without, rules, noise=["header:x-id"]).outcome is Outcome.VALUE


def test_excuses_are_counted_per_label() -> None:
    result = compare(jresp({"t": 1, "u": [1, 2]}), jresp({"t": 2, "u": [2, 1]}), noise=["$.t", "$.u"])
    assert result.outcome is Outcome.MATCH
    assert sorted(result.excused) == [("noise:$.t", "$.t"), ("noise:$.u", "$.u")]
    assert compare(jresp({"t": 1}), jresp({"t": 2})).excused == []


def test_suggestions_are_scoped_unless_seen_on_most_operations() -> None:
    learner = NoiseLearner(CompareRules(), "twins")
    learner.observe("go", "POST /a", "a", jresp({"v": 1}), jresp({"v": 2}))
    learner.observe("go", "GET /b", "b", jresp({"v": 1}), jresp({"v": 1}))
    learner.observe("go", "GET /c", "c", jresp({"v": 1}), jresp({"v": 1}))
    scoped = suggestions(learner.learn(), ["POST /a", "GET /b", "GET /c"])
    assert [(s.path, s.operation) for s in scoped] == [("$.v", "POST /a")]
    assert tomllib.loads(scoped[0].rule)["parity"]["match"][0]["operation"] == "POST /a"
    wide = NoiseLearner(CompareRules(), "twins")
    for op in ("POST /a", "GET /b", "GET /c"):
        wide.observe("go", op, op, jresp({"v": 1}), jresp({"v": 2}))
    assert [(s.path, s.operation) for s in suggestions(wide.learn(), ["POST /a", "GET /b", "GET /c"])] == [
        ("$.v", None)
    ]
