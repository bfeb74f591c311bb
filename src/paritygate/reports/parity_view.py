"""One view model per parity report section, shared by every writer.

parity.md, report.md, report.html and the terminal render these; none of them counts,
labels a class known/new or words a tracker status on its own, so the files of one run
cannot disagree with each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paritygate.core.parity_doc import ClassDoc, DecisionDoc, ParityDocument, Tally

__all__ = [
    "ClassView",
    "FixedView",
    "TallyItem",
    "class_views",
    "fixed_view",
    "tally_items",
    "tally_line",
]

Badge = Literal["known", "new", "came-back"]


@dataclass(slots=True, frozen=True)
class TallyItem:
    label: str
    value: str


def tally_items(tally: Tally) -> list[TallyItem]:
    """The counts every writer shows, in order, with one label each (docs/parity.md, "Counts")."""
    return [
        TallyItem("cases", str(tally.cases)),
        TallyItem("status match", f"{tally.status_match}/{tally.cases}"),
        TallyItem("match", str(tally.match)),
        TallyItem("diff", str(tally.diff)),
        TallyItem("body diff", str(tally.body_diff)),
        TallyItem("header-only diff", str(tally.header_only)),
        TallyItem("no answer", str(tally.errors)),
    ]


def tally_line(tally: Tally) -> str:
    """The seed's tally line, then the rest of the counts: ``Tally: 1 match · 5 diff (out of
    6 cases) · 6/6 status match · 5 body diff · 0 header-only diff · 0 no answer``."""
    return (
        f"Tally: {tally.match} match · {tally.diff} diff (out of {tally.cases} cases)"
        f" · {tally.status_match}/{tally.cases} status match · {tally.body_diff} body diff"
        f" · {tally.header_only} header-only diff · {tally.errors} no answer"
    )


@dataclass(slots=True, frozen=True)
class ClassView:
    cls: ClassDoc  # the class itself, for what a writer shows of it beyond these
    key: str
    heading: str  # the mapping's name, else the title
    title: str
    endpoint: str
    outcome: str
    cases: list[str]
    badge: Badge
    status_text: str  # "known" | "NEW" | "CAME BACK"
    tracker: str  # what the tracker says, in one sentence
    decision: DecisionDoc | None
    mapping_name: str
    mapping_description: str
    fix: str

    @property
    def short_title(self) -> str:
        """The title cut for a table cell; the full text goes in its hover ``title``."""
        return cut_text(self.title)


TITLE_LIMIT = 100


def cut_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """``text`` with at most ``limit`` characters, the last one an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tracker_text(cls: ClassDoc, tracker: str) -> str:
    decision = cls.decision
    if cls.status == "known":
        said = (decision.decision if decision else "") or "(no decision text)"
        return f"{decision.status if decision else '?'} — {said}"
    if cls.recorded:
        return f"NEW — recorded as `_open_` in {tracker}"
    if cls.came_back:
        line = f" (line {decision.line})" if decision and decision.line else ""
        return f"CAME BACK — its row{line} in {tracker} says `fixed`; reopen it or fix the divergence again"
    return f"NEW — no `_open_`/`accepted` row in {tracker}; run with --record-decisions to add one"


def class_views(doc: ParityDocument) -> list[ClassView]:
    views = []
    for cls in doc.classes:
        badge: Badge = "known" if cls.status == "known" else "came-back" if cls.came_back else "new"
        mapping = cls.mapping
        views.append(
            ClassView(
                cls=cls,
                key=cls.key,
                heading=cls.label,
                title=cls.title,
                endpoint=cls.endpoint,
                outcome=cls.outcome,
                cases=list(cls.cases),
                badge=badge,
                status_text={"known": "known", "new": "NEW", "came-back": "CAME BACK"}[badge],
                tracker=_tracker_text(cls, doc.tracker),
                decision=cls.decision,
                mapping_name=mapping.name if mapping else "",
                mapping_description=mapping.description if mapping else "",
                fix=mapping.fix if mapping else "",
            )
        )
    return views


@dataclass(slots=True, frozen=True)
class FixedView:
    """The ``fixed?`` section: rows no class matched, or why that was not checked."""

    rows: list[DecisionDoc]
    skipped: str | None  # why fixed? was not computed (a case got no answer)
    intro: str

    @property
    def empty(self) -> bool:
        return not self.rows and self.skipped is None


def fixed_view(doc: ParityDocument | None) -> FixedView:
    if doc is None:
        return FixedView([], None, "")
    if doc.fixed_skipped:
        return FixedView([], doc.fixed_skipped, f"Not checked: {doc.fixed_skipped}.")
    intro = (
        f"These rows of {doc.tracker} are open or accepted, but their class did not appear"
        " in this run. Fixed? Confirm and set their status to `fixed`."
    )
    return FixedView(list(doc.fixed), None, intro if doc.fixed else "None.")
