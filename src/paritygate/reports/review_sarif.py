"""review.sarif: the review's located findings as SARIF 2.1.0 (code-scanning uploads, IDEs).

One rule per severity (stable ids ``paritygate-review/block`` ...), repo-relative URIs
against ``%SRCROOT%``, a line-independent ``partialFingerprints`` entry (so a finding
keeps its identity when lines move), and the reviewers, lineages and convergence in
``properties``. Findings the reviewer withdrew are kept as suppressed results;
unanchored findings and invalid locations cannot be placed and stay in review.md/json.

``level`` follows the finding's *converged* severity (what enough lineages agree on),
never the most severe single vote; with ``[review] sarif = "converged"`` only findings
that converged across ``block_lineages`` lineages are written.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

import orjson

from paritygate.core.fs import atomic_write_bytes
from paritygate.core.jsondoc import JsonObject, JsonValue
from paritygate.core.review_doc import ReviewDocument, ReviewFindingDoc

__all__ = ["SARIF_SCHEMA_URI", "review_sarif", "rule_id", "write_review_sarif"]

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_SEVERITIES = ("block", "major", "minor", "nit")
_LEVEL = {"block": "error", "major": "warning", "minor": "note", "nit": "note"}
_DESCRIPTION = {
    "block": "A reviewer says this must not ship as is.",
    "major": "A serious problem a reviewer wants fixed soon.",
    "minor": "A minor problem.",
    "nit": "A nitpick.",
}


def rule_id(severity: str) -> str:
    return f"paritygate-review/{severity}"


def _version() -> str:
    try:
        return metadata.version("paritygate")
    except metadata.PackageNotFoundError:
        return "0"


def _fingerprint(finding: ReviewFindingDoc) -> str:
    # Path + what was said, not the line: the identity survives code moving around.
    what = re.sub(r"\s+", " ", finding.what).strip().lower()
    key = f"{rule_id(finding.severity)}|{finding.path}|{what}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: ReviewFindingDoc) -> JsonObject:  # a SARIF result object: JSON by definition
    severity = finding.severity if finding.severity in _SEVERITIES else "minor"
    text = finding.what or "(no description)"
    if finding.why:
        text += f"\n\n{finding.why}"
    start = finding.start or 0  # placed findings only (ReviewFindingDoc.placed)
    region: JsonObject = {"startLine": start, "endLine": finding.end or start}
    result: JsonObject = {
        "ruleId": rule_id(severity),
        "ruleIndex": _SEVERITIES.index(severity),
        "level": _LEVEL[severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(str(finding.path)), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"paritygateReview/v1": _fingerprint(finding)},
        "properties": {
            "reviewers": [*finding.reviewers],
            "lineages": [*finding.lineages],
            "convergence": finding.convergence,
            "blockLineages": [*finding.block_lineages],
            "bundle": finding.bundle,
            "lineKind": finding.line_kind,
            "incomplete": finding.incomplete,
            "severityVotes": [*finding.vote_severities],
        },
    }
    if finding.retracted:
        reason = finding.retraction
        justification = (
            f"self-retracted by the reviewer: {reason}" if reason else "self-retracted by the reviewer"
        )
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return result


def review_sarif(data: ReviewDocument) -> JsonObject:
    """The SARIF log (a JSON object) for a review document."""
    need = data.limits.block_lineages
    converged_only = data.sarif_findings == "converged"
    results: list[JsonValue] = [
        _result(f) for f in data.findings if f.placed and (not converged_only or f.convergence >= need)
    ]
    rules: list[JsonValue] = [
        {
            "id": rule_id(severity),
            "name": f"Review{severity.capitalize()}",
            "shortDescription": {"text": f"LLM review finding of severity {severity}"},
            "fullDescription": {"text": _DESCRIPTION[severity]},
            "defaultConfiguration": {"level": _LEVEL[severity]},
        }
        for severity in _SEVERITIES
    ]
    run: JsonObject = {
        "tool": {
            "driver": {
                "name": "paritygate-review",
                "version": _version(),
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": {"description": {"text": "The root of the reviewed repository."}}
        },
        "automationDetails": {"id": f"paritygate/review/{data.range or 'none'}"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"range": data.range, "dryRun": data.dry_run},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write_review_sarif(path: Path, data: ReviewDocument) -> None:
    atomic_write_bytes(
        path, orjson.dumps(review_sarif(data), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    )
