"""Comparison engine (pure, no I/O): canonical trees, differences, outcomes, divergence classes.

The parity phase sends requests and hands pairs of :class:`Response` to
:func:`compare`; it never looks inside bodies itself. Typical use::

    rules = CompareRules.build(cfg.headers, cfg.ignore, cfg.arrays)   # RuleError -> ConfigError
    noise = [n.path for n in detect_noise(repeats_of_one_target, rules)]   # or a NoiseLearner
    comparison = compare(left, right, rules, noise=noise)
    causes = decompose(comparison, left, right)          # [] for a match
    classes = group_causes([Occurrence("case", "POST /v1/validate", "a", "b", c) for c in causes])

Every printed path is ``core.paths.format_path`` of a concrete path, so it pastes into an
ignore rule; XML trees map onto the same grammar (see :mod:`paritygate.compare.xmltree`).
"""

from paritygate.compare.canonical import body_for_report, canonicalize
from paritygate.compare.classify import (
    GROUP_BY,
    KEY_SEPARATOR,
    Cause,
    DivergenceClass,
    Occurrence,
    class_key,
    decompose,
    group_causes,
)
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
from paritygate.compare.noise import (
    Flaky,
    NoiseLearner,
    NoiseSettings,
    NoisyPath,
    Suggestion,
    detect_noise,
    suggest_rule,
    suggestions,
)
from paritygate.compare.rules import ArrayRule, CompareRules, IgnoreRule, MatchRule, RuleError

__all__ = [
    "GROUP_BY",
    "KEY_SEPARATOR",
    "MAPPINGS",
    "ArrayRule",
    "BodyKind",
    "Canonical",
    "Cause",
    "CompareRules",
    "Comparison",
    "Difference",
    "DivergenceClass",
    "Flaky",
    "IgnoreRule",
    "MatchRule",
    "NoiseLearner",
    "NoiseSettings",
    "NoisyPath",
    "Occurrence",
    "Outcome",
    "Response",
    "RuleError",
    "Suggestion",
    "WireMapping",
    "body_for_report",
    "canonicalize",
    "class_key",
    "compare",
    "decompose",
    "detect_noise",
    "group_causes",
    "most_severe",
    "suggest_rule",
    "suggestions",
]
