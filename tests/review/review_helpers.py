"""Helpers of the review tests: throwaway git repositories and generated source text."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from paritygate.core.models import PhaseResult
from paritygate.core.review_doc import ReviewDocument

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


class Repo:
    """A git repository built by a test, commit by commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, env={**os.environ, **_GIT_ENV}, check=True
        )
        return proc.stdout.decode()

    def commit(self, files: dict[str, str | bytes | None], message: str = "change") -> str:
        """Write (str/bytes), or delete (None), the files, then commit them all."""
        for rel, content in files.items():
            target = self.path / rel
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def lines(prefix: str, count: int, width: int = 60) -> str:
    """``count`` distinct, boring source lines of about ``width`` characters."""
    return "".join(f"{prefix}_{i:05d} = compute('{prefix}', {i})".ljust(width) + "\n" for i in range(count))


def review_doc(result: PhaseResult) -> ReviewDocument:
    """The review document of a review result (which must have one)."""
    doc = result.review
    assert doc is not None, result.summary
    return doc
