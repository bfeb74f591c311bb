"""The review phase inside `paritygate run`: with no reviewer configured it is a dry run over the
last commit of the project's git work tree (nothing sent); outside a work tree it is skipped,
saying why and how to enable it. Its reports land in the run directory either way it ran."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import orjson
import pytest
from click.testing import CliRunner
from gauntlet_helpers import write_flip_project

from paritygate.cli.main import cli
from paritygate.config import load_config
from paritygate.gauntlet import run_gauntlet
from paritygate.phases.review import find_last_commit

_GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=paritygate tests", "-c", "user.email=tests@example.invalid", *args],
        cwd=repo,
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def _commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    _git(repo, "add", "--", *files)
    _git(repo, "commit", "-q", "--no-gpg-sign", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _repo(path: Path) -> Path:
    path.mkdir(parents=True)
    _git(path, "init", "-q")
    return path


def _bundled_paths(review: dict[str, Any]) -> list[str]:
    return sorted(f if isinstance(f, str) else f["path"] for b in review["bundles"] for f in b["files"])


@pytest.fixture
def demo_in_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """A git work tree with two commits and no paritygate.toml: `paritygate run` uses the demo there."""
    repo = _repo(tmp_path / "checkout")
    first = _commit(repo, {"lib/first.py": "def first() -> int:\n    return 1\n"}, "first")
    last = _commit(repo, {"lib/second.py": "def second() -> int:\n    return 2\n"}, "second")
    monkeypatch.chdir(repo / "lib")  # a subdirectory: the work tree is found upward
    return repo, first, last


def test_demo_run_in_a_checkout_dry_runs_the_review_over_the_last_commit(
    demo_in_a_checkout: tuple[Path, str, str],
) -> None:
    repo, first, last = demo_in_a_checkout
    result = CliRunner().invoke(cli, ["run", "--only", "review"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("✓ review")]
    assert "dry run over the last commit" in line and "nothing sent" in line
    assert "[[review.reviewers]]" in line and "docs/review.md" in line
    for name in ("review.md", "review.json", "review.sarif", "review/"):
        assert f"  {name}" in result.stdout
    (run_dir,) = (repo / "lib" / ".paritygate" / "runs").iterdir()
    report = orjson.loads((run_dir / "report.json").read_bytes())
    review = report["phases"]["review"]
    assert review["status"] == "passed" and review["summary"] == line.split(None, 3)[3].strip()
    data = review["data"]
    assert data["dry_run"] is True and data["commits"] == 1
    assert (data["base"], data["tip"]) == (first, last)  # the last commit only, not the whole day
    assert _bundled_paths(data) == ["lib/second.py"]
    assert orjson.loads((run_dir / "review.json").read_bytes())["tip"] == last
    assert {"review.md", "review.json", "review.sarif", "review/"} <= set(report["files"]["phase_files"])
    tally = data["bundles"][0]["tally_line"]
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "**Dry run — not sent**" in markdown
    assert f"- {tally.replace('<', '&lt;')}" in markdown  # escaped: "(<1KB)" is not markup
    assert "[review.sarif](review.sarif)" in markdown
    page = lxml.html.fromstring((run_dir / "report.html").read_text(encoding="utf-8"))
    assert "dry run — not sent" in page.xpath("string(//p[@id='review-dry-run'])")
    assert [li.text_content() for li in page.xpath("//ul[@id='review-tally']/li")] == [tally]
    assert report["verdict"] == "ship"
    history = CliRunner().invoke(cli, ["history"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert history.exit_code == 0 and "dry run, 1 bundle(s)" in history.stdout


def test_a_root_commit_is_reviewed_against_the_empty_tree(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "project")
    config = write_flip_project(repo)
    config.write_text(config.read_text() + '\n[review]\ncomponents = { app = ["src/**"] }\n')
    root = _commit(repo, {"src/app.py": "print('hello')\n", "paritygate.toml": config.read_text()}, "root")
    last = find_last_commit(repo)
    assert not isinstance(last, str) and last.root and last.work_tree == repo.resolve()
    result = run_gauntlet(load_config(config), only=["review"])
    review = result.phases["review"]
    assert review.summary.startswith("dry run over the root commit (")
    assert "to paritygate.toml to enable real reviewers" in review.summary
    assert review.review is not None and review.review.summary == review.summary
    assert review.summary in (result.run_dir / "review.md").read_text()  # review.md says the same
    doc = review.review
    assert doc is not None and doc.base_is_empty_tree is True and doc.tip == root
    assert [b.component for b in doc.bundles] == ["app", "other"]
    assert {p.name for p in result.files} >= {"review.md", "review.json", "review.sarif"}


def test_outside_a_git_work_tree_the_review_is_skipped_saying_how_to_enable_it(tmp_path: Path) -> None:
    config = write_flip_project(tmp_path / "plain")
    assert find_last_commit(config.parent) == f"{config.parent} is not inside a git work tree"
    result = run_gauntlet(load_config(config), only=["review"])
    review = result.phases["review"]
    assert review.status.value == "skipped"
    assert review.summary.startswith(f"skipped: {config.parent} is not inside a git work tree")
    assert "inside a git checkout" in review.summary and "[[review.reviewers]]" in review.summary
    assert not any(p.name.startswith("review") for p in result.files)
    assert not (result.run_dir / "review.md").exists()


def test_a_repository_without_commits_has_nothing_to_review(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "empty")
    assert find_last_commit(repo) == f"the git repository at {repo.resolve()} has no commit yet"
