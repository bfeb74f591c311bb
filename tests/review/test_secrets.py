"""The secret scan: the line cache gives detect-secrets' own findings, every sent line is
scanned (config files, ignored extensions, hunk headings), and worker processes agree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from detect_secrets.core.scan import _process_line_based_plugins
from detect_secrets.settings import transient_settings
from review_helpers import Repo, lines, review_doc

from paritygate.config import LoadedConfig
from paritygate.config.review import SecretsConfig
from paritygate.phases.review import run_review, secret_scan
from paritygate.phases.review.diff import parse_diff
from paritygate.phases.review.secret_scan import line_keys, previous_line_is_enough, scan_many
from paritygate.phases.review.secrets import redact_files, scan_settings
from paritygate.reports.review_files import write_review_reports

AWS_KEY_ID = "AKIAQ3EGRT7VXKM5NZPL"
GITHUB_TOKEN = "ghp_Zq8Wc3Lk5Tn1Vx7Bm9Rd2Fh4Jp6Ys0Ga3EuX"
BASE64_SECRET = "c2VjcmV0LXRva2VuLXZhbHVlLTk4MzQ3NTkzODQ3NTkzODQ3NQ"
SECRET_LINES = [
    f'aws_access_key_id = "{AWS_KEY_ID}"',
    f"token: {GITHUB_TOKEN}",
    f'password = "{BASE64_SECRET}"',
    f'db_url = "postgres://admin:{BASE64_SECRET[:20]}@db.internal:5432/app"',
    "-----BEGIN RSA PRIVATE KEY-----",
    f'api_key = "{AWS_KEY_ID}"  # pragma: allowlist secret',
]
# Lines whose findings depend on the line before (the allowlist "nextline" pragma), in
# several comment styles, plus ordinary code, repeated in different orders.
CORPUS = [
    "import os",
    "",
    "# pragma: allowlist nextline secret",
    SECRET_LINES[0],
    SECRET_LINES[0],
    "// pragma: allowlist nextline secret",
    SECRET_LINES[2],
    "x = compute(1)  # pragma: no cover",
    SECRET_LINES[1],
    *SECRET_LINES,
    "    return total",
    "# pragma: allowlist nextline secret",
    "",
    SECRET_LINES[3],
    *reversed(SECRET_LINES),
]


def _own_findings(suffix: str, texts: list[str], settings: dict[str, object]) -> set[tuple[int, str, str]]:
    """What detect-secrets' own line loop reports for ``texts`` as one file."""
    with transient_settings(settings):
        numbered = list(enumerate(texts, 1))
        return {
            (s.line_number, str(s.type), str(s.secret_value))
            for s in _process_line_based_plugins(lines=numbered, filename=f"scan{suffix}")
        }


@pytest.mark.parametrize("suffix", [".py", ".yaml", ".go", ".tf", ""])
@pytest.mark.parametrize("narrow", [True, False], ids=["previous-line", "whole-snippet"])
def test_line_cache_gives_detect_secrets_own_findings(suffix: str, narrow: bool) -> None:
    settings = scan_settings(SecretsConfig())
    with transient_settings(settings):
        assert previous_line_is_enough()  # the assumption behind the narrow keys still holds
    keys = line_keys(suffix, CORPUS, narrow=narrow)
    found = scan_many(settings, keys, workers=1)
    ours = {(n, t, str(v)) for n, key in enumerate(keys, 1) for t, v in found[key]}
    own = _own_findings(suffix, CORPUS, settings)
    assert ours == own
    assert any(n == 4 for n, _, _ in own) is False  # the allowlisted line after the pragma...
    assert any(n == 5 for n, _, _ in own)  # ...but not the same line one further down
    if narrow:
        assert len(set(keys)) < len(keys)  # repeated lines share one scan


def _diff_of(repo: Repo) -> tuple[str, list[str]]:
    raw = repo.git("diff", "--no-renames", "HEAD~1", "HEAD")
    names = repo.git("diff", "--no-renames", "--name-only", "-z", "HEAD~1", "HEAD").split("\0")
    return raw, [n for n in names if n]


def test_pool_and_in_process_agree(make_repo: Callable[[str], Repo]) -> None:
    repo = make_repo("repo")
    repo.commit({"README.md": "# x\n"}, "base")
    change: dict[str, str | bytes | None] = {}
    for n in range(6):
        body = lines(f"mod{n}", 300).splitlines(keepends=True)
        body.insert(100 + n, SECRET_LINES[n % len(SECRET_LINES)] + "\n")
        change[f"src/mod{n}.py"] = "".join(body)
    repo.commit(change, "six modules")
    raw, paths = _diff_of(repo)
    serial, parallel = parse_diff(raw, paths), parse_diff(raw, paths)
    in_process = redact_files(serial, SecretsConfig(workers=1), pool_min=0)
    in_workers = redact_files(parallel, SecretsConfig(workers=2), pool_min=0)
    assert in_process == in_workers and len(in_process) == 5  # the allowlisted line stays
    assert [f.render() for f in serial] == [f.render() for f in parallel]
    text = "".join(f.render() for f in parallel)
    assert AWS_KEY_ID in text and text.count(AWS_KEY_ID) == 1  # only on the allowlisted line
    assert GITHUB_TOKEN not in text and BASE64_SECRET[:20] not in text


AWS_SECRET = "k8Jd2LqP9vXr4TzW1mNc7YbH3sGf6AeQ0uRiOp5V"
# git's hunk heading is the nearest line above the hunk that starts with a letter: here
# the key, 15 lines above the change and so nowhere in the diff itself.
NOTES = 'Deploy notes\nAWS_SECRET_ACCESS_KEY = "{key}"\n{steps}'


def test_everything_that_is_sent_is_scanned(
    make_repo: Callable[[str], Repo], write_config: Callable[[str], LoadedConfig], tmp_path: Path
) -> None:
    """Places detect-secrets' scan_file would skip: YAML and INI comments (it reads only the
    parsed values of such files), extensions it ignores (.css, .svg), a hunk heading (git
    copies a line from outside the diff into it), an unquoted .env value."""
    repo = make_repo("repo")
    steps = "".join(f"  - step {i}: run({i})\n" for i in range(30))
    repo.commit({"deploy/NOTES.md": NOTES.format(key=AWS_SECRET, steps=steps)}, "base")
    changed = steps.replace("run(20)", "run(20, retries=3)")
    repo.commit(
        {
            "deploy/NOTES.md": NOTES.format(key=AWS_SECRET, steps=changed),
            "deploy/values.yaml": f"replicas: 2\n# old key: {AWS_KEY_ID}\nimage: app:1\n",
            "web/site.css": f"body {{ color: red; }} /* {GITHUB_TOKEN} */\n",
            "web/logo.svg": f"<svg><desc>token {AWS_KEY_ID}</desc></svg>\n",
            "setup.cfg": f"[tool]\nname = app\n# {GITHUB_TOKEN}\n",
            "deploy/.env": f"MODE=prod\nAPI_TOKEN={BASE64_SECRET}\n",
        },
        "many places",
    )
    out = tmp_path / "out"
    result = run_review(
        write_config("[review]\n"), repo=repo.path, rev_range="HEAD~1..HEAD", out_dir=out, dry_run=True
    )
    sent = "".join(p.read_text() for p in (out / "review").iterdir())
    for needle in (AWS_KEY_ID, GITHUB_TOKEN, BASE64_SECRET, AWS_SECRET):
        assert needle not in sent
    (bundle,) = review_doc(result).bundles
    where = {(r.path, r.side) for r in bundle.redactions}
    assert where == {
        ("deploy/NOTES.md", "hunk-header"),
        ("deploy/values.yaml", "new"),
        ("web/site.css", "new"),
        ("web/logo.svg", "new"),
        ("setup.cfg", "new"),
        ("deploy/.env", "new"),
    }
    assert '@@ AWS_SECRET_ACCESS_KEY = "[REDACTED:' in sent
    write_review_reports(out, review_doc(result))
    assert "`deploy/NOTES.md:20` (hunk heading) (AWS Access Key" in (out / "review.md").read_text()


def test_without_worker_processes_the_scan_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(secret_scan, "ProcessPoolExecutor", refuse)
    settings = scan_settings(SecretsConfig())
    keys = line_keys(".py", [f"x_{i} = {i}" for i in range(50)] + SECRET_LINES, narrow=True)
    found = scan_many(settings, keys, workers=4, pool_min=0)
    assert found == scan_many(settings, keys, workers=1)
    assert found[keys[50]] == [("AWS Access Key", AWS_KEY_ID)]


# One line per kind of detector (regex, entropy, keyword, per file type), and near misses.
PREFILTER_LINES = [
    *CORPUS,
    "slack = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'",
    'stripe_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"',
    "jwt = eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "url = https://user:Sup3rS3cretPw@example.internal/path",
    "npm = //registry.example/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789",
    "SENDGRID = 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",
    "hex = 'deadbeefcafebabe0123456789abcdef01234567'",
    'pwd: "hunter2hunter2"',
    "password = correct-horse-battery",
    'const secret = "s3cr3t-value-9f8e7d";',
    'db_pass := "Zx9!qLm2#vB7"',
    "    return password == other",
    "the password is in the vault",
    'name = "plain value"',
    "key = value",
    "AKIA0000",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
]


@pytest.mark.parametrize("suffix", [".py", ".yaml", ".go", ".env", ".cs", ".m", ".json", ""])
def test_prefilter_passes_every_line_detect_secrets_reports(suffix: str) -> None:
    settings = scan_settings(SecretsConfig())
    with transient_settings(settings):
        gate = secret_scan.Prefilter()
        rejected = [line for line in PREFILTER_LINES if not gate.may_hit(suffix, line)]
    reported = {
        line
        for n, line in enumerate(PREFILTER_LINES, 1)
        if any(f[0] == n for f in _own_findings(suffix, PREFILTER_LINES, settings))
    }
    assert reported, "the corpus must hold secrets for this file type"
    assert not reported & set(rejected)  # never skips a line with a finding
    assert rejected  # and does skip lines (otherwise it saves nothing)
    keys = line_keys(suffix, PREFILTER_LINES, narrow=True)
    assert scan_many(settings, keys, workers=1) == scan_many(settings, keys, workers=1, prefilter=False)


def test_prefilter_and_full_loop_redact_the_same(make_repo: Callable[[str], Repo]) -> None:
    repo = make_repo("repo")
    repo.commit({"README.md": "# x\n"}, "base")
    change: dict[str, str | bytes | None] = {}
    for n, line in enumerate(PREFILTER_LINES):
        change[f"src/f{n}{['.py', '.yaml', '.go', '.ini', ''][n % 5]}"] = f"{lines(f'm{n}', 20)}{line}\n"
    repo.commit(change, "many files")
    raw, paths = _diff_of(repo)
    fast, full = parse_diff(raw, paths), parse_diff(raw, paths)
    assert redact_files(fast, SecretsConfig(workers=1)) == redact_files(
        full, SecretsConfig(workers=1), prefilter=False
    )
    assert [f.render() for f in fast] == [f.render() for f in full]


def test_an_unknown_plugin_kind_turns_the_prefilter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = scan_settings(SecretsConfig())
    monkeypatch.setattr(secret_scan.Prefilter, "_check", staticmethod(lambda plugin, suffix: None))
    with transient_settings(settings):
        assert secret_scan.Prefilter().may_hit(".py", "import os")  # cannot know: scan it
