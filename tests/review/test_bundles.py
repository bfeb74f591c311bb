"""Bundles from a git range: components, the `other` bundle, manifests, what is left out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.core.models import PhaseStatus
from paritygate.core.review_doc import BundleDoc, LeftOutDoc, ReviewDocument
from paritygate.errors import ConfigError, UsageError
from paritygate.phases.review import run_review
from paritygate.phases.review.globs import component_of, glob_match, matching_glob

CONFIG = """
[review.components]
validatord = ["src/validatord/**"]
replay = ["src/replay/**", "tests/replay/*.py"]

[review]
exclude = ["*.lock"]
"""


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        pytest.param("src/validatord/**", "src/validatord/a/b.py", True, id="double-star-deep"),
        pytest.param("src/validatord/**", "src/validatordx/a.py", False, id="double-star-needs-segment"),
        pytest.param("src/**/*.py", "src/x.py", True, id="double-star-zero-dirs"),
        pytest.param("src/**/*.py", "src/a/b/x.py", True, id="double-star-many-dirs"),
        pytest.param("src/*.py", "src/a/x.py", False, id="star-stays-in-segment"),
        pytest.param("*.lock", "deep/dir/Cargo.lock", True, id="bare-name-anywhere"),
        pytest.param("./docs/?.md", "docs/a.md", True, id="dot-slash-and-question-mark"),
        pytest.param("docs/", "docs/api/a.md", True, id="trailing-slash-is-a-directory"),
        pytest.param("src/app", "src/app/main.py", True, id="a-directory-covers-its-files"),
        pytest.param("src/app", "lib/src/app/main.py", False, id="a-slash-anchors-at-the-root"),
        pytest.param("/README.md", "docs/README.md", False, id="leading-slash-anchors"),
        pytest.param("app/", "src/app/x.py", True, id="bare-directory-anywhere"),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_first_component_in_config_order_wins() -> None:
    components = {"one": ["src/**"], "two": ["src/two/**"]}
    assert component_of(components, "src/two/x.py", "other") == "one"
    assert component_of(components, "lib/x.py", "other") == "other"


def test_a_negated_pattern_re_includes_as_in_gitignore() -> None:
    components = {"app": ["src/app/", "!src/app/vendor/"], "vendor": ["**/vendor/**"]}
    assert component_of(components, "src/app/main.py", "other") == "app"
    assert component_of(components, "src/app/vendor/lib.py", "other") == "vendor"
    assert matching_glob(["*.lock", "!keep.lock"], "a/keep.lock") is None
    assert matching_glob(["*.lock", "!keep.lock"], "a/Cargo.lock") == "*.lock"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        pytest.param(
            '[review.components]\napp = ["src/[z-a]/x"]\n', "'src/[z-a]/x' is not a valid", id="bad-range"
        ),
        pytest.param(
            '[review.components]\napp = ["#src"]\n',
            "pattern '#src' is a comment in gitignore syntax",
            id="comment",
        ),
        pytest.param(
            '[review]\nexclude = ["*.lock", " "]\n', "review.exclude: pattern ' ' is blank", id="blank"
        ),
    ],
)
def test_patterns_are_checked_when_the_config_loads(
    write_config: Callable[[str], LoadedConfig], toml: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        write_config(toml)
    assert message in str(info.value) and "review." in str(info.value)


def _manifest(result_data: ReviewDocument, component: str) -> BundleDoc:
    return next(b for b in result_data.bundles if b.component == component)


def test_first_commit_in_range_diffs_against_empty_tree(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    repo.commit(
        {
            "src/validatord/app.py": lines("app", 20),
            "src/replay/log.py": lines("log", 5),
            "tests/replay/test_log.py": "def test_log():\n    assert True\n",
            "README.md": "# demo\n",
        },
        "first",
    )
    loaded = write_config(CONFIG)
    result = run_review(loaded, repo=repo.path, out_dir=tmp_path / "out", dry_run=True)
    assert result.status is PhaseStatus.PASSED
    data = review_doc(result)
    assert data.base_is_empty_tree is True
    assert data.range.startswith("(empty tree)..")
    assert [(b.id, b.component) for b in data.bundles] == [
        ("c1", "validatord"),
        ("c2", "replay"),
        ("c3", "other"),
    ]
    assert _manifest(data, "replay").files == ["src/replay/log.py", "tests/replay/test_log.py"]
    assert _manifest(data, "other").files == ["README.md"]
    # The prompt numbers every line with its new-file number.
    prompt = (tmp_path / "out" / _manifest(data, "validatord").prompt_file).read_text()
    assert "   20 + app_00019 = compute('app', 19)" in prompt
    assert "- src/validatord/app.py (added)" in prompt


def test_manifest_lists_what_was_left_out_and_why(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    old = lines("keep", 30)
    repo.commit(
        {"src/validatord/app.py": old, "src/validatord/gone.py": lines("gone", 10), "README.md": "x\n"},
        "base",
    )
    # Lines 11-20 deleted (a deletion-only hunk), one line changed near the end.
    kept = old.splitlines(keepends=True)
    new = "".join(kept[:10] + kept[20:28]) + "changed = True\n" + kept[29]
    repo.commit(
        {
            "src/validatord/app.py": new,
            "src/validatord/gone.py": None,
            "src/validatord/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary\x00",
            "Cargo.lock": "[[package]]\nname = 'x'\n",
        },
        "change",
    )
    loaded = write_config(CONFIG)
    result = run_review(
        loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out", dry_run=True
    )
    data = review_doc(result)
    assert data.commits == 1 and data.base_is_empty_tree is False
    validatord = _manifest(data, "validatord")
    assert validatord.files == ["src/validatord/app.py"]
    assert validatord.deleted == ["src/validatord/gone.py"]
    why = {item.path: item.why for item in validatord.left_out}
    assert why["src/validatord/logo.png"] == "binary file"
    assert why["src/validatord/gone.py"].startswith("deleted file")
    assert "deletion-only hunk shrunk" in why["src/validatord/app.py"]
    assert "old lines 11-20 (10 deleted)" in why["src/validatord/app.py"]
    other = _manifest(data, "other")
    assert other.left_out == [LeftOutDoc("Cargo.lock", "excluded by [review] exclude '*.lock'")]
    assert other.files == []
    assert other.skipped == "nothing reviewable: every change was left out"
    assert validatord.tokens_est == int(validatord.bytes / 2.5) + 1
    assert validatord.tokens_method == "estimate:bytes/2.5"
    diff_text = (tmp_path / "out" / validatord.diff_file).read_text()
    assert "keep_00015" not in diff_text  # the deleted lines are not sent...
    assert "10 deleted line(s), old 11-20, not shown" in diff_text  # ...but said
    assert len(diff_text.encode()) == validatord.bytes


def test_range_and_since_forms(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = make_repo("repo")
    for n in range(3):
        repo.commit({"src/replay/log.py": lines(f"v{n}", 3)}, f"c{n}")
    loaded = write_config(CONFIG)
    out = tmp_path / "out"
    beyond_root = run_review(loaded, repo=repo.path, rev_range="HEAD~3..HEAD", out_dir=out, dry_run=True)
    assert review_doc(beyond_root).base_is_empty_tree is True and review_doc(beyond_root).commits == 3
    last = run_review(loaded, repo=repo.path, rev_range="HEAD~1", out_dir=out, dry_run=True)
    assert review_doc(last).commits == 1
    since = run_review(loaded, repo=repo.path, since="1 hour ago", out_dir=out, dry_run=True)
    assert review_doc(since).commits == 3
    future = run_review(loaded, repo=repo.path, since="2090-01-01", out_dir=out, dry_run=True)
    assert future.status is PhaseStatus.SKIPPED and "no commits in range" in future.summary
    empty = run_review(loaded, repo=repo.path, rev_range="HEAD..HEAD", out_dir=out, dry_run=True)
    assert empty.status is PhaseStatus.SKIPPED
    with pytest.raises(UsageError, match="either --range or --since"):
        run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", since="yesterday", out_dir=out)
    with pytest.raises(UsageError, match="unknown revision 'nope'") as info:
        run_review(loaded, repo=repo.path, rev_range="nope..HEAD", out_dir=out, dry_run=True)
    assert info.value.exit_code == 2


def test_not_a_repository_and_no_reviewers(
    write_config: Callable[[str], LoadedConfig], make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    loaded = write_config('name = "no-review"\n')
    assert loaded.model.review is None
    skipped = run_review(loaded, repo=tmp_path / "nowhere", out_dir=tmp_path / "out")
    assert skipped.status is PhaseStatus.SKIPPED and "not a git repository" in skipped.summary
    repo = make_repo("repo")
    repo.commit({"a.py": "print('hello')\n"}, "only")
    auto = run_review(loaded, repo=repo.path, out_dir=tmp_path / "out")
    assert auto.status is PhaseStatus.PASSED
    assert review_doc(auto).dry_run is True and review_doc(auto).dry_run_reason == "no reviewers configured"
    assert "no [[review.reviewers]] configured" in auto.summary and "[[review.reviewers]]" in auto.summary
    assert (tmp_path / "out" / "review" / "c1-other.prompt.md").is_file()
    # The JSON document is complete, serialisable, and reads back as it was.
    raw = orjson.loads(orjson.dumps(review_doc(auto).to_json()))
    assert raw["schema"] == "paritygate.review/2"
    assert ReviewDocument.from_json(raw) == review_doc(auto)
