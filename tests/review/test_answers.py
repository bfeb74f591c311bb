"""Parsing reviewer answers: lenient on form, strict on what counts; retractions."""

from __future__ import annotations

import pytest

from paritygate.phases.review.answers import parse_answer, parse_where


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        pytest.param("src/x.py:10", ("src/x.py", 10, 10), id="exact"),
        pytest.param(
            "`b/src/x.py:10-14`", ("b/src/x.py", 10, 14), id="backticks-b-prefix-kept-for-exact-try"
        ),
        pytest.param("./src/x.py:7", ("./src/x.py", 7, 7), id="dot-slash"),
        pytest.param("**src/x.py**:12", ("src/x.py", 12, 12), id="bold-path"),
        pytest.param("src/x.py line 12", ("src/x.py", 12, 12), id="line-word"),
        pytest.param("src/x.py, lines 14–10", ("src/x.py", 10, 14), id="en-dash-reversed"),
        pytest.param("src/x.py#L3-L5", ("src/x.py", 3, 5), id="github-anchor"),
        pytest.param("src/x.py", ("src/x.py", None, None), id="path-only"),
        pytest.param("all over the place", (None, None, None), id="nothing"),
    ],
)
def test_parse_where(written: str, expected: tuple[str | None, int | None, int | None]) -> None:
    assert parse_where(written) == expected


def test_blocks_in_markdown_with_fences_and_an_unanchored_one() -> None:
    answer = parse_answer(
        "Sure, here is my review.\n\n"
        "```\n"
        "**WHERE:** `src/app.py:10`\n"
        "**SEVERITY:** **Blocker**\n"
        "**WHAT:** the fingerprint is never checked\n"
        "**WHY:** a request without one is accepted,\n"
        "and stored.\n"
        "```\n\n"
        "- WHERE: src/app.py:40-42\n- SEVERITY: nit\n- WHAT: naming\n- WHY: `x` says nothing\n\n"
        "SEVERITY: major\nWHAT: no test covers the new branch\nWHY: regressions\n\n"
        "VERDICT: **BLOCK**\n"
    )
    first, second, third = answer.findings
    assert (first.path, first.start, first.severity) == ("src/app.py", 10, "block")
    assert first.why == "a request without one is accepted,\nand stored."
    assert (second.start, second.end, second.severity, second.what) == (40, 42, "nit", "naming")
    assert not third.anchored and third.severity == "major" and third.what == "no test covers the new branch"
    assert answer.verdict == "block" and answer.retracted_verdicts == []
    assert not any(f.retracted for f in answer.findings)


def test_block_then_self_retraction_and_a_second_verdict() -> None:
    answer = parse_answer(
        "WHERE: src/materializer/job.py:12\nSEVERITY: block\nWHAT: unbounded retry loop\n"
        "WHY: the job never gives up when the store is down\n\n"
        "WHERE: src/materializer/job.py:30\nSEVERITY: minor\nWHAT: log level\n"
        "WHY: the handler does not retract the lease nor withdraw funds here\n\n"
        "VERDICT: block\n\n"
        "On reflection, the retry at src/materializer/job.py:12 is not a blocker: the caller caps it.\n\n"
        "VERDICT: ship\n"
    )
    block, minor = answer.findings
    assert block.retracted and "On reflection" in (block.retraction or "")
    assert not minor.retracted  # "retract the lease" / "withdraw funds" talk about the code
    assert answer.verdict == "ship" and answer.retracted_verdicts == ["block"]


@pytest.mark.parametrize(
    "retraction",
    [
        pytest.param("I retract this finding.", id="i-retract"),
        pytest.param("Scratch that, the lock is held by the caller.", id="scratch-that"),
        pytest.param("Please disregard the above; I misread the hunk.", id="disregard"),
        pytest.param("RETRACTED", id="uppercase"),
        pytest.param("Finding withdrawn: the input is validated upstream.", id="withdrawn"),
    ],
)
def test_retraction_phrases_withdraw_the_finding_they_belong_to(retraction: str) -> None:
    answer = parse_answer(
        "WHERE: a.py:1\nSEVERITY: major\nWHAT: one\nWHY: first\n\n"
        f"WHERE: a.py:9\nSEVERITY: block\nWHAT: two\nWHY: second\n{retraction}\n\nVERDICT: ship\n"
    )
    first, second = answer.findings
    assert second.retracted and not first.retracted


def test_a_retraction_notice_repeating_a_location_withdraws_the_original() -> None:
    answer = parse_answer(
        "WHERE: a.py:5\nSEVERITY: block\nWHAT: race\nWHY: two writers\n\n"
        "WHERE: a.py:5\nSEVERITY: block\nWHAT: RETRACTED: the mutex above covers it\n\nVERDICT: ship\n"
    )
    assert [f.retracted for f in answer.findings] == [True, True]


def test_ordinary_words_do_not_retract() -> None:
    answer = parse_answer(
        "WHERE: bank.py:3\nSEVERITY: block\nWHAT: withdraw the amount twice\n"
        "WHY: a failed commit does not retract the debit; this is a real problem\n\nVERDICT: block\n"
    )
    assert not answer.findings[0].retracted and answer.verdict == "block"


def test_an_answer_cut_off_mid_finding_keeps_what_it_has() -> None:
    answer = parse_answer("WHERE: a.py:3\nSEVERITY: major\nWHAT: the loop")
    (finding,) = answer.findings
    assert finding.anchored and finding.what == "the loop" and answer.verdict is None


def test_never_mind_a_named_finding_retracts_that_one() -> None:
    answer = parse_answer(
        "WHERE: a.py:3\nSEVERITY: block\nWHAT: one\nWHY: first\n\n"
        "WHERE: b.py:9\nSEVERITY: major\nWHAT: two\nWHY: second\n\n"
        "Never mind the a.py:3 finding, the input is checked upstream.\n\nVERDICT: ship\n"
    )
    first, second = answer.findings
    assert first.retracted and not second.retracted


def test_a_why_quoting_false_alarm_is_not_a_retraction() -> None:
    answer = parse_answer(
        'WHERE: a.py:3\nSEVERITY: major\nWHAT: the alert is silenced\nWHY: the handler logs "false alarm" '
        "and returns, so a real outage never pages\n\nVERDICT: block\n"
    )
    assert not answer.findings[0].retracted


def test_explicit_markers_retract_and_downgrade() -> None:
    answer = parse_answer(
        "WHERE: a.py:3\nSEVERITY: block\nWHAT: one\nWHY: first\n\n"
        "WHERE: b.py:9\nSEVERITY: block\nWHAT: two\nWHY: second\n\n"
        "RETRACT: a.py:3\nDOWNGRADE: b.py:9 to minor\n\nVERDICT: ship\n"
    )
    first, second = answer.findings
    assert first.retracted and not second.retracted
    assert (second.severity, second.downgraded_from) == ("minor", "block")


def test_downgrading_in_words_keeps_the_finding_at_the_lower_severity() -> None:
    answer = parse_answer(
        "WHERE: a.py:3\nSEVERITY: block\nWHAT: one\nWHY: first\n\n"
        "On second thought I am downgrading this to a nit.\n\nVERDICT: ship\n"
    )
    (finding,) = answer.findings
    assert not finding.retracted and (finding.severity, finding.downgraded_from) == ("nit", "block")


def test_an_ambiguous_or_unknown_severity_is_none() -> None:
    answer = parse_answer(
        "WHERE: a.py:3\nSEVERITY: block|major\nWHAT: x\nWHY: y\n\n"
        "WHERE: a.py:4\nSEVERITY: important\nWHAT: x\nWHY: y\n\nVERDICT: block\n"
    )
    assert [f.severity for f in answer.findings] == [None, None]
