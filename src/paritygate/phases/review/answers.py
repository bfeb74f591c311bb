"""Parsing a reviewer's answer: finding blocks, the verdict, and what the reviewer took back.

Lenient on form (markdown bold, list markers, code fences, backticks, ``a/`` ``b/``
``./`` prefixes, ``10-14`` / ``10–14`` / ``L10-L14`` / ``lines 10 to 14``), strict on
meaning: a block without a usable WHERE stays, as ``unanchored``; a finding or verdict
withdrawn later in the same answer is kept for the audit as ``self-retracted``; one the
reviewer downgrades (``DOWNGRADE: path:line to minor``) keeps the lower severity.

Linear in the answer's size: a line is read up to :data:`MAX_LINE` characters and a
location up to :data:`MAX_WHERE` (a 200 KB ``WHERE:`` line costs what its first 300
characters cost); the regexes use atomic groups where repetition could backtrack.
An unknown severity stays ``None`` (a format failure the caller reports, never a
silent ``minor``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "MAX_FINDINGS",
    "MAX_LINE",
    "MAX_WHERE",
    "SEVERITIES",
    "ParsedAnswer",
    "RawFinding",
    "parse_answer",
    "parse_where",
    "severity_of",
    "strip_prefix",
]

MAX_LINE = 4096  # characters of one answer line that are parsed
MAX_WHERE = 300  # characters of a location that are parsed
MAX_FINDINGS = 500  # finding blocks read from one answer; more is not a review
_MAX_LINE_NO = 10**9  # a longer line number is kept as this (always past the end of a file)

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
    r"^\s*+(?>(?:[>*+\-]\s++|\d++[.)]\s++|#++\s*+))*+[*_`]*+\s*+"
    r"(where|location|severity|what|why|verdict|retract|downgrade)\s*+[*_`]*+\s*+:\s*+[*_`]*+(.*)$",
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
    r"|\bscratch\s+that\b|\bnever\s*mind\b|\bnot\s+a\s+real\s+(?:issue|problem|bug)\b"
    r"|\bdisregard\s+(?:this|that|my|the\s+(?:above|previous|earlier))"
    r"|\bignore\s+(?:this|that|my|the)\s+(?:above\s+|previous\s+|earlier\s+)?(?:finding|block|blocker|comment)"
    r"|\b(?:that|this|it)\s+(?:was|is)\s+a\s+false\s+(?:alarm|positive)\b|\bI\s+was\s+wrong\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class RawFinding:
    where: str = ""  # as the reviewer wrote it
    path: str | None = None  # cleaned of markup and a/ b/ ./ prefixes, not yet checked
    start: int | None = None
    end: int | None = None
    severity: str | None = None  # None: missing or not one of SEVERITIES (a format failure)
    severity_raw: str = ""
    downgraded_from: str | None = None
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
    keys_seen: int = 0  # answer-format key lines (WHERE:, SEVERITY:, ...) found
    dropped: int = 0  # finding blocks past MAX_FINDINGS, not read


def strip_prefix(path: str) -> str:
    """Drop one ``a/``, ``b/`` or ``./`` prefix (diff and shell habits)."""
    for prefix in ("a/", "b/", "./"):
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix) :]
    return path


def _clean_path(path: str) -> str:
    return path.strip().strip("`'\"*_").rstrip(".,;:)")


def _line_no(digits: str) -> int:
    return int(digits) if len(digits) <= 9 else _MAX_LINE_NO


def parse_where(text: str) -> tuple[str | None, int | None, int | None]:
    """``(path, start, end)`` from a WHERE value, the path as written (markup removed,
    prefixes kept: the location check tries it exactly first); no line gives start None."""
    text = text[:MAX_WHERE].replace("`", "").replace("**", "").strip()
    m = _LOCATION.search(text)
    if m:
        start = _line_no(m["start"])
        end = _line_no(m["end"]) if m["end"] else start
        return _clean_path(m["path"]), min(start, end), max(start, end)
    p = _PATH_ONLY.search(text)
    return (_clean_path(p["path"]), None, None) if p else (None, None, None)


def severity_of(raw: str) -> str | None:
    """The severity a SEVERITY value names (synonyms included), None when it names none or several."""
    words = re.findall(r"[A-Za-z]+", raw[:100])
    named = {_SEVERITY_ALIASES[w.lower()] for w in words if w.lower() in _SEVERITY_ALIASES}
    return named.pop() if len(named) == 1 else None


def _same_place(a: RawFinding, path: str | None, start: int | None, end: int | None) -> bool:
    if a.path is None or path is None or strip_prefix(a.path) != strip_prefix(path):
        return False
    if start is None or a.start is None or a.end is None:
        return True
    return a.start <= (end or start) and start <= a.end


def _targets(findings: list[RawFinding], n: int, line: str) -> list[RawFinding]:
    """The findings a retraction or downgrade on line ``n`` is about: those it names by
    location, else the finding it belongs to (and earlier ones at that place), else the last."""
    earlier = [f for f in findings if f.first_line <= n]
    if not earlier:
        return []
    named = [parse_where(ref.group()) for ref in _LOCATION.finditer(line[: MAX_WHERE * 4])]
    targets = [f for f in earlier if any(_same_place(f, *loc) for loc in named)]
    if targets:
        return targets
    owner = next((f for f in reversed(earlier) if f.first_line <= n <= f.last_line), None)
    if owner is None:
        return [earlier[-1]]
    return [
        owner,
        *(f for f in earlier if f is not owner and _same_place(f, owner.path, owner.start, owner.end)),
    ]


_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”|`[^`\n]*`|(?<!\w)\'[^\'\n]*\'(?!\w)')
_DOWNGRADE = re.compile(
    r"\bdowngrad(?:e|ed|ing)\b[^\n]{0,200}?\bto\s+(?:a\s+)?[*_`]?(major|minor|nit|nitpick|low|medium|trivial)\b",
    re.IGNORECASE,
)


def _retract(findings: list[RawFinding], n: int, line: str) -> None:
    for target in _targets(findings, n, line):
        target.retracted = True
        target.retraction = target.retraction or line.strip()[:300]


def _downgrade(findings: list[RawFinding], n: int, line: str, severity: str) -> None:
    for target in _targets(findings, n, line):
        if target.severity is not None and SEVERITIES.index(severity) > SEVERITIES.index(target.severity):
            target.downgraded_from = target.downgraded_from or target.severity
            target.severity = severity


def _apply_changes(findings: list[RawFinding], lines: list[str], claim_lines: set[int]) -> None:
    """Explicit ``RETRACT:`` / ``DOWNGRADE:`` lines, then the phrases models use instead.

    On a finding's own WHAT/WHY lines (``claim_lines``) quoted text is about the code (a
    log message saying "false alarm"), not the review: it is removed before the search.
    """
    for n, line in enumerate(lines):
        key = _KEY.match(line)
        name = key.group(1).lower() if key is not None else None
        if name == "retract":
            _retract(findings, n, key.group(2) if key else line)
            continue
        if name == "downgrade":
            value = key.group(2) if key else line
            level = severity_of(value.rsplit(" to ", 1)[-1]) if " to " in value else None
            if level is not None:
                _downgrade(findings, n, value.rsplit(" to ", 1)[0], level)
            continue
        if name in ("where", "location", "severity"):
            continue
        if n in claim_lines:
            line = _QUOTED.sub(" ", line)
        m = _DOWNGRADE.search(line)
        if m is not None:
            level = severity_of(m.group(1))
            if level is not None:
                _downgrade(findings, n, line, level)
            continue
        if _RETRACT.search(line) is not None:
            _retract(findings, n, line)


def parse_answer(text: str) -> ParsedAnswer:
    answer = ParsedAnswer()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    current: RawFinding | None = None
    last_key: str | None = None
    claim_lines: set[int] = set()
    verdicts: list[tuple[int, str]] = []
    for n, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("```"):
            continue  # fences are form, not content (answers wrap their blocks in them)
        m = _KEY.match(line)
        if m is None:
            if not stripped:
                last_key = None  # a blank line ends a WHAT/WHY paragraph
            elif current is not None and last_key in ("what", "why"):
                current.last_line = n
                claim_lines.add(n)
                value = getattr(current, last_key)
                if len(value) < MAX_LINE:
                    setattr(current, last_key, f"{value}\n{stripped}".strip()[:MAX_LINE])
            continue
        answer.keys_seen += 1
        key, value = m.group(1).lower(), m.group(2).strip().strip("*_`").strip()
        if key in ("retract", "downgrade"):
            current, last_key = None, None
            continue
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
            if len(answer.findings) >= MAX_FINDINGS:
                answer.dropped += key == "where"
                current, last_key = None, None
                continue
            current = RawFinding(first_line=n, last_line=n)
            answer.findings.append(current)
        current.last_line = n
        last_key = key
        if key == "where":
            current.where = value[:MAX_WHERE]
            current.path, current.start, current.end = parse_where(value)
        elif key == "severity":
            current.severity_raw, current.severity = value[:100], severity_of(value)
        else:
            claim_lines.add(n)
            setattr(current, key, value)
    _apply_changes(answer.findings, lines, claim_lines)
    for _, raw in verdicts:
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", raw[:100])}
        said = {_VERDICTS[w] for w in words if w in _VERDICTS}
        if answer.verdict_raw is not None:
            answer.retracted_verdicts.append(answer.verdict_raw)
        # "ship|block" (the template echoed) names both: no verdict at all.
        answer.verdict, answer.verdict_raw = (said.pop() if len(said) == 1 else None), raw[:100]
    return answer


_VERDICTS = {"ship": "ship", "block": "block", "blocked": "block", "blocker": "block"}
