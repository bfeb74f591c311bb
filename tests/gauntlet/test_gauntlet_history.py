"""Two real runs of a case that flips between match and diff: flaky in `paritygate history`,
the flip in `paritygate diff`, and the served markup shown as text in the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lxml.html
import orjson
import pytest
from click.testing import CliRunner
from gauntlet_helpers import write_flip_project
from markdown_it import MarkdownIt

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.gauntlet import RunResult, run_gauntlet


@dataclass(slots=True)
class Flipped:
    config: Path
    first: RunResult  # flippy matched
    second: RunResult  # flippy differed (and served markup)


@pytest.fixture(scope="module")
def flipped(tmp_path_factory: pytest.TempPathFactory) -> Flipped:
    config = write_flip_project(tmp_path_factory.mktemp("flip") / "project")
    mode = config.parent / "mode.txt"
    mode.write_text("match")
    first = run_gauntlet(load_config(config), only=["parity"])
    mode.write_text("diff")
    second = run_gauntlet(load_config(config), only=["parity"])
    return Flipped(config, first, second)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.output


def test_the_two_runs_differ_only_in_the_flipping_case(flipped: Flipped) -> None:
    assert flipped.first.verdict.verdict.value == "ship"
    assert flipped.second.verdict.verdict.value == "block"  # a new divergence, no tracker row
    outcomes = {c["name"]: c["outcome"] for c in flipped.second.phases["parity"].json_data["cases"]}
    assert outcomes["stable"] == "match" and outcomes["flippy"] != "match"
    assert flipped.first.run_id != flipped.second.run_id


def test_history_flags_the_flipping_case_as_flaky(flipped: Flipped) -> None:
    code, out = _cli("history", "--config", str(flipped.config), "--json")
    assert code == 0, out
    doc = orjson.loads(out)
    assert [r["run_id"] for r in doc["runs"]] == [flipped.second.run_id, flipped.first.run_id]  # newest first
    (flaky,) = doc["flaky"]
    assert (flaky["phase"], flaky["name"]) == ("parity", "flippy")
    assert [o["outcome"] for o in flaky["outcomes"]] == ["match", "shape"]
    assert doc["regressions"] == []
    code, text = _cli("history", "--config", str(flipped.config), "-n", "5")
    assert code == 0 and "FLAKY parity/flippy: match" in text and "REGRESSIONS: 0" in text
    assert flipped.second.run_id in text and "block" in text


def test_diff_shows_the_flip_and_the_new_divergence(flipped: Flipped) -> None:
    code, out = _cli("diff", "previous", "latest", "--config", str(flipped.config))
    assert code == 0, out
    assert "parity/flippy: match -> shape" in out
    assert "new divergences: 2" in out and "verdict: ship -> block" in out  # a value and a field: two causes
    # Run directories need no history, but --config keeps the demo's history out of the cwd.
    first, second = str(flipped.first.run_dir), str(flipped.second.run_dir)
    code, out = _cli("diff", second, first, "--json", "--config", str(flipped.config))
    doc = orjson.loads(out)
    assert [c["name"] for c in doc["cases"]] == ["flippy"] and len(doc["fixed"]) == 2 and doc["new"] == []


def test_served_markup_is_shown_as_text_in_the_reports(flipped: Flipped) -> None:
    run_dir = flipped.second.run_dir
    tree = lxml.html.fromstring((run_dir / "report.html").read_text(encoding="utf-8"))
    assert tree.xpath("//script") == [] and tree.xpath("//main//b") == []
    assert '<script>alert(\\"flip\\")</script><b onclick=\\"x()\\">bold</b>' in tree.text_content()
    md = MarkdownIt("commonmark").enable("table").render((run_dir / "report.md").read_text(encoding="utf-8"))
    rendered = lxml.html.fromstring(md)
    assert rendered.xpath("//script") == [] and "<script>" in rendered.text_content()


def test_unknown_run_in_diff_is_a_usage_error(flipped: Flipped) -> None:
    code, out = _cli("diff", "nope", "latest", "--config", str(flipped.config))
    assert code == 2 and "no run 'nope'" in out
