"""Every count of one run agrees across parity.md, parity.json, report.md, report.html,
junit.xml and the history entry — for a run with a case that got no answer and a case whose
only difference is a header (the two places where "match", "body match" and "diff" part).

The expected numbers are recounted here from parity.json's cases with the definitions of
docs/parity.md, so a writer that counts on its own (or labels one count as another) fails.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import orjson
import pytest
from lxml import etree, html

sys.path.insert(0, str(Path(__file__).parents[1] / "gauntlet"))
from gauntlet_helpers import write_flip_project

from paritygate.config import load_config
from paritygate.gauntlet import RunResult, run_gauntlet
from paritygate.history import HistoryStore

CASES = """
[[cases]]
name = "stable"
method = "GET"
path = "/stable"

[[cases]]
name = "header-only"
method = "GET"
path = "/header"

[[cases]]
name = "no-answer"
method = "GET"
path = "/hangup"

[[cases]]
name = "flippy"
method = "GET"
path = "/flip"
"""

TALLY = re.compile(
    r"Tally: (?P<match>\d+) match · (?P<diff>\d+) diff \(out of (?P<cases>\d+) cases\)"
    r" · (?P<status_match>\d+)/\d+ status match · (?P<body_diff>\d+) body diff"
    r" · (?P<header_only>\d+) header-only diff · (?P<errors>\d+) no answer"
)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    root = tmp_path_factory.mktemp("counts") / "project"
    config = write_flip_project(root, cases=CASES)
    text = config.read_text().replace(
        'tracker = "DECISIONS.md"', 'tracker = "DECISIONS.md"\nheaders = ["content-type", "x-flavour"]'
    )
    config.write_text(text)
    (root / "mode.txt").write_text("diff")
    return run_gauntlet(load_config(config), only=["stack", "parity"])


def _expected(parity: dict[str, object]) -> dict[str, int]:
    """The counts, recounted from the cases by docs/parity.md's definitions."""
    cases = parity["cases"]
    assert isinstance(cases, list)
    answered = [c for c in cases if all(t["error"] is None for t in c["targets"].values())]
    match = sum(1 for c in answered if c["outcome"] == "match")
    body_match = sum(1 for c in answered if c["body_match"])
    return {
        "cases": len(cases),
        "status_match": sum(1 for c in answered if len({t["status"] for t in c["targets"].values()}) == 1),
        "match": match,
        "diff": len(answered) - match,
        "body_match": body_match,
        "body_diff": len(answered) - body_match,
        "header_only": sum(1 for c in answered if c["body_match"] and c["outcome"] != "match"),
        "errors": len(cases) - len(answered),
    }


def _line_counts(text: str) -> dict[str, int]:
    (found,) = [m.groupdict() for m in TALLY.finditer(text)]
    return {k: int(v) for k, v in found.items()}


def _without_body_match(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k != "body_match"}


def test_the_run_has_the_cases_that_tell_the_counts_apart(run: RunResult) -> None:
    parity = orjson.loads((run.run_dir / "parity.json").read_bytes())
    assert _expected(parity) == {
        "cases": 4,
        "status_match": 3,
        "match": 1,
        "diff": 2,
        "body_match": 2,
        "body_diff": 1,
        "header_only": 1,
        "errors": 1,
    }
    by_name = {c["name"]: c for c in parity["cases"]}
    assert by_name["header-only"]["body_match"] is True and by_name["header-only"]["outcome"] != "match"
    assert "body" not in by_name["no-answer"]["targets"]["right"]  # absent, not null


def test_parity_json_and_report_json_hold_the_recounted_tally(run: RunResult) -> None:
    parity = orjson.loads((run.run_dir / "parity.json").read_bytes())
    report = orjson.loads((run.run_dir / "report.json").read_bytes())
    expected = _expected(parity)
    assert parity["tally"] == expected
    assert report["tally"] == expected
    assert report["phases"]["parity"]["data"]["tally"] == expected


def test_parity_md_tally_line_and_table_agree(run: RunResult) -> None:
    expected = _expected(orjson.loads((run.run_dir / "parity.json").read_bytes()))
    text = (run.run_dir / "parity.md").read_text(encoding="utf-8")
    assert _line_counts(text) == _without_body_match(expected)
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Case")]
    assert len(rows) == expected["cases"]
    body_marks = [row.rstrip(" |").rsplit("|", 1)[1].strip() for row in rows]
    assert body_marks.count("✓") == expected["body_match"]
    assert sum("no answer" in row for row in rows) == expected["errors"]
    assert text.count("### DIFF — ") == expected["diff"] and text.count("### ERROR — ") == expected["errors"]


def test_report_md_tally_line_and_table_agree(run: RunResult) -> None:
    expected = _expected(orjson.loads((run.run_dir / "parity.json").read_bytes()))
    text = (run.run_dir / "report.md").read_text(encoding="utf-8")
    section = text.split("## Parity cases", 1)[1].split("## Divergence classes", 1)[0]
    assert _line_counts(section) == _without_body_match(expected)
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| case |")) + 2
    rows = lines[start : lines.index("", start)]
    assert len(rows) == expected["cases"]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert sum(1 for c in cells if c[-3] == "✓") == expected["body_match"]  # the body match column
    assert sum(1 for c in cells if c[-2] == "✓ match") == expected["match"]
    assert sum(1 for c in cells if c[-2] == "✗ error") == expected["errors"]


def test_report_html_tiles_line_and_grid_agree(run: RunResult) -> None:
    expected = _expected(orjson.loads((run.run_dir / "parity.json").read_bytes()))
    page = html.fromstring((run.run_dir / "report.html").read_bytes())
    tiles = {
        card.find_class("k")[0].text_content(): card.find_class("v")[0].text_content()
        for card in page.get_element_by_id("parity-tally").find_class("card")
    }
    assert tiles == {
        "cases": str(expected["cases"]),
        "status match": f"{expected['status_match']}/{expected['cases']}",
        "match": str(expected["match"]),
        "diff": str(expected["diff"]),
        "body diff": str(expected["body_diff"]),
        "header-only diff": str(expected["header_only"]),
        "no answer": str(expected["errors"]),
    }
    assert _line_counts(page.get_element_by_id("parity-tally-line").text_content()) == _without_body_match(
        expected
    )
    outcomes = [
        row.xpath("./td")[-2].text_content().strip()
        for row in page.xpath('//table[@id="parity-grid"]/tbody/tr')
    ]
    assert len(outcomes) == expected["cases"]
    assert outcomes.count("match") == expected["match"] and outcomes.count("error") == expected["errors"]


def test_junit_counts_agree(run: RunResult) -> None:
    expected = _expected(orjson.loads((run.run_dir / "parity.json").read_bytes()))
    root = etree.fromstring((run.run_dir / "junit.xml").read_bytes(), etree.XMLParser(resolve_entities=False))
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == "parity"]
    cases = suite.findall("testcase")
    assert len(cases) == expected["cases"] == int(suite.get("tests", "-1"))
    assert int(suite.get("errors", "-1")) == expected["errors"]
    # no class of this run is in the tracker: every answered case that differs fails
    assert int(suite.get("failures", "-1")) == expected["diff"]
    passed = [c for c in cases if c.find("failure") is None and c.find("error") is None]
    assert len(passed) == expected["match"]


def test_the_history_entry_holds_the_same_counts(run: RunResult) -> None:
    expected = _expected(orjson.loads((run.run_dir / "parity.json").read_bytes()))
    history = run.run_dir.parents[1] / "history.sqlite"
    with HistoryStore.open(history) as store:
        snap = store.get(run.run_id)
    counts = snap.phases["parity"].counts
    assert {k: counts[k] for k in expected} == expected
    outcomes = {c.name: c.outcome for c in snap.cases if c.phase == "parity"}
    assert sum(1 for o in outcomes.values() if o == "match") == expected["match"]
    assert sum(1 for o in outcomes.values() if o == "error") == expected["errors"]
