"""Every call gets a usability verdict; only usable answers count (recorded real answers).

The answers below are what SmolLM2-135M-Instruct and Gemma-3-270M actually wrote when
run through the review (issue 16): prose, the template echoed back, an ambiguous verdict,
an unknown severity.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.core.models import FindingKind, PhaseStatus
from paritygate.phases.review import run_review
from paritygate.phases.review.answers import parse_answer
from paritygate.phases.review.usability import judge

PROSE = (
    "The code changes look good overall. The function `compute` is called with a prefix and an "
    "index, and the results are assigned to variables. It might be worth adding some comments to "
    "explain what the values represent. Overall, this is a clean change and should be safe to merge."
)
ECHOED = (
    "WHERE: <path exactly as listed above>:<line or first-last>\n"
    "SEVERITY: block|major|minor|nit\n"
    "WHAT: <one line: what is wrong>\n"
    "WHY: <why it matters, with the evidence from the diff>\n\n"
    "WHERE: <path exactly as listed above>:<line or first-last>\nSEVERITY: block\nWHAT: <one line>\nWHY: x\n\n"
    "VERDICT: ship|block\n"
)
AMBIGUOUS_VERDICT = "I found nothing wrong with the change.\n\nVERDICT: ship|block\n"
UNKNOWN_SEVERITY = (
    "WHERE: src/svc/core.py:3\nSEVERITY: important\nWHAT: the loop bound is off by one\n"
    "WHY: range(len(xs) - 1) skips the last item\n\nVERDICT: block\n"
)
EMPTY_CLAIM = "WHERE: src/svc/core.py:3\nSEVERITY: block\nWHAT:\nWHY:\n\nVERDICT: block\n"
NO_VERDICT = "WHERE: src/svc/core.py:3\nSEVERITY: minor\nWHAT: off by one\nWHY: skips the last item\n"
GOOD = "WHERE: src/svc/core.py:3\nSEVERITY: block\nWHAT: off by one\nWHY: the loop skips the last item\n\nVERDICT: block\n"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        pytest.param(PROSE, "format-not-followed", id="prose"),
        pytest.param(ECHOED, "echoed-template", id="echoed-template"),
        pytest.param(AMBIGUOUS_VERDICT, "echoed-template", id="verdict-ship|block"),
        pytest.param(UNKNOWN_SEVERITY, "format-not-followed", id="unknown-severity"),
        pytest.param(EMPTY_CLAIM, "format-not-followed", id="empty-claim"),
        pytest.param(NO_VERDICT, "no-verdict", id="no-verdict"),
        pytest.param("   \n", "empty", id="empty"),
        pytest.param("VERDICT: ship\n", "usable", id="clean-review"),
        pytest.param(GOOD, "usable", id="a-finding"),
    ],
)
def test_each_recorded_answer_gets_its_verdict(text: str, verdict: str) -> None:
    assert judge(text, parse_answer(text)).verdict == verdict


def test_an_unknown_severity_is_not_silently_minor() -> None:
    (finding,) = parse_answer(UNKNOWN_SEVERITY).findings
    assert finding.severity is None and finding.severity_raw == "important"
    assert "severity 'important'" in judge(UNKNOWN_SEVERITY, parse_answer(UNKNOWN_SEVERITY)).reason


def test_a_cut_off_answer_is_truncated_and_a_failed_call_is_failed() -> None:
    assert judge(GOOD, parse_answer(GOOD), cut=True).verdict == "truncated"
    assert judge("", None, failed=True, error="http 500").reason == "http 500"


def _repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    repo.commit({"src/svc/core.py": lines("core", 10)}, "base")
    repo.commit(
        {"src/svc/core.py": lines("core", 2) + "for i in range(len(xs) - 1):\n" + lines("t", 5)}, "fix"
    )
    return repo


def _reviewers(fake: FakeLLM, names: tuple[str, ...], extra: str = "") -> str:
    return (
        "".join(
            f'[[review.reviewers]]\nname = "{n}"\nlineage = ["{n}-lab"]\nprovider = "openai"\nmodel = "m-{n}"\n'
            f'base_url = "{fake.openai_url}"\n\n'
            for n in names
        )
        + extra
    )


def test_unusable_answers_are_neither_clean_reviews_nor_findings(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    """Four lineages answer with prose, an echoed template, `VERDICT: ship|block` and an unknown
    severity (repair off): no finding, no convergence, and the bundle is unreviewed."""
    repo = _repo(make_repo)
    answers = {"a": PROSE, "b": ECHOED, "c": AMBIGUOUS_VERDICT, "d": UNKNOWN_SEVERITY}
    script = {f"m-{n}": [Rule([Reply(text)])] for n, text in answers.items()}
    with serve(FakeLLM(script)) as fake:
        loaded = write_config("[review]\nrepair = false\n\n" + _reviewers(fake, tuple(answers)))
        result = run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out")
    (bundle,) = review_doc(result).bundles
    verdicts = {r.reviewer: r.usability for r in bundle.reviews}
    assert verdicts == {
        "a": "format-not-followed",
        "b": "echoed-template",
        "c": "echoed-template",
        "d": "format-not-followed",
    }
    assert review_doc(result).findings == [] and bundle.distinct == 0
    assert bundle.unreviewed is True and bundle.usable.lineages == []
    assert "0/4 usable" in bundle.tally_line
    kinds = [f.kind for f in result.findings]
    assert FindingKind.REVIEW_BLOCK not in kinds and FindingKind.REVIEW_UNREVIEWED in kinds
    assert result.status is PhaseStatus.PASSED  # quorum warns by default
    reviewers = {r.name: (r.usable, r.unusable) for r in review_doc(result).reviewers}
    assert reviewers == {"a": (0, 1), "b": (0, 1), "c": (0, 1), "d": (0, 1)}


def test_one_repair_turns_prose_into_a_review(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    fixed = Rule([Reply(GOOD)], when=("Your review could not be read",))
    script = {"m-a": [fixed, Rule([Reply(PROSE)])], "m-b": [Rule([Reply(GOOD.replace(":3", ":3-4"))])]}
    with serve(FakeLLM(script)) as fake:
        loaded = write_config(_reviewers(fake, ("a", "b")))
        out = tmp_path / "out"
        result = run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out)
        repair = [r for r in fake.requests if b"Your review could not be read" in r.body]
    (bundle,) = review_doc(result).bundles
    a = next(r for r in bundle.reviews if r.reviewer == "a")
    assert a.usability == "usable" and a.repaired.startswith("no WHERE/SEVERITY/WHAT/WHY")
    assert [x.outcome for x in a.attempts] == ["ok", "repair", "ok"]
    assert len(repair) == 1 and b"compute" in repair[0].body  # the model's own answer went back
    assert (out / "review/replies/c1-a.before-repair.md").read_text() == PROSE
    assert [f.kind for f in result.findings if f.kind is FindingKind.REVIEW_BLOCK] == [
        FindingKind.REVIEW_BLOCK
    ]


def test_quorum_blocks_when_asked(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    script = {"m-a": [Rule([Reply("VERDICT: ship\n")])], "m-b": [Rule([Reply("slow", status=503)])]}
    with serve(FakeLLM(script)) as fake:
        toml = "[review]\nretries = 0\n\n[assess]\nblock_on_unreviewed = true\n\n" + _reviewers(
            fake, ("a", "b")
        )
        result = run_review(
            write_config(toml), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o"
        )
    (unreviewed,) = [f for f in result.findings if f.kind is FindingKind.REVIEW_UNREVIEWED]
    assert (
        unreviewed.evidence == "c1"
        and "a-lab" in unreviewed.message
        and "fewer than the 2" in unreviewed.message
    )
    assert result.status is PhaseStatus.FAILED and "unreviewed" in result.summary


REAL = Path(__file__).parent / "data" / "real_answers"


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        pytest.param("smollm2-135m-prose.md", "format-not-followed", id="smollm-prose"),
        pytest.param("smollm2-135m-after-repair.md", "format-not-followed", id="smollm-repair-still-prose"),
        pytest.param("gemma3-270m-echoed-prompt.md", "echoed-template", id="gemma-echoed-prompt"),
    ],
)
def test_answers_recorded_from_the_real_model_check(name: str, verdict: str) -> None:
    """Written by the real models in benchmarks/real_model_review.py (the Gemma one was also
    cut at 384 tokens: an echoed prompt is an echo, however long)."""
    text = (REAL / name).read_text(encoding="utf-8")
    assert judge(text, parse_answer(text), cut=name.startswith("gemma")).verdict == verdict
