"""A token given as ``${TOKEN}`` in a command, an env table and a header appears in no file of
the run directory, no history row, no state file and no terminal line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from paritygate.config import load_config
from paritygate.core.fs import atomic_write_text
from paritygate.core.masking import redact
from paritygate.stack import Stack, StackEvent

HERE = Path(__file__).parent
TOKEN = "tok-3f9a1c77e2b54d08"

CONFIG = """
[run]
phases = ["stack", "smoke", "parity"]

[services.left]
command = ["{python}", "@HERE@/echo_secret_server.py", "{port}", "left", "--token=${TOKEN}"]
env = { API_TOKEN = "${TOKEN}" }
port = 0
ready = { http = "/health" }
interval = 0.03

[services.right]
command = ["{python}", "@HERE@/echo_secret_server.py", "{port}", "right", "--token=${TOKEN}"]
env = { API_TOKEN = "${TOKEN}" }
port = 0
ready = { http = "/health" }
interval = 0.03

[[smoke.chains]]
name = "leaky"
[[smoke.chains.checks]]
name = "echo"
target = "left"
path = "/echo"
headers = { Authorization = "Bearer ${TOKEN}" }
expect.json."$.auth" = "something else"   # fails: the failure shows the actual value and the log tail

[parity]
cases = "cases.toml"
targets = ["left", "right"]
tracker = "TRACKER.md"
headers = ["content-type", "x-echo"]
"""

CASES = """
[[cases]]
name = "echo"
method = "GET"
path = "/echo"
headers = { Authorization = "Bearer tok-3f9a1c77e2b54d08" }
"""

TRACKER = """# Decisions

| key | area | divergence | status | decision | evidence |
|---|---|---|---|---|---|
"""


def _files_with_token(root: Path) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and TOKEN.encode() in path.read_bytes():
            hits.append(str(path.relative_to(root)))
    return hits


def test_an_env_token_reaches_no_file_no_history_row_and_no_terminal_line(tmp_path: Path) -> None:
    (tmp_path / "paritygate.toml").write_text(CONFIG.replace("@HERE@", str(HERE)), encoding="utf-8")
    (tmp_path / "cases.toml").write_text(CASES, encoding="utf-8")
    (tmp_path / "TRACKER.md").write_text(TRACKER, encoding="utf-8")
    env = {**os.environ, "TOKEN": TOKEN, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "paritygate", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the smoke check fails on purpose
    assert "Traceback" not in proc.stderr
    # the run really carried the token: the servers saw it and answered with it
    assert "***" in proc.stdout + proc.stderr
    run_dir = next((tmp_path / ".paritygate" / "runs").iterdir())
    assert (run_dir / "logs" / "left.log").is_file()
    assert "***" in (run_dir / "logs" / "left.log").read_text(encoding="utf-8")
    assert TOKEN not in proc.stdout
    assert TOKEN not in proc.stderr
    assert _files_with_token(run_dir) == []
    history = tmp_path / ".paritygate" / "history.sqlite"
    with sqlite3.connect(history) as conn:
        dump = "\n".join(conn.iterdump())
    assert "INSERT INTO" in dump
    assert TOKEN not in dump


def test_public_env_values_are_not_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PG_PUBLIC_NAME", "public-value-1234")
    monkeypatch.setenv("PG_SECRET_NAME", "secret-value-5678")
    (tmp_path / "paritygate.toml").write_text(
        '[run]\npublic_env = ["PG_PUBLIC_NAME"]\n\n[services.a]\n'
        'command = ["x", "${PG_PUBLIC_NAME}", "${PG_SECRET_NAME}"]\n',
        encoding="utf-8",
    )
    load_config(tmp_path / "paritygate.toml")
    assert redact("a public-value-1234 b secret-value-5678") == "a public-value-1234 b ***"
    atomic_write_text(tmp_path / "out.txt", "x=secret-value-5678&y=secret%2Dvalue")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "x=***&y=secret%2Dvalue"


def test_a_reviewer_api_key_is_masked_where_it_reappears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PG_TEST_REVIEW_KEY", "sk-live-abcdef0123456789")
    (tmp_path / "paritygate.toml").write_text(
        '[review]\n[[review.reviewers]]\nname = "r"\nlineage = ["x"]\nprovider = "openai"\n'
        'model = "m"\napi_key_env = "PG_TEST_REVIEW_KEY"\n',
        encoding="utf-8",
    )
    load_config(tmp_path / "paritygate.toml")
    # e.g. a server that echoes the key in its reply's `model` field, written to review.json
    atomic_write_text(tmp_path / "review.json", '{"model": "sk-live-abcdef0123456789"}')
    assert (tmp_path / "review.json").read_text(encoding="utf-8") == '{"model": "***"}'


def test_the_state_file_and_the_stack_events_carry_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKEN", TOKEN)
    body = CONFIG.replace("@HERE@", str(HERE)).split("[[smoke.chains]]")[0]
    (tmp_path / "paritygate.toml").write_text(body, encoding="utf-8")
    loaded = load_config(tmp_path / "paritygate.toml")
    events: list[StackEvent] = []
    with Stack(loaded, on_event=events.append):
        state = (loaded.state_dir / "stack.json").read_text(encoding="utf-8")
        assert "--token=***" in state
        assert TOKEN not in state
    starting = [e.detail for e in events if e.kind == "starting"]
    assert len(starting) == 2
    assert all("--token=***" in redact(d) for d in starting)
