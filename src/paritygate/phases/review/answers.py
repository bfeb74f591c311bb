"""Parsing a reviewer's answer: finding blocks, the verdict, and what the reviewer took back.

Lenient on form (markdown bold, list markers, code fences, backticks, ``a/`` ``b/``
``./`` prefixes, ``10-14`` / ``10–14`` / ``L10-L14`` / ``lines 10 to 14``), strict on
meaning: a block without a usable WHERE stays, as ``unanchored``; a finding or verdict
withdrawn later in the same answer is kept for the audit as ``self-retracted``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SEVERITIES", "ParsedAnswer", "RawFinding", "parse_answer", "parse_where", "strip_prefix"]

SEVERITIES = ("block", "major", "minor", "nit")
_SEVERITY_ALIASES = {
    "block": "block",
    "blocker": "block",
    "blocking": "block",
    "critical": "block",
    "major": "major",
    "high": "major",
    "minor": "minor",
    "medium": "minor",
    "moderate": "minor",
    "nit": "nit",
    "nitpick": "nit",
    "low": "nit",
    "trivial": "nit",
}
_KEY = re.compile(
    r"^\s*(?:[>*+\-]\s+|\d+[.)]\s+|#+\s*)*[*_`]*\s*"
    r"(where|location|severity|what|why|verdict)\s*[*_`]*\s*:\s*[*_`]*\s*(.*?)\s*$",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"(?P<path>[^\s:`'\"()\[\]<>,]+?)"
    r"(?::|#L|\s*,?\s+(?:at\s+)?lines?\s+|\s+L)(?P<start>\d+)"
    r"(?:\s*(?:-|–|—|\.\.|to)\s*L?(?P<end>\d+))?",
    re.IGNORECASE,
)
_PATH_ONLY = re.compile(r"(?P<path>[\w./\-]+\.[\w]+|[\w.\-]+/[\w./\-]+)")
# What the reviewer says to take something back. Deliberately narrow ("retract the lease"
# or "withdraw funds" in a WHY are about the code, not the review).
_OBJECT = (
    r"(?:\s+(?:above|previous|earlier|last|first))?"
    r"(?=\s*(?:finding|block(?:er)?|verdict|comment|concern|issue|point|it\b|$|[.,;:!)]))"
)
_RETRACT = re.compile(
    r"\bI\s+(?:hereby\s+|now\s+|must\s+)?(?:retract|withdraw)\b"
    r"|\b(?:retract|withdraw)(?:s|ing|ed|n)?\s+(?:this|that|my|the|it)"
    + _OBJECT
    + r"|(?-i:\bRETRACT(?:ED|ION)?\b)|^\W*retract(?:ed|ion)\W*[:—–-]"
    r"|\b(?:finding|block(?:er)?|verdict)\s+(?:is\s+)?(?:retracted|withdrawn)\b"
    r"|\bon\s+(?:further\s+|second\s+)?(?:reflection|thought|inspection|look)\b[^\n]{0,160}?"
    r"\bnot\s+(?:actually\s+|really\s+)?(?:a\s+|an\s+)?(?:real\s+)?(?:block(?:er|ing)?|bug|issue|problem|concern)"
    r"|\bscratch\s+that\b"
    r"|\bdisregard\s+(?:this|that|my|the\s+(?:above|previous|earlier))"
    r"|\bignore\s+(?:this|that|my|the)\s+(?:above\s+|previous\s+|earlier\s+)?(?:finding|block|blocker|comment)"
    r"|\bfalse\s+alarm\b|\bI\s+was\s+wrong\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class RawFinding:
    where: str = ""  # as the reviewer wrote it
    path: str | None = None  # cleaned of markup and a/ b/ ./ prefixes, not yet checked
    start: int | None = None
    end: int | None = None
    severity: str = "minor"
    severity_raw: str = ""
    what: str = ""
    why: str = ""
    first_line: int = 0  # position in the answer, for retractions
    last_line: int = 0
    retracted: bool = False
    retraction: str | None = None  # the reviewer's words

    @property
    def anchored(self) -> bool:
        return self.path is not None and self.start is not None


@dataclass(slots=True)
class ParsedAnswer:
    findings: list[RawFinding] = field(default_factory=list)
    verdict: str | None = None  # the last VERDICT given: "ship" | "block"
    verdict_raw: str | None = None
    retracted_verdicts: list[str] = field(default_factory=list)


def strip_prefix(path: str) -> str:
    """Drop one ``a/``, ``b/`` or ``./`` prefix (diff and shell habits)."""
    for prefix in ("a/", "b/", "./"):
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix) :]
    return path


def _clean_path(path: str) -> str:
    return path.strip().strip("`'\"*_").rstrip(".,;:)")


def parse_where(text: str) -> tuple[str | None, int | None, int | None]:
    """``(path, start, end)`` from a WHERE value, the path as written (markup removed,
    prefixes kept: the location check tries it exactly first); no line gives start None."""
    text = text.replace("`", "").replace("**", "").strip()
    m = _LOCATION.search(text)
    if m:
        start = int(m["start"])
        end = int(m["end"]) if m["end"] else start
        return _clean_path(m["path"]), min(start, end), max(start, end)
    p = _PATH_ONLY.search(text)
    return (_clean_path(p["path"]), None, None) if p else (None, None, None)


def _severity(raw: str) -> str:
    word = re.match(r"[A-Za-z]+", raw.strip().strip("*_`[]()"))
    return _SEVERITY_ALIASES.get(word.group().lower(), "minor") if word else "minor"


def _same_place(a: RawFinding, path: str | None, start: int | None, end: int | None) -> bool:
    if a.path is None or path is None or strip_prefix(a.path) != strip_prefix(path):
        return False
    if start is None or a.start is None or a.end is None:
        return True
    return a.start <= (end or start) and start <= a.end


def _apply_retractions(findings: list[RawFinding], lines: list[str]) -> None:
    """A line with retraction language withdraws the findings it names (by location), else
    the finding it belongs to, else the nearest finding above it; a retraction notice that
    repeats a location withdraws the earlier findings at that location too."""
    for n, line in enumerate(lines):
        key = _KEY.match(line)
        if key is not None and key.group(1).lower() in ("where", "location", "severity"):
            continue
        if _RETRACT.search(line) is None:
            continue
        earlier = [f for f in findings if f.first_line <= n]
        if not earlier:
            continue
        named = [parse_where(ref.group()) for ref in _LOCATION.finditer(line)]
        targets = [f for f in earlier if any(_same_place(f, *loc) for loc in named)]
        if not targets:
            owner = next((f for f in reversed(earlier) if f.first_line <= n <= f.last_line), None)
            targets = [owner or earlier[-1]]
            if owner is not None:  # a notice at a repeated location withdraws the original too
                targets += [
                    f
                    for f in earlier
                    if f is not owner and _same_place(f, owner.path, owner.start, owner.end)
                ]
        for target in targets:
            target.retracted = True
            target.retraction = target.retraction or line.strip()[:300]


def parse_answer(text: str) -> ParsedAnswer:
    answer = ParsedAnswer()
    lines = text.splitlines()
    current: RawFinding | None = None
    last_key: str | None = None
    verdicts: list[tuple[int, str]] = []
    in_fence = False
    for n, line in enumerate(lines):
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        m = _KEY.match(line)
        if m is None:
            if current is not None and line.strip():
                current.last_line = n
                if last_key in ("what", "why"):
                    value = getattr(current, last_key)
                    setattr(current, last_key, f"{value}\n{line.strip()}".strip())
            continue
        key, value = m.group(1).lower(), m.group(2).strip().strip("*_`").strip()
        if key == "verdict":
            verdicts.append((n, value))
            current, last_key = None, None
            continue
        key = "where" if key == "location" else key
        filled = current is not None and (
            (key == "where" and (current.where or current.severity_raw or current.what))
            or (key != "where" and getattr(current, "severity_raw" if key == "severity" else key))
        )
        if current is None or filled:
            current = RawFinding(first_line=n, last_line=n)
            answer.findings.append(current)
        current.last_line = n
        last_key = key
        if key == "where":
            current.where = value
            current.path, current.start, current.end = parse_where(value)
        elif key == "severity":
            current.severity_raw, current.severity = value, _severity(value)
        else:
            setattr(current, key, value)
    _apply_retractions(answer.findings, lines)
    for _, raw in verdicts:
        word = re.match(r"[A-Za-z]+", raw.strip("*_`[]() "))
        value = word.group().lower() if word else ""
        value = {"ship": "ship", "block": "block", "blocked": "block", "blocker": "block"}.get(value, "")
        if answer.verdict_raw is not None:
            answer.retracted_verdicts.append(answer.verdict_raw)
        answer.verdict, answer.verdict_raw = (value or None), raw
    return answer
