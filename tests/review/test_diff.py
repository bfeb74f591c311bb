"""Reading git's diff (unidiff for the hunks): odd paths, odd characters, no final newline,
mode-only changes, empty and binary files; and the range of a repository's last commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from review_helpers import Repo, review_doc

from paritygate.config import LoadedConfig
from paritygate.errors import RuntimeProblem
from paritygate.phases.review import gitrange, recent_range, run_review
from paritygate.phases.review.diff import FileDiff, parse_diff


def _parse(repo: Repo, rev_range: str = "HEAD~1..HEAD") -> dict[str, FileDiff]:
    rng = gitrange.resolve_range(repo.path, rev_range, None)
    assert rng is not None
    paths = [c.path for c in gitrange.list_changed_files(repo.path, rng)]
    return {f.path: f for f in parse_diff(gitrange.raw_diff(repo.path, rng), paths)}


def test_what_git_prints_for_awkward_files(make_repo: Callable[[str], Repo]) -> None:
    repo = make_repo("repo")
    repo.commit({"tail.txt": "one\ntwo", "tool.sh": "echo hi\n", "gone.txt": "bye\n"}, "base")
    (repo.path / "tool.sh").chmod(0o755)
    repo.commit(
        {
            "plan b/notes.md": "x\n",  # " b/" inside the path: unidiff's header regex splits it wrongly
            'we"ird.py': "y = 1\n",  # git quotes this name
            "odd.py": "a = 1\fb = 2\nc = '\u2028'\nd = 3\r\n",  # form feed, line separator, CR
            "tail.txt": "one\nTWO",  # no newline at the end, before and after
            "empty.txt": "",
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00binary",
            "gone.txt": None,
        },
        "awkward",
    )
    files = _parse(repo)
    assert set(files) == {
        "plan b/notes.md",
        'we"ird.py',
        "odd.py",
        "tail.txt",
        "empty.txt",
        "logo.png",
        "gone.txt",
        "tool.sh",
    }
    assert [line.text for line in files["plan b/notes.md"].hunks[0].lines] == ["x"]
    assert files['we"ird.py'].status == "added" and files['we"ird.py'].header[-1] == '+++ "b/we\\"ird.py"'
    odd = [(line.kind, line.text, line.new_no) for line in files["odd.py"].hunks[0].lines]
    assert odd == [("+", "a = 1\fb = 2", 1), ("+", "c = '\u2028'", 2), ("+", "d = 3\r", 3)]
    tail = files["tail.txt"].hunks[0]
    assert [(line.kind, line.old_no, line.new_no) for line in tail.lines] == [
        (" ", 1, 1), ("-", 2, None), ("\\", None, None), ("+", None, 2), ("\\", None, None)
    ]  # fmt: skip
    assert tail.render().endswith("-two\n\\ No newline at end of file\n+TWO\n\\ No newline at end of file\n")
    assert (files["empty.txt"].status, files["empty.txt"].hunks) == ("added", [])
    assert files["logo.png"].binary and files["logo.png"].hunks == []
    assert files["gone.txt"].status == "deleted"
    assert files["tool.sh"].hunks == [] and "new mode 100755" in files["tool.sh"].header


def test_hunk_headings_and_numbers(make_repo: Callable[[str], Repo]) -> None:
    repo = make_repo("repo")
    body = "".join(f"    x_{i} = {i}\n" for i in range(40))
    repo.commit({"m.py": f"def f():\n{body}"}, "base")
    repo.commit({"m.py": f"def f():\n{body.replace('x_30 = 30', 'x_30 = 31')}"}, "change")
    (hunk,) = _parse(repo)["m.py"].hunks
    assert hunk.header == "@@ -29,7 +29,7 @@ def f():"
    changed = [(line.kind, line.old_no, line.new_no) for line in hunk.lines if line.kind != " "]
    assert changed == [("-", 32, None), ("+", None, 32)]


def test_a_malformed_hunk_is_a_runtime_problem() -> None:
    text = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-only one line\n"
    with pytest.raises(RuntimeProblem, match="cannot parse the diff of x"):
        parse_diff(text, ["x"])


def test_recent_range_covers_the_last_commit(
    make_repo: Callable[[str], Repo], tmp_path: Path, write_config: Callable[[str], LoadedConfig]
) -> None:
    assert recent_range(tmp_path / "nowhere") is None
    assert recent_range(tmp_path) is None  # not a work tree
    repo = make_repo("repo")
    assert recent_range(repo.path) is None  # no commit yet
    repo.commit({"a.py": "a = 1\n"}, "root")
    loaded = write_config('name = "x"\n')
    on_root = recent_range(repo.path)
    assert on_root == "HEAD~1..HEAD"  # HEAD has no parent: the range starts at the empty tree
    root = run_review(loaded, repo=repo.path, rev_range=on_root, out_dir=tmp_path / "o1")
    assert review_doc(root).base_is_empty_tree is True and review_doc(root).commits == 1
    repo.commit({"b.py": "b = 2\n"}, "second")
    (repo.path / "sub").mkdir()
    assert recent_range(repo.path / "sub") == recent_range(repo.path) == "HEAD~1..HEAD"
    last = run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "o2")
    assert review_doc(last).base_is_empty_tree is False and review_doc(last).commits == 1
    assert review_doc(last).bundles[0].files == ["b.py"]
