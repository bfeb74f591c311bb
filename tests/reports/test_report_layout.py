"""report.html reads top-down: verdict, divergence classes, then per-case details; passing
smoke checks fold into one line, failures stay in full; long class titles are cut with the
full text on hover."""

from __future__ import annotations

import dataclasses
from typing import Any

import lxml.html
from report_samples import parity_result, sample_doc, smoke_result

from paritygate.core.run_doc import RunDocument
from paritygate.reports.parity_view import TITLE_LIMIT, cut_text
from paritygate.reports.run_html import render_html

LONG_TITLE = "error wire shape: " + " / ".join(
    f"variant-{i} tagged enum vs flat kind field" for i in range(12)
)


def _dom(doc: RunDocument) -> Any:
    return lxml.html.fromstring(render_html(doc))


def test_sections_run_verdict_then_classes_then_cases() -> None:
    html = render_html(sample_doc([smoke_result(), parity_result()]))
    where = [html.index(f'id="{name}"') for name in ("verdict", "divergence-classes", "parity-cases")]
    assert where == sorted(where)
    dom = lxml.html.fromstring(html)
    first_case = dom.xpath("//details[starts-with(@id, 'case-')]")[0]
    assert html.index(f'id="{first_case.get("id")}"') > where[2]


def test_passing_smoke_checks_fold_into_one_line() -> None:
    dom = _dom(sample_doc([smoke_result(), parity_result()]))
    folded = dom.xpath("//details[@id='smoke-passed']")
    assert len(folded) == 1 and folded[0].get("open") is None
    assert folded[0].xpath("string(summary)").strip() == "2 checks passed"
    assert len(folded[0].xpath(".//tbody/tr")) == 2
    assert dom.xpath("//table[@id='smoke-table']") == []  # nothing failed: no failures table


def test_failed_smoke_checks_stay_in_full() -> None:
    dom = _dom(sample_doc([smoke_result(fail=True), parity_result()]))
    failed = dom.xpath("//table[@id='smoke-table']/tbody/tr")
    assert len(failed) == 1
    assert "bad-json-flat" in failed[0].text_content()
    assert "status: expected 418, got 400" in " ".join(failed[0].text_content().split())
    assert not failed[0].xpath("ancestor::details")  # not folded away
    assert dom.xpath("string(//details[@id='smoke-passed']/summary)").strip() == "1 check passed"


def test_long_class_title_is_cut_with_full_text_on_hover() -> None:
    doc = sample_doc([smoke_result(), parity_result()])
    assert doc.parity is not None
    doc.parity.classes[0] = dataclasses.replace(doc.parity.classes[0], title=LONG_TITLE)
    cell = _dom(doc).xpath("//table[@id='classes-table']//div[contains(@class, 'cut')]")
    assert len(cell) == 1
    shown = cell[0].text_content()
    assert len(shown) == TITLE_LIMIT and shown.endswith("…") and LONG_TITLE.startswith(shown[:-1].rstrip())
    assert cell[0].get("title") == LONG_TITLE


def test_cut_text_keeps_short_text_whole() -> None:
    assert cut_text("short") == "short"
    assert cut_text("x" * TITLE_LIMIT) == "x" * TITLE_LIMIT
    assert cut_text("x" * (TITLE_LIMIT + 1)) == "x" * (TITLE_LIMIT - 1) + "…"
