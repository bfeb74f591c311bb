"""The git side of the review: which commits, which files, and their unified diff.

Everything goes through ``git`` as a subprocess with an argv list and settings that
make its output predictable whatever the user's git config says (no colour, no
external diff, no rename detection, ``a/`` ``b/`` prefixes, unquoted paths).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from paritygate.errors import RuntimeProblem, UsageError

__all__ = [
    "LAST_COMMIT",
    "ChangedFile",
    "LastCommit",
    "ResolvedRange",
    "find_last_commit",
    "git_available",
    "is_git_repo",
    "list_changed_files",
    "new_line_counts",
    "raw_diff",
    "recent_range",
    "resolve_range",
]

_GIT_CONFIG = ["-c", "core.quotepath=false", "-c", "color.ui=false", "-c", "diff.noprefix=false"]
_DIFF_FLAGS = ["--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--no-relative"]
_ANCESTOR = re.compile(r"(?P<rev>.+?)(?:~(?P<n>\d*)|(?P<carets>\^+))")
# The last commit. On a root commit HEAD~1 does not exist and the range starts at the
# empty tree (see _base_or_empty), so one form covers both.
LAST_COMMIT = "HEAD~1..HEAD"


@dataclass(slots=True, frozen=True)
class ResolvedRange:
    base: str  # a commit, or the empty tree when the range starts at the first commit
    tip: str
    label: str  # for humans and review.json, e.g. "3f2a1bc..9e8d7f6"
    commits: int
    base_is_empty_tree: bool


@dataclass(slots=True, frozen=True)
class ChangedFile:
    path: str
    added: int | None  # None for binary files
    deleted: int | None

    @property
    def binary(self) -> bool:
        return self.added is None


def git_available() -> bool:
    return shutil.which("git") is not None


def _git(
    repo: Path, *args: str, stdin: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}
    try:
        proc = subprocess.run(
            ["git", *_GIT_CONFIG, *args], cwd=repo, input=stdin, capture_output=True, env=env, check=False
        )
    except OSError as exc:
        raise RuntimeProblem(f"cannot run git in {repo}: {exc}") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeProblem(f"git {' '.join(args[:3])} failed in {repo}: {message}")
    return proc


def is_git_repo(repo: Path) -> bool:
    if not repo.is_dir():
        return False
    proc = _git(repo, "rev-parse", "--is-inside-work-tree", check=False)
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _rev(repo: Path, rev: str) -> str | None:
    proc = _git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
    )
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _empty_tree(repo: Path) -> str:
    # Computed rather than hard-coded: SHA-1 and SHA-256 repositories differ.
    return _git(repo, "hash-object", "-t", "tree", "--stdin", stdin=b"").stdout.decode().strip()


def _count(repo: Path, base: str | None, tip: str) -> int:
    spec = [f"{base}..{tip}"] if base else [tip]
    return int(_git(repo, "rev-list", "--count", *spec).stdout.decode().strip() or 0)


def _short(sha: str) -> str:
    return sha[:9]


def _base_or_empty(repo: Path, rev: str, text: str) -> tuple[str, bool]:
    """Resolve the start of a range; ``HEAD~5`` in a repo of five commits means "from the empty tree"."""
    sha = _rev(repo, rev)
    if sha is not None:
        return sha, False
    m = _ANCESTOR.fullmatch(rev)
    if m:
        steps = len(m["carets"]) if m["carets"] else int(m["n"] or 1)
        start = _rev(repo, m["rev"])
        if (
            start is not None
            and int(_git(repo, "rev-list", "--first-parent", "--count", start).stdout) <= steps
        ):
            return _empty_tree(repo), True
    raise UsageError(f"--range {text!r}: unknown revision {rev!r}", hint="give A..B with commits git knows")


@dataclass(slots=True, frozen=True)
class LastCommit:
    work_tree: Path
    root: bool  # HEAD has no parent: its diff is taken against the empty tree


def find_last_commit(directory: Path) -> LastCommit | str:
    """The work tree holding ``directory`` and whether its HEAD is a root commit, or why
    there is no commit to review, as a phrase ("git is not installed", ...)."""
    if not git_available():
        return "git is not installed"
    if not directory.is_dir() or not is_git_repo(directory):
        return f"{directory} is not inside a git work tree"
    work_tree = Path(_git(directory, "rev-parse", "--show-toplevel").stdout.decode().strip())
    if _rev(work_tree, "HEAD") is None:
        return f"the git repository at {work_tree} has no commit yet"
    return LastCommit(work_tree, root=_rev(work_tree, "HEAD~1") is None)


def recent_range(repo: Path) -> str | None:
    """The ``--range`` covering only the most recent commit of ``repo`` (``HEAD~1..HEAD``,
    which on a root commit means "against the empty tree"); None when ``repo`` is not in a
    git work tree, git is missing, or there is no commit yet."""
    return LAST_COMMIT if isinstance(find_last_commit(repo), LastCommit) else None


def resolve_range(
    repo: Path, rev_range: str | None, since: str | None, *, fallback_last_commit: bool = False
) -> ResolvedRange | None:
    """The range to review, or None when it holds no commits.

    ``rev_range`` is ``A..B`` (``A`` alone means ``A..HEAD``); ``since`` is anything
    ``git log --since`` understands; neither means today's commits on the current branch.
    """
    if rev_range is not None and since is not None:
        raise UsageError("give either --range or --since, not both")
    head = _rev(repo, "HEAD")
    if head is None:
        return None  # no commits yet
    if rev_range is not None:
        left, sep, right = rev_range.partition("..")
        if right.startswith("."):
            raise UsageError(f"--range {rev_range!r}: the A...B form is not supported; use A..B")
        tip = _rev(repo, right or "HEAD") if sep else head
        if tip is None:
            raise UsageError(f"--range {rev_range!r}: unknown revision {right!r}")
        if not left:
            raise UsageError(f"--range {rev_range!r}: the start of the range is missing (expected A..B)")
        base, empty = _base_or_empty(repo, left, rev_range)
        commits = _count(repo, None if empty else base, tip)
        if commits == 0:
            return None
        label = f"{'(empty tree)' if empty else _short(base)}..{_short(tip)}"
        return ResolvedRange(base, tip, label, commits, empty)
    when = (
        since or dt.datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0).isoformat()
    )
    listed = _git(repo, "rev-list", "--first-parent", f"--since={when}", head).stdout.decode().split()
    what = f"since {since}" if since else "today's commits"
    if not listed and since is None and fallback_last_commit:
        listed, what = [head], "no commits today: the last commit"
    if not listed:
        return None
    oldest = listed[-1]
    parent = _rev(repo, f"{oldest}^")
    base, empty = (parent, False) if parent is not None else (_empty_tree(repo), True)
    label = f"{'(empty tree)' if empty else _short(base)}..{_short(head)} ({what})"
    return ResolvedRange(base, head, label, len(listed), empty)


def list_changed_files(repo: Path, rng: ResolvedRange) -> list[ChangedFile]:
    """Changed files in the order ``git diff`` prints them (the same order as :func:`raw_diff`)."""
    out = _git(repo, "diff", *_DIFF_FLAGS, "--numstat", "-z", rng.base, rng.tip, "--").stdout
    files: list[ChangedFile] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        added, deleted, path = record.decode("utf-8", "surrogateescape").split("\t", 2)
        binary = added == "-"
        files.append(ChangedFile(path, None if binary else int(added), None if binary else int(deleted)))
    return files


def raw_diff(repo: Path, rng: ResolvedRange) -> str:
    out = _git(
        repo, "diff", *_DIFF_FLAGS, "-U3", "--src-prefix=a/", "--dst-prefix=b/", rng.base, rng.tip, "--"
    ).stdout
    return out.decode("utf-8", "replace")


def new_line_counts(repo: Path, tip: str, paths: list[str]) -> dict[str, int]:
    """Line count of each path at ``tip`` (one ``git cat-file --batch`` for all of them)."""
    if not paths:
        return {}
    request = "".join(f"{tip}:{p}\n" for p in paths).encode("utf-8", "surrogateescape")
    out = _git(repo, "cat-file", "--batch", stdin=request).stdout
    counts: dict[str, int] = {}
    pos = 0
    for path in paths:
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        blob = out[pos : pos + size]
        pos += size + 1  # content, then a newline
        counts[path] = blob.count(b"\n") + (1 if blob and not blob.endswith(b"\n") else 0)
    return counts
