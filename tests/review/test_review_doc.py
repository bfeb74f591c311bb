"""The typed review document (core/review_doc.py): a real one round-trips through its JSON,
another schema version is refused with one clear message, and absent is not null."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from review_helpers import Repo, review_doc

from paritygate.config import LoadedConfig
from paritygate.core.jsondoc import ABSENT, DocumentError
from paritygate.core.models import PhaseResult, PhaseStatus
from paritygate.core.review_doc import SCHEMA, ReviewDocument
from paritygate.core.stack_doc import StackDocument, StackService
from paritygate.phases.review import LAST_COMMIT, find_last_commit, run_review
from paritygate.reports.review_files import write_review_reports

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def this_repos_last_commit(write_config: Callable[[str], LoadedConfig], tmp_path: Path) -> PhaseResult:
    """A dry run over this repository's last commit, as `paritygate run` makes one."""
    last = find_last_commit(CHECKOUT)
    if isinstance(last, str):
        pytest.skip(f"not a git checkout: {last}")
    return run_review(
        write_config('name = "self"\n'),
        repo=last.work_tree,
        rev_range=LAST_COMMIT,
        dry_run=True,
        out_dir=tmp_path / "run",
    )


def test_a_real_review_document_round_trips_through_review_json(
    this_repos_last_commit: PhaseResult, tmp_path: Path
) -> None:
    result = this_repos_last_commit
    assert result.status is PhaseStatus.PASSED, result.summary
    doc = review_doc(result)
    assert doc.schema == SCHEMA and doc.dry_run and doc.dry_run_reason == "no reviewers configured"
    assert doc.bundles and doc.commits == 1 and isinstance(doc.tip, str)
    assert all(b.diff_file and (b.prompt_file or b.skipped) for b in doc.bundles)
    files = write_review_reports(tmp_path / "run", doc)
    raw = orjson.loads((tmp_path / "run" / "review.json").read_bytes())
    assert ReviewDocument.from_json(raw) == doc
    assert raw == doc.to_json()  # what is written is what the document says, key for key
    # Inside report.json the document travels in its phase result, and reads back the same.
    back = PhaseResult.from_dict(orjson.loads(orjson.dumps(result.to_dict())), "phases.review")
    assert back.review == doc and back.findings == result.findings and back.summary == result.summary
    assert [p.name for p in files] == ["review.md", "review.json", "review.sarif"]


def test_another_schema_version_is_refused_with_one_message(this_repos_last_commit: PhaseResult) -> None:
    raw = review_doc(this_repos_last_commit).to_json() | {"schema": "paritygate.review/1"}
    with pytest.raises(DocumentError) as caught:
        ReviewDocument.from_json(raw, "phases.review.data")
    assert str(caught.value) == (
        "phases.review.data.schema: expected 'paritygate.review/2', got 'paritygate.review/1' "
        "(written by another paritygate version: run review again)"
    )
    with pytest.raises(DocumentError, match=r"^schema: expected 'paritygate.review/2', got None$"):
        ReviewDocument.from_json({k: v for k, v in raw.items() if k != "schema"})
    phase = this_repos_last_commit.to_dict() | {"data": raw}
    with pytest.raises(
        DocumentError, match=r"^phases\.review\.data\.schema: expected 'paritygate\.review/2'"
    ):
        PhaseResult.from_dict(phase, "phases.review")
    stack = StackDocument(services=[StackService(name="a", url="http://127.0.0.1:1", log=None)]).to_json()
    with pytest.raises(DocumentError, match=r"got 'paritygate\.stack/1' \(written by another"):
        StackDocument.from_json(stack | {"schema": "paritygate.stack/1"})


def test_absent_and_null_stay_two_things(
    write_config: Callable[[str], LoadedConfig], make_repo: Callable[[str], Repo], tmp_path: Path
) -> None:
    loaded = write_config('name = "x"\n')
    # Skipped before a range was resolved: the range's details are absent, not null.
    skipped = review_doc(run_review(loaded, repo=tmp_path / "nowhere", out_dir=tmp_path / "out"))
    raw = skipped.to_json()
    assert raw["range"] is None and raw["dry_run_reason"] == "no reviewers configured"
    assert not {"base", "tip", "commits", "base_is_empty_tree"} & raw.keys()
    back = ReviewDocument.from_json(raw)
    assert back == skipped and back.base is ABSENT and back.commits is ABSENT
    with pytest.raises(DocumentError, match=r"^commits: expected an integer, got NoneType"):
        ReviewDocument.from_json(raw | {"commits": None})  # null is a value, and not one commits takes
    # A bundle with nothing reviewable has no prompt (absent) and says why.
    repo = make_repo("repo")
    repo.commit({"a.py": "x = 1\n"}, "first")
    repo.commit({"a.py": "x = 2\n", "b.lock": "pinned\n"}, "second")
    cfg = write_config(
        'name = "x"\n[review]\nexclude = ["*.lock"]\n[review.components]\nlocks = ["*.lock"]\n'
    )
    doc = review_doc(run_review(cfg, repo=repo.path, rev_range=LAST_COMMIT, out_dir=tmp_path / "out2"))
    locks, other = doc.bundles
    assert (locks.component, locks.prompt_file, locks.prompt_bytes) == ("locks", ABSENT, ABSENT)
    assert locks.skipped == "nothing reviewable: every change was left out"
    assert "prompt_file" not in locks.to_json() and "skipped" not in other.to_json()
    assert other.prompt_file == "review/c2-other.prompt.md" and other.skipped is ABSENT
    assert ReviewDocument.from_json(doc.to_json()).bundles == [locks, other]
