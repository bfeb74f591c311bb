"""The known / new / came-back badges and the status highlight, in every writer that shows them."""

from __future__ import annotations

import dataclasses

import lxml.html
import pytest
from report_samples import CLASS_KEY, parity_result, sample_doc, smoke_result

from paritygate.core.models import PhaseResult
from paritygate.core.parity_doc import DifferenceDoc, ParityDocument
from paritygate.reports.parity_report import parity_markdown
from paritygate.reports.run_html import render_html
from paritygate.reports.run_markdown import render_markdown


def _parity(result: PhaseResult) -> ParityDocument:
    assert result.parity is not None
    return result.parity


def _came_back() -> PhaseResult:
    result = parity_result(known=False)
    doc = _parity(result)
    doc.classes = [dataclasses.replace(c, came_back=True) for c in doc.classes]
    return result


@pytest.mark.parametrize(
    ("result", "badge", "not_badges"),
    [
        pytest.param(parity_result(known=True), "known", ("new", "came-back"), id="known"),
        pytest.param(parity_result(known=False), "new", ("known", "came-back"), id="new"),
        pytest.param(_came_back(), "came-back", ("known", "new"), id="came-back"),
    ],
)
def test_the_class_badge_follows_the_class_status(
    result: PhaseResult, badge: str, not_badges: tuple[str, ...]
) -> None:
    tree = lxml.html.fromstring(render_html(sample_doc([smoke_result(), result])))
    (grid_row,) = [
        r for r in tree.xpath("//table[@id='parity-grid']/tbody/tr") if CLASS_KEY in r.text_content()
    ]
    class_cell = grid_row.xpath("./td")[-1]
    assert class_cell.xpath(f".//span[contains(concat(' ', @class, ' '), ' b-{badge} ')]")
    for other in not_badges:
        assert not class_cell.xpath(f".//span[contains(concat(' ', @class, ' '), ' b-{other} ')]")
    (table_row,) = tree.xpath("//table[@id='classes-table']/tbody/tr")
    assert table_row.xpath(f".//span[contains(concat(' ', @class, ' '), ' b-{badge} ')]")
    # the outcome badge is the "known shape" colour only for a known class
    outcome = grid_row.xpath("./td")[-2].xpath(".//span")[0].get("class")
    assert ("b-known-shape" in outcome) is (badge == "known")
    md = render_markdown(sample_doc([smoke_result(), result]))
    (md_row,) = [line for line in md.splitlines() if line.startswith("| `playbook_missing_fingerprint`")]
    assert md_row.endswith(f"({badge}) |")
    text = {"known": "known", "new": "NEW", "came-back": "CAME BACK"}[badge]
    headings = [line for line in parity_markdown(_parity(result)).splitlines() if line.startswith("### ")]
    assert [h.rsplit(" — ", 1)[1] for h in headings if " — " in h and not h.startswith("### DIFF")] == [text]


def _with_status_difference() -> PhaseResult:
    result = parity_result(known=True)
    doc = _parity(result)
    case = next(c for c in doc.cases if c.name == "playbook_missing_fingerprint")
    case.targets["flat"].status = 500
    case.status_match = False
    case.pairs[0].differences.insert(0, DifferenceDoc("status", "status", left=422, right=500))
    return result


def test_only_the_status_cells_of_a_status_difference_are_highlighted() -> None:
    tree = lxml.html.fromstring(render_html(sample_doc([smoke_result(), _with_status_difference()])))
    rows = {r.xpath("./td")[0].text_content(): r for r in tree.xpath("//table[@id='parity-grid']/tbody/tr")}
    differing = rows["playbook_missing_fingerprint"].xpath(
        "./td[contains(concat(' ', @class, ' '), ' differs ')]"
    )
    assert [td.text_content().split()[0] for td in differing] == ["422", "500"]
    assert not rows["playbook_happy"].xpath("./td[contains(concat(' ', @class, ' '), ' differs ')]")
    plain = lxml.html.fromstring(render_html(sample_doc([smoke_result(), parity_result(known=True)])))
    assert not plain.xpath("//table[@id='parity-grid']//td[contains(concat(' ', @class, ' '), ' differs ')]")
