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
from typing import Any
from urllib.parse import quote

import orjson

from paritygate.core.fs import atomic_write_bytes

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


def _fingerprint(finding: dict[str, Any]) -> str:
    # Path + what was said, not the line: the identity survives code moving around.
    what = re.sub(r"\s+", " ", str(finding.get("what", ""))).strip().lower()
    key = f"{rule_id(finding['severity'])}|{finding['path']}|{what}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(finding: dict[str, Any]) -> dict[str, Any]:
    severity = finding["severity"] if finding["severity"] in _SEVERITIES else "minor"
    text = str(finding.get("what") or "(no description)")
    if finding.get("why"):
        text += f"\n\n{finding['why']}"
    region = {"startLine": int(finding["start"]), "endLine": int(finding.get("end") or finding["start"])}
    result: dict[str, Any] = {
        "ruleId": rule_id(severity),
        "ruleIndex": _SEVERITIES.index(severity),
        "level": _LEVEL[severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(str(finding["path"])), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"paritygateReview/v1": _fingerprint(finding)},
        "properties": {
            "reviewers": list(finding.get("reviewers", [])),
            "lineages": list(finding.get("lineages", [])),
            "convergence": int(finding.get("convergence", 0)),
            "blockLineages": list(finding.get("block_lineages", [])),
            "bundle": finding.get("bundle"),
            "lineKind": finding.get("line_kind"),
            "incomplete": bool(finding.get("incomplete", False)),
            "severityVotes": sorted({str(v.get("severity")) for v in finding.get("votes", [])}),
        },
    }
    if finding.get("retracted"):
        reason = next((v.get("retraction") for v in finding.get("votes", []) if v.get("retraction")), None)
        justification = (
            f"self-retracted by the reviewer: {reason}" if reason else "self-retracted by the reviewer"
        )
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return result


def review_sarif(data: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log for a ``paritygate.review/1`` document."""
    need = int((data.get("limits") or {}).get("block_lineages") or 2)
    converged_only = data.get("sarif_findings") == "converged"
    results = [
        _result(f)
        for f in data.get("findings", [])
        if f.get("path")
        and f.get("start")
        and f.get("line_kind") not in ("invalid", "unanchored")
        and (not converged_only or int(f.get("convergence") or 0) >= need)
    ]
    rules = [
        {
            "id": rule_id(severity),
            "name": f"Review{severity.capitalize()}",
            "shortDescription": {"text": f"LLM review finding of severity {severity}"},
            "fullDescription": {"text": _DESCRIPTION[severity]},
            "defaultConfiguration": {"level": _LEVEL[severity]},
        }
        for severity in _SEVERITIES
    ]
    run: dict[str, Any] = {
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
        "automationDetails": {"id": f"paritygate/review/{data.get('range') or 'none'}"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"range": data.get("range"), "dryRun": bool(data.get("dry_run"))},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write_review_sarif(path: Path, data: dict[str, Any]) -> None:
    atomic_write_bytes(
        path, orjson.dumps(review_sarif(data), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    )
