"""The gauntlet package's public names stay importable from ``paritygate.gauntlet``."""

from __future__ import annotations

import paritygate.gauntlet as gauntlet


def test_public_names_are_exported() -> None:
    assert sorted(gauntlet.__all__) == [
        "PHASES",
        "ProgressEvent",
        "ProgressFn",
        "ProgressState",
        "RunInputs",
        "RunResult",
        "check_inputs",
        "definition_hashes",
        "parse_inputs",
        "reassess_run",
        "reclassify_parity",
        "run_gauntlet",
        "select_phases",
        "stop_hint",
    ]
    for name in gauntlet.__all__:
        assert getattr(gauntlet, name) is not None, name
    assert gauntlet.PHASES == ("stack", "smoke", "parity", "fuzz", "review")  # fuzz: off by default
    assert "stack" not in gauntlet.RunResult.__dataclass_fields__  # handles are not kept alive any more
