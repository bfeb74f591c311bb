"""Noise detection on repeats of one request to one target."""

from __future__ import annotations

import tomllib

from compare_helpers import jresp

from paritygate.compare import CompareRules, Outcome, Response, compare, detect_noise


def test_elapsed_ms_is_noise_with_a_pasteable_rule() -> None:
    samples = [jresp({"valid": True, "kind": "playbook", "elapsed_ms": ms}) for ms in (0.1, 0.2, 0.1, 0.3)]
    noise = detect_noise(samples, CompareRules())
    assert [n.path for n in noise] == ["$.elapsed_ms"]
    assert noise[0].examples == [0.1, 0.2, 0.3]
    assert noise[0].suggested_rule == '[[parity.ignore]]\npath = "$.elapsed_ms"'
    assert tomllib.loads(noise[0].suggested_rule) == {"parity": {"ignore": [{"path": "$.elapsed_ms"}]}}


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
    assert noise[0].examples == [0, 10, 1, 11, 2]
    # the caller excludes the noise: the learned pattern is a valid ignore path
    assert compare(samples[0], samples[1], noise=[n.path for n in noise]).outcome is Outcome.MATCH


def test_changing_order_suggests_an_unordered_array_rule() -> None:
    samples = [jresp({"ids": [1, 2, 3]}), jresp({"ids": [3, 1, 2]})]
    noise = detect_noise(samples)
    assert [n.path for n in noise] == ["$.ids"]
    assert tomllib.loads(noise[0].suggested_rule) == {
        "parity": {"arrays": [{"path": "$.ids", "mode": "unordered"}]}
    }


def test_quoted_keys_are_escaped_for_toml() -> None:
    samples = [jresp({'req "id"\'s': "a"}), jresp({'req "id"\'s': "b"})]
    noise = detect_noise(samples)
    assert noise[0].path == "$['req \"id\"\\'s']"
    assert tomllib.loads(noise[0].suggested_rule)["parity"]["ignore"][0]["path"] == noise[0].path
    assert compare(samples[0], samples[1], noise=[noise[0].path]).outcome is Outcome.MATCH


def test_nested_noise_is_reported_once_at_the_subtree() -> None:
    samples = [
        jresp({"debug": {"trace": [1]}}),
        jresp({"debug": {"trace": [1, 2], "x": 1}}),
        jresp({"debug": None}),
    ]
    assert [n.path for n in detect_noise(samples)] == ["$.debug"]


def test_noisy_compared_header_and_skipped_failures() -> None:
    rules = CompareRules(headers=("content-type", "x-trace"))
    samples = [
        Response(200, [("Content-Type", "application/json"), ("X-Trace", f"t{n}")], b"{}") for n in range(2)
    ]
    samples.append(Response(None, error="timeout"))
    samples.append(Response(500, [("Content-Type", "application/json")], b'{"boom": 1}'))
    noise = detect_noise(samples, rules)
    assert [(n.path, n.examples) for n in noise] == [("header:x-trace", ["t0", "t1"])]
    assert noise[0].suggested_rule == '[[parity.ignore]]\nheader = "x-trace"'


def test_odd_first_sample_does_not_hide_noise() -> None:
    odd = jresp({"error": "warming up"}, status=503)
    samples = [odd] + [jresp({"n": 1, "elapsed_ms": ms}) for ms in (1.5, 2.5)]
    assert [n.path for n in detect_noise(samples)] == ["$.elapsed_ms"]
