"""Parse every selected phase's own input once, before anything starts.

A malformed smoke file, cases file, tracker or prompt template is a ConfigError (exit 2)
raised here, before a service is started or a run directory is made, rather than after
the stack took its seconds to come up. Nothing is sent and nothing is written. The parsed
objects are what the phases then run on and what the definition hashes describe, so each
input file is read once per run, and "what ran" is what was parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paritygate.config.loader import LoadedConfig

if TYPE_CHECKING:
    from paritygate.gauntlet.fuzz_step import FuzzPlan
    from paritygate.phases.parity import ParityInputs
    from paritygate.phases.smoke.plan import SmokePlan

__all__ = ["RunInputs", "check_inputs", "parse_inputs"]


@dataclass(slots=True)
class RunInputs:
    """The parsed inputs of the selected phases (None: not selected, or no section)."""

    smoke: SmokePlan | None = None
    parity: ParityInputs | None = None
    fuzz: FuzzPlan | None = None  # its OpenAPI document or the cases it mutates, read and checked


def parse_inputs(
    loaded: LoadedConfig,
    selected: list[str],
    *,
    record_decisions: bool = False,
    tags: Sequence[str] = (),
    case_names: Sequence[str] = (),
) -> RunInputs:
    """Parse each selected phase's input; raise the ConfigError a phase would raise on it.
    ``tags``/``case_names`` keep only those parity cases (a name no case has is an error)."""
    inputs = RunInputs()
    if "stack" in selected:
        from paritygate.stack.plan import check_executables

        check_executables(loaded)
    if "smoke" in selected and loaded.model.smoke is not None:
        from paritygate.phases.smoke import load_smoke

        inputs.smoke = load_smoke(loaded)
    if "parity" in selected and loaded.model.parity is not None:
        from paritygate.phases.parity import load_inputs, select_cases

        inputs.parity = select_cases(load_inputs(loaded, record_decisions=record_decisions), tags, case_names)
    if "fuzz" in selected and loaded.model.fuzz is not None:
        from paritygate.gauntlet.fuzz_step import plan_fuzz

        inputs.fuzz = plan_fuzz(loaded, record_decisions=record_decisions)
    review = loaded.model.review
    if "review" in selected and review is not None and review.prompt_template:
        from paritygate.phases.review.prompt import PromptRenderer

        PromptRenderer(loaded.resolve(review.prompt_template))
    return inputs


def check_inputs(loaded: LoadedConfig, selected: list[str], *, record_decisions: bool = False) -> RunInputs:
    """Raise the ConfigError a selected phase would raise on its input; return what was parsed."""
    return parse_inputs(loaded, selected, record_decisions=record_decisions)
