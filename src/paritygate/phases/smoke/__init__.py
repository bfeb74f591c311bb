"""Phase 2, the smoke chain: declarative HTTP checks across the whole service surface.

:func:`load_smoke` validates ``[smoke]`` and sends nothing; :func:`run_smoke`
validates and runs, returning a ``PhaseResult`` whose data is ``paritygate.smoke/1``
(docs/phase-data.md). The format is documented in docs/smoke.md.
"""

from paritygate.phases.smoke.plan import SmokePlan, load_smoke
from paritygate.phases.smoke.runner import SCHEMA, run_plan, run_plan_async, run_smoke

__all__ = ["SCHEMA", "SmokePlan", "load_smoke", "run_plan", "run_plan_async", "run_smoke"]
