"""The size guard: warn, refuse (exit 2, naming the bundle and its size), force, split, clip."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from review_helpers import Repo, lines, review_doc

from paritygate.cli.main import cli
from paritygate.config import LoadedConfig
from paritygate.core.models import FindingKind
from paritygate.errors import UsageError
from paritygate.phases.review import run_review
from paritygate.phases.review.sizeguard import FORCE_ENV

FOUR = """
[review.components]
validatord = ["src/validatord/**"]
vectord = ["src/vectord/**"]
materializer = ["src/materializer/**"]
replay = ["src/replay/**"]
"""

# A reviewer is configured (so the guard applies as in a real run) but never called:
# every run here is a dry run, and nothing listens on port 9.
ONE = """
[review.components]
validatord = ["src/validatord/**"]

[[review.reviewers]]
name = "offline"
lineage = ["none"]
provider = "openai"
model = "m"
base_url = "http://127.0.0.1:9/v1"
"""

_HUNK = re.compile(r"@@ -\d+,(\d+) \+\d+,(\d+) @@")


def test_a_250kb_range_becomes_four_bundles_under_the_limit(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    repo.commit({"README.md": "# base\n"}, "base")
    change: dict[str, str | bytes | None] = {}
    for component in ("validatord", "vectord", "materializer", "replay"):
        for n in range(3):
            change[f"src/{component}/mod{n}.py"] = lines(f"{component}{n}", 350)  # ~21 KB each
    repo.commit(change, "a big day")
    result = run_review(
        write_config(FOUR), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out", dry_run=True
    )
    bundles = review_doc(result).bundles
    assert sum(b.bytes for b in bundles) > 250 * 1024
    assert [b.component for b in bundles] == ["validatord", "vectord", "materializer", "replay"]
    assert all(b.bytes < 100 * 1024 for b in bundles)
    # Each is above the 60 KB warning level: warned, still sent.
    assert all(b.oversize == "warn" and "above the 60 KB warning level" in b.warnings[0] for b in bundles)
    assert bundles[0].tally_line.startswith(f"c1 validatord ({round(bundles[0].bytes / 1024)}KB) → ")


def _oversize_repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    repo.commit({"README.md": "# base\n", "src/validatord/big.py": lines("old", 4000)}, "base")
    old = lines("old", 4000).splitlines(keepends=True)
    # One file over the limit by itself, in hundreds of separate hunks; plus a few small files.
    new = "".join(f"changed_{i} = {i}\n" if i % 10 == 0 else line for i, line in enumerate(old))
    change: dict[str, str | bytes | None] = {"src/validatord/big.py": new}
    for n in range(4):
        change[f"src/validatord/small{n}.py"] = lines(f"small{n}", 300)
    repo.commit(change, "oversize")
    return repo


def test_oversize_bundle_is_refused_with_its_name_and_size(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _oversize_repo(make_repo)
    loaded = write_config(ONE)
    with pytest.raises(UsageError) as info:
        run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out", dry_run=True)
    assert info.value.exit_code == 2
    assert re.search(r"c1 validatord is \d+ KB \(\d+ bytes\)", str(info.value))
    assert "--split" in str(info.value) and FORCE_ENV in str(info.value)
    # The same through the CLI: exit 2, the message on stderr.
    runner = CliRunner()
    outcome = runner.invoke(
        cli,
        ["review", "--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD", "--dry-run",
         "--out", str(tmp_path / "cli-out")],
    )  # fmt: skip
    assert outcome.exit_code == 2
    assert re.search(r"c1 validatord is \d+ KB \(\d+ bytes\)", outcome.stderr)


def test_override_by_flag_or_environment_is_disclosed(
    make_repo: Callable[[str], Repo],
    write_config: Callable[[str], LoadedConfig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = _oversize_repo(make_repo)
    loaded = write_config(ONE)
    forced = run_review(
        loaded,
        repo=repo.path,
        rev_range="HEAD~1..HEAD",
        out_dir=tmp_path / "a",
        dry_run=True,
        force_oversize=True,
    )
    (bundle,) = review_doc(forced).bundles
    assert bundle.oversize == "forced" and bundle.bytes > 100 * 1024
    assert any(
        f.kind is FindingKind.NOTE and "size guard was overridden" in f.message for f in forced.findings
    )
    monkeypatch.setenv(FORCE_ENV, "1")
    by_env = run_review(
        loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "b", dry_run=True
    )
    assert review_doc(by_env).bundles[0].oversize == "forced"


def _complete_hunks(diff_text: str) -> bool:
    """Every hunk holds exactly the lines its header announces (no hunk was cut)."""
    blocks = re.split(r"^(?=@@ )", diff_text, flags=re.M)[1:]
    for block in blocks:
        header, *body = block.rstrip("\n").split("\n")
        body = [line for line in body if not line.startswith(("diff --git", "new file", "---", "+++", "\\"))]
        m = _HUNK.match(header)
        assert m is not None
        old = sum(1 for line in body if line[:1] in " -")
        new = sum(1 for line in body if line[:1] in " +")
        if (old, new) != (int(m[1]), int(m[2])):
            return False
    return True


def test_split_cuts_on_file_and_hunk_boundaries(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _oversize_repo(make_repo)
    out = tmp_path / "out"
    result = run_review(
        write_config(ONE), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out, dry_run=True, split=True
    )
    parts = review_doc(result).bundles
    assert len(parts) >= 2
    assert [p.id for p in parts] == [f"c1.{n}" for n in range(1, len(parts) + 1)]
    assert all(p.bytes <= 100 * 1024 and p.parts == len(parts) and p.oversize == "split" for p in parts)
    assert all(p.clipped == [] for p in parts)
    # big.py is spread over several parts, each with its header and whole hunks.
    holding_big = [p for p in parts if "src/validatord/big.py" in p.files]
    assert len(holding_big) >= 2
    for part in parts:
        text = (out / part.diff_file).read_text()
        assert _complete_hunks(text)
        assert len(text.encode()) == part.bytes
    prompt = (out / parts[1].prompt_file).read_text()
    assert "part 2 of" in prompt


def test_a_hunk_bigger_than_the_limit_is_clipped_and_disclosed(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    repo.commit({"README.md": "# base\n"}, "base")
    repo.commit({"src/validatord/huge.py": lines("huge", 2000)}, "one huge new file = one hunk")
    out = tmp_path / "out"
    result = run_review(
        write_config(ONE), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out, dry_run=True, split=True
    )
    (part,) = review_doc(result).bundles
    assert part.bytes <= 100 * 1024
    (note,) = part.clipped
    assert (
        note.startswith("src/validatord/huge.py: hunk @@ -0,0 +1,2000 @@ clipped") and "of 2000 lines" in note
    )
    prompt = (out / part.prompt_file).read_text()
    assert "this bundle is incomplete" in prompt and note in prompt
    assert "CLIPPED:" in prompt
    assert any(f.kind is FindingKind.NOTE and f.message == note for f in result.findings)


def test_split_is_told_once_and_redactions_stay_with_their_part(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    old = lines("old", 4000).splitlines(keepends=True)
    repo.commit({"README.md": "# base\n", "src/validatord/big.py": "".join(old)}, "base")
    new = [f"changed_{i} = {i}\n" if i % 10 == 0 else line for i, line in enumerate(old)]
    new[3990] = 'aws_access_key_id = "AKIAQ3EGRT7VXKM5NZPL"\n'  # in the last part holding big.py
    repo.commit({"src/validatord/big.py": "".join(new)}, "oversize")
    loaded = write_config(ONE)
    out = tmp_path / "out"
    argv = ["review", "--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD",
            "--dry-run", "--split", "--out", str(out)]  # fmt: skip
    outcome = CliRunner().invoke(cli, argv, env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert outcome.exit_code == 0, outcome.output
    parts = orjson.loads((out / "review.json").read_bytes())["bundles"]
    assert len(parts) >= 2
    # The oversize warning is in part 1 only, and printed once; one line per part.
    assert [len(p["warnings"]) for p in parts] == [1] + [0] * (len(parts) - 1)
    assert outcome.stdout.count("split into") == 1
    part_lines = [line for line in outcome.stdout.splitlines() if line.startswith("c1.")]
    assert part_lines == [p["tally_line"] for p in parts]
    # The redaction is listed by the one part that sends the line, and noted once.
    holding = [p["id"] for p in parts if p["redactions"]]
    assert len(holding) == 1 and holding == [parts[-1]["id"]]
    assert "[REDACTED:AWS Access Key]" in (out / parts[-1]["diff_file"]).read_text()
    assert (
        outcome.stdout.count("redacted before sending: 1 line(s) with secrets: src/validatord/big.py:3991")
        == 1
    )
