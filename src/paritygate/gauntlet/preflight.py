"""Check every selected phase's own input before anything starts.

A malformed smoke file, cases file, tracker or prompt template is a ConfigError (exit 2)
raised here, before a service is started or a run directory is made, rather than after
the stack took its seconds to come up. Nothing is sent and nothing is written.
"""

from __future__ import annotations

from paritygate.config.loader import LoadedConfig

__all__ = ["check_inputs"]


def check_inputs(loaded: LoadedConfig, selected: list[str]) -> None:
    """Raise the ConfigError a selected phase would raise on its input; return when all is well."""
    if "smoke" in selected and loaded.model.smoke is not None:
        from paritygate.phases.smoke import load_smoke

        load_smoke(loaded)
    if "parity" in selected and loaded.model.parity is not None:
        from paritygate.phases import parity

        parity.check_inputs(loaded)
    review = loaded.model.review
    if "review" in selected and review is not None and review.prompt_template:
        from paritygate.phases.review.prompt import PromptRenderer

        PromptRenderer(loaded.resolve(review.prompt_template))
