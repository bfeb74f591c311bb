"""`--strict` turns a known gap into exit 1 and nothing else: an environment error stays 3."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from paritygate.cli.run_cmd import _exit_code
from paritygate.core.run_doc import RunDocument
from paritygate.gauntlet import RunResult
from paritygate.phases.assess import Reason, ReasonLevel, Verdict, VerdictKind


def _result(
    make: Callable[..., RunDocument], verdict: VerdictKind, error_exit: int | None = None
) -> RunResult:
    level = {VerdictKind.BLOCK: ReasonLevel.BLOCK, VerdictKind.SHIP_WITH_KNOWN_GAP: ReasonLevel.GAP}
    reasons = [Reason(level[verdict], "k", "parity", "e", "m")] if verdict in level else []
    doc = make(verdict=verdict, reasons=reasons)
    return RunResult("r", Path("."), Verdict(verdict, reasons), {}, doc, error_exit=error_exit)


@pytest.mark.parametrize(
    ("verdict", "error_exit", "plain", "strict"),
    [
        (VerdictKind.SHIP, None, 0, 0),
        (VerdictKind.SHIP_WITH_KNOWN_GAP, None, 0, 1),
        (VerdictKind.BLOCK, None, 1, 1),
        (VerdictKind.SHIP_WITH_KNOWN_GAP, 3, 3, 3),
        (VerdictKind.BLOCK, 3, 3, 3),
        (VerdictKind.BLOCK, 2, 2, 2),
        (VerdictKind.SHIP, 3, 3, 3),
    ],
)
def test_exit_codes_with_and_without_strict(
    run_document: Callable[..., RunDocument],
    verdict: VerdictKind,
    error_exit: int | None,
    plain: int,
    strict: int,
) -> None:
    assert _exit_code(_result(run_document, verdict, error_exit), strict=False) == plain
    assert _exit_code(_result(run_document, verdict, error_exit), strict=True) == strict
