"""The review phase end to end: a real git repo, the real OpenAI and Anthropic SDK clients,
and a scripted fake server speaking both wire formats over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft4Validator
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.core.models import FindingKind, PhaseResult, PhaseStatus
from paritygate.core.review_doc import ReviewCallDoc, ReviewDocument
from paritygate.phases.review import run_review
from paritygate.reports.review_files import write_review_reports

OPENAI_KEY = "sk-test-openai-3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e"
ANTHROPIC_KEY = "sk-ant-test-7c2e9a4f1b8d3e6a0f5c2b9d4e1a7f3c"
AWS_KEY_ID = "AKIAQ3EGRT7VXKM5NZPL"
AWS_SECRET = "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"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

APP_BLOCK_OPUS = """I looked at the validator.

WHERE: src/validatord/app.py:11
SEVERITY: block
WHAT: the fingerprint check always passes
WHY: `or True` makes validate() accept a request without a fingerprint

VERDICT: block
"""
APP_BLOCK_SONNET = """**WHERE:** `b/src/validatord/app.py:12`
**SEVERITY:** block
**WHAT:** validate() ignores a missing fingerprint
**WHY:** the TODO leaves the rule unimplemented

**VERDICT:** block
"""
APP_KIMI = """- WHERE: ./src/validatord/app.py:10-11
- SEVERITY: block
- WHAT: validate() accepts a request without a fingerprint check
- WHY: `or True` makes the boolean expression constant

WHERE: app.py:35
SEVERITY: minor
WHAT: stale docstring
WHY: it still describes the old contract

WHERE: src/validatord/nope.py:3
SEVERITY: block
WHAT: a file that is not there
WHY: hallucinated

WHERE: src/validatord/app.py:999
SEVERITY: minor
WHAT: past the end of the file
WHY: no such line

VERDICT: block
"""
APP_QWEN_CUT = "WHERE: src/validatord/app.py:20\nSEVERITY: minor\nWHAT: magic number\nWHY: the constant 19 is"
JOB_OPUS_RETRACTS = """WHERE: src/materializer/job.py:42
SEVERITY: block
WHAT: unbounded retry loop
WHY: `while True: retry()` never gives up when the store is down

VERDICT: block

On reflection, the loop at src/materializer/job.py:42 is not a blocker: retry() raises after five tries.
I retract that finding.

VERDICT: ship
"""


def _script() -> dict[str, list[Rule]]:
    validatord = ("Component: validatord",)
    materializer = ("Component: materializer",)
    ship = Rule([Reply("VERDICT: ship\n")])
    return {
        "claude-opus-test": [
            Rule([Reply(APP_BLOCK_OPUS, tokens_out=900)], when=validatord),
            Rule([Reply(JOB_OPUS_RETRACTS, tokens_out=700)], when=materializer),
            ship,
        ],
        "claude-sonnet-test": [Rule([Reply(APP_BLOCK_SONNET, tokens_out=180)], when=validatord), ship],
        "kimi-test": [
            Rule(
                [
                    Reply("slow down", status=429, headers={"retry-after": "0"}),
                    Reply(APP_KIMI, tokens_out=250, served_model="kimi-k2-0905-served"),
                ],
                when=validatord,
            ),
            ship,
        ],
        "qwen-test": [Rule([Reply(APP_QWEN_CUT, finish="length", tokens_out=64)], when=validatord), ship],
        "llama-test": [Rule([Reply(f"Incorrect API key provided: {OPENAI_KEY}", status=401)])],
    }


def _config(fake: FakeLLM) -> str:
    def reviewer(name: str, lineage: list[str], provider: str, model: str, extra: str = "") -> str:
        url = fake.anthropic_url if provider == "anthropic" else fake.openai_url
        env = "PG_TEST_ANTHROPIC_KEY" if provider == "anthropic" else "PG_TEST_OPENAI_KEY"
        return (
            f'[[review.reviewers]]\nname = "{name}"\nlineage = {json.dumps(lineage)}\nprovider = "{provider}"\n'
            f'model = "{model}"\nbase_url = "{url}"\napi_key_env = "{env}"\ntimeout = 20\n{extra}\n'
        )

    return (
        "[review]\nbackoff = 0.01\nconcurrency = 4\n\n"
        '[review.components]\nvalidatord = ["src/validatord/**"]\nmaterializer = ["src/materializer/**"]\n\n'
        + reviewer("opus", ["anthropic", "claude"], "anthropic", "claude-opus-test")
        + reviewer("sonnet", ["Anthropic", "claude"], "anthropic", "claude-sonnet-test")
        + reviewer("kimi", ["moonshot"], "openai", "kimi-test")
        + reviewer("qwen", ["alibaba", "qwen"], "openai", "qwen-test", "max_tokens = 64")
        + reviewer("llama", ["meta"], "openai", "llama-test")
    )


def _repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    app = lines("app", 40)
    repo.commit(
        {"src/validatord/app.py": app, "src/materializer/job.py": lines("job", 40), "README.md": "# x\n"}
    )
    old = app.splitlines(keepends=True)
    new_app = [
        *old[:9],
        "def validate(req):\n",
        "    return req.fingerprint is None or True\n",
        "    # TODO\n",
    ]
    loop = "def run():\n    while True:\n        retry()\n    return\n"
    aws = f"[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1\n"
    repo.commit(
        {
            "src/validatord/app.py": "".join(new_app + old[12:]),
            "src/materializer/job.py": lines("job", 40) + loop,
            "deploy/aws.ini": aws,
        },
        "today's change",
    )
    return repo


@pytest.fixture
def reviewed(
    make_repo: Callable[[str], Repo],
    write_config: Callable[[str], LoadedConfig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[PhaseResult, FakeLLM, Path, list[str]]]:
    repo = _repo(make_repo)
    monkeypatch.setenv("PG_TEST_OPENAI_KEY", OPENAI_KEY)
    monkeypatch.setenv("PG_TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)
    progress: list[str] = []
    with serve(FakeLLM(_script())) as fake:
        loaded = write_config(_config(fake))
        out = tmp_path / "run"
        result = run_review(
            loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out, progress=progress.append
        )
        write_review_reports(out, review_doc(result))
        yield result, fake, out, progress


def _call(data: ReviewDocument, bundle: str, reviewer: str) -> ReviewCallDoc:
    doc = next(b for b in data.bundles if b.id == bundle)
    return next(r for r in doc.reviews if r.reviewer == reviewer)


def test_convergence_counts_lineages_not_reviewers(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    result, _, _, _ = reviewed
    data = review_doc(result)
    top = data.findings[0]
    assert (top.path, top.start, top.end) == ("src/validatord/app.py", 10, 12)
    assert top.reviewers == ["kimi", "opus", "sonnet"]  # three reviewers...
    assert top.lineages == ["anthropic+claude", "moonshot"] and top.convergence == 2  # ...two lineages
    assert top.severity == "block" and top.line_kind == "added"
    blocks = [f for f in result.findings if f.kind is FindingKind.REVIEW_BLOCK]
    assert [(f.evidence, "2 lineages" in f.message) for f in blocks] == [
        ("src/validatord/app.py:10-12", True)
    ]
    assert result.status is PhaseStatus.FAILED
    c1 = data.bundles[0]
    assert c1.bytes < 1024
    assert c1.tally_line == (
        "c1 validatord (<1KB) → 1 convergent / 2 distinct · 3/5 usable (qwen truncated, llama failed)"
    )


def test_locations_are_checked_against_the_bundle(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    result, _, _, _ = reviewed
    votes = [v for f in review_doc(result).findings for v in f.votes if v.reviewer in ("kimi", "sonnet")]
    by_where = {v.where: (v.path, v.line_kind) for v in votes}
    assert by_where["b/src/validatord/app.py:12"] == ("src/validatord/app.py", "added")
    assert by_where["./src/validatord/app.py:10-11"] == ("src/validatord/app.py", "added")
    assert by_where["app.py:35"] == ("src/validatord/app.py", "outside-diff")  # unique suffix
    assert by_where["src/validatord/nope.py:3"][1] == "invalid"
    assert by_where["src/validatord/app.py:999"][1] == "invalid"
    kimi = next(r for r in review_doc(result).reviewers if r.name == "kimi")
    assert kimi.rejected_locations == 2
    # A block at an invalid location never converges; it is a warning for a human.
    warnings = [f for f in result.findings if f.kind is FindingKind.REVIEW_WARNING]
    assert any("nope.py" in f.evidence and "cannot be checked" in f.message for f in warnings)


def test_self_retraction_is_audited_not_counted(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    result, _, out, _ = reviewed
    (retracted,) = [f for f in review_doc(result).findings if f.retracted]
    assert (retracted.path, retracted.start, retracted.convergence) == (
        "src/materializer/job.py",
        42,
        0,
    )
    assert "On reflection" in retracted.votes[0].retraction
    opus_c2 = _call(review_doc(result), "c2", "opus")
    assert opus_c2.verdict == "ship" and opus_c2.retracted_verdicts == ["block"]
    assert (
        review_doc(result)
        .bundles[1]
        .tally_line.endswith("→ 0 convergent / 0 distinct · 4/5 usable (llama failed)")
    )
    assert not any("job.py" in f.evidence for f in result.findings if f.kind is not FindingKind.NOTE)
    assert "Self-retracted (audit)" in (out / "review.md").read_text()


def test_cut_off_answer_is_truncated_never_clean_and_never_counted(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    result, _, _, _ = reviewed
    qwen = _call(review_doc(result), "c1", "qwen")
    assert (qwen.status, qwen.finish_reason, qwen.tokens_out) == ("incomplete", "length", 64)
    assert qwen.usability == "truncated" and qwen.findings == 0
    assert not [f for f in review_doc(result).findings if f.what == "magic number"]
    assert any(
        f.kind is FindingKind.NOTE and "qwen gave no usable answer on c1 (truncated" in f.message
        for f in result.findings
    )


def test_429_then_success_and_what_the_api_reported(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    result, fake, _, progress = reviewed
    kimi = _call(review_doc(result), "c1", "kimi")
    assert [a.outcome for a in kimi.attempts] == ["http 429", "ok"]
    assert (kimi.status, kimi.tokens_out, kimi.served_model) == ("ok", 250, "kimi-k2-0905-served")
    assert _call(review_doc(result), "c1", "opus").finish_reason == "end_turn"
    assert "c1 kimi: ok (250 tokens out)" in progress
    # The key was read from api_key_env and sent to the endpoint, nowhere else.
    assert {r.auth for r in fake.requests if r.api == "openai"} == {f"Bearer {OPENAI_KEY}"}
    sent = _call(review_doc(result), "c1", "opus").prompt_tokens
    assert _call(review_doc(result), "c1", "opus").prompt_tokens_method == "estimate:bytes/2.5"
    assert c1_tokens_line(result) == (
        f"opus {sent} in / 900 out · sonnet {sent} in / 180 out · kimi {sent} in / 250 out · "
        f"qwen {sent} in / 64 out (incomplete) · llama failed"
    )


def c1_tokens_line(result: PhaseResult) -> str:
    return str(review_doc(result).bundles[0].tokens_line)


def test_failed_reviewer_is_left_out_and_said(reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]]) -> None:
    result, _, _, _ = reviewed
    llama = next(r for r in review_doc(result).reviewers if r.name == "llama")
    assert llama.status == "failed" and llama.failed_bundles == ["c1", "c2", "c3"]
    c1 = review_doc(result).bundles[0]
    assert c1.failed == ["llama"]
    assert c1.answered.lineages == ["alibaba+qwen", "anthropic+claude", "moonshot"]
    assert "llama on c1" in result.summary and "left out of convergence" in result.summary
    error = _call(review_doc(result), "c1", "llama").error
    assert error.startswith("http 401") and "[api key]" in error


def test_secrets_and_api_keys_never_leave(reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]]) -> None:
    result, fake, out, _ = reviewed
    assert fake.requests, "the fake server saw no request"
    for request in fake.requests:
        assert AWS_KEY_ID.encode() not in request.body and AWS_SECRET.encode() not in request.body
    other = next(b for b in review_doc(result).bundles if b.component == "other")
    where = {(r.path, r.line): r.types for r in other.redactions}
    assert sorted(where) == [("deploy/aws.ini", 2), ("deploy/aws.ini", 3)]
    assert where[("deploy/aws.ini", 2)] == ["AWS Access Key"]
    assert "[REDACTED:AWS Access Key]" in (out / other.prompt_file).read_text()
    everything = orjson.dumps(result.to_dict()) + b"".join(
        p.read_bytes() for p in out.rglob("*") if p.is_file()
    )
    for needle in (OPENAI_KEY, ANTHROPIC_KEY, AWS_KEY_ID, AWS_SECRET):
        assert needle.encode() not in everything
    assert any("2 secret(s) redacted" in f.message for f in result.findings if f.kind is FindingKind.NOTE)


def test_review_sarif_validates_against_the_sarif_schema(
    reviewed: tuple[PhaseResult, FakeLLM, Path, list[str]],
) -> None:
    _, _, out, _ = reviewed
    sarif = json.loads((out / "review.sarif").read_text())
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(Draft4Validator(schema).iter_errors(sarif), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    results = sarif["runs"][0]["results"]
    top = next(r for r in results if r["properties"]["convergence"] == 2)
    assert top["ruleId"] == "paritygate-review/block" and top["level"] == "error"
    location = top["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/validatord/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 10, "endLine": 12}
    assert top["properties"]["lineages"] == ["anthropic+claude", "moonshot"]
    assert top["properties"]["reviewers"] == ["kimi", "opus", "sonnet"]
    assert len(top["partialFingerprints"]["paritygateReview/v1"]) == 32
    retracted = [r for r in results if r.get("suppressions")]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in retracted] == [42]
    assert not any("nope.py" in json.dumps(r) for r in results)  # invalid locations cannot be placed
