"""A server that echoes the API key in its reply's ``model`` field: the key reaches no file
(review.json, review.md, SARIF, the raw answers) — the key is a registered secret (core.masking)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.phases.review import run_review
from paritygate.reports.review_files import write_review_reports

KEY = "sk-test-echoed-5b1f0c9d8e7a6b5c4d3e2f1a"


def test_an_api_key_echoed_in_the_model_field_is_masked_everywhere(
    make_repo: Callable[[str], Repo],
    write_config: Callable[[str], LoadedConfig],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo("repo")
    repo.commit({"src/app.py": lines("app", 20)})
    repo.commit({"src/app.py": lines("app", 20) + "x = 1\n"}, "change")
    monkeypatch.setenv("PG_TEST_ECHO_KEY", KEY)
    script = {"echo-test": [Rule([Reply(f"VERDICT: ship (key {KEY})\n", served_model=KEY)])]}
    with serve(FakeLLM(script)) as fake:
        loaded = write_config(
            f'[review]\n[[review.reviewers]]\nname = "echo"\nlineage = ["x"]\nprovider = "openai"\n'
            f'model = "echo-test"\nbase_url = "{fake.openai_url}"\napi_key_env = "PG_TEST_ECHO_KEY"\n'
        )
        out = tmp_path / "run"
        result = run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out)
        write_review_reports(out, review_doc(result))
    assert fake.requests and fake.requests[0].auth.endswith(KEY)  # the key was really sent
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "review.json" for p in files)
    served = orjson.loads((out / "review.json").read_bytes())
    # Scrubbed where the reply is read ([api key]); whatever else reaches a file is masked (***).
    assert "[api key]" in served["reviewers"][0]["served_model"]
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
