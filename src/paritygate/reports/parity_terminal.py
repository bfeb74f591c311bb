"""``paritygate parity`` on a terminal: the case table, the tally and the classes (printed
through rich; the CLI only hands over the document and the console). Text from the
services (case names, class titles, paths) is shown with its control characters
escaped (``core.escaping.one_line``): a JSON key holding ``ESC[2J`` cannot clear the screen."""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from paritygate.core.escaping import one_line
from paritygate.core.parity_doc import ParityDocument
from paritygate.reports.parity_report import steps_lines
from paritygate.reports.parity_view import class_views, fixed_view, tally_line

__all__ = ["print_parity"]

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _table(doc: ParityDocument) -> Table:
    names = doc.target_names
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Case", no_wrap=True)
    for column in (*(f"{n} status" for n in names), "Status match", "Body match"):
        table.add_column(column, overflow="fold")
    if len(names) > 2:
        table.add_column("Agreement", overflow="fold")
    for case in doc.cases:
        cells = [one_line(case.name)]
        cells += [
            str(case.targets[n].status) if case.targets[n].error is None else "no answer" for n in names
        ]
        cells += ["✓" if case.status_match else "✗", "✓" if case.body_match else "✗"]
        if len(names) > 2:
            cells.append(
                one_line(case.odd_one_out_text)
                if case.odd_one_out_text
                else " / ".join("+".join(g) for g in case.groups)
            )
        table.add_row(*cells)
    return table


def print_parity(doc: ParityDocument, paths: list[Path], out: Console, err: Console) -> None:
    out.print(_table(doc))
    out.print(tally_line(doc.tally), markup=False)
    for line in steps_lines(doc):
        out.print(line, markup=False)
    for view in class_views(doc):
        cls = view.cls
        on = cls.endpoint if len(cls.operations) <= 3 else f"{len(cls.operations)} operations"
        out.print(
            one_line(f"{view.status_text.upper()}: {view.heading} — {len(cls.cases)} case(s) on {on}"),
            markup=False,
        )
        out.print(f"  key: {one_line(cls.key)}", markup=False)
        out.print(f"  tracker: {one_line(view.tracker)}", markup=False)
        if view.badge != "known" and view.fix:
            out.print(f"  suggested fix: {one_line(view.fix)}", markup=False)
    for old in doc.outdated_rows:
        out.print(one_line(f"OLD KEY: {old.message}"), markup=False)
    fixed = fixed_view(doc)
    for row in fixed.rows:
        out.print(
            one_line(f"FIXED?: {row.key} (tracker line {row.line}) did not appear in this run"), markup=False
        )
    if fixed.skipped:
        out.print(f"fixed? {fixed.intro}", markup=False)
    out.print(f"calibration: {doc.calibration.text}", markup=False)
    if doc.noise:
        out.print(
            f"noise: {len(doc.noise)} learned path(s), excusing value differences only: "
            + ", ".join(
                one_line(
                    f"{n.target} {n.operation} {n.path} ({n.differed}/{n.observations}"
                    f"{', clock' if n.clock else ''}; excused {n.excused})"
                )
                for n in doc.noise
            ),
            markup=False,
        )
    for flaky in doc.flaky:
        out.print(one_line(f"FLAKY: {flaky.case}: {flaky.detail}: {flaky.series}"), markup=False)
    for name in doc.unreachable:
        out.print(f"UNREACHABLE: {name} never answered", markup=False)
    unsafe = sorted({c.method for c in doc.cases} & _UNSAFE)
    if unsafe:
        err.print(
            f"note: {', '.join(unsafe)} requests were sent to every target, as the cases say", markup=False
        )
    out.print("reports: " + ", ".join(str(p) for p in paths), markup=False)
