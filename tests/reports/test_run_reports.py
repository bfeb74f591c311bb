"""The run report writers over a synthetic paritygate.report/3 document."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.html
import orjson
import pytest
from lxml import etree
from markdown_it import MarkdownIt
from report_samples import (
    CLASS_KEY,
    HOSTILE,
    parity_result,
    review_doc,
    review_result,
    sample_doc,
    smoke_result,
)

from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.errors import ConfigError
from paritygate.reports.run_files import write_run_reports
from paritygate.reports.run_html import render_html
from paritygate.reports.run_json import read_report
from paritygate.reports.run_junit import run_suites
from paritygate.reports.run_markdown import render_markdown
from paritygate.reports.run_view import body_lines


def test_writes_the_four_reports_the_phase_files_and_logs_dir(tmp_path: Path) -> None:
    files = write_run_reports(tmp_path, sample_doc())
    assert [p.name for p in files] == [
        "report.md",
        "report.html",
        "report.json",
        "junit.xml",
        "parity.json",
        "parity.md",
        "review.json",
        "review.md",
        "review.sarif",
        "smoke.json",
        "logs",
    ]
    assert all(p.exists() for p in files)
    assert read_report(tmp_path).verdict == "ship-with-known-gap"
    review = orjson.loads((tmp_path / "review.json").read_bytes())
    assert review["schema"] == "paritygate.review/2" and review["range"] == "A..B"
    assert "c1 validatord (46KB) → 0 convergent / 1 distinct" in (tmp_path / "review.md").read_text()


def test_a_run_without_review_data_writes_no_review_files(tmp_path: Path) -> None:
    doc = sample_doc([smoke_result(), parity_result()])
    files = write_run_reports(tmp_path, doc)
    assert not any(p.name.startswith("review") for p in files)
    assert not (tmp_path / "review.md").exists()


def test_html_shows_service_and_reviewer_markup_as_text() -> None:
    doc = sample_doc([smoke_result(fail=True), parity_result(hostile=True), review_result()])
    page = render_html(doc)
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//script") == []
    assert tree.xpath("//img") == [] and tree.xpath("//b") == []
    assert not [el for el in tree.iter() if any(name.startswith("on") for name in el.attrib)]
    text = tree.text_content()
    assert '<script>alert(\\"pwned\\")</script>' in text  # the body, shown as JSON text
    assert HOSTILE in text  # the smoke body snippet and the reviewer's finding, verbatim
    assert "&lt;script&gt;" in page


def test_html_is_self_contained() -> None:
    page = render_html(sample_doc())
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//link") == [] and tree.xpath("//script") == []
    assert not [src for src in tree.xpath("//@src")]
    assert tree.xpath("//style") and "Content-Security-Policy" in page


def test_html_grid_marks_differing_lines_and_known_class() -> None:
    tree = lxml.html.fromstring(render_html(sample_doc()))
    hot = [el.text_content() for el in tree.xpath("//span[contains(@class, 'hot')]")]
    assert any('"Schema"' in line for line in hot) and any('"Kind"' in line for line in hot)
    assert not any('"valid"' in line for line in hot)
    row = tree.xpath("//table[@id='classes-table']//tr[td]")[0].text_content()
    assert CLASS_KEY in row and "known" in row and "_open_" in row and "tagged enum vs flat kind field" in row


def test_body_lines_highlight_only_the_differing_subtree() -> None:
    lines = body_lines({"a": {"b": 1, "c": [1, 2]}, "d": "x"}, {"$.a.c"})
    hot = [line.text.strip() for line in lines if line.hot]
    assert hot == ['"c": [', "1,", "2", "]"]
    assert body_lines("plain <b>text</b>", {"$"})[0].hot


def test_markdown_escapes_data_and_keeps_stable_anchors() -> None:
    doc = sample_doc(
        [smoke_result(fail=True), parity_result(known=False, hostile=True), review_result(lineages=2)]
    )
    md = render_markdown(doc)
    for heading in ("## Verdict", "## Smoke checks", "## Parity cases", "## Divergence classes", "## Review"):
        assert heading in md
    assert "**block**" in md
    # Rendered by a CommonMark renderer that passes raw HTML through, nothing from the data is markup.
    tree = lxml.html.fromstring(MarkdownIt("commonmark").enable("table").render(md))
    assert tree.xpath("//script") == [] and tree.xpath("//img") == [] and tree.xpath("//b") == []
    assert HOSTILE in tree.text_content()


def test_junit_has_a_suite_per_phase_and_the_verdict() -> None:
    doc = sample_doc([smoke_result(fail=True), parity_result(known=False), review_result(lineages=2)])
    suites = {s.name: s for s in run_suites(doc)}
    assert set(suites) == {"smoke.envelope", "parity", "review", "verdict"}
    smoke_failures = [c.name for c in suites["smoke.envelope"].cases if c.failure]
    assert smoke_failures == ["bad-json-flat"]
    parity_failures = [c.name for c in suites["parity"].cases if c.failure]
    assert parity_failures == ["playbook_missing_fingerprint"]
    assert [c.name for c in suites["review"].cases if c.failure] == ["src/x.py:10"]
    assert suites["verdict"].cases[0].failure is not None


def test_junit_marks_errored_and_skipped_phases() -> None:
    doc = sample_doc([smoke_result(), parity_result()])
    doc.phases["review"] = PhaseResult("review", PhaseStatus.SKIPPED, "no [review]")
    doc.phases["stack"] = PhaseResult("stack", PhaseStatus.ERROR, "error: port busy", error="port 3100 busy")
    suites = {s.name: s for s in run_suites(doc)}
    assert suites["review"].cases[0].skipped == "no [review]"
    assert suites["stack"].cases[0].error == "error: port busy"


def test_junit_file_parses(tmp_path: Path) -> None:
    write_run_reports(tmp_path, sample_doc([smoke_result(fail=True), parity_result(hostile=True)]))
    root = etree.parse(
        str(tmp_path / "junit.xml"), etree.XMLParser(resolve_entities=False, no_network=True)
    ).getroot()
    assert root.tag == "testsuites" and int(root.get("failures", "0")) == 2  # the smoke check and the verdict


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"{not json", "not valid JSON", id="bad-json"),
        pytest.param(
            b'{"schema": "paritygate.report/9"}',
            "schema: expected 'paritygate.report/3', got 'paritygate.report/9'",
            id="schema",
        ),
        pytest.param(
            b'{"schema": "paritygate.report/3", "run_id": "x", "verdict": "ship", "reasons": []}',
            "paritygate_version: missing",
            id="missing",
        ),
    ],
)
def test_read_report_rejects_bad_documents(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "report.json").write_bytes(content)
    with pytest.raises(ConfigError, match=message) as info:
        read_report(tmp_path)
    assert "report.json" in str(info.value)


def test_read_report_of_a_missing_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read run report"):
        read_report(tmp_path / "nope")


def test_report_json_round_trips(tmp_path: Path) -> None:
    doc = sample_doc()
    write_run_reports(tmp_path, doc)
    back = read_report(tmp_path)
    assert back == doc
    assert orjson.loads((tmp_path / "report.json").read_bytes()) == back.to_json()


def _dry_run_review() -> PhaseResult:
    result = review_result()
    result.status, result.findings = PhaseStatus.PASSED, []
    result.summary = (
        "dry run over the last commit (A..B): 1 bundle(s), nothing sent; add [[review.reviewers]]"
    )
    doc = review_doc(result)
    bundle = dataclasses.replace(doc.bundles[0], tally_line="c1 validatord (46KB) → dry run, not sent")
    result.data = dataclasses.replace(
        doc,
        dry_run=True,
        dry_run_reason="no reviewers configured",
        reviewers=[],
        findings=[],
        bundles=[bundle],
    )
    return result


def test_a_dry_run_review_shows_its_bundles_and_tally_in_both_reports(tmp_path: Path) -> None:
    doc = sample_doc([smoke_result(), parity_result(), _dry_run_review()])
    write_run_reports(tmp_path, doc)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    review = md.split("## Review", 1)[1].split("## Files", 1)[0]
    assert "**Dry run — not sent** (no reviewers configured)" in review
    assert "dry run over the last commit (A..B)" in review
    assert "- c1 validatord (46KB) → dry run, not sent" in review
    assert (
        "Details: [review.md](review.md) · [review.json](review.json) · [review.sarif](review.sarif)"
        in review
    )
    tree = lxml.html.fromstring((tmp_path / "report.html").read_text(encoding="utf-8"))
    badge = tree.xpath("string(//p[@id='review-dry-run']/span)")
    assert badge == "dry run — not sent"
    assert [li.text_content() for li in tree.xpath("//ul[@id='review-tally']/li")] == [
        "c1 validatord (46KB) → dry run, not sent"
    ]
    assert tree.xpath("//table[@id='review-findings']") == []
    (details,) = [el for el in tree.xpath("//p") if el.text_content().startswith("details:")]
    assert [a.get("href") for a in details.xpath(".//a")] == ["review.md", "review.json", "review.sarif"]


def test_a_review_skipped_before_any_bundle_shows_its_reason_only() -> None:
    skipped = PhaseResult(
        "review",
        PhaseStatus.SKIPPED,
        "review skipped: range A..B changes no files",
        data=dataclasses.replace(
            review_doc(review_result()), dry_run=True, dry_run_reason="requested", bundles=[], findings=[]
        ),
    )
    doc = sample_doc([smoke_result(), parity_result(), skipped])
    md = render_markdown(doc).split("## Review", 1)[1].split("## Files", 1)[0]
    assert md.strip() == "review skipped: range A..B changes no files"
    tree = lxml.html.fromstring(render_html(doc))
    assert tree.xpath("//p[@id='review-dry-run']") == [] and tree.xpath("//ul[@id='review-tally']") == []
    assert "review skipped: range A..B changes no files" in tree.text_content()


def test_a_review_finding_without_a_place_shows_the_reviewers_where() -> None:
    review = review_result()
    doc = review_doc(review)
    (finding,) = doc.findings
    vote = dataclasses.replace(finding.votes[0], where="the parser", path=None, start=None, end=None)
    unplaced = dataclasses.replace(
        finding, path=None, start=None, end=None, line_kind="unanchored", votes=[vote]
    )
    review.data = dataclasses.replace(doc, findings=[unplaced])
    doc = sample_doc([smoke_result(), parity_result(), review])
    md = render_markdown(doc).split("## Review", 1)[1]
    assert "`the parser`" in md and "None:None" not in md
    tree = lxml.html.fromstring(render_html(doc))
    assert tree.xpath("string(//table[@id='review-findings']/tbody/tr/td[2])") == "the parser"
