"""Reviewer calls: keys from the environment only, scrubbed everywhere, retries bounded."""

from __future__ import annotations

from review_fake_llm import FakeLLM, Reply, Rule, serve

from paritygate.config.review import ReviewConfig, ReviewerConfig
from paritygate.phases.review.reviewers import Job, run_calls, scrub

KEY = "sk-live-0123456789abcdefghij"


def test_scrub_removes_keys_and_pieces_of_them() -> None:
    text = f"bad key {KEY}; the server saw sk-live-0123****ghij"
    assert scrub(text, [KEY]) == "bad key [api key]; the server saw [api key]****ghij"
    assert scrub("nothing secret", [KEY, ""]) == "nothing secret"


async def test_missing_key_variable_fails_that_reviewer_without_calling() -> None:
    reviewer = ReviewerConfig(
        name="r",
        lineage=["x"],
        provider="openai",
        model="m",
        base_url="http://127.0.0.1:9/v1",
        api_key_env="NOPE_KEY",
    )
    (result,) = await run_calls([Job(reviewer, "c1", "prompt")], ReviewConfig(), environ={})
    assert result.status == "failed" and result.attempts == []
    assert result.error == "environment variable NOPE_KEY (api_key_env of reviewer 'r') is not set"


async def test_5xx_is_retried_then_given_up_with_every_attempt_recorded() -> None:
    script = {"m": [Rule([Reply("overloaded", status=503)])], "ok": [Rule([Reply("VERDICT: ship")])]}
    with serve(FakeLLM(script)) as fake:
        cfg = ReviewConfig(retries=2, backoff=0.001)
        broken = ReviewerConfig(
            name="b", lineage=["x"], provider="anthropic", model="m", base_url=fake.anthropic_url
        )
        fine = ReviewerConfig(
            name="f", lineage=["y"], provider="anthropic", model="ok", base_url=fake.anthropic_url
        )
        failed, ok = await run_calls([Job(broken, "c1", "p"), Job(fine, "c1", "p")], cfg, environ={})
    assert [a.outcome for a in failed.attempts] == ["http 503", "http 503", "http 503"]
    assert failed.status == "failed" and (failed.error or "").startswith("http 503")
    assert (ok.status, ok.finish_reason, ok.text) == ("ok", "end_turn", "VERDICT: ship")
    assert len([r for r in fake.requests if r.model == "m"]) == 3
