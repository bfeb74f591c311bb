"""The phases of the gauntlet: ``smoke/`` (2), ``review/`` (3), ``parity/`` (4), ``assess`` (5).

Each phase returns a :class:`paritygate.core.models.PhaseResult`; no phase imports
another phase or a report writer.
"""
