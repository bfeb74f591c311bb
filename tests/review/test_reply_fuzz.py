"""Fuzzed model replies: no traceback, the documented exit code, linear parsing (issue 13 item 2).

The default suite runs a few dozen examples; ``PARITYGATE_FUZZ_EXAMPLES=1000`` (or
``benchmarks/bench_reply_fuzz.py``, which also times each reply) runs the full 1,000.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from reply_fuzz import check_reply, replies
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines

from paritygate.config import LoadedConfig
from paritygate.phases.review.answers import MAX_FINDINGS, MAX_WHERE, parse_answer
from paritygate.phases.review.replies import MalformedReply, parse_anthropic, parse_openai

EXAMPLES = int(os.environ.get("PARITYGATE_FUZZ_EXAMPLES", "40"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(replies())
def test_any_reply_is_an_answer_or_a_failed_call_with_its_exit_code(reply: tuple[str, bytes]) -> None:
    checked = check_reply(*reply)
    if checked.malformed is not None:
        assert checked.exit_code == 3 and checked.usability == "failed"
    else:
        assert checked.exit_code in (0, 1)
    if checked.exit_code == 1:
        assert checked.usability == "usable"  # only a usable answer can block


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            b'{"choices": [{"finish_reason": 7, "message": {"content": "x"}}]}',
            "finish_reason",
            id="int-finish",
        ),
        pytest.param(b'{"model": ["m"], "choices": []}', "model", id="list-model"),
        pytest.param(b'{"choices": [{"message": {"content": [1, 2]}}]}', "content", id="list-content"),
        pytest.param(b'{"usage": {"prompt_tokens": "12"}, "choices": []}', "prompt_tokens", id="str-usage"),
        pytest.param(
            b'{"usage": {"completion_tokens": ' + b"9" * 5000 + b'}, "choices": []}',
            "digits",
            id="5000-digits",
        ),
        pytest.param(b'{"usage": 5, "choices": []}', "usage", id="usage-not-object"),
        pytest.param(b"[1]", "JSON list", id="array"),
        pytest.param(b'{"choices": [{"message": {"content": "x"}}], "x": NaN}', "NaN", id="nan"),
    ],
)
def test_malformed_openai_replies_name_the_field(body: bytes, field: str) -> None:
    with pytest.raises(MalformedReply, match=field):
        parse_openai(body)


def test_a_lone_surrogate_is_replaced_not_a_crash() -> None:
    reply = parse_openai(
        b'{"model": "m\\ud800", "choices": [{"message": {"content": "VERDICT: ship \\udfff"}}]}'
    )
    assert reply.text == "VERDICT: ship \ufffd" and reply.served_model == "m\ufffd"
    reply.text.encode("utf-8")
    assert parse_anthropic(b'{"content": [{"type": "text", "text": "a"}, {"type": "tool_use"}]}').text == "a"


def test_a_200_kb_where_line_is_read_up_to_its_bound() -> None:
    """Quadratic parsing took 5.7 s at 8 k characters: the parser now reads at most MAX_WHERE
    characters of a location and MAX_LINE of a line, so 2 k and 200 k cost the same work
    (timed on 1,000 replies by benchmarks/bench_reply_fuzz.py)."""
    small = parse_answer("WHERE: " + "x" * 2_000 + ":7\nVERDICT: ship\n")
    large = parse_answer("WHERE: " + "x" * 200_000 + ":7\nVERDICT: ship\n")
    assert small.findings[0].where == large.findings[0].where
    assert len(large.findings[0].where) == MAX_WHERE and large.findings[0].start is None
    many = parse_answer("WHERE: a.py:1\nSEVERITY: nit\nWHAT: x\nWHY: y\n" * (MAX_FINDINGS + 10))
    assert len(many.findings) == MAX_FINDINGS and many.dropped == 10


def _repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    repo.commit({"src/svc/core.py": lines("core", 10)}, "base")
    repo.commit(
        {"src/svc/core.py": lines("core", 2) + "for i in range(len(xs) - 1):\n" + lines("t", 5)}, "fix"
    )
    return repo


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(
            b'{"choices": [{"finish_reason": 7, "message": {"content": "VERDICT: ship"}}]}',
            3,
            id="int-finish",
        ),
        pytest.param(b'{"choices": [{"message": {"content": 5}}], "model": "m"}', 3, id="int-content"),
        pytest.param(b"not json at all", 3, id="not-json"),
        pytest.param(
            b'{"choices": [{"finish_reason": "stop", "message": {"content": "WHERE: '
            + b"x" * 200_000
            + b'\\nVERDICT: ship"}}]}',
            0,
            id="200kb-where",
        ),
    ],
)
def test_the_cli_keeps_its_exit_codes_under_hostile_replies(
    make_repo: Callable[[str], Repo],
    write_config: Callable[[str], LoadedConfig],
    tmp_path: Path,
    raw: bytes,
    code: int,
) -> None:
    repo = _repo(make_repo)
    script = {"m-a": [Rule([Reply(raw=raw)])], "m-b": [Rule([Reply(raw=raw)])]}
    with serve(FakeLLM(script)) as fake:
        reviewers = "".join(
            f'[[review.reviewers]]\nname = "{n}"\nlineage = ["{n}"]\nprovider = "openai"\nmodel = "m-{n}"\n'
            f'base_url = "{fake.openai_url}"\n\n'
            for n in ("a", "b")
        )
        loaded = write_config(reviewers)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "paritygate",
                "review",
                "--config",
                str(loaded.path),
                "--repo",
                str(repo.path),
                "--range",
                "HEAD~1..HEAD",
                "--out",
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert (tmp_path / "out" / "review.json").is_file()
