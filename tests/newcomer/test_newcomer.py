"""A newcomer's first hour: init, a check that catches each mistake, decisions from the CLI.

Each test drives the real CLI in a separate process (as a user in a shell would) against
projects of two ``python3 -m http.server`` implementations on free loopback ports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

SERVER = f"{sys.executable} -m http.server --bind 127.0.0.1 {{port}}"


def paritygate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "paritygate", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def init_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    done = paritygate("init", "--service", f"a={SERVER}", "--service", f"b={SERVER}", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_init_then_run_in_an_empty_git_directory_commits_nothing_of_paritygate(tmp_path: Path) -> None:
    root = tmp_path / "api"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    init_project(root)
    assert sorted(p.name for p in root.iterdir() if p.name != ".git") == [
        ".paritygate",
        "DECISIONS.md",
        "cases.toml",
        "paritygate.toml",
        "smoke.toml",
    ]
    again = paritygate("init", "--service", f"a={SERVER}", "--service", f"b={SERVER}", cwd=root)
    assert again.returncode == 2 and "refusing to overwrite paritygate.toml" in error_line(again)
    check = paritygate("check", cwd=root)
    assert check.returncode == 0, check.stderr
    assert "tracker: " in check.stdout and "0 row(s)" in check.stdout
    run = paritygate("run", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "verdict: SHIP" in run.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status and not [line for line in status.splitlines() if ".paritygate" in line]
    assert (root / ".paritygate" / "runs").is_dir()


def _mistakes(root: Path) -> dict[str, tuple[Path, str, str]]:
    """name -> (file, original text, broken text)."""
    config = root / "paritygate.toml"
    cases = root / "cases.toml"
    tracker = root / "DECISIONS.md"
    c, k, t = (p.read_text(encoding="utf-8") for p in (config, cases, tracker))
    return {
        "tracker typo": (config, c, c.replace('tracker = "DECISIONS.md"', 'tracker = "DECISION.md"')),
        "tracker header renamed": (tracker, t, t.replace("| key | area |", "| id | area |")),
        "jsn in cases": (cases, k, k.replace('path = "/"', 'path = "/"\njsn = { a = 1 }')),
        "unknown placeholder": (config, c, c.replace('"{port}"', '"{prot}"', 1)),
        "command not on PATH": (config, c, c.replace('"' + sys.executable + '"', '"no-such-program-xyz"', 1)),
    }


EXPECTED = {
    "tracker typo": ("DECISION.md", "the decisions tracker does not exist"),
    "tracker header renamed": ("DECISIONS.md", "no decisions table"),
    "jsn in cases": ("cases.toml", "jsn"),
    "unknown placeholder": ("services.a.command[", "unknown placeholder {prot}"),
    "command not on PATH": ("services.a.command[0]", "'no-such-program-xyz' is not on PATH"),
}


def test_check_catches_each_mistake_with_exit_2_and_one_line(tmp_path: Path) -> None:
    root = init_project(tmp_path / "api")
    for name, (path, original, broken) in _mistakes(root).items():
        assert broken != original, name
        path.write_text(broken, encoding="utf-8")
        try:
            done = paritygate("check", cwd=root)
            assert done.returncode == 2, (name, done.stdout, done.stderr)
            line = error_line(done)
            where, what = EXPECTED[name]
            assert where in line and what in line, (name, line)
            assert "Traceback" not in done.stderr
            # run refuses the same way, before anything starts or is written
            ran = paritygate("run", cwd=root)
            assert ran.returncode == 2 and error_line(ran) == line, (name, ran.stderr)
            assert not (root / ".paritygate" / "runs").exists()
        finally:
            path.write_text(original, encoding="utf-8")
    assert paritygate("check", cwd=root).returncode == 0


def _status_project(root: Path) -> Path:
    """a serves a file b lacks: GET /only-a.txt is 200 on a and 404 on b (a status class)."""
    init_project(root)
    for name in ("a", "b"):
        (root / name).mkdir()
    (root / "a" / "only-a.txt").write_text("here\n", encoding="utf-8")
    config = root / "paritygate.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("[services.a]\n", '[services.a]\ncwd = "a"\n').replace(
        "[services.b]\n", '[services.b]\ncwd = "b"\n'
    )
    config.write_text(text, encoding="utf-8")
    (root / "cases.toml").write_text(
        '[[cases]]\nname = "only-a"\nmethod = "GET"\npath = "/only-a.txt"\ntags = ["files"]\n\n'
        '[[cases]]\nname = "listing-of-nothing"\nmethod = "GET"\npath = "/missing.txt"\n',
        encoding="utf-8",
    )
    return root


def _run_dir(root: Path) -> Path:
    (run_dir,) = sorted((root / ".paritygate" / "runs").iterdir())[-1:]
    return run_dir


@pytest.mark.slow
def test_accepting_a_status_class_turns_block_into_a_known_gap_until_it_expires(tmp_path: Path) -> None:
    root = _status_project(tmp_path / "api")
    run = paritygate("run", "--json", cwd=root)
    assert run.returncode == 1, run.stdout + run.stderr
    summary = orjson.loads(run.stdout)
    blocks = [r for r in summary["reasons"] if r["level"] == "block"]
    assert len(blocks) == 1, blocks  # one divergence, one reason
    key = blocks[0]["evidence"]
    assert key.startswith("status·") and "tracker accept" in blocks[0]["message"]
    run_dir = Path(summary["run_dir"])

    accepted = paritygate(
        "tracker", "accept", key, "--note", "b has no files yet", "--owner", "ana", cwd=root
    )
    assert accepted.returncode == 0, accepted.stderr
    assert f"{key}: accepted" in accepted.stdout
    listing = paritygate("tracker", "list", "--json", cwd=root)
    (row,) = orjson.loads(listing.stdout)["rows"]
    assert (row["key"], row["status"], row["owner"], row["decision"]) == (
        key,
        "accepted",
        "ana",
        "b has no files yet",
    )

    judged = paritygate("assess", str(run_dir), "--json", cwd=root)
    assert judged.returncode == 0, judged.stdout + judged.stderr
    verdict = orjson.loads(judged.stdout)
    assert verdict["verdict"] == "ship-with-known-gap"
    assert [r["level"] for r in verdict["reasons"]] == ["gap"]

    expired = paritygate(
        "tracker", "accept", key, "--note", "b has no files yet", "--expires", "2000-01-31", cwd=root
    )
    assert expired.returncode == 0, expired.stderr
    again = paritygate("assess", str(run_dir), "--json", cwd=root)
    assert again.returncode == 1
    (reason,) = orjson.loads(again.stdout)["reasons"]
    assert reason["level"] == "block" and "expired on 2000-01-31" in reason["message"]

    reopened = paritygate("tracker", "reopen", key, cwd=root)
    assert reopened.returncode == 0 and f"{key}: _open_" in reopened.stdout
    still = orjson.loads(paritygate("assess", str(run_dir), "--json", cwd=root).stdout)
    assert still["verdict"] == "block"
    assert "is _open_: decide it with `paritygate tracker accept" in still["reasons"][0]["message"]
    text = (root / "DECISIONS.md").read_text(encoding="utf-8")
    assert text.startswith("# Decisions\n") and text.count(key) == 1

    missing = paritygate("tracker", "fix", "no-such-key", cwd=root)
    assert missing.returncode == 2 and "no-such-key" in error_line(missing)


@pytest.mark.slow
def test_record_decisions_and_case_selection_from_run(tmp_path: Path) -> None:
    root = _status_project(tmp_path / "api")
    unknown = paritygate("run", "--case", "only-b", cwd=root)
    assert unknown.returncode == 2 and "--case 'only-b'" in error_line(unknown)
    assert not (root / ".paritygate" / "runs").exists()  # refused before anything started

    selected = paritygate("run", "--tag", "files", "--record-decisions", "--json", cwd=root)
    assert selected.returncode == 1  # it was new when this run found it
    doc = orjson.loads((_run_dir(root) / "parity.json").read_bytes())
    assert [c["name"] for c in doc["cases"]] == ["only-a"]
    assert doc["fixed_skipped"] and "--tag files" in doc["fixed_skipped"]
    rows = orjson.loads(paritygate("tracker", "list", "--json", cwd=root).stdout)["rows"]
    assert [r["status"] for r in rows] == ["_open_"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changing_then_reverting_an_implementation_is_no_flaky_case(tmp_path: Path) -> None:
    root = _status_project(tmp_path / "api")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "two implementations"], check=True)
    copy = root / "b" / "only-a.txt"
    assert paritygate("run", "--case", "only-a", cwd=root).returncode == 1  # b lacks the file: 200 vs 404
    copy.write_text("here\n", encoding="utf-8")  # a deliberate change to b
    assert paritygate("run", "--case", "only-a", cwd=root).returncode == 0
    copy.unlink()  # and its revert
    assert paritygate("run", "--case", "only-a", cwd=root).returncode == 1
    doc = orjson.loads(paritygate("history", "--json", cwd=root).stdout)
    assert doc["flaky"] == []
    changes = [(c["service"], c["before"] != c["after"]) for c in doc["implementation_changes"]]
    assert changes == [("b", True), ("b", True)]
    text = paritygate("history", cwd=root).stdout
    assert "FLAKY: 0 case(s)" in text and "CHANGED b in " in text
    assert "fingerprint" in text
    # diff reads A -> B as given, and a tracker decision shows as a change
    runs = [r["run_id"] for r in doc["runs"]]  # newest first
    out = paritygate("diff", "previous", "latest", cwd=root).stdout
    assert f"from previous ({runs[1]}) to latest ({runs[0]})" in out
    back = paritygate("diff", "latest", "previous", cwd=root).stdout
    assert "reads backwards in time" in back
