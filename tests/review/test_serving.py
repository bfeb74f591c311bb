"""Serving real models well: token budgets, per-endpoint concurrency, timeouts, the deadline,
sampling options passed through, lineage labels checked against the served model."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import orjson
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.core.models import FindingKind
from paritygate.phases.review import run_review

SHIP = "VERDICT: ship\n"


def _repo(make_repo: Callable[[str], Repo], files: dict[str, str] | None = None) -> Repo:
    repo = make_repo("repo")
    repo.commit({"src/a.py": "x = 1\n", "src/b.py": "y = 1\n"}, "base")
    repo.commit(files or {"src/a.py": lines("a", 60), "src/b.py": lines("b", 60)}, "change")
    return repo


def _reviewer(name: str, url: str, lineage: str, extra: str = "") -> str:
    return (
        f'[[review.reviewers]]\nname = "{name}"\nlineage = ["{lineage}"]\nprovider = "openai"\n'
        f'model = "m-{name}"\nbase_url = "{url}"\n{extra}\n'
    )


def test_a_prompt_over_the_context_window_is_split_before_sending(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    """Two files of ~3.6 KB each: with the server's tokenizer (1 token per 3 bytes) the prompt
    is ~2,700 tokens; a 2,048-token window minus 256 for the answer takes it in parts."""
    repo = _repo(make_repo)
    fake = FakeLLM({"m-small": [Rule([Reply(SHIP)])], "m-big": [Rule([Reply(SHIP)])]})
    fake.tokenize_divisor = 3
    with serve(fake):
        toml = _reviewer(
            "small", fake.openai_url, "a", "context_tokens = 2048\nmax_tokens = 256"
        ) + _reviewer("big", fake.openai_url, "b", "context_tokens = 100000")
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
        sent = [orjson.loads(r.body) for r in fake.requests]
    bundles = review_doc(result).bundles
    assert [b.id for b in bundles] == ["c1.1", "c1.2"]
    assert "over the smallest reviewer budget" in bundles[0].warnings[0]
    for b in bundles:
        small = next(r for r in b.reviews if r.reviewer == "small")
        assert small.prompt_tokens_method == "server:/tokenize"
        assert small.prompt_tokens <= 2048 - 256
    for body in sent:  # what left the machine fits the window, as the server counts it
        text = body["messages"][-1]["content"]
        assert len(text.encode()) // 3 <= 2048 - 256


def test_two_endpoints_are_served_in_parallel(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    """Two slow servers, one reviewer each, two bundles, concurrency = 2 per endpoint: all four
    calls overlap, so the wall time is about one call, not two or four."""
    repo = _repo(make_repo)
    delay = 3.0
    slow = Rule([Reply(SHIP, delay=delay)])
    one, two = FakeLLM({"m-one": [slow]}), FakeLLM({"m-two": [Rule([Reply(SHIP, delay=delay)])]})
    with serve(one), serve(two):
        toml = (
            '[review]\nconcurrency = 2\n\n[review.components]\na = ["src/a.py"]\nb = ["src/b.py"]\n\n'
            + _reviewer("one", one.openai_url, "x")
            + _reviewer("two", two.openai_url, "y")
        )
        started = time.monotonic()
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
        wall = time.monotonic() - started
    assert one.max_in_flight == 2 and two.max_in_flight == 2
    (first_one, *_), (first_two, *_) = sorted(one.spans), sorted(two.spans)
    assert first_one[0] < first_two[1] and first_two[0] < first_one[1]  # the servers worked at once
    assert wall < 2 * delay + 3  # one call's time (plus setup), where serial calls take 4 x delay
    calls = [r for b in review_doc(result).bundles for r in b.reviews]
    assert all(r.usability == "usable" and r.duration_s >= delay * 0.9 for r in calls)


def test_concurrency_one_per_endpoint_queues_and_the_queue_is_not_the_call(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    fake = FakeLLM({"m-one": [Rule([Reply(SHIP, delay=1.0)])]})
    with serve(fake):
        toml = '[review.components]\na = ["src/a.py"]\nb = ["src/b.py"]\n\n' + _reviewer(
            "one", fake.openai_url, "x", "concurrency = 1\ntimeout = 60"
        )
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
    assert fake.max_in_flight == 1
    calls = sorted((r for b in review_doc(result).bundles for r in b.reviews), key=lambda r: r.queued_s)
    assert calls[0].queued_s < 0.5 <= calls[1].queued_s
    assert calls[1].duration_s < calls[1].duration_s + calls[1].queued_s


def test_a_timeout_is_not_resent_while_the_server_still_generates(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    fake = FakeLLM({"m-one": [Rule([Reply(SHIP, delay=3.0)])]})
    with serve(fake):
        toml = "[review]\nretries = 3\n\n" + _reviewer("one", fake.openai_url, "x", "timeout = 0.5")
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
    (call,) = review_doc(result).bundles[0].reviews
    assert [a.outcome for a in call.attempts] == ["timeout"] and len(fake.requests) == 1
    assert "likely still generating" in call.error


def test_the_review_deadline_stops_queued_calls(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    fake = FakeLLM({"m-one": [Rule([Reply(SHIP, delay=4.0)])]})
    with serve(fake):
        toml = (
            '[review]\ndeadline = 2\n\n[review.components]\na = ["src/a.py"]\nb = ["src/b.py"]\n\n'
            + _reviewer("one", fake.openai_url, "x", "concurrency = 1")
        )
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
    outcomes = sorted(r.attempts[-1].outcome for b in review_doc(result).bundles for r in b.reviews)
    assert outcomes == ["deadline", "deadline"]


def test_sampling_options_system_prompt_and_extra_reach_the_server(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    fake = FakeLLM({"m-one": [Rule([Reply(SHIP)])]})
    with serve(fake):
        extra = 'temperature = 0\nseed = 7\nsystem = "You are a strict reviewer."\nextra = { options = { num_ctx = 8192 } }'
        run_review(write_config(_reviewer("one", fake.openai_url, "x", extra)), repo=repo.path,
                   rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o")  # fmt: skip
    body = orjson.loads(fake.requests[0].body)
    assert (body["temperature"], body["seed"], body["options"]) == (0, 7, {"num_ctx": 8192})
    assert body["messages"][0] == {"role": "system", "content": "You are a strict reviewer."}


def test_reviewers_served_one_model_are_one_lineage_and_a_wrong_label_is_said(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo, {"src/a.py": "x = 1\nfor i in range(len(xs) - 1):\n    pass\n"})
    block = "WHERE: src/a.py:2\nSEVERITY: block\nWHAT: off by one\nWHY: the loop skips the last item\n\nVERDICT: block\n"
    fake = FakeLLM({"m-one": [Rule([Reply(block)])], "m-two": [Rule([Reply(block)])]})
    fake.served_alias = "smollm2-135m"
    with serve(fake):
        toml = _reviewer("one", fake.openai_url, "huggingface") + _reviewer("two", fake.openai_url, "mistral")
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
    assert not [f for f in result.findings if f.kind is FindingKind.REVIEW_BLOCK]
    warnings = review_doc(result).lineage_warnings
    assert any("two is labelled lineage mistral" in w and "smollm" in w for w in warnings)
    assert any("counted as one lineage" in w for w in warnings)
    (finding,) = review_doc(result).findings
    assert finding.convergence == 1
