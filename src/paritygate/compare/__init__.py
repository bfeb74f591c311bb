"""Comparison engine (pure, no I/O): canonical trees, differences, outcomes, divergence classes.

The parity phase sends requests and hands pairs of :class:`Response` to
:func:`compare`; it never looks inside bodies itself. Typical use::

    rules = CompareRules.build(cfg.headers, cfg.ignore, cfg.arrays)   # RuleError -> ConfigError
    noise = [n.path for n in detect_noise(repeats_of_one_target, rules)]
    comparison = compare(left, right, rules, noise=noise)
    divergence = classify("POST /v1/validate", comparison, left, right)   # None for a match

Every printed path is ``core.paths.format_path`` of a concrete path, so it pastes into an
ignore rule; XML trees map onto the same grammar (see :mod:`paritygate.compare.xmltree`).
"""

from paritygate.compare.canonical import body_for_report, canonicalize
from paritygate.compare.classify import KEY_SEPARATOR, DivergenceClass, classify
from paritygate.compare.engine import compare
from paritygate.compare.mappings import MAPPINGS, WireMapping
from paritygate.compare.model import (
    BodyKind,
    Canonical,
    Comparison,
    Difference,
    Outcome,
    Response,
    most_severe,
)
from paritygate.compare.noise import NoisyPath, detect_noise, suggest_rule
from paritygate.compare.rules import ArrayRule, CompareRules, IgnoreRule, RuleError

__all__ = [
    "KEY_SEPARATOR",
    "MAPPINGS",
    "ArrayRule",
    "BodyKind",
    "Canonical",
    "CompareRules",
    "Comparison",
    "Difference",
    "DivergenceClass",
    "IgnoreRule",
    "NoisyPath",
    "Outcome",
    "Response",
    "RuleError",
    "WireMapping",
    "body_for_report",
    "canonicalize",
    "classify",
    "compare",
    "detect_noise",
    "most_severe",
    "suggest_rule",
]
