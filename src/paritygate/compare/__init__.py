"""Comparison engine (pure, no I/O): canonical trees, differences, outcomes, divergence classes.

The parity phase sends requests and hands pairs of :class:`Response` to
:func:`compare`; it never looks inside bodies itself.
"""
