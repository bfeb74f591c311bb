"""`paritygate review` on the command line, and the strict `[review]` config."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_fake_llm import FakeLLM, Reply, Rule, serve
from review_helpers import Repo, lines, review_doc

from paritygate.cli.main import cli
from paritygate.config import LoadedConfig
from paritygate.core.review_doc import ReviewDocument
from paritygate.errors import ConfigError

BLOCK = "WHERE: src/svc/core.py:3\nSEVERITY: block\nWHAT: off by one\nWHY: the loop skips the last item\n\nVERDICT: block\n"


def _repo(make_repo: Callable[[str], Repo]) -> Repo:
    repo = make_repo("repo")
    repo.commit({"src/svc/core.py": lines("core", 10)}, "base")
    repo.commit(
        {"src/svc/core.py": lines("core", 2) + "for i in range(len(xs) - 1):\n" + lines("tail", 5)}, "fix"
    )
    return repo


def _invoke(*args: str) -> tuple[int, str, str]:
    outcome = CliRunner().invoke(cli, ["review", *args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return outcome.exit_code, outcome.stdout, outcome.stderr


def test_dry_run_writes_bundles_prompts_and_reports_offline(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    loaded = write_config(
        '[review.components]\nsvc = ["src/svc/**"]\n\n[[review.reviewers]]\nname = "x"\nlineage = ["x"]\n'
        'provider = "openai"\nmodel = "m"\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    out = tmp_path / "out"
    code, stdout, _ = _invoke("--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD",
                              "--dry-run", "--out", str(out))  # fmt: skip
    assert code == 0, stdout
    assert re.search(r"^c1 svc \(\d+KB\) → dry run, not sent$", stdout, re.M)
    assert {p.name for p in out.iterdir()} == {"review", "review.md", "review.json", "review.sarif"}
    assert (out / "review" / "c1-svc.prompt.md").read_text().count(
        "WHERE: <path exactly as listed above>"
    ) == 1
    assert json.loads((out / "review.json").read_text())["dry_run"] is True


def test_json_output_and_exit_1_on_a_converged_block(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    script = {"model-a": [Rule([Reply(BLOCK)])], "model-b": [Rule([Reply(BLOCK.replace(":3", ":4"))])]}
    with serve(FakeLLM(script)) as fake:
        reviewers = "".join(
            f'[[review.reviewers]]\nname = "{n}"\nlineage = ["{n}-lab"]\nprovider = "openai"\nmodel = "model-{n}"\n'
            f'base_url = "{fake.openai_url}"\n\n'
            for n in ("a", "b")
        )
        loaded = write_config(f'[review.components]\nsvc = ["src/svc/**"]\n\n{reviewers}')
        code, stdout, _ = _invoke("--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD",
                                  "--out", str(tmp_path / "out"), "--json")  # fmt: skip
    assert code == 1
    doc = json.loads(stdout)
    assert doc["phase"] == "review" and doc["status"] == "failed"
    assert [f["kind"] for f in doc["findings"]] == ["review_block"]
    assert doc["data"]["findings"][0]["convergence"] == 2


def test_usage_errors_exit_2(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig]
) -> None:
    repo = _repo(make_repo)
    loaded = write_config('[review.components]\nsvc = ["src/svc/**"]\n')
    code, _, stderr = _invoke("--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD",
                              "--since", "yesterday")  # fmt: skip
    assert code == 2 and "either --range or --since" in stderr


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        pytest.param('[review.components]\nother = ["x/**"]\n', "reserved", id="other-is-reserved"),
        pytest.param("[review]\nwarn_kb = 120\n", "must not exceed max_kb", id="warn-above-max"),
        pytest.param(
            '[[review.reviewers]]\nname = "a"\nlineage = []\nprovider = "openai"\nmodel = "m"\n',
            "review.reviewers[0].lineage",
            id="lineage-required",
        ),
        pytest.param(
            '[[review.reviewers]]\nname = "a"\nlineage = ["x"]\nprovider = "openai"\nmodel = "m"\n'
            'api_key_env = "sk-live-123"\n',
            "name of an environment variable",
            id="key-instead-of-env-name",
        ),
        pytest.param(
            '[[review.reviewers]]\nname = "a"\nlineage = ["x"]\nprovider = "gemini"\nmodel = "m"\n',
            "review.reviewers[0].provider",
            id="unknown-provider",
        ),
        pytest.param("[review]\nmatch_windw = 3\n", "did you mean 'match_window'", id="typo"),
    ],
)
def test_review_config_is_strict(
    write_config: Callable[[str], LoadedConfig], toml: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        write_config(toml)
    assert message in str(info.value) and info.value.exit_code == 2


def test_a_user_prompt_template_overrides_the_bundled_one(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    from paritygate.phases.review import run_review

    repo = _repo(make_repo)
    template = tmp_path / "cfg" / "my-prompt.j2"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text(
        "Review {{ component }} ({{ files | length }} file):\n{{ diff }}VERDICT: ship|block\n"
    )
    loaded = write_config(
        '[review]\nprompt_template = "my-prompt.j2"\n\n[review.components]\nsvc = ["src/svc/**"]\n'
    )
    result = run_review(
        loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out", dry_run=True
    )
    prompt = (tmp_path / "out" / str(review_doc(result).bundles[0].prompt_file)).read_text()
    assert prompt.startswith("Review svc (1 file):\ndiff --git a/src/svc/core.py b/src/svc/core.py\n")
    assert "    3 + for i in range(len(xs) - 1):" in prompt
    assert review_doc(result).prompt_template == str(template)
    template.write_text("Review {{ component }\n")
    with pytest.raises(ConfigError) as info:
        run_review(loaded, repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=tmp_path / "out", dry_run=True)
    assert str(info.value).startswith(f"{template}:1: template syntax error")


def test_a_prompt_template_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    from paritygate.phases.review.prompt import PromptRenderer

    template = tmp_path / "latin1.j2"
    template.write_bytes("Pr\u00fcfe {{ component }}\n".encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        PromptRenderer(template)
    assert str(info.value).startswith(f"{template}: not UTF-8 text") and info.value.exit_code == 2


def test_disclosures_are_told_once_not_per_part() -> None:
    from paritygate.cli.review_cmd import _disclosures

    places = [{"path": f"f{n}.py", "line": n, "side": "new", "types": ["Secret Keyword"]} for n in range(10)]
    part = {"component": "other", "bytes": 1, "tokens_est": 1, "tokens_method": "estimate:bytes/2.5",
            "warnings": [], "clipped": [], "failed": ["llama"], "redactions": places[:6]}  # fmt: skip
    reviewer = {"lineage": ["x"], "provider": "openai", "model": "m", "status": "ok"}
    data = {
        "schema": "paritygate.review/2", "dry_run": False, "dry_run_reason": None, "range": "a..b", "summary": "",
        "limits": {"warn_kb": 60, "max_kb": 100, "match_window": 3, "max_span_lines": 20, "claim_similarity": 50,
                   "block_lineages": 2, "quorum": "warn"},
        "bundles": [
            {**part, "id": "c1.1", "warnings": ["c1 other was 150 KB: split into 2 parts"]},
            {**part, "id": "c1.2", "redactions": places[4:], "clipped": ["f9.py: hunk clipped"]},
        ],
        "reviewers": [{**reviewer, "name": "kimi", "rejected_locations": 2},
                      {**reviewer, "name": "opus", "rejected_locations": 0}],
    }  # fmt: skip
    assert _disclosures(ReviewDocument.from_json(data)) == [
        "warning: c1 other was 150 KB: split into 2 parts",
        "clipped (c1.2): f9.py: hunk clipped",
        "failed (left out of convergence): llama on c1.1, c1.2",
        "redacted before sending: 10 line(s) with secrets: f0.py:0, f1.py:1, f2.py:2, f3.py:3, f4.py:4, "
        "f5.py:5, f6.py:6, f7.py:7 and 2 more (see review.md)",
        "kimi: 2 location(s) rejected (not in the diff)",
    ]


def test_the_terminal_says_usable_answers_and_unreviewed_bundles(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    repo = _repo(make_repo)
    script = {
        "model-a": [Rule([Reply("Looks fine to me overall.")])],
        "model-b": [Rule([Reply("VERDICT: ship\n")])],
    }
    with serve(FakeLLM(script)) as fake:
        reviewers = "".join(
            f'[[review.reviewers]]\nname = "{n}"\nlineage = ["{n}-lab"]\nprovider = "openai"\nmodel = "model-{n}"\n'
            f'base_url = "{fake.openai_url}"\n\n'
            for n in ("a", "b")
        )
        loaded = write_config(
            f'[review]\nrepair = false\n\n[review.components]\nsvc = ["src/svc/**"]\n\n{reviewers}'
        )
        code, stdout, _ = _invoke("--config", str(loaded.path), "--repo", str(repo.path), "--range", "HEAD~1..HEAD",
                                  "--out", str(tmp_path / "out"))  # fmt: skip
    assert code == 0  # the quorum warns by default
    assert "· 1/2 usable (a format-not-followed)" in stdout
    assert "REVIEW_UNREVIEWED c1:" in stdout and "fewer than the 2 needed" in stdout
    assert "a: 1 unusable answer(s) (format-not-followed 1); not counted" in stdout
