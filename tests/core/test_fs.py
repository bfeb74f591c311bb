"""Atomic writes: new files get the mode open() would give them, existing files keep theirs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from paritygate.core import fs
from paritygate.core.fs import atomic_write_bytes, atomic_write_text, current_umask, new_file_mode
from paritygate.errors import RuntimeProblem


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask whatever a test sets."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0, 0o666)])
def test_a_new_file_gets_0666_minus_the_umask(tmp_path: Path, umask: None, mask: int, expected: int) -> None:
    os.umask(mask)
    assert current_umask() == mask and new_file_mode() == expected
    atomic_write_text(tmp_path / "report.md", "# hi\n")
    assert _mode(tmp_path / "report.md") == expected
    # The same as a file written the ordinary way.
    (tmp_path / "plain.md").write_text("# hi\n")
    assert _mode(tmp_path / "plain.md") == expected


@pytest.mark.parametrize("existing", [0o600, 0o640, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask: None, existing: int) -> None:
    target = tmp_path / "tracker.md"
    target.write_text("old\n")
    target.chmod(existing)
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n" and _mode(target) == existing


def test_a_failed_write_leaves_the_target_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"{}")

    def broken_fsync(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(RuntimeProblem, match=f"cannot write {target}: No space left"):
        atomic_write_bytes(target, b'{"new": true}')
    assert target.read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_umask_fallback_agrees_with_proc(umask: None) -> None:
    os.umask(0o027)
    assert fs._umask_from_proc() == 0o027
    assert fs._umask_by_setting() == 0o027
    assert current_umask() == 0o027  # setting and restoring left it as it was


def test_an_unwritable_directory_is_a_runtime_problem_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(RuntimeProblem, match=r"cannot write .*not-a-dir/report\.md") as info:
        atomic_write_bytes(blocker / "report.md", b"x")
    assert info.value.exit_code == 3
