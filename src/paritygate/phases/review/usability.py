"""Is a reviewer's answer a review? One usability verdict per call, with its reason.

Only a ``usable`` answer counts: toward convergence, toward the bundle's quorum, and as
"0 findings" (a clean review). Prose without the format, an echoed template, an unknown
severity or an empty claim are *format failures* — they say nothing about the code —
and earn one repair retry (:func:`repair_prompt`) when ``[review] repair`` is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paritygate.phases.review.answers import ParsedAnswer, RawFinding

__all__ = ["FORMAT_FAILURES", "USABILITY", "Usability", "judge", "repair_prompt"]

USABILITY = (
    "usable",
    "no-verdict",
    "format-not-followed",
    "echoed-template",
    "empty",
    "truncated",
    "failed",
)
FORMAT_FAILURES = frozenset({"no-verdict", "format-not-followed", "echoed-template"})
# The placeholders of the bundled prompt's answer format, as models copy them back.
_PLACEHOLDER = re.compile(
    r"<\s*(?:path|line|one line|why it matters|first-last)|exactly as listed|block\s*\|\s*major"
    r"|\bship\s*\|\s*block\b|<[^<>\n]{0,40}>\s*:\s*<",
    re.IGNORECASE,
)


@dataclass(slots=True, frozen=True)
class Usability:
    verdict: str  # one of USABILITY
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.verdict == "usable"


def _echoed(answer: ParsedAnswer) -> bool:
    raw = [answer.verdict_raw or "", *answer.retracted_verdicts]
    for f in answer.findings:
        raw += [f.where, f.severity_raw, f.what[:200], f.why[:200]]
    return any(_PLACEHOLDER.search(value) for value in raw if value)


def _format_problems(findings: list[RawFinding]) -> list[str]:
    problems: list[str] = []
    for n, f in enumerate(findings, 1):
        if not f.where:
            problems.append(f"finding {n} has no WHERE")
        if f.severity is None:
            said = f"{f.severity_raw!r}" if f.severity_raw else "none"
            problems.append(f"finding {n} has severity {said[:40]}, expected block|major|minor|nit")
        if not f.what.strip() and not f.why.strip():
            problems.append(f"finding {n} has an empty WHAT and WHY")
    return problems


def judge(
    text: str, answer: ParsedAnswer | None, *, failed: bool = False, cut: bool = False, error: str = ""
) -> Usability:
    """The usability of one call. ``cut``: the server stopped at the token limit (or the
    answer was longer than paritygate reads)."""
    if failed or answer is None:
        return Usability("failed", error or "the call failed")
    if not text.strip():
        return Usability("truncated" if cut else "empty", "the answer is empty")
    if _echoed(answer):  # an echo stays an echo, even when the token limit cut it
        return Usability("echoed-template", "the answer repeats the prompt's answer template")
    if cut:
        return Usability("truncated", "cut off by the token limit before the answer ended")
    if not answer.findings and answer.verdict is None:
        if answer.verdict_raw is not None:
            return Usability(
                "format-not-followed", f"VERDICT {answer.verdict_raw[:40]!r} is not ship or block"
            )
        return Usability("format-not-followed", "no WHERE/SEVERITY/WHAT/WHY block and no VERDICT line")
    problems = _format_problems(answer.findings)
    if problems:
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return Usability("format-not-followed", "; ".join(problems[:3]) + more)
    if answer.dropped:
        return Usability("format-not-followed", f"more than {len(answer.findings)} findings in one answer")
    if answer.verdict is None:
        said = f" (VERDICT {answer.verdict_raw[:40]!r})" if answer.verdict_raw else ""
        return Usability("no-verdict", f"findings but no VERDICT: ship or VERDICT: block{said}")
    return Usability("usable")


def repair_prompt(usability: Usability, files: list[str], previous: str) -> str:
    """A short corrective message: the model's own answer back, with what was wrong with it.

    It does not resend the diff (the heavy part of the prompt): the model restates its
    review in the format, and every location is still checked against the bundle.
    """
    listed = "\n".join(f"- {path}" for path in files[:50])
    return (
        f"Your review could not be read: {usability.reason}.\n"
        "Rewrite it in exactly this format, with real paths and line numbers from the files below "
        "(no angle brackets, no placeholders). One block per finding:\n"
        "WHERE: path:line\nSEVERITY: one of block, major, minor, nit\nWHAT: the problem in one line\n"
        "WHY: the evidence\n\nThen a last line that is either `VERDICT: ship` or `VERDICT: block`. "
        "If you found no problem, answer only `VERDICT: ship`.\n\n"
        f"Files:\n{listed}\n\nYour previous answer:\n{previous[:8000]}"
    )
