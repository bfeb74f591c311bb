"""A parity run's noise calibration, handed on to a later comparison of the same targets.

The fuzz phase of ``paritygate run`` sends its generated requests after parity, to the
same targets: the paths parity learned as noise (from twins or repeats) are excused
there too, and its report states the calibration it rests on, so a volatile field never
becomes a "divergence" only because fuzz did not measure noise itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from paritygate.compare import NoisyPath
from paritygate.core.parity_doc import ParityDocument
from paritygate.phases.parity.probe_run import Calibration

__all__ = ["LearnedNoise", "learned_noise"]

_MODES = ("twins", "repeats", "twins+repeats", "none")


@dataclass(slots=True)
class LearnedNoise:
    calibration: Calibration
    noise: list[NoisyPath] = field(default_factory=list)
    twin_urls: dict[str, str] = field(default_factory=dict)


def learned_noise(doc: ParityDocument) -> LearnedNoise:
    """The calibration and the noise paths a parity document records, as the probe uses them."""
    cal = doc.calibration
    mode = cast(
        Literal["twins", "repeats", "twins+repeats", "none"], cal.mode if cal.mode in _MODES else "none"
    )
    calibration = Calibration(
        mode,
        dict(cal.twins),
        cal.noise_runs,
        cal.repeated_cases,
        cal.unrepeated_cases,
        cal.observations,
        cal.min_count,
        cal.min_ratio,
    )
    noise = [
        NoisyPath(
            path=n.path,
            target=n.target,
            operation=n.operation,
            source="twins" if n.source == "twins" else "repeats",
            observations=n.observations,
            differed=n.differed,
            clock=n.clock,
            examples=list(n.examples),
            kind=n.kind,
            cases=list(n.cases),
        )
        for n in doc.noise
    ]
    return LearnedNoise(calibration, noise, dict(cal.twin_urls))
