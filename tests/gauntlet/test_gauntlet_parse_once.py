"""A run reads each of its input files once: the gauntlet parses them before anything starts
and hands the parsed objects to the phases (and hashes those for the history)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gauntlet_helpers import copy_demo

from paritygate.config import load_config
from paritygate.gauntlet import run_gauntlet
from paritygate.history.snapshot import definition_digest

_watched: set[str] = set()
_opened: Counter[str] = Counter()
_hooked = False


def _audit(event: str, args: tuple[object, ...]) -> None:
    # "open" is raised by every built-in open, os.open and Path.read_* of this process
    if event == "open" and _watched and isinstance(args[0], str | Path):
        path = str(Path(args[0]).resolve()) if not str(args[0]).startswith("/proc") else ""
        if path in _watched:
            _opened[path] += 1


@contextmanager
def counting_opens(paths: list[Path]) -> Iterator[Counter[str]]:
    """Count how often each of ``paths`` is opened meanwhile (an audit hook cannot be
    removed, so one hook serves every use and is idle outside it)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _opened.clear()
    _watched.update(str(p.resolve()) for p in paths)
    try:
        yield _opened
    finally:
        _watched.clear()


def test_a_run_reads_config_smoke_cases_and_tracker_once(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    inputs = [
        config,
        *(config.parent / n for n in ("smoke.toml", "cases.toml", "ARCHITECTURE_COMPARISON.md")),
    ]
    with counting_opens(inputs) as opened:
        result = run_gauntlet(load_config(config), only=["stack", "smoke", "parity"])
    assert result.verdict.verdict.value == "ship-with-known-gap"
    assert {Path(p).name: n for p, n in opened.items()} == {
        "paritygate.toml": 1,
        "smoke.toml": 1,
        "cases.toml": 1,
        "ARCHITECTURE_COMPARISON.md": 1,
    }


def test_the_definition_hashes_describe_what_ran_not_the_file_afterwards(tmp_path: Path) -> None:
    config = copy_demo(tmp_path / "project")
    loaded = load_config(config)
    cases = config.parent / "cases.toml"
    original = cases.read_text(encoding="utf-8")
    from paritygate.gauntlet import definition_hashes, parse_inputs

    before = definition_hashes(parse_inputs(loaded, ["parity"]))["parity"]
    assert len(before) == 6 and len(set(before.values())) == 6
    cases.write_text(
        original.replace('tags = ["playbook", "valid"]', 'tags = ["playbook", "valid", "edited"]', 1),
        encoding="utf-8",
    )
    after = definition_hashes(parse_inputs(loaded, ["parity"]))["parity"]
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1  # the one edited case, and only it
    parsed = parse_inputs(loaded, ["parity"]).parity
    assert parsed is not None
    assert after[parsed.cases[0].name] == definition_digest(parsed.cases[0].to_dict())
