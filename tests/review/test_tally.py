"""The tally: dedupe per reviewer, match across reviewers, count lineages not reviewers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from paritygate.phases.review.tally import Vote, dedupe_votes, lineage_groups, tally_votes

OPUS = ("anthropic", "claude")
SONNET = ("anthropic", "claude")
KIMI = ("moonshot",)


def vote(reviewer: str, lineage: tuple[str, ...], start: int, end: int | None = None, **changes: Any) -> Vote:
    base = Vote(
        reviewer=reviewer, lineage=lineage, bundle="c1", written=f"a.py:{start}", path="a.py",
        start=start, end=end if end is not None else start, severity="block",
        what=f"{reviewer} says", why="because", line_kind="added",
    )  # fmt: skip
    return replace(base, **changes)


def test_lineage_groups_merge_on_shared_labels() -> None:
    assert lineage_groups([OPUS, SONNET, KIMI]) == ["anthropic+claude", "moonshot"]
    assert lineage_groups([("meta",), ("meta", "nous"), ("qwen",)]) == ["meta+nous", "qwen"]
    assert lineage_groups([]) == []


def test_three_claude_models_are_one_lineage() -> None:
    (finding,) = tally_votes(
        [vote("opus", OPUS, 10), vote("sonnet", SONNET, 11), vote("haiku", OPUS, 12)], window=3
    )
    assert finding.reviewers == ["haiku", "opus", "sonnet"]
    assert finding.convergence == 1  # the opus+opus+opus false convergence, closed


def test_two_of_one_lineage_and_one_of_another_converge_at_two() -> None:
    (finding,) = tally_votes(
        [vote("opus", OPUS, 10), vote("sonnet", SONNET, 12), vote("kimi", KIMI, 9, 10)], window=3
    )
    assert finding.convergence == 2 and finding.lineages == ["anthropic+claude", "moonshot"]
    assert (finding.start, finding.end, finding.evidence) == (9, 12, "a.py:9-12")


def test_the_window_decides_what_is_nearby() -> None:
    near = tally_votes([vote("opus", OPUS, 10), vote("kimi", KIMI, 13)], window=3)
    far = tally_votes([vote("opus", OPUS, 10), vote("kimi", KIMI, 14)], window=3)
    other_file = tally_votes([vote("opus", OPUS, 10), vote("kimi", KIMI, 10, path="b.py")], window=3)
    assert [f.convergence for f in near] == [2]
    assert sorted(f.convergence for f in far) == [1, 1]
    assert sorted(f.convergence for f in other_file) == [1, 1]


def test_one_vote_per_reviewer_per_location() -> None:
    kept, dropped = dedupe_votes(
        [
            vote("kimi", KIMI, 10, severity="minor"),
            vote("kimi", KIMI, 10, severity="block"),
            vote("kimi", KIMI, 20),
        ]
    )
    assert dropped == 1
    assert sorted((v.start, v.severity) for v in kept) == [(10, "block"), (20, "block")]


def test_invalid_retracted_and_unanchored_never_converge() -> None:
    findings = tally_votes(
        [
            vote("opus", OPUS, 10),
            vote("kimi", KIMI, 10, line_kind="invalid", reason="path not in this bundle's diff"),
            vote("qwen", ("qwen",), 10, retracted=True, retraction="I retract this"),
            vote("glm", ("zhipu",), 0, line_kind="unanchored", path=None),
        ],
        window=3,
    )
    by_kind = {(f.line_kind, f.retracted): f for f in findings}
    assert by_kind[("added", False)].convergence == 1 and by_kind[("added", False)].reviewers == ["opus"]
    assert by_kind[("invalid", False)].convergence == 0
    assert by_kind[("added", True)].convergence == 0
    assert by_kind[("unanchored", False)].convergence == 0


GEMMA = ("google",)
SMOL = ("huggingface",)


def test_different_claims_at_nearby_lines_do_not_converge() -> None:
    sql = vote(
        "gemma", GEMMA, 10, what="SQL injection", why="the id from the request is formatted into the query"
    )
    typo = vote(
        "smol", SMOL, 13, what="typo in log", why="'recieved' should read 'received'", severity="minor"
    )
    findings = tally_votes([sql, typo], window=3)
    assert [f.convergence for f in findings] == [1, 1]


def test_the_same_claim_in_different_words_converges() -> None:
    a = vote("gemma", GEMMA, 41, what="SQL injection in the user lookup",
             why="request.args['id'] is concatenated into the SQL string")  # fmt: skip
    b = vote("smol", SMOL, 43, what="user-controlled id concatenated into SQL statement allows injection",
             why="an attacker can run arbitrary queries")  # fmt: skip
    (finding,) = tally_votes([a, b], window=3)
    assert finding.convergence == 2 and (finding.start, finding.end) == (41, 43)


def test_one_lineage_block_plus_another_minor_is_a_minor_not_a_converged_block() -> None:
    a = vote("gemma", GEMMA, 42, what="unchecked fingerprint", why="validate() accepts a missing fingerprint")
    b = vote(
        "smol", SMOL, 44, what="fingerprint not checked", why="missing fingerprint accepted", severity="minor"
    )
    (finding,) = tally_votes([a, b], window=3)
    assert finding.convergence == 2 and finding.severity == "minor"
    assert finding.block_lineages == ["google"]
    (both,) = tally_votes([a, replace(b, severity="block")], window=3)
    assert both.severity == "block" and both.block_lineages == ["google", "huggingface"]


def test_a_wide_range_does_not_converge_by_place_alone() -> None:
    wide = vote("gemma", GEMMA, 1, 200, what="error handling is missing", why="exceptions propagate")
    narrow = vote("smol", SMOL, 50, what="missing error handling in the loader", why="a bad file raises")
    findings = tally_votes([wide, narrow], window=3, max_span=20)
    assert sorted(f.convergence for f in findings) == [1, 1]
    same = replace(narrow, what="error handling is missing", why="exceptions propagate")
    (merged,) = tally_votes([wide, same], window=3, max_span=20)  # an identical claim still matches
    assert merged.convergence == 2
