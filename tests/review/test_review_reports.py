"""review.md escaping and review.sarif levels from converged severities."""

from __future__ import annotations

from typing import Any

from paritygate.core.review_doc import ReviewDocument
from paritygate.reports.review_md import review_markdown
from paritygate.reports.review_sarif import review_sarif


def _finding(**changes: Any) -> dict[str, Any]:
    vote = {"reviewer": "g", "lineage": ["google"], "severity": "block", "where": "a.py:3", "path": "src/<a>.py",
            "start": 3, "end": 3, "what": "uses <script> tag", "why": "x", "line_kind": "added", "reason": "",
            "retraction": None}  # fmt: skip
    base: dict[str, Any] = {
        "id": "x", "bundle": "c1", "path": "src/<a>.py", "start": 3, "end": 3, "severity": "minor",
        "what": "uses <script> tag", "why": "x", "reviewers": ["g", "s"], "lineages": ["google", "hf"],
        "convergence": 2, "block_lineages": ["google"], "line_kind": "added", "retracted": False,
        "incomplete": False, "votes": [vote, vote | {"reviewer": "s", "severity": "minor"}],
    }  # fmt: skip
    return base | changes


def _doc(*findings: dict[str, Any], sarif: str = "all") -> ReviewDocument:
    limits = {"warn_kb": 60, "max_kb": 100, "match_window": 3, "max_span_lines": 20, "claim_similarity": 50,
              "block_lineages": 2, "quorum": "warn"}  # fmt: skip
    return ReviewDocument.from_json(
        {
            "schema": "paritygate.review/2",
            "dry_run": False,
            "dry_run_reason": None,
            "range": "a..b",
            "summary": "",
            "limits": limits,
            "findings": list(findings),
            "sarif_findings": sarif,
        }
    )


def test_review_md_code_spans_keep_angle_brackets_literal() -> None:
    text = review_markdown(_doc(_finding()))
    assert "`src/<a>.py:3`" in text and "&lt;a&gt;" not in text.split("`src/<a>.py:3`")[0][-5:]
    assert "uses &lt;script&gt; tag" in text  # plain text is escaped, code spans are not
    assert "minor (votes: block)" in text


def test_sarif_level_is_the_converged_severity_and_converged_only_filters() -> None:
    (result,) = review_sarif(_doc(_finding()))["runs"][0]["results"]
    assert result["level"] == "note" and result["ruleId"] == "paritygate-review/minor"
    assert result["properties"]["severityVotes"] == ["block", "minor"]
    lone = _finding(convergence=1, lineages=["google"], id="y", start=9, end=9)
    assert len(review_sarif(_doc(_finding(), lone))["runs"][0]["results"]) == 2
    assert len(review_sarif(_doc(_finding(), lone, sarif="converged"))["runs"][0]["results"]) == 1
