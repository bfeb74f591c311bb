"""Where a verdict reason's evidence is shown in a run directory: the writers' business.

The verdict policy says what a reason is (its kind, its evidence, the tracker file of a
divergence class); this module turns that into the place a reader goes next — a
report.md heading, a phase file, the logs, the tracker — the same for every writer.
"""

from __future__ import annotations

from paritygate.core.escaping import one_line
from paritygate.core.run_doc import Reason

__all__ = ["reason_line", "reason_ref", "section_of"]

# reason kind -> (report section anchor, phase files that show the evidence too)
_PLACES: dict[str, tuple[str, tuple[str, ...]]] = {
    "smoke_failed": ("smoke-checks", ()),
    "status_mismatch": ("parity-cases", ("parity.md",)),
    "new_divergence": ("divergence-classes", ("parity.md",)),
    "came_back": ("divergence-classes", ("parity.md",)),
    "known_divergence": ("divergence-classes", ("parity.md",)),
    "fixed_divergence": ("fixed-tracker-rows", ("parity.md",)),
    "unreachable": ("parity-cases", ("logs/",)),
    "flaky": ("noise", ("parity.md",)),
    "review_block": ("review", ()),
    "review_warning": ("review", ()),
}
_DEFAULT = ("phases", ("logs/",))  # a phase error, an interruption, anything else
# the fuzz phase's classes are parity classes of its shrunk cases, shown in its own section
_FUZZ_PLACE = ("fuzz", ("fuzz.md", "fuzz-cases.toml"))
_FUZZ_KINDS = frozenset(
    {"status_mismatch", "new_divergence", "came_back", "known_divergence", "fixed_divergence", "flaky"}
)


def section_of(kind: str, phase: str = "") -> str:
    """The report heading (anchor) that shows the evidence of a reason of this kind."""
    return _place(kind, phase)[0]


def _place(kind: str, phase: str) -> tuple[str, tuple[str, ...]]:
    if phase == "fuzz" and kind in _FUZZ_KINDS:
        return _FUZZ_PLACE
    return _PLACES.get(kind, _DEFAULT)


def reason_ref(reason: Reason) -> str:
    """ "report.md#divergence-classes, parity.md, ARCHITECTURE_COMPARISON.md" for a reason."""
    section, files = _place(reason.kind, reason.phase)
    places = [f"report.md#{section}", *files, *([reason.tracker] if reason.tracker else [])]
    return ", ".join(places)


def reason_line(reason: Reason) -> str:
    """One terminal line for a reason (``paritygate run``, ``assess DIR``); the message may
    quote a JSON key, so its control characters are escapes (``core.escaping``)."""
    return one_line(
        f"[{reason.level}] {reason.message} (evidence: {reason.evidence}; see {reason_ref(reason)})"
    )
