"""Malformed OpenAI/Anthropic-compatible replies, and the whole path one takes through the phase.

``replies()`` generates reply bodies as a hostile or broken server sends them: fields
of the wrong type (a numeric ``finish_reason``, a list as ``content``, a string as
``usage``), 5,000-digit numbers, lone surrogates, NaN, truncated JSON, garbage bytes,
and answers whose text is hostile to the parser (a 200 KB ``WHERE:`` line, thousands of
findings, nested markup). ``check_reply`` runs one body through the SDK-boundary
validation, the usability verdict, the tally and the phase status, and returns the
exit code ``paritygate review`` would give with two reviewers that both got it.

Used by ``test_reply_fuzz.py`` (few examples, default suite) and by
``benchmarks/bench_reply_fuzz.py`` (1,000 examples, with timings).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from paritygate.config.review import ReviewerConfig
from paritygate.core.models import FindingKind
from paritygate.phases.review.assemble import TallySettings, assemble
from paritygate.phases.review.bundles import Bundle
from paritygate.phases.review.diff import parse_diff
from paritygate.phases.review.locations import BundleIndex
from paritygate.phases.review.replies import MalformedReply, parse_anthropic, parse_openai
from paritygate.phases.review.reviewers import CallResult

DIFF = (
    "diff --git a/src/svc/core.py b/src/svc/core.py\n--- a/src/svc/core.py\n+++ b/src/svc/core.py\n"
    "@@ -1,3 +1,3 @@\n x = 1\n-for i in range(len(xs)):\n+for i in range(len(xs) - 1):\n     pass\n"
)
HUGE = "9" * 5000

_odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
_where = st.one_of(
    st.just("src/svc/core.py:2"),
    st.just("core.py:2-3"),
    st.just("<path exactly as listed above>:<line or first-last>"),
    st.builds(lambda n: f"src/svc/core.py:{n}", st.integers(min_value=-5, max_value=10**12)),
    st.just(f"src/svc/core.py:{HUGE}"),
    st.builds(lambda n: "a" * n + ":" + "1" * 50, st.integers(min_value=0, max_value=200_000)),
    st.text(max_size=60),
)
_severity = st.one_of(
    st.sampled_from(["block", "major", "minor", "nit", "Blocker", "important", "block|major", ""]),
    st.text(max_size=12),
)
_finding = st.builds(
    lambda w, s, what, why: f"WHERE: {w}\nSEVERITY: {s}\nWHAT: {what}\nWHY: {why}\n",
    _where,
    _severity,
    st.text(max_size=40),
    st.text(max_size=40),
)
_answer = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda fs, v, tail: "\n".join(fs) + f"\nVERDICT: {v}\n{tail}",
        st.lists(_finding, max_size=6),
        st.sampled_from(["ship", "block", "ship|block", "", "SHIP!", "maybe"]),
        st.sampled_from(
            [
                "",
                "RETRACT: src/svc/core.py:2",
                "Never mind the core.py:2 finding.",
                "DOWNGRADE: src/svc/core.py:2 to nit",
                "#" * 5000 + "x",
                "```\n" * 50,
            ]
        ),
    ),
    st.builds(
        lambda n: "WHERE: src/svc/core.py:2\nSEVERITY: block\nWHAT: x\nWHY: y\n" * n,
        st.integers(min_value=100, max_value=3000),
    ),
    st.just("WHERE: " + "x" * 200_000 + "\nVERDICT: block\n"),
    st.just("WHERE: " + "a/" * 100_000 + ":1\nVERDICT: ship\n"),
)


def _openai(answer: Any, finish: Any, model: Any, usage: Any, shape: str) -> dict[str, Any]:
    message: Any = {"role": "assistant", "content": answer}
    choice: Any = {"index": 0, "message": message, "finish_reason": finish}
    doc: dict[str, Any] = {"id": "x", "object": "chat.completion", "model": model, "usage": usage}
    doc["choices"] = {"list": [choice], "empty": [], "dict": choice, "null": None, "bad": [7]}[shape]
    return doc


def _anthropic(answer: Any, finish: Any, model: Any, usage: Any, shape: str) -> dict[str, Any]:
    block: Any = {"type": "text", "text": answer}
    content = {"list": [block], "empty": [], "dict": block, "null": None, "bad": [7]}[shape]
    return {"id": "m", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": finish, "usage": usage}  # fmt: skip


@st.composite
def replies(draw: st.DrawFn) -> tuple[str, bytes]:
    """``(api, body)`` of one reply: mostly well-formed bodies (so the answer parser is
    exercised), a quarter with one broken field, 30 % mangled as JSON or bytes."""
    api = draw(st.sampled_from(["openai", "anthropic"]))
    # Hypothesis favours edge cases in every choice; a seeded Random keeps the mix as stated.
    rnd = random.Random(draw(st.integers(0, 2**32)))
    broken = rnd.choice(["answer", "finish", "model", "usage", "count"]) if rnd.random() < 0.25 else ""
    answer = draw(_odd if broken == "answer" else _answer)
    finishes = st.sampled_from(["stop", "stop", "length", "end_turn", "max_tokens", None])
    finish = draw(_odd if broken == "finish" else finishes)
    model = draw(st.one_of(_odd, st.text(min_size=300, max_size=400)) if broken == "model" else st.just("m"))
    counts = ("prompt_tokens", "completion_tokens") if api == "openai" else ("input_tokens", "output_tokens")
    count = st.one_of(st.integers(0, 5000), _odd) if broken == "count" else st.integers(0, 5000)
    usage = draw(_odd if broken == "usage" else st.fixed_dictionaries(dict.fromkeys(counts, count)))
    shape = "list" if rnd.random() < 0.85 else rnd.choice(["empty", "dict", "null", "bad"])
    doc = (_openai if api == "openai" else _anthropic)(answer, finish, model, usage, shape)
    text = json.dumps(doc)
    mangle = (
        "none" if rnd.random() < 0.7 else rnd.choice(["huge", "surrogate", "nan", "cut", "garbage", "array"])
    )
    if mangle == "huge":
        text = text.replace('"id": "', f'"n": {HUGE}, "id": "', 1)
    elif mangle == "surrogate":
        text = text.replace('"id": "', '"id": "\\ud800', 1).replace(
            '"role": "assistant"', '"role": "\\udfff"', 1
        )
    elif mangle == "nan":
        text = text.replace('"id": "', '"x": NaN, "id": "', 1)
    elif mangle == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif mangle == "garbage":
        return api, draw(st.binary(max_size=200))
    elif mangle == "array":
        text = f"[{text}]"
    return api, text.encode("utf-8", "surrogatepass")


@dataclass(slots=True)
class Checked:
    exit_code: int
    seconds: float  # validation + parsing + tally of the reply
    malformed: str | None
    usability: str


REVIEWERS = [ReviewerConfig(name=n, lineage=[f"{n}-lab"], provider="openai", model="m") for n in ("a", "b")]


def check_reply(api: str, body: bytes) -> Checked:
    started = time.perf_counter()
    malformed: str | None = None
    calls: list[CallResult] = []
    for reviewer in REVIEWERS:
        call = CallResult(reviewer.name, "c1", "failed")
        try:
            reply = (parse_openai if api == "openai" else parse_anthropic)(body)
        except MalformedReply as exc:
            malformed = str(exc)
            call.error = f"malformed reply: {exc}"
        else:
            call.text, call.finish_reason, call.served_model = (
                reply.text,
                reply.finish_reason,
                reply.served_model,
            )
            call.tokens_out, call.prompt_tokens = reply.completion_tokens, reply.prompt_tokens
            cut = reply.cut or reply.finish_reason in ("length", "max_tokens")
            call.status = "incomplete" if cut else "ok"
        calls.append(call)
    bundle = Bundle(id="c1", component="svc", files=parse_diff(DIFF, ["src/svc/core.py"]))
    outcome = assemble(
        [bundle],
        {"c1": BundleIndex(bundle, {"src/svc/core.py": 3})},
        REVIEWERS,
        calls,
        {},
        settings=TallySettings(window=3, threshold=2),
        dry_run=False,
    )
    seconds = time.perf_counter() - started
    json.dumps([b.to_json() for b in outcome.bundles], ensure_ascii=False).encode(
        "utf-8"
    )  # every string is writable
    if all(c.status == "failed" for c in calls):
        code = 3
    elif any(f.kind is FindingKind.REVIEW_BLOCK for f in outcome.phase_findings):
        code = 1
    else:
        code = 0
    return Checked(code, seconds, malformed, outcome.bundles[0].reviews[0].usability)
